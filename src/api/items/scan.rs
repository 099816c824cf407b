//! Following a JSON value's structure (strings, nesting) without decoding it, resumable at
//! any byte.

/// Where the value being scanned stands, so a chunk may end anywhere in it.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Scan {
    /// Open `{`/`[` (0 for a string or a scalar).
    depth: usize,
    in_str: bool,
    /// The chunk ended just after a `\` inside a string.
    escaped: bool,
    scalar: bool,
}

impl Scan {
    /// A value starting with `first`.
    pub(super) fn start(first: u8) -> Scan {
        match first {
            b'"' => Scan {
                in_str: true,
                ..Scan::default()
            },
            b'{' | b'[' => Scan {
                depth: 1,
                ..Scan::default()
            },
            _ => Scan {
                scalar: true,
                ..Scan::default()
            },
        }
    }

    /// Goes on from `i` (after the value's first byte): the index after the value's end, or
    /// `None` when `b` ends first (the state is kept for the next chunk).
    pub(super) fn run(&mut self, b: &[u8], mut i: usize) -> Option<usize> {
        loop {
            if self.escaped {
                if i >= b.len() {
                    return None;
                }
                self.escaped = false;
                i += 1;
            }
            if self.in_str {
                // Strings are most of a row: jumped through, not walked.
                let at = memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..])?;
                i += at;
                if b[i] == b'\\' {
                    self.escaped = true;
                    i += 1;
                    continue;
                }
                self.in_str = false;
                i += 1;
                if self.depth == 0 {
                    return Some(i);
                }
                continue;
            }
            if self.scalar {
                while i < b.len() {
                    if matches!(b[i], b',' | b'}' | b']') || b[i].is_ascii_whitespace() {
                        return Some(i);
                    }
                    i += 1;
                }
                return None;
            }
            let &c = b.get(i)?;
            i += 1;
            match c {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
    }
}
