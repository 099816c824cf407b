//! What the runtime carries out for the app: copies, files, the journal, `$EDITOR`, row
//! commands.

/// Something the runtime must do outside the state: copy text, write an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Copy to the clipboard (OSC 52, so it works over SSH and in tmux); `what` for the notice.
    Copy { text: String, what: String },
    /// Write the current view to a file.
    Export {
        path: std::path::PathBuf,
        content: String,
        rows: usize,
    },
    /// Append a change to the profile's journal.
    Journal(Box<crate::journal::Entry>),
    /// Turn the terminal's mouse reporting on or off.
    Mouse(bool),
    /// Open `text` (a record as JSON) in `$EDITOR`; the result goes to `on_edited`.
    Edit { title: String, text: String },
    /// Hand the terminal to a row command, once per argument list; `wait`: keep its output
    /// until a key. The outcome goes to `on_ran`.
    Run {
        name: String,
        runs: Vec<Vec<String>>,
        wait: bool,
    },
    /// Write the columns and saved views (`crate::views`).
    SaveViews(Box<crate::views::Views>),
}
