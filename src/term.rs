//! What the terminal can do, read from `TERM` (its terminfo entry), the locale and the
//! multiplexer around it: colours, synchronized output, OSC 52, Unicode. And the writer that
//! speaks to an 8/16-colour terminal in the codes it knows.

use std::io::Write;

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    True,
    C256,
    C16,
    /// The 8 basic colours only (no bright ones: no dark grey).
    C8,
}

/// How a copy reaches the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Osc52 {
    /// OSC 52 as is (xterm and its kin, tmux with `set-clipboard on`).
    Plain,
    /// Wrapped in GNU screen's DCS pass-through (screen drops a bare OSC 52).
    Screen,
    /// Wrapped in tmux's pass-through: its `set-clipboard` is off, `allow-passthrough` on.
    Tmux,
    /// Inside tmux with `set-clipboard` and `allow-passthrough` off: it would be dropped.
    TmuxOff,
    /// The terminal is not known to take it.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// `None`: no colour at all (vt100, a terminal whose entry has no colours).
    pub depth: Option<Depth>,
    /// Synchronized output (DEC mode 2026) is sent: terminals that do not know it ignore it,
    /// but the oldest may not, so not to those.
    pub sync: bool,
    pub osc52: Osc52,
    /// The locale's charset is UTF-8 (else: ASCII drawing, transliterated text).
    pub unicode: bool,
    /// The alternate screen (`smcup`): else the console draws on the main screen and clears
    /// it when it ends.
    pub alt_screen: bool,
    /// Half-bright text (`dim`): else no `ESC[2m` is sent.
    pub dim: bool,
    /// Underline colours (`ESC[58…m`, `ESC[59m`): not sent to the old terminals.
    pub underline_colour: bool,
}

/// The charset of the locale (`LC_ALL`, then `LC_CTYPE`, then `LANG`): UTF-8 unless one of
/// them names another (`fr_FR.ISO-8859-1`, `C`, `POSIX`). Unset, it is taken as UTF-8: an SSH
/// session without locale forwarding usually sits in a UTF-8 terminal.
pub fn locale_is_utf8(get: impl Fn(&str) -> Option<String>) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()));
    match locale {
        None => true,
        Some(l) => {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        }
    }
}

/// The capabilities for `term` (the `TERM` value), its terminfo entry when one is found, and
/// the environment.
pub fn caps_for(
    term: &str,
    info: Option<&termini::TermInfo>,
    get: impl Fn(&str) -> Option<String>,
) -> Caps {
    let colorterm = get("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    let colours = info
        .and_then(|i| i.number_cap(termini::NumberCapability::MaxColors))
        .map(i64::from);
    let rgb =
        info.is_some_and(|i| i.extended_cap("RGB").is_some() || i.extended_cap("Tc").is_some());
    let known_old = matches!(
        term,
        "vt100" | "vt102" | "vt220" | "ansi" | "linux" | "dumb"
    );
    let colours = colours.or(match term {
        // No entry found: what the name says.
        t if t.contains("256color") => Some(256),
        "vt100" | "vt102" | "vt220" | "dumb" => None,
        "" => Some(8),
        _ => Some(8),
    });
    let depth = match colours {
        _ if colorterm.contains("truecolor") || colorterm.contains("24bit") || rgb => {
            Some(Depth::True)
        }
        Some(n) if n >= 256 => Some(Depth::C256),
        Some(n) if n >= 16 => Some(Depth::C16),
        Some(n) if n >= 8 => Some(Depth::C8),
        _ => None,
    };
    let in_tmux = get("TMUX").is_some_and(|v| !v.is_empty());
    // GNU screen started inside tmux inherits `TMUX`: its own `STY` says screen is the one
    // that reads vigie's output, and it drops tmux's form.
    let in_screen =
        get("STY").is_some_and(|v| !v.is_empty()) || (!in_tmux && term.starts_with("screen"));
    let osc52 = if in_screen {
        Osc52::Screen
    } else if in_tmux {
        // tmux passes an application's OSC 52 on with `set-clipboard on` only (`external`,
        // its default, and `off` drop it); else only through its pass-through, when allowed.
        match (
            get("VIGIE_TMUX_SET_CLIPBOARD"),
            get("VIGIE_TMUX_PASSTHROUGH"),
        ) {
            (Some(c), _) if c == "on" => Osc52::Plain,
            (Some(_), Some(p)) if p == "on" || p == "all" => Osc52::Tmux,
            (Some(_), _) => Osc52::TmuxOff,
            (None, _) => Osc52::Plain,
        }
    } else if known_old {
        Osc52::Off
    } else {
        Osc52::Plain
    };
    // What the entry says, else what the name says.
    let has = |cap| info.map_or(!known_old, |i| i.raw_string_cap(cap).is_some());
    Caps {
        depth,
        sync: !known_old,
        osc52,
        unicode: locale_is_utf8(&get),
        alt_screen: has(termini::StringCapability::EnterAlternativeMode),
        dim: has(termini::StringCapability::EnterDimMode),
        underline_colour: !known_old,
    }
}

/// The capabilities of the terminal vigie runs in, read once.
pub fn detect() -> Caps {
    static CAPS: std::sync::OnceLock<Caps> = std::sync::OnceLock::new();
    *CAPS.get_or_init(read_caps)
}

/// How a copy reaches the clipboard now: inside tmux its options are read again at each
/// copy (`set-clipboard` may have been changed since vigie started).
pub fn clipboard_mode() -> Osc52 {
    match detect().osc52 {
        Osc52::Plain | Osc52::Tmux | Osc52::TmuxOff if std::env::var_os("TMUX").is_some() => {
            read_caps().osc52
        }
        how => how,
    }
}

fn read_caps() -> Caps {
    let term = std::env::var("TERM").unwrap_or_default();
    let info = termini::TermInfo::from_env().ok();
    // Inside tmux, its own options say whether OSC 52 gets through.
    let tmux_option = |name: &str| -> Option<String> {
        std::env::var_os("TMUX")?;
        let out = std::process::Command::new("tmux")
            .args(["show-options", "-gqv", name])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !v.is_empty()).then_some(v)
    };
    let clipboard = tmux_option("set-clipboard");
    let passthrough = tmux_option("allow-passthrough");
    caps_for(&term, info.as_ref(), |k| match k {
        "VIGIE_TMUX_SET_CLIPBOARD" => clipboard.clone(),
        "VIGIE_TMUX_PASSTHROUGH" => passthrough.clone(),
        _ => std::env::var(k).ok(),
    })
}

