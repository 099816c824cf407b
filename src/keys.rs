//! A key as the config names it (`a`, `ctrl-w`, `f2`, `enter`): parsed, shown, matched
//! against a terminal's key event. Below the config, the key table and the row commands.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key: a character, or a key code, with Ctrl or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// The key of a key event (Shift is in the character already).
    pub fn of(e: &KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    pub fn event(self) -> KeyEvent {
        let m = if self.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(self.code, m)
    }

    /// From the config: `a`, `ctrl-w`, `f2`, `enter`, `pgdn`…
    pub fn parse(s: &str) -> Result<Key, String> {
        let lower = s.to_ascii_lowercase();
        let (ctrl, rest) = match lower.strip_prefix("ctrl-").or(lower.strip_prefix("c-")) {
            Some(r) if s.chars().count() > 2 => (true, r),
            _ => (false, lower.as_str()),
        };
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if c.is_control() || c == ' ' {
                return Err(format!("{s:?} cannot be bound"));
            }
            return Ok(Key::ch(c));
        }
        let code = match rest {
            "space" => KeyCode::Char(' '),
            "enter" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "delete" | "del" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            r if r.starts_with('f')
                && r[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
            {
                KeyCode::F(r[1..].parse().unwrap_or(1))
            }
            r if ctrl && r.chars().count() == 1 => {
                let c = r.chars().next().unwrap_or('a');
                if !c.is_ascii_alphanumeric() {
                    return Err(format!("{s:?} cannot be bound"));
                }
                KeyCode::Char(c)
            }
            _ => {
                return Err(format!(
                    "{s:?} is not a key (a character, ctrl-x, f2, enter…)"
                ));
            }
        };
        if ctrl && code == KeyCode::Char('c') {
            return Err(format!("{s:?} always quits"));
        }
        // Ctrl-Z suspends before any screen sees it; terminals send Ctrl-H, I, J and M as
        // Backspace, Tab and Enter.
        if ctrl && matches!(code, KeyCode::Char('z' | 'h' | 'i' | 'j' | 'm')) {
            return Err(format!("{s:?} never reaches vigie as itself"));
        }
        Ok(Key { code, ctrl })
    }

    /// How the footer and the help show it.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Esc => "Esc".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }

    /// Types or edits text in a field (a form's keys must not): characters, the line
    /// editor's keys (Ctrl-W deletes a word, Ctrl-U a line…), and the keys a form moves with.
    pub fn edits_text(self) -> bool {
        use crossterm::event::Event;
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl
            || matches!(
                self.code,
                KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down
            )
            || tui_input::backend::crossterm::to_input_request(&Event::Key(self.event())).is_some()
    }
}
