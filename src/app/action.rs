//! What a key does: the actions of the key table (`assets/keys.toml`), typed. Screens match
//! these, never key codes; the table says which key does which on each screen.

/// Declares the actions with the names the table and the config use.
macro_rules! actions {
    ($($variant:ident = $name:literal),+ $(,)?) => {
        /// An action of a screen, as named in the key table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Act {
            $($variant),+
        }

        impl Act {
            /// Every action, for checks against the table.
            pub const ALL: &[Act] = &[$(Act::$variant),+];

            /// Its name in the table and the config (`next_page`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Act::$variant => $name),+
                }
            }

            pub fn from_name(s: &str) -> Option<Act> {
                match s {
                    $($name => Some(Act::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Account = "account",
    AddEntity = "add_entity",
    AddGroup = "add_group",
    Advanced = "advanced",
    Assign = "assign",
    Back = "back",
    CellLeft = "cell_left",
    CellRight = "cell_right",
    ChangePassword = "change_password",
    Close = "close",
    Columns = "columns",
    Copy = "copy",
    CopyRecord = "copy_record",
    CreateLink = "create_link",
    Delete = "delete",
    Discard = "discard",
    Down = "down",
    Edit = "edit",
    EditInEditor = "edit_in_editor",
    Export = "export",
    Filter = "filter",
    First = "first",
    Frequency = "frequency",
    Help = "help",
    Import = "import",
    Last = "last",
    Link = "link",
    LoadAll = "load_all",
    Mark = "mark",
    MarkAll = "mark_all",
    Mine = "mine",
    Mouse = "mouse",
    Move = "move",
    MoveDown = "move_down",
    MoveUp = "move_up",
    New = "new",
    NextPage = "next_page",
    NextType = "next_type",
    No = "no",
    PageDown = "page_down",
    PageUp = "page_up",
    Palette = "palette",
    PrevPage = "prev_page",
    PrevType = "prev_type",
    Probe = "probe",
    Quit = "quit",
    Raw = "raw",
    Refresh = "refresh",
    Reload = "reload",
    Remove = "remove",
    RequestReset = "request_reset",
    Restore = "restore",
    Reveal = "reveal",
    Save = "save",
    Set = "set",
    Sort = "sort",
    Status = "status",
    Tab1 = "tab_1",
    Tab2 = "tab_2",
    Tab3 = "tab_3",
    Tab4 = "tab_4",
    Tab5 = "tab_5",
    Theirs = "theirs",
    Toggle = "toggle",
    Type = "type",
    Undo = "undo",
    Unlink = "unlink",
    Up = "up",
    UsersDirectory = "users_directory",
    Watch = "watch",
    Yes = "yes",
    // Fixed keys, not in the table and not remapped: Enter, Esc, Tab and the arrows.
    Open = "open",
    Cancel = "cancel",
    NextField = "next_field",
    PrevField = "prev_field",
    Left = "left",
    Right = "right",
}

impl Act {
    /// The tab a digit action switches to (`tab_1` → the first).
    pub fn tab_index(self) -> Option<usize> {
        [Act::Tab1, Act::Tab2, Act::Tab3, Act::Tab4, Act::Tab5]
            .iter()
            .position(|a| *a == self)
    }
}

/// What a fixed key (one the table does not hold) does on every screen.
pub fn fixed(code: crossterm::event::KeyCode) -> Option<Act> {
    use crossterm::event::KeyCode as C;
    Some(match code {
        C::Enter => Act::Open,
        C::Esc => Act::Cancel,
        C::Tab => Act::NextField,
        C::BackTab => Act::PrevField,
        C::Up => Act::Up,
        C::Down => Act::Down,
        C::Home => Act::First,
        C::End => Act::Last,
        C::PageUp => Act::PageUp,
        C::PageDown => Act::PageDown,
        C::Left => Act::Left,
        C::Right => Act::Right,
        _ => return None,
    })
}

/// A key typed into a text the screen keeps itself (a filter): a character, or Backspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Char(char),
    Backspace,
}

/// What a key types, if it types (a Ctrl-letter does not).
pub fn typed(e: &crossterm::event::KeyEvent) -> Option<Typed> {
    use crossterm::event::{KeyCode, KeyModifiers};
    match e.code {
        KeyCode::Backspace => Some(Typed::Backspace),
        KeyCode::Char(c) if !e.modifiers.contains(KeyModifiers::CONTROL) => Some(Typed::Char(c)),
        _ => None,
    }
}