/// OSC 52 for `text` as the terminal takes it; `None` when it cannot be sent (GNU screen
/// passes at most 768 bytes through).
pub fn osc52(text: &str, how: Osc52) -> Option<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    match how {
        Osc52::Plain => Some(format!("\x1b]52;c;{b64}\x07")),
        Osc52::Screen if b64.len() <= 760 => Some(format!("\x1bP\x1b]52;c;{b64}\x07\x1b\\")),
        // Every ESC inside tmux's pass-through is doubled.
        Osc52::Tmux => Some(format!("\x1bPtmux;\x1b\x1b]52;c;{b64}\x07\x1b\\")),
        _ => None,
    }
}

/// A writer that turns the 256-colour form of the 16 basic colours (`38;5;N`, `48;5;N`, as
/// crossterm writes them) into the codes an 8/16-colour terminal knows (`3N`/`9N`,
/// `4N`/`10N`). Everything else passes through.
pub struct SgrWriter<W: Write> {
    inner: W,
    /// Rewrite: the terminal's colours (8 or 16), or 0 to pass colours through.
    colours: u8,
    /// Dropped: half-bright (`2`), underline colours (`58…`, `59`).
    drop_dim: bool,
    drop_underline_colour: bool,
    /// Bytes of an escape sequence not finished yet.
    pending: Vec<u8>,
}

impl<W: Write> SgrWriter<W> {
    /// `colours`: 16 or 8 (the bright ones then drawn as bold basic ones); 0: no rewriting.
    pub fn new(inner: W, colours: u8) -> Self {
        SgrWriter {
            inner,
            colours,
            drop_dim: false,
            drop_underline_colour: false,
            pending: Vec::new(),
        }
    }

    /// Also drops what the terminal does not have (`Caps::dim`, `Caps::underline_colour`).
    pub fn without(mut self, dim: bool, underline_colour: bool) -> Self {
        self.drop_dim = !dim;
        self.drop_underline_colour = !underline_colour;
        self
    }

    fn active(&self) -> bool {
        self.colours != 0 || self.drop_dim || self.drop_underline_colour
    }

