//! The terminal the console draws on: set up (raw mode, the alternate screen when the
//! terminal has one), set up again after `$EDITOR` or Ctrl-Z, and restored on every exit.

use crate::term::{Caps, SgrWriter};

/// The console's terminal: crossterm, through the writer that speaks 8/16-colour codes.
pub(super) type Term =
    ratatui::Terminal<ratatui::backend::CrosstermBackend<SgrWriter<std::io::Stdout>>>;

/// Raw mode, the alternate screen, and a cleared screen: a terminal without an alternate
/// screen (GNU screen without altscreen, a console) would keep the shell's text under the
/// first frame.
pub(super) fn init_terminal(caps: &Caps) -> std::io::Result<Term> {
    crossterm::terminal::enable_raw_mode()?;
    // Only what the terminal's entry has: a vt220 shows `ESC[?1049h` as junk.
    if caps.alt_screen {
        crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    }
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    let colours = match caps.depth {
        Some(crate::ui::theme::Depth::C8) => 8,
        Some(crate::ui::theme::Depth::C16) => 16,
        _ => 0,
    };
    ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(
        SgrWriter::new(std::io::stdout(), colours).without(caps.dim, caps.underline_colour),
    ))
}

/// Back in the console after the terminal was handed over (`$EDITOR`, Ctrl-Z): set up again,
/// mouse reporting too when it was on.
pub(super) fn reenter(terminal: &mut Term, mouse: bool) {
    if let Ok(t) = init_terminal(&crate::term::detect()) {
        *terminal = t;
    }
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
}

/// The terminal as it was: cooked mode, the main screen, the cursor shown.
pub(super) fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    if crate::term::detect().alt_screen {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::terminal::LeaveAlternateScreen);
    } else {
        // Drawn on the main screen: the shell gets a clean one back.
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
            crossterm::cursor::MoveTo(0, 0)
        );
    }
    let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
}
