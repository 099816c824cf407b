//! Server strings are drawn as text, never as terminal commands.

use std::borrow::Cow;
use std::io::Write;

/// Whether a character must not reach a terminal as is: C0/C1 controls (ESC included), DEL,
/// and the bidi overrides/isolates that can reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// Replaces each unsafe character by a visible stand-in: controls become their Unicode
/// "control picture" (ESC shows as ␛), the rest U+FFFD.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !holds_unsafe(s.as_bytes(), true) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
                '\u{7f}' => '\u{2421}',
                c if is_unsafe(c) => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

/// A character of the C1 range, a bidi control, or DEL: serde_json writes them raw.
fn json_unsafe(c: char) -> bool {
    is_unsafe(c) && !('\u{0}'..='\u{1f}').contains(&c)
}

/// `42 s`, `3 min`, `5 h`, `2 d`: an age at a glance.
/// `s` cut to `w` columns, ending with `…` when cut (a cut never ends mid-character).
pub fn ellipsize(s: &str, w: usize) -> Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= w {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

pub fn short_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

#[test]
fn short_durations() {
    use std::time::Duration as D;
    assert_eq!(short_duration(D::from_secs(42)), "42 s");
    assert_eq!(short_duration(D::from_secs(180)), "3 min");
    assert_eq!(short_duration(D::from_secs(5 * 3600 + 10)), "5 h");
    assert_eq!(short_duration(D::from_secs(2 * 86_400)), "2 d");
}

/// JSON text as serde_json writes it, with the controls it leaves raw (DEL, C1, bidi
/// overrides and isolates) written as `\uXXXX` escapes too: the data decodes the same, and
/// nothing in it acts on a terminal. Outside strings JSON is ASCII, so every such character
/// stands inside one.
pub fn json_safe(json: String) -> String {
    match json_safe_str(&json) {
        Cow::Owned(escaped) => escaped,
        Cow::Borrowed(_) => json,
    }
}

/// Printable ASCII only: a byte a character and a column, nothing in it unsafe (nearly every
/// cell and field, checked a hundred thousand times a listing).
#[inline]
pub fn printable_ascii(s: &str) -> bool {
    ascii_from(s.as_bytes(), 0x20)
}

/// Every byte in `low..0x7f`: one unsigned comparison a byte and no branch (a fold, not
/// `all`), so the compiler takes 16 bytes at a time; this check was 9% of a CSV listing's
/// instructions.
#[inline]
fn ascii_from(b: &[u8], low: u8) -> bool {
    b.iter()
        .fold(true, |ok, &c| ok & (c.wrapping_sub(low) < 0x7f - low))
}

/// Whether UTF-8 text holds a character `is_unsafe` names (`with_c0`) or `json_unsafe` names
/// (without C0, which serde_json escapes itself), read a byte at a time: each starts with a
/// C0 byte, DEL, or one of C1 (`C2 80`–`C2 9F`), U+061C (`D8 9C`), the bidi controls
/// (`E2 80 8E`/`8F`, `E2 80 AA`–`AE`, `E2 81 A6`–`A9`). A listing checks a million short
/// strings, nearly all ASCII or accented (`C3 …`).
fn holds_unsafe(b: &[u8], with_c0: bool) -> bool {
    // Printable ASCII, nearly every string (and every key): one tight pass.
    if ascii_from(b, if with_c0 { 0x20 } else { 0 }) {
        return false;
    }
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    b.iter().enumerate().any(|(i, &c)| match c {
        0..0x20 => with_c0,
        0x7f => true,
        0xc2 => (0x80..0xa0).contains(&at(i + 1)),
        0xd8 => at(i + 1) == 0x9c,
        0xe2 => matches!(
            (at(i + 1), at(i + 2)),
            (0x80, 0x8e | 0x8f | 0xaa..=0xae) | (0x81, 0xa6..=0xa9)
        ),
        _ => false,
    })
}

/// `json_safe` of a piece of JSON text (a string being written), borrowed when nothing in
/// it needs an escape.
pub fn json_safe_str(json: &str) -> Cow<'_, str> {
    if !holds_unsafe(json.as_bytes(), false) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if json_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A cell's text with every unsafe character written as an escape (`\n`, `\r`, `\t`,
/// `\x1b`, `\u{202e}`): nothing in a CSV file acts on a terminal, a NUL never ends a cell.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !holds_unsafe(s.as_bytes(), true) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell safe for a spreadsheet and a terminal: controls escaped (`escape_controls`), and
/// a cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return: CWE-1236) prefixed with `'`, as OWASP advises. A number (`-2`, `+33`,
/// `-3.85`) is data, kept as it is.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let formula =
        s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err();
    let escaped = escape_controls(s);
    if formula {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

/// How a secret is shown wherever it is hidden: the console, `vigie list` (table, CSV and
/// JSON), exports, `$EDITOR` and logs — one mask, so no output says it another way.
pub const MASK: &str = "••••••••";

/// A key whose value is a secret (password, token, secret, in any case).
pub fn is_secret_key(k: &str) -> bool {
    let k = k.to_lowercase();
    ["password", "token", "secret"]
        .iter()
        .any(|w| k.contains(w))
}

/// A server's raw text (a row that could not be read, an error's excerpt) with the value of
/// every secret-looking key masked: read as JSON where it is, scanned as JSON-ish text where it
/// is not (cut, a duplicate key, a lone surrogate), so a kept bad row never shows a secret.
pub fn mask_secret_text(raw: &str) -> Cow<'_, str> {
    let lower = raw.to_ascii_lowercase();
    if !["password", "token", "secret"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Cow::Borrowed(raw);
    }
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    // The end of the string starting at `at` (its closing quote's index, or the text's end).
    let string_end = |at: usize| {
        let mut j = at + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return j,
                _ => j += 1,
            }
        }
        b.len()
    };
    while i < b.len() {
        if b[i] != b'"' {
            let next = raw[i..].find('"').map_or(b.len(), |k| i + k);
            out.push_str(&raw[i..next]);
            i = next;
            continue;
        }
        let end = string_end(i);
        let key = &raw[i..(end + 1).min(b.len())];
        out.push_str(key);
        i = (end + 1).min(b.len());
        // A key: `"…": value`.
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b':' || !is_secret_key(key.trim_matches('"')) {
            continue;
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        out.push_str(&raw[i..j]);
        // The value, whatever it is, becomes the mask (null and "" stay: nothing to hide).
        let value_end = match b.get(j) {
            None => j,
            Some(b'"') => (string_end(j) + 1).min(b.len()),
            Some(b'{') | Some(b'[') => {
                let (mut depth, mut k) = (0usize, j);
                while k < b.len() {
                    match b[k] {
                        b'"' => k = string_end(k),
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                k += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                k.min(b.len())
            }
            Some(_) => raw[j..]
                .find([',', '}', ']', ' ', '\n', '\r', '\t'])
                .map_or(b.len(), |k| j + k),
        };
        let value = &raw[j..value_end];
        if value.is_empty() || value == "null" || value == "\"\"" {
            out.push_str(value);
        } else {
            out.push('"');
            out.push_str(MASK);
            out.push('"');
        }
        i = value_end;
    }
    Cow::Owned(out)
}

/// Replaces the values of secret-looking keys (password, token, secret) by a mask.
pub fn mask_secrets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, val) in m.iter_mut() {
                let secret = is_secret_key(k);
                if secret && !val.is_null() && val.as_str() != Some("") {
                    *val = serde_json::Value::String(MASK.into());
                } else {
                    mask_secrets(val);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

/// CSV rows through `csv_cell`; headers too (they may be translated words).
pub fn write_csv_rows<'a, H, R, C>(
    out: &mut dyn Write,
    headers: impl Iterator<Item = H>,
    rows: impl Iterator<Item = R>,
) -> std::io::Result<()>
where
    H: AsRef<str>,
    R: IntoIterator<Item = &'a C>,
    C: AsRef<str> + 'a + ?Sized,
{
    // The writer's I/O error as it is (a closed pipe must read as one).
    fn io(e: csv::Error) -> std::io::Error {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => std::io::Error::other(format!("{other:?}")),
        }
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers.map(|h| csv_cell(h.as_ref()).into_owned()))
        .map_err(io)?;
    for r in rows {
        w.write_record(r.into_iter().map(|c| csv_cell(c.as_ref()).into_owned()))
            .map_err(io)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{csv_cell, holds_unsafe, is_unsafe, json_safe, json_unsafe, sanitize};

    /// The byte scan finds exactly the characters `is_unsafe` and `json_unsafe` name, alone,
    /// between others and at either end, over every Unicode scalar value.
    #[test]
    fn the_byte_scan_finds_every_unsafe_character_and_no_other() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for s in [format!("{c}"), format!("a{c}é"), format!("é{c}")] {
                assert_eq!(
                    holds_unsafe(s.as_bytes(), false),
                    json_unsafe(c),
                    "{:x}",
                    c as u32
                );
                assert_eq!(
                    holds_unsafe(s.as_bytes(), true),
                    is_unsafe(c),
                    "{:x}",
                    c as u32
                );
            }
        }
        assert!(!holds_unsafe("Caméra entrée ••• °C".as_bytes(), true));
    }

    #[test]
    fn json_keeps_its_data_and_loses_its_teeth() {
        let evil = "a\u{9b}2J\u{202e}b\u{7f}\u{1b}]52;c;x\u{7}";
        let text = json_safe(serde_json::to_string(&serde_json::json!({ "k": evil })).unwrap());
        assert!(!text.chars().any(is_unsafe), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["k"], evil, "the same data");
        assert_eq!(json_safe("{\"a\":1}".into()), "{\"a\":1}");
    }

    #[test]
    fn csv_cells_neither_run_nor_act() {
        for (cell, shown) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(1)", "'@SUM(1)"),
            ("-2+3", "'-2+3"),
            ("\tx", "'\\tx"),
            ("\r=1", "'\\r=1"),
            ("-2", "-2"),
            ("-3.85", "-3.85"),
            ("+33", "+33"),
            ("LOUM", "LOUM"),
            ("a\u{0}b", "a\\x00b"),
            ("a\u{1b}[2Jb", "a\\x1b[2Jb"),
            ("a\u{9b}b\u{202e}c", "a\\x9bb\\u{202e}c"),
            ("line 1\nline 2", "line 1\\nline 2"),
        ] {
            assert_eq!(csv_cell(cell), shown, "{cell:?}");
            assert!(!csv_cell(cell).chars().any(is_unsafe));
        }
    }

    #[test]
    fn escapes_are_neutralised() {
        let evil = "\u{1b}]2;owned\u{7}\u{1b}[2J";
        let s = sanitize(evil);
        assert!(!s.chars().any(is_unsafe));
        assert_eq!(s, "␛]2;owned␇␛[2J");
        assert_eq!(sanitize("Bonabéri 東京 📷"), "Bonabéri 東京 📷");
        assert!(matches!(sanitize("plain"), Cow::Borrowed(_)));
        assert_eq!(sanitize("a\u{202e}b\u{9b}c"), "a\u{fffd}b\u{fffd}c");
    }
}

#[cfg(test)]
mod secret_text {
    use super::mask_secret_text;

    #[test]
    fn secret_values_in_raw_text_are_masked_whatever_its_shape() {
        let row = r#"{"ip": 12, "password": "Sup3r\"s3cret", "api_token": 42, "x": "password"}"#;
        let m = mask_secret_text(row);
        assert!(!m.contains("Sup3r") && !m.contains("42"), "{m}");
        assert!(
            m.contains(r#""x": "password""#),
            "a value that says password stays: {m}"
        );
        // Cut in the middle of the secret, a duplicate key, nested.
        for raw in [
            r#"{"ip": "a", "password": "Sup3rs3c"#,
            r#"{"password": "a", "password": "Sup3rs3cret"}"#,
            r#"{"creds": {"Password" : ["Sup3rs3cret"]}}"#,
            r#"{"secret":Sup3rs3cret,"ip":1}"#,
        ] {
            let m = mask_secret_text(raw);
            assert!(!m.contains("Sup3rs3c"), "{raw} → {m}");
        }
        assert_eq!(
            mask_secret_text(r#"{"password": null}"#),
            r#"{"password": null}"#
        );
        assert_eq!(mask_secret_text("no secret here"), "no secret here");
    }
}