    /// The parameters of an SGR, with `38;5;N`/`48;5;N` for N < 16 rewritten and what the
    /// terminal lacks dropped.
    fn rewrite(&self, params: &str) -> String {
        let colours = self.colours;
        let parts: Vec<&str> = params.split(';').collect();
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        while i < parts.len() {
            // An extended colour: `5;N` or `2;R;G;B` after 38, 48 or 58.
            let len = match (parts[i], parts.get(i + 1)) {
                ("38" | "48" | "58", Some(&"5")) => 3,
                ("38" | "48" | "58", Some(&"2")) => 5,
                _ => 1,
            };
            let group = &parts[i..(i + len).min(parts.len())];
            i += len;
            match group {
                ["58", ..] | ["59"] if self.drop_underline_colour => {}
                ["2"] if self.drop_dim => {}
                [fg @ ("38" | "48"), "5", n] if colours != 0 => match n.parse::<u8>() {
                    Ok(n) if n < 16 => {
                        let base = if *fg == "38" { 30 } else { 40 };
                        let n = u32::from(n);
                        if n < 8 {
                            out.push((base + n).to_string());
                        } else if colours >= 16 {
                            out.push((base + 60 + n - 8).to_string());
                        } else {
                            // No bright colours: the basic one, bold for a foreground.
                            out.push((base + n - 8).to_string());
                            if *fg == "38" {
                                out.push("1".into());
                            }
                        }
                    }
                    _ => out.extend(group.iter().map(|p| p.to_string())),
                },
                _ => out.extend(group.iter().map(|p| p.to_string())),
            }
        }
        out.join(";")
    }
}

