//! Lists decoded row by row: one bad value (`1e400`, `"ip": 12`, a duplicate key, a lone
//! surrogate) spoils its row, never the whole answer. The good rows are kept; a bad one stays
//! in the list, marked with its problem and the text the server sent.
//!
//! The rows are found by a small scanner that only follows the JSON structure (strings,
//! nesting) without decoding it: iterative, so 100,000 nested `[` cost nothing but time.

use serde::de::DeserializeOwned;

use super::error::{ApiError, excerpt};
use super::model::Page;

/// A row type that can stand for a row it could not decode.
pub trait Tolerant: DeserializeOwned {
    /// A row that could not be decoded: `raw` is what the server sent, `problem` why.
    fn undecodable(raw: &str, problem: String) -> Self;
    /// What is odd about a decoded row (a port of 70000), for a mark.
    fn check(&mut self) {}
    /// The row's problem, when it has one.
    fn problem(&self) -> Option<&str>;
}

/// A list answer decoded row by row.
#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub items: Vec<T>,
    /// Rows kept with a problem (undecodable, or odd).
    pub odd: usize,
    /// The page's counters, when it was a page.
    pub total: Option<u64>,
    pub page: Option<u64>,
    pub size: Option<u64>,
    pub pages: Option<u64>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            items: Vec::new(),
            odd: 0,
            total: None,
            page: None,
            size: None,
            pages: None,
        }
    }
}

impl<T> Rows<T> {
    pub fn into_page(self) -> Page<T> {
        Page {
            items: self.items,
            total: self.total,
            page: self.page,
            size: self.size,
            pages: self.pages,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The index after the string starting at `i` (a `"`).
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The index after the value starting at `i` (whitespace skipped first).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let mut i = skip_ws(b, i);
    match *b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = skip_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let start = i;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']') && !b[i].is_ascii_whitespace()
            {
                i += 1;
            }
            (i > start).then_some(i)
        }
    }
}

/// The spans of the elements of the array starting at `i` (a `[`), `limit` at most (the
/// caller asks one more than it takes, to know there were too many).
fn array_items(b: &[u8], i: usize, limit: usize) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(out);
    }
    loop {
        let start = skip_ws(b, i);
        let end = skip_value(b, start)?;
        if out.len() >= limit {
            // Enough to say there are too many: the rest is not held.
            return Some(out);
        }
        out.push((start, end));
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i += 1,
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// The (key, value span) pairs of the object starting at `i` (a `{`).
fn object_pairs(b: &[u8], i: usize) -> Option<Vec<(String, (usize, usize))>> {
    let mut out = Vec::new();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(out);
    }
    loop {
        let ks = skip_ws(b, i);
        let ke = skip_string(b, ks)?;
        let key: String = serde_json::from_slice(&b[ks..ke]).ok()?;
        i = skip_ws(b, ke);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let vs = skip_ws(b, i + 1);
        let ve = skip_value(b, vs)?;
        out.push((key, (vs, ve)));
        i = skip_ws(b, ve);
        match b.get(i)? {
            b',' => i += 1,
            b'}' => return Some(out),
            _ => return None,
        }
    }
}

/// A page counter as sent: a non-negative integer, else nothing.
fn counter(b: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(b)
        .ok()?
        .as_u64()
}

/// A row's text as sent, for a mark: controls out, at most 200 characters.
fn shown(text: &[u8]) -> String {
    String::from_utf8_lossy(&text[..text.len().min(800)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

/// Decodes a list answer: a bare array, or an object holding it under one of `keys` (a page's
/// `items`). Each row on its own: an undecodable one becomes `T::undecodable`. `None` when the
/// answer is not a list at all (or not JSON).
pub fn rows<T: Tolerant>(body: &[u8], keys: &[&str], limit: usize) -> Option<Rows<T>> {
    let start = skip_ws(body, 0);
    let mut out = Rows::default();
    let spans = match body.get(start)? {
        b'[' => array_items(body, start, limit)?,
        b'{' => {
            let mut spans = None;
            for (k, (s, e)) in object_pairs(body, start)? {
                let v = &body[s..e];
                match k.as_str() {
                    "total" => out.total = counter(v),
                    "page" => out.page = counter(v),
                    "size" => out.size = counter(v),
                    "pages" => out.pages = counter(v),
                    k if keys.contains(&k) && v.first() == Some(&b'[') => {
                        spans = Some(array_items(body, s, limit)?);
                    }
                    _ => {}
                }
            }
            spans.unwrap_or_default()
        }
        _ => return None,
    };
    out.items.reserve_exact(spans.len());
    for (s, e) in spans {
        let text = &body[s..e];
        let mut row = match std::str::from_utf8(text) {
            Ok(t) => serde_json::from_str::<T>(t),
            Err(_) => serde_json::from_slice::<T>(text),
        }
        .unwrap_or_else(|err| T::undecodable(&shown(text), err.to_string()));
        row.check();
        out.items.push(row);
    }
    Some(out)
}

/// A list answer (a bare array, or a page whose rows are under one of `keys`), decoded at once
/// when every row is sound (the usual case, the fastest), row by row otherwise.
/// More than `limit` rows is an error naming `max_rows` (a 256 MB answer of `0,0,0…` does not
/// become 128 million marked rows).
pub fn decode_rows<T: Tolerant>(
    status: u16,
    body: &[u8],
    keys: &[&str],
    limit: usize,
) -> Result<Rows<T>, ApiError> {
    let text = std::str::from_utf8(body).ok();
    let whole = text.and_then(|t| match t.trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str::<Vec<T>>(t).ok().map(|items| Rows {
            items,
            ..Rows::default()
        }),
        Some(b'{') if keys == ["items"] => serde_json::from_str::<Page<T>>(t).ok().map(|p| Rows {
            items: p.items,
            odd: 0,
            total: p.total,
            page: p.page,
            size: p.size,
            pages: p.pages,
        }),
        _ => None,
    });
    let mut r = match whole {
        Some(mut r) => {
            r.items.iter_mut().for_each(T::check);
            r
        }
        None => rows::<T>(body, keys, limit.saturating_add(1)).ok_or_else(|| ApiError::Decode {
            status,
            message: "not a list".into(),
            excerpt: excerpt(body),
        })?,
    };
    if r.items.len() > limit {
        return Err(ApiError::Config(format!(
            "the answer holds more than {limit} rows: max_rows (profile setting) allows no more"
        )));
    }
    r.odd = r.items.iter().filter(|x| x.problem().is_some()).count();
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        ip: String,
        #[serde(skip)]
        problem: Option<String>,
    }

    impl Tolerant for Row {
        fn undecodable(raw: &str, problem: String) -> Self {
            Row {
                ip: raw.to_string(),
                problem: Some(problem),
            }
        }
        fn problem(&self) -> Option<&str> {
            self.problem.as_deref()
        }
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

    #[test]
    fn bare_lists_nesting_and_garbage() {
        let r = rows::<Row>(br#"[{"ip":"a"}, {"ip":"b]}\"["}]"#, &[], 10).unwrap();
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items[1].ip, "b]}\"[");
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let r = rows::<Row>(deep.as_bytes(), &[], 10).unwrap();
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
            assert!(
                rows::<Row>(garbage, &["items"], 10).is_none(),
                "{garbage:?}"
            );
        }
    }
}
