//! Colours: a theme for dark terminals, one for light ones, and a monochrome one for
//! `NO_COLOR`; truecolor only when the terminal says so (`COLORTERM` is often lost over SSH,
//! `TERM=screen` has 16 or 256 colours).

use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    /// No colour at all (also chosen by `NO_COLOR`).
    Mono,
}

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
}

impl Theme {
    pub fn new(name: ThemeName, depth: Depth) -> Theme {
        let focus = match depth {
            Depth::True => Style::new().bg(Color::Rgb(40, 40, 60)),
            Depth::C256 => Style::new().bg(Color::Indexed(237)),
            // Dark grey is the background of Solarized and missing from 8 colours.
            Depth::C16 | Depth::C8 => Style::new().add_modifier(Modifier::UNDERLINED),
        };
        match name {
            // Colour 8 (dark grey) is the background on Solarized-dark palettes: de-emphasis
            // is the terminal's own faint, selection a blue bar, both visible on any palette.
            ThemeName::Dark => Theme {
                accent: Style::new().fg(Color::Cyan),
                dim: Style::new().add_modifier(Modifier::DIM),
                error: Style::new().fg(Color::Red),
                ok: Style::new().fg(Color::Green),
                warn: Style::new().fg(Color::Yellow),
                selected: Style::new()
                    .bg(Color::Blue)
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD),
                focus,
                matched: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                profile: badge(Color::Blue, Color::White),
                read_only: badge(Color::Yellow, Color::Black),
                insecure: badge(Color::Red, Color::White),
            },
            // Dark grey and yellow vanish on white: blue, magenta and black instead.
            ThemeName::Light => Theme {
                accent: Style::new().fg(Color::Blue),
                dim: Style::new().fg(Color::Gray),
                error: Style::new().fg(Color::Red),
                ok: Style::new().fg(Color::Green),
                warn: Style::new().fg(Color::Magenta),
                selected: Style::new()
                    .bg(Color::Blue)
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD),
                focus: Style::new().add_modifier(Modifier::UNDERLINED),
                matched: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
                profile: badge(Color::Blue, Color::White),
                read_only: badge(Color::Yellow, Color::Black),
                insecure: badge(Color::Red, Color::White),
            },
            // Only attributes: bold, reverse, underline, dim.
            ThemeName::Mono => Theme {
                accent: Style::new().add_modifier(Modifier::BOLD),
                dim: Style::new().add_modifier(Modifier::DIM),
                error: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                ok: Style::new(),
                warn: Style::new().add_modifier(Modifier::BOLD),
                selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                focus: Style::new().add_modifier(Modifier::UNDERLINED),
                matched: Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
                profile: Style::new().add_modifier(Modifier::REVERSED),
                read_only: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                insecure: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            },
        }
    }
}

/// The status bar's badges (profile, read-only, unverified certificate): the same colours on
/// a dark or a light background.
fn badge(bg: Color, fg: Color) -> Style {
    Style::new().bg(bg).fg(fg).add_modifier(Modifier::BOLD)
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
    use super::*;

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
}
