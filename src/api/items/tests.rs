use serde::Deserialize;

use super::{Marked, RowStream, Rows, Tolerant, decode_rows};

#[derive(Debug, Deserialize, PartialEq)]
struct Row {
    ip: String,
    #[serde(skip)]
    problem: Option<String>,
}

impl Marked for Row {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl Tolerant for Row {
    fn undecodable(raw: &str, problem: String) -> Self {
        Row {
            ip: raw.to_string(),
            problem: Some(problem),
        }
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Site {
    name: String,
    #[serde(default)]
    items: u64,
    #[serde(skip)]
    problem: Option<String>,
}

impl Marked for Site {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl Tolerant for Site {
    const COUNTED: &'static [&'static str] = &["items"];
    fn undecodable(raw: &str, problem: String) -> Self {
        Site {
            name: raw.to_string(),
            items: 0,
            problem: Some(problem),
        }
    }
}

/// A row's counted list is read as it comes and never held: a row of many megabytes
/// holds a few bytes; what else the row has is kept; chunks may end anywhere.
#[test]
fn counted_lists_are_counted_not_held() {
    let item = r#"{"ip": "10.0.0.1", "d": "a \"quoted\" ]},[ text", "n": [1, {"x": []}]}"#;
    let many = vec![item; 20_000].join(", ");
    let body = format!(
        r#"[{{"name": "big", "items": [{many}], "x": {{"items": [1, 2]}}}}, {{"items": [], "name": "empty \"one\""}}, {{"name": "odd", "items": 3}}]"#
    );
    for size in [1, 7, 4096, 1 << 20] {
        let mut s = RowStream::<Site>::new(&[], 10).held_at_most(64 << 10);
        let mut most = 0;
        for chunk in body.as_bytes().chunks(size) {
            s.feed(chunk).unwrap();
            most = most.max(s.held());
        }
        let r = s.finish().unwrap();
        assert!(most < 8 << 10, "{most} bytes held (chunks of {size})");
        let got: Vec<(&str, u64)> = r.items.iter().map(|x| (x.name.as_str(), x.items)).collect();
        assert_eq!(
            got,
            [("big", 20_000), ("empty \"one\"", 0), ("odd", 3)],
            "chunks of {size}"
        );
    }
    // What the row keeps is still capped.
    let fat = format!(r#"[{{"name": "{}", "items": []}}]"#, "n".repeat(100_000));
    let mut s = RowStream::<Site>::new(&[], 10).held_at_most(64 << 10);
    let e = fat
        .as_bytes()
        .chunks(4096)
        .try_for_each(|c| s.feed(c))
        .unwrap_err();
    assert!(e.to_string().contains("max_body_mb"), "{e}");
}

#[test]
fn one_bad_row_spoils_only_itself() {
    let body = br#"{"total": 5, "page": 1, "size": 50, "pages": 1, "items": [
        {"ip": "10.0.0.1"},
        {"ip": 12},
        {"ip": "10.0.0.3", "ip": "dup"},
        {"ip": "\ud800"},
        {"ip": 1e400}
    ]}"#;
    let r = decode_rows::<Row>(200, body, &["items"], 100).expect("a list");
    assert_eq!(r.odd, 4);
    assert_eq!(r.items.len(), 5);
    assert_eq!(r.total, Some(5));
    assert_eq!(r.items[0].ip, "10.0.0.1");
    assert_eq!(r.items[0].problem, None);
    for (i, item) in r.items.iter().enumerate().skip(1) {
        assert!(item.problem.is_some(), "row {i} marked: {item:?}");
    }
    assert!(r.items[1].ip.contains("12"), "shown as sent");
    assert!(r.items[4].ip.contains("1e400"), "shown as sent");
    // A bad value in a key nobody reads spoils nothing.
    let r = decode_rows::<Row>(200, br#"[{"ip": "a", "n": 1e400}]"#, &[], 100).unwrap();
    assert_eq!((r.odd, r.items[0].ip.as_str()), (0, "a"));
}

#[test]
fn rows_past_the_limit_are_refused_not_held() {
    let many = format!("[{}0]", "0,".repeat(1000));
    let e = decode_rows::<Row>(200, many.as_bytes(), &[], 100).unwrap_err();
    assert!(e.to_string().contains("max_rows"), "{e}");
    let ok = format!("[{}{{\"ip\":\"a\"}}]", "{\"ip\":\"a\"},".repeat(99));
    assert_eq!(
        decode_rows::<Row>(200, ok.as_bytes(), &[], 100)
            .unwrap()
            .items
            .len(),
        100
    );
}

fn rows(body: &[u8], keys: &'static [&'static str], limit: usize) -> Option<Rows<Row>> {
    decode_rows(200, body, keys, limit).ok()
}

/// The same answer fed in chunks of every size from 1 byte: the same rows, and never
/// more held than the longest row (plus one chunk).
#[test]
fn chunks_may_end_anywhere() {
    let body = br#" {"total" : 3, "odd": {"items": [1, "]"]}, "items" : [ {"ip": "a\"]\\"},
        {"ip": 12}, {"ip":"c", "x": [[], {}]} ], "pages": 1 } "#;
    let whole = rows(body, &["items"], 10).expect("a list");
    assert_eq!(whole.items.len(), 3);
    assert_eq!(whole.items[0].ip, "a\"]\\");
    assert_eq!((whole.odd, whole.total, whole.pages), (1, Some(3), Some(1)));
    let longest = 40;
    for size in 1..body.len() {
        let mut s = RowStream::<Row>::new(&["items"], 10);
        for chunk in body.chunks(size) {
            s.feed(chunk).unwrap();
            assert!(s.held() <= longest + size, "{size}: {} held", s.held());
        }
        let r = s.finish().unwrap();
        assert_eq!(r.items, whole.items, "chunks of {size}");
        assert_eq!((r.odd, r.total, r.pages), (1, Some(3), Some(1)));
    }
}

/// Old servers send the counters as strings; a counter that is no scalar, and a key
/// longer than any list has, are skipped as they come, not held.
#[test]
fn counters_as_strings_and_large_odd_values_are_not_held() {
    let r = rows(
        br#"{"total": "120", "pages": " 3", "items": [{"ip": "a"}]}"#,
        &["items"],
        10,
    )
    .unwrap();
    assert_eq!((r.total, r.pages), (Some(120), Some(3)));
    let big = "0,".repeat(200_000);
    let key = "k".repeat(100_000);
    let body = format!(r#"{{"total": [{big}0], "{key}": 1, "items": [{{"ip": "b"}}], "page": 2}}"#);
    let mut s = RowStream::<Row>::new(&["items"], 10);
    for chunk in body.as_bytes().chunks(4096) {
        s.feed(chunk).unwrap();
        assert!(s.held() <= 2 * 4096, "{} held", s.held());
    }
    let r = s.finish().unwrap();
    assert_eq!((r.total, r.page, r.items.len()), (None, Some(2), 1));
}

#[test]
fn bare_lists_nesting_and_garbage() {
    let r = rows(br#"[{"ip":"a"}, {"ip":"b]}\"["}]"#, &[], 10).unwrap();
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.items[1].ip, "b]}\"[");
    let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
    let r = rows(deep.as_bytes(), &[], 10).unwrap();
    assert_eq!(r.items.len(), 1);
    assert!(r.items[0].problem.is_some());
    for garbage in [
        &b""[..],
        b"nope",
        b"[1,",
        b"{\"items\": [",
        b"{\"a\"}",
        b"[}",
    ] {
        assert!(rows(garbage, &["items"], 10).is_none(), "{garbage:?}");
    }
}
