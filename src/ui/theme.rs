//! Colours: a theme for dark terminals, one for light ones, and a monochrome one for
//! `NO_COLOR`; truecolor only when the terminal says so (`COLORTERM` is often lost over SSH,
//! `TERM=screen` has 16 or 256 colours).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};

pub use crate::config::ThemeName;

pub use crate::term::Depth;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub accent: Style,
    pub dim: Style,
    pub error: Style,
    pub ok: Style,
    pub warn: Style,
    /// The selected row of a table or list.
    pub selected: Style,
    /// The field being typed in.
    pub focus: Style,
    /// Matched characters of a filter.
    pub matched: Style,
    pub profile: Style,
    pub read_only: Style,
    pub insecure: Style,
    /// No colour at all (`NO_COLOR`, a terminal without colours): no tint either.
    pub mono: bool,
}

impl Theme {
    pub fn new(name: ThemeName, depth: Depth) -> Theme {
        let table = themes();
        let key = match name {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::Mono => "mono",
        };
        let t = table
            .get(key)
            .expect("assets/themes.toml has every built-in theme");
        // A style may differ by colour depth: `KEY_truecolor`, `KEY_256`, `KEY_16`, `KEY_8`
        // (8 colours fall back to 16), else `KEY`.
        let suffixes: &[&str] = match depth {
            Depth::True => &["_truecolor", "_256"],
            Depth::C256 => &["_256"],
            Depth::C16 => &["_16"],
            Depth::C8 => &["_8", "_16"],
        };
        let get = |k: &str| {
            suffixes
                .iter()
                .find_map(|x| t.get(&format!("{k}{x}")))
                .or_else(|| t.get(k))
                .copied()
                .unwrap_or_default()
        };
        let focus = get("focus");
        Theme {
            accent: get("accent"),
            dim: get("dim"),
            error: get("error"),
            ok: get("ok"),
            warn: get("warn"),
            selected: get("selected"),
            focus,
            matched: get("matched"),
            profile: get("profile"),
            read_only: get("read_only"),
            insecure: get("insecure"),
            mono: name == ThemeName::Mono,
        }
    }
}

/// The built-in themes as shipped (`assets/themes.toml`), embedded.
const THEMES: &str = include_str!("../../assets/themes.toml");

type Styles = BTreeMap<String, BTreeMap<String, Style>>;

fn themes() -> &'static Styles {
    static PARSED: OnceLock<Styles> = OnceLock::new();
    PARSED.get_or_init(|| parse_themes(THEMES).expect("assets/themes.toml is valid"))
}

fn parse_themes(text: &str) -> Result<Styles, String> {
    let raw: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(text).map_err(|e| e.to_string())?;
    raw.into_iter()
        .map(|(name, styles)| {
            let styles = styles
                .into_iter()
                .map(|(k, v)| {
                    parse_style(&v)
                        .map(|s| (k.clone(), s))
                        .map_err(|e| format!("{name}.{k}: {e}"))
                })
                .collect::<Result<_, _>>()?;
            Ok((name, styles))
        })
        .collect()
}

/// `white on blue bold`, `#28283c`, `237`, `dim`…
fn parse_style(words: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut on = false;
    for w in words.split_whitespace() {
        let modifier = match w {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "underline" => Some(Modifier::UNDERLINED),
            "reversed" => Some(Modifier::REVERSED),
            "italic" => Some(Modifier::ITALIC),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
            continue;
        }
        if w == "on" {
            on = true;
            continue;
        }
        let colour = if let Some(hex) = w.strip_prefix('#') {
            let n = u32::from_str_radix(hex, 16).map_err(|_| format!("{w:?} is no colour"))?;
            Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8)
        } else if let Ok(i) = w.parse::<u8>() {
            Color::Indexed(i)
        } else {
            w.parse::<Color>()
                .map_err(|_| format!("{w:?} is no colour"))?
        };
        style = if std::mem::take(&mut on) {
            style.bg(colour)
        } else {
            style.fg(colour)
        };
    }
    Ok(style)
}

static THEME: OnceLock<Theme> = OnceLock::new();

/// Chooses the theme once, at start: `NO_COLOR` (any value), or a terminal without colours
/// (`TERM=vt100`), wins over the configured name.
pub fn init(name: Option<ThemeName>) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let depth = crate::term::detect().depth;
    let name = match depth {
        _ if no_color => ThemeName::Mono,
        None => ThemeName::Mono,
        Some(_) => name.unwrap_or_default(),
    };
    let _ = THEME.set(Theme::new(name, depth.unwrap_or(Depth::C8)));
}

