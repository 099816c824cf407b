//! Server strings are drawn as text, never as terminal commands.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as is: C0/C1 controls (ESC included), DEL,
/// and the bidi overrides/isolates that can reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// Replaces each unsafe character by a visible stand-in: controls become their Unicode
/// "control picture" (ESC shows as ␛), the rest U+FFFD.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