impl<W: Write> Write for SgrWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.active() {
            return self.inner.write(buf);
        }
        let mut plain_from = 0;
        for (i, &b) in buf.iter().enumerate() {
            if self.pending.is_empty() {
                if b == 0x1b {
                    self.inner.write_all(&buf[plain_from..i])?;
                    self.pending.push(b);
                }
                continue;
            }
            self.pending.push(b);
            // ESC [ params final: the final byte is 0x40..=0x7E.
            let done = match self.pending.len() {
                2 => b != b'[',
                _ => (0x40..=0x7e).contains(&b),
            };
            if done {
                let seq = std::mem::take(&mut self.pending);
                if seq.len() > 2 && b == b'm' {
                    let params = String::from_utf8_lossy(&seq[2..seq.len() - 1]).into_owned();
                    let kept = self.rewrite(&params);
                    // All dropped: nothing is sent (`ESC[m` would reset every attribute).
                    if !kept.is_empty() || params.is_empty() {
                        write!(self.inner, "\x1b[{kept}m")?;
                    }
                } else {
                    self.inner.write_all(&seq)?;
                }
                plain_from = i + 1;
            }
        }
        if self.pending.is_empty() {
            self.inner.write_all(&buf[plain_from..])?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// One cell's text for a terminal whose charset is not UTF-8: box drawing as `+ - |`,
/// accents dropped (`É` → `E`), anything else its ASCII transliteration or `?`.
pub fn ascii(symbol: &str) -> String {
    if symbol.is_ascii() {
        return symbol.to_string();
    }
    let mut out = String::new();
    for c in symbol.chars() {
        let s = match c {
            '─' | '━' | '═' => "-",
            '│' | '┃' | '║' | '▏' => "|",
            '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
                "+"
            }
            '▲' => "^",
            '▼' => "v",
            '▸' | '→' => ">",
            '←' => "<",
            '·' | '•' => ".",
            '…' => "...",
            '↳' => ">",
            '⚠' => "!",
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            c => deunicode::deunicode_char(c).unwrap_or("?"),
        };
        out.push_str(s);
    }
    // One cell, one character.
    out.chars()
        .next()
        .map(String::from)
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::{Depth, Osc52, SgrWriter, ascii, caps_for, locale_is_utf8, osc52};

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn terminals_and_locales() {
        let c = caps_for("xterm-256color", None, env(&[("LANG", "fr_FR.UTF-8")]));
        assert_eq!(
            (c.depth, c.sync, c.osc52, c.unicode),
            (Some(Depth::C256), true, Osc52::Plain, true)
        );
        let c = caps_for("vt100", None, env(&[]));
        assert_eq!((c.depth, c.sync, c.osc52), (None, false, Osc52::Off));
        let c = caps_for("linux", None, env(&[]));
        assert_eq!(c.depth, Some(Depth::C8));
        let c = caps_for("screen", None, env(&[("STY", "1.pts")]));
        assert_eq!(c.osc52, Osc52::Screen);
        let c = caps_for("screen-256color", None, env(&[("TMUX", "/tmp/t,1,0")]));
        assert_eq!(c.osc52, Osc52::Plain);
        // GNU screen inside tmux: screen reads the output, tmux's form would be dropped.
        let c = caps_for(
            "screen",
            None,
            env(&[("TMUX", "/tmp/t,1,0"), ("STY", "4242.pts-1.host")]),
        );
        assert_eq!(c.osc52, Osc52::Screen);
        let tmux = |clip: &str, pass: &str| {
            let vars = [
                ("TMUX", "/tmp/t,1,0"),
                ("VIGIE_TMUX_SET_CLIPBOARD", clip),
                ("VIGIE_TMUX_PASSTHROUGH", pass),
            ];
            caps_for("tmux-256color", None, env(&vars)).osc52
        };
        assert_eq!(tmux("on", "off"), Osc52::Plain);
        assert_eq!(tmux("external", "off"), Osc52::TmuxOff);
        assert_eq!(tmux("external", "on"), Osc52::Tmux);
        assert_eq!(tmux("off", "on"), Osc52::Tmux);
        assert_eq!(tmux("off", "off"), Osc52::TmuxOff);
        let c = caps_for("xterm", None, env(&[("COLORTERM", "truecolor")]));
        assert_eq!(c.depth, Some(Depth::True));
        for (l, utf8) in [
            ("fr_FR.ISO-8859-1", false),
            ("C", false),
            ("en_US.utf8", true),
            ("C.UTF-8", true),
        ] {
            assert_eq!(locale_is_utf8(env(&[("LANG", l)])), utf8, "{l}");
        }
        assert!(!locale_is_utf8(env(&[
            ("LANG", "fr_FR.UTF-8"),
            ("LC_ALL", "fr_FR.ISO-8859-15")
        ])));
    }

    #[test]
    fn basic_colours_in_the_codes_old_terminals_know() {
        let mut out = Vec::new();
        {
            let mut w = SgrWriter::new(&mut out, 16);
            w.write_all(b"a\x1b[38;5;8mb\x1b[48;5;4;1m").unwrap();
            // A sequence cut between two writes.
            w.write_all(b"\x1b[38;5").unwrap();
            w.write_all(b";12mc\x1b[38;5;200m\x1b[2J").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\x1b[90mb\x1b[44;1m\x1b[94mc\x1b[38;5;200m\x1b[2J"
        );
        let mut out = Vec::new();
        SgrWriter::new(&mut out, 8)
            .write_all(b"\x1b[38;5;15m\x1b[48;5;8m")
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\x1b[37;1m\x1b[40m");
        // A vt220: no half-bright, no underline colour; a truecolour 2 is not a half-bright.
        let mut out = Vec::new();
        SgrWriter::new(&mut out, 0)
            .without(false, false)
            .write_all(b"a\x1b[2mb\x1b[59mc\x1b[1;2;58;5;3md\x1b[38;2;2;2;2me\x1b[m")
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "abc\x1b[1md\x1b[38;2;2;2;2me\x1b[m"
        );
    }

    #[test]
    fn old_terminals_get_only_what_their_entry_has() {
        for t in ["vt100", "vt220"] {
            let info = termini::TermInfo::from_name(t).ok();
            let c = caps_for(t, info.as_ref(), env(&[]));
            assert!(!c.alt_screen && !c.dim && !c.underline_colour, "{t}: {c:?}");
        }
        let info = termini::TermInfo::from_name("xterm-256color").ok();
        let c = caps_for("xterm-256color", info.as_ref(), env(&[]));
        assert!(c.alt_screen && c.dim && c.underline_colour, "{c:?}");
    }

    #[test]
    fn ascii_cells_and_screen_copies() {
        assert_eq!(ascii("É"), "E");
        assert_eq!(ascii("┌"), "+");
        assert_eq!(ascii("│"), "|");
        assert_eq!(ascii("東"), "D");
        assert_eq!(ascii("a"), "a");
        let wrapped = osc52("hi", Osc52::Screen).unwrap();
        assert!(wrapped.starts_with("\x1bP\x1b]52;c;aGk=") && wrapped.ends_with("\x1b\\"));
        assert!(osc52(&"x".repeat(2000), Osc52::Screen).is_none());
        assert_eq!(
            osc52("hi", Osc52::Tmux).unwrap(),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert!(osc52("x", Osc52::TmuxOff).is_none());
        assert!(osc52("x", Osc52::Off).is_none());
    }
}