pub fn theme() -> &'static Theme {
    THEME.get_or_init(|| Theme::new(ThemeName::Dark, Depth::C16))
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier, Style};

    use super::{Depth, Theme, ThemeName, parse_style, parse_themes};

    /// The themes read from assets are the ones that were written in code.
    #[test]
    fn the_shipped_themes_read_as_before() {
        let d = Theme::new(ThemeName::Dark, Depth::True);
        assert_eq!(d.accent, Style::new().fg(Color::Cyan));
        assert_eq!(d.focus, Style::new().bg(Color::Rgb(40, 40, 60)));
        assert_eq!(
            Theme::new(ThemeName::Dark, Depth::C256).focus,
            Style::new().bg(Color::Indexed(237))
        );
        assert_eq!(
            d.read_only,
            Style::new()
                .bg(Color::Yellow)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        );
        let l = Theme::new(ThemeName::Light, Depth::True);
        // Light grey vanished on white: a dark grey where the terminal has one.
        assert_eq!(l.dim, Style::new().fg(Color::Indexed(240)));
        assert_eq!(
            Theme::new(ThemeName::Light, Depth::C16).dim,
            Style::new().add_modifier(Modifier::DIM)
        );
        assert_eq!(l.focus, Style::new().add_modifier(Modifier::UNDERLINED));
        let m = Theme::new(ThemeName::Mono, Depth::C16);
        assert_eq!(m.ok, Style::new());
        assert_eq!(
            m.error,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        );
        assert!(parse_style("purple-ish").is_err());
        assert!(
            parse_themes("[dark]\naccent = \"#zz\"")
                .unwrap_err()
                .contains("dark.accent")
        );
    }

    #[test]
    fn mono_has_no_colour_and_fallbacks_avoid_truecolor() {
        let m = Theme::new(ThemeName::Mono, Depth::True);
        for s in [m.accent, m.dim, m.error, m.selected, m.focus, m.read_only] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert_ne!(m.selected, Style::new(), "selection still shows");
        let t = Theme::new(ThemeName::Dark, Depth::C16);
        assert!(!matches!(t.focus.bg, Some(Color::Rgb(..))));
        // Nothing in dark grey (invisible on Solarized dark, absent from 8 colours).
        for d in [Depth::C8, Depth::C16] {
            let t = Theme::new(ThemeName::Dark, d);
            for s in [t.accent, t.dim, t.selected, t.focus, t.warn] {
                assert_ne!(s.fg, Some(Color::DarkGray));
                assert_ne!(s.bg, Some(Color::DarkGray));
            }
        }
        let t = Theme::new(ThemeName::Dark, Depth::C256);
        assert!(matches!(t.focus.bg, Some(Color::Indexed(_))));
    }

    /// The colour a terminal shows for `c` at `depth`: the 16 as xterm draws them (8
    /// colours draw a bright one as its basic one), the 256 from their cube and greys.
    fn rgb(c: Color, depth: Depth) -> (u8, u8, u8) {
        const XTERM: [(u8, u8, u8); 16] = [
            (0, 0, 0),
            (205, 0, 0),
            (0, 205, 0),
            (205, 205, 0),
            (0, 0, 238),
            (205, 0, 205),
            (0, 205, 205),
            (229, 229, 229),
            (127, 127, 127),
            (255, 0, 0),
            (0, 255, 0),
            (255, 255, 0),
            (92, 92, 255),
            (255, 0, 255),
            (0, 255, 255),
            (255, 255, 255),
        ];
        let i = match c {
            Color::Rgb(r, g, b) => {
                assert_eq!(depth, Depth::True, "truecolour sent at {depth:?}");
                return (r, g, b);
            }
            Color::Indexed(i) => i,
            Color::Black => 0,
            Color::Red => 1,
            Color::Green => 2,
            Color::Yellow => 3,
            Color::Blue => 4,
            Color::Magenta => 5,
            Color::Cyan => 6,
            Color::Gray => 7,
            Color::DarkGray => 8,
            Color::LightRed => 9,
            Color::LightGreen => 10,
            Color::LightYellow => 11,
            Color::LightBlue => 12,
            Color::LightMagenta => 13,
            Color::LightCyan => 14,
            Color::White => 15,
            Color::Reset => panic!("a reset is no colour"),
        };
        match i {
            0..=15 if depth == Depth::C8 => XTERM[usize::from(i % 8)],
            0..=15 => XTERM[usize::from(i)],
            16..=231 => {
                assert!(
                    matches!(depth, Depth::C256 | Depth::True),
                    "{i} at {depth:?}"
                );
                let level = |n: u8| [0, 95, 135, 175, 215, 255][usize::from(n)];
                let n = i - 16;
                (level(n / 36), level(n / 6 % 6), level(n % 6))
            }
            _ => {
                let g = 8 + 10 * (i - 232);
                (g, g, g)
            }
        }
    }

    /// WCAG relative luminance.
    fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// Every coloured text of the dark and light themes reads at 4.5:1 or more on its
    /// background, in the colours each depth really sends (the terminal's own text colour
    /// where a style sets none: light grey on black, black on white).
    #[test]
    fn every_text_colour_keeps_a_contrast_of_4_5() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        for (name, fg0, bg0) in [
            (ThemeName::Dark, (229, 229, 229), (0, 0, 0)),
            (ThemeName::Light, (0, 0, 0), (255, 255, 255)),
        ] {
            for depth in [Depth::True, Depth::C256, Depth::C16, Depth::C8] {
                let t = Theme::new(name, depth);
                let roles = [
                    ("accent", t.accent),
                    ("dim", t.dim),
                    ("error", t.error),
                    ("ok", t.ok),
                    ("warn", t.warn),
                    ("selected", t.selected),
                    ("focus", t.focus),
                    ("matched", t.matched),
                    ("profile", t.profile),
                    ("read_only", t.read_only),
                    ("insecure", t.insecure),
                ];
                for (role, s) in roles {
                    if s.fg.is_none() && s.bg.is_none() {
                        continue;
                    }
                    let mut fg = s.fg.map_or(fg0, |c| rgb(c, depth));
                    let mut bg = s.bg.map_or(bg0, |c| rgb(c, depth));
                    if s.add_modifier.contains(Modifier::REVERSED) {
                        std::mem::swap(&mut fg, &mut bg);
                    }
                    let ratio = contrast(fg, bg);
                    assert!(
                        ratio >= 4.5,
                        "{name:?} at {depth:?}: {role} is {ratio:.2}:1 ({fg:?} on {bg:?})"
                    );
                }
            }
        }
    }
}
