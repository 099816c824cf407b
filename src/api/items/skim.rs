//! A row read as it comes with its counted lists counted, not held.

use super::Tolerant;
use crate::api::grow_within;

/// A row read as it comes with the lists of its `COUNTED` keys counted, not held: what it
/// keeps is the row's other keys and values, and the counts (`compact`).
#[derive(Debug, Default)]
pub(super) struct Skim {
    pub(super) compact: Vec<u8>,
    /// Nesting in the row (1: its own keys).
    depth: usize,
    in_str: bool,
    escaped: bool,
    /// A key of the row being read (its bytes between the quotes).
    key: Option<Vec<u8>>,
    /// A key comes next (after the row's `{` or a `,` of its own).
    expect_key: bool,
    /// The last key read, and whether its value comes next (after its `:`).
    after_colon: bool,
    last_key: Vec<u8>,
    /// A counted list being read: its nesting, the items counted, an item under way.
    counting: Option<(usize, u64, bool)>,
}

impl Skim {
    /// Goes on from `i`; the index after the row's end, or `None` when `b` ends first.
    /// `Err` when what it keeps grows past `max_held`.
    pub(super) fn run<T: Tolerant>(
        &mut self,
        b: &[u8],
        mut i: usize,
        max_held: usize,
    ) -> Result<Option<usize>, ()> {
        while i < b.len() {
            let c = b[i];
            if self.counting.is_some() {
                // Inside a counted list: nothing is kept.
                let next = if self.in_str {
                    self.skip_string(b, i)
                } else {
                    self.count(c);
                    Some(i + 1)
                };
                match next {
                    Some(n) => i = n,
                    None => return Ok(None),
                }
                continue;
            }
            if self.in_str {
                match self.keep_string(b, i, max_held)? {
                    Some(n) => i = n,
                    None => return Ok(None),
                }
                continue;
            }
            if self.after_colon && !c.is_ascii_whitespace() {
                self.after_colon = false;
                if c == b'['
                    && self.depth == 1
                    && T::COUNTED.iter().any(|k| k.as_bytes() == self.last_key)
                {
                    self.counting = Some((1, 0, false));
                    i += 1;
                    continue;
                }
            }
            self.compact.push(c);
            match c {
                b'"' => {
                    self.in_str = true;
                    if self.depth == 1 && self.expect_key {
                        self.key = Some(Vec::new());
                        self.expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth == 1 {
                        self.expect_key = true;
                    }
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Ok(Some(i + 1));
                    }
                }
                b':' if self.depth == 1 => self.after_colon = true,
                b',' if self.depth == 1 => self.expect_key = true,
                _ => {}
            }
            i += 1;
        }
        if self.compact.len() > max_held {
            return Err(());
        }
        Ok(None)
    }

    /// A string inside a counted list, from `i`: the index after its end (or after the byte
    /// an escape takes), `None` when `b` ends first.
    fn skip_string(&mut self, b: &[u8], i: usize) -> Option<usize> {
        if self.escaped {
            self.escaped = false;
            return Some(i + 1);
        }
        let i = i + memchr::memchr2(b'"', b'\\', &b[i..])?;
        if b[i] == b'\\' {
            self.escaped = true;
        } else {
            self.in_str = false;
        }
        Some(i + 1)
    }

    /// A structural byte `c` inside a counted list: each item at its top level counted once.
    fn count(&mut self, c: u8) {
        let Some((depth, count, open)) = &mut self.counting else {
            return;
        };
        match c {
            b'"' => {
                self.in_str = true;
                if *depth == 1 && !*open {
                    *count += 1;
                    *open = true;
                }
            }
            b'{' | b'[' => {
                if *depth == 1 && !*open {
                    *count += 1;
                    *open = true;
                }
                *depth += 1;
            }
            b'}' | b']' => {
                *depth -= 1;
                if *depth == 0 {
                    let n = *count;
                    self.counting = None;
                    self.compact.extend_from_slice(n.to_string().as_bytes());
                }
            }
            b',' if *depth == 1 => *open = false,
            c if c.is_ascii_whitespace() => {}
            _ => {
                if *depth == 1 && !*open {
                    *count += 1;
                    *open = true;
                }
            }
        }
    }

    /// A string of the row, kept, from `i`: the index where the walk goes on, `None` when `b`
    /// ends first; `Err` when what it keeps grows past `max_held`.
    fn keep_string(&mut self, b: &[u8], i: usize, max_held: usize) -> Result<Option<usize>, ()> {
        // Kept: a value's or a key's text.
        let at = memchr::memchr2(b'"', b'\\', &b[i..]).map_or(b.len(), |a| i + a);
        let run = if self.escaped { i + 1 } else { at };
        let run = run.min(b.len());
        let need = self.compact.len() + (run - i);
        if need > max_held {
            return Err(());
        }
        grow_within(&mut self.compact, need, max_held);
        self.compact.extend_from_slice(&b[i..run]);
        if let Some(k) = &mut self.key {
            k.extend_from_slice(&b[i..run]);
        }
        if self.escaped {
            self.escaped = false;
            return Ok(Some(run));
        }
        if run >= b.len() {
            return Ok(None);
        }
        let i = run;
        self.compact.push(b[i]);
        if b[i] == b'\\' {
            self.escaped = true;
            if let Some(k) = &mut self.key {
                k.push(b'\\');
            }
        } else {
            self.in_str = false;
            if let Some(k) = self.key.take() {
                self.last_key = k;
            }
        }
        if self.compact.len() > max_held {
            return Err(());
        }
        Ok(Some(i + 1))
    }
}
