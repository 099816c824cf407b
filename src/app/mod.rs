//! The console's state and its update logic: keys and worker events in, state changes and
//! numbered requests out. Nothing here draws or touches the network.

/// Runs `$body` with `$T` the type named by the arm whose pattern `$on` matches: the
/// dispatches by kind and by screen are tables, a line per kind or screen.
macro_rules! by_type {
    ($on:expr, |$T:ident| $body:expr, { $($pat:pat => $ty:ty),+ $(,)? }) => {
        match $on {
            $($pat => {
                type $T = $ty;
                $body
            })+
        }
    };
}
pub(crate) use by_type;

mod account;
mod answers;
mod browse;
mod bulk;
mod changes;
mod columns;
mod confirm;
mod conflict;
mod detail;
pub mod drafts;
mod editor;
pub mod form;
mod frequency;
pub mod hints;
mod import;
mod journal_view;
pub mod keymap;
pub mod kinds;
pub mod list;
mod login;
mod outcomes;
mod palette;
mod records;
mod restore;
mod run;
mod screen;
mod session;
mod undo;
mod watch;

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::api::maarch::{MaarchUser, MaarchUserDetails};
use crate::api::model::*;
use crate::api::ocean::Individu;
use crate::i18n::{tr, trf};
use crate::protocol::{Event, Request, Service};
use form::{Form, FormKind};
pub use keymap::Scope;
use kinds::ListKind;
pub use kinds::{DetailTarget, Tab};
use list::{ListView, Paging};

pub use account::*;
use answers::*;
pub use browse::*;
pub use bulk::*;
pub use columns::ColumnChooser;
pub use confirm::*;
pub use conflict::*;
pub use detail::*;
pub use editor::*;
pub use frequency::Frequency;
pub use journal_view::*;
pub use login::*;
pub use outcomes::*;
pub use palette::*;
pub use run::RunAsk;
pub use screen::{Browse, HelpScreen};
pub use session::*;
pub use watch::Watch;

pub const PAGE_SIZE: u32 = 50;

/// (value, label) pairs offered by a picker.
pub type Choices = Vec<(String, String)>;

pub enum Overlay {
    Detail(Box<Detail>),
    Form(Box<Form>),
    Confirm(Confirm),
    Help,
    Palette(Palette),
    Login(Login),
    Account(Box<Account>),
    /// A form left unfinished last time, offered back.
    Restore(Box<crate::app::drafts::Draft>),
    /// A record as JSON, secrets masked, scrollable.
    Raw(Box<RawView>),
    /// An edit that met a change made on the server meanwhile.
    Conflict(Conflict),
    /// `:journal`.
    Journal(Box<JournalView>),
    /// A bulk action on the marked rows: its question, progress and results.
    Bulk(Box<BulkRun>),
    /// A row command asking before it runs.
    RunAsk(Box<RunAsk>),
    /// `F`: value → count over a column.
    Frequency(Box<Frequency>),
    /// `C`: the columns of a tab.
    Columns(Box<ColumnChooser>),
}

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

/// What a mouse click landed on (worked out from the drawn layout).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Click {
    Tab(Tab),
    /// A row of the list, as an index into its view.
    Row(usize),
    /// A key offered in the footer.
    Key(KeyEvent),
}

/// The runtime ticks about 8 times a second while something is going on.
pub const TICKS_PER_SECOND: u32 = 8;

pub struct App {
    pub tab: Tab,
    /// The tabs' lists and what they read with them.
    pub lists: Lists,
    pub overlays: Vec<Overlay>,
    /// The status line and `:messages`.
    pub status: Status,
    pub session: Session,
    /// Requests: numbered, in flight, waiting for the worker.
    pub net: Net,
    /// Side effects for the runtime, taken after each update.
    pub effects: Vec<Effect>,
    /// What the config and the user chose: keys, aliases, commands, views, mouse.
    pub prefs: Prefs,
    /// This profile's journal as read at start, and the changes made since.
    pub journal: Vec<crate::journal::Entry>,
    /// The list `W` watches.
    pub watch: Option<Watch>,
    /// What was asked before what it needs came (a page, a catalogue, `$EDITOR`).
    pub(crate) waiting: Waiting,
    pub quit: bool,
    /// Set by `:profile NAME`: the console ends and starts again on that profile.
    pub switch_profile: Option<String>,
    /// Rows of the table body in the last layout (set on resize).
    pub viewport_rows: usize,
}

/// The tabs' lists.
pub struct Lists {
    pub sites: ListView<SiteSummary>,
    pub equipements: ListView<Equipement>,
    pub users: ListView<User>,
    pub roles: ListView<Role>,
    pub individus: ListView<Individu>,
    pub maarch_users: ListView<MaarchUser>,
    /// Which user directory the Users tab shows.
    pub users_dir: Service,
    /// Maarch lists only the users of a non-root caller's entities: the list may be partial.
    pub maarch_partial: bool,
    /// Maarch groups and entities for pickers, once read.
    pub catalogue: Option<(Choices, Choices)>,
    /// Clients offered by the site form besides those seen on sites.
    pub extra_clients: Vec<(String, String)>,
    /// Loading every equipement: (loaded, total).
    pub load_progress: Option<(usize, usize)>,
    /// Equipement pages read ahead.
    pub(crate) prefetched: HashMap<u32, Page<Equipement>>,
    /// The column of the selected cell (`y` copies it).
    pub col: usize,
}

/// The status line: the notice, the error, and the recent ones (`:messages`).
#[derive(Default)]
pub struct Status {
    pub last_error: Option<String>,
    pub notice: Option<String>,
    /// The recent status messages, newest last (`:messages`): a long one can be read whole.
    pub messages: std::collections::VecDeque<String>,
    /// The notice and the error last kept there (each kept once, when it changes).
    pub(crate) seen_messages: (Option<String>, Option<String>),
    pub spinner: usize,
}

/// Requests: the next id, those in flight, those made by the last update.
pub struct Net {
    /// Requests made by the last update, for the worker.
    pub outbox: Vec<(u64, Request)>,
    pub(in crate::app) in_flight: HashMap<u64, (Purpose, Service)>,
    pub(crate) next_id: u64,
    /// Set while the server is unreachable.
    pub reconnect: Option<Reconnect>,
}

/// What the config and the user chose.
pub struct Prefs {
    /// Palette aliases from the config: name → `command [/filter]`.
    pub aliases: Vec<(String, String)>,
    /// Row commands from the config.
    pub commands: Vec<crate::commands::RowCommand>,
    /// Columns chosen and saved views, as kept on disk.
    pub views: crate::views::Views,
    /// How often a watched list is read again (config `watch_secs`).
    pub watch_every: Duration,
    /// The config's profile names.
    pub profiles: Vec<String>,
    /// Palette commands run, most recent first (offered first).
    pub palette_history: Vec<String>,
    /// Mouse reporting on (it takes the terminal's own text selection away, so off by default).
    pub mouse: bool,
    /// Keys remapped by the config.
    pub keymap: keymap::KeyMap,
}

/// What was asked before what it needs came.
#[derive(Default)]
pub(crate) struct Waiting {
    /// A Maarch user's details read to edit them: the request, and how many overlays were
    /// open then (an answer after the user moved on opens nothing).
    pub maarch_edit: Option<(u64, usize)>,
    /// A group or entity picker asked before the catalogue came: the key (as translated),
    /// how many overlays were open then and the Maarch user's id (it opens once the
    /// catalogue lands, if the user is still on that detail).
    pub pick_after_catalogue: Option<(KeyEvent, usize, i64)>,
    /// The record being edited in `$EDITOR`.
    pub editing: Option<DetailTarget>,
    /// Export asked before every page was loaded: written once they are.
    pub pending_export: Option<(std::path::PathBuf, ExportFormat)>,
    /// `*` asked before every equipement was loaded: marks them once they are.
    pub mark_all_when_loaded: bool,
    /// `F` asked before every equipement was loaded: counts once they are.
    pub frequency_when_loaded: bool,
    /// `:dups` asked before every equipement was loaded.
    pub dups_when_loaded: bool,
    /// Esc was pressed once with marks and no filter: the next Esc clears them.
    pub esc_armed: bool,
    /// A Maarch edit `u` reverts, waiting for the user's details: (entry, user, old values).
    pub undo_values: Option<(u64, i64, Vec<crate::change::FieldChange>)>,
    /// How far the help is scrolled.
    pub help_scroll: usize,
}

impl App {
    pub fn new(session: Session) -> App {
        let mut equipements = ListView::default();
        equipements.paging = Some(Paging {
            size: PAGE_SIZE,
            ..Default::default()
        });
        let tab = if session.has(Service::Core) {
            Tab::Sites
        } else if session.has(Service::Ocean) {
            Tab::Individus
        } else {
            Tab::Users
        };
        let users_dir = if session.has(Service::Core) || !session.has(Service::Maarch) {
            Service::Core
        } else {
            Service::Maarch
        };
        App {
            tab,
            lists: Lists {
                sites: ListView::default(),
                equipements,
                users: ListView::default(),
                roles: ListView::default(),
                individus: ListView::default(),
                maarch_users: ListView::default(),
                users_dir,
                maarch_partial: false,
                catalogue: None,
                extra_clients: Vec::new(),
                load_progress: None,
                prefetched: HashMap::new(),
                col: 0,
            },
            overlays: Vec::new(),
            status: Status::default(),
            session,
            net: Net {
                outbox: Vec::new(),
                in_flight: HashMap::new(),
                next_id: 1,
                reconnect: None,
            },
            effects: Vec::new(),
            prefs: Prefs {
                aliases: Vec::new(),
                commands: Vec::new(),
                views: Default::default(),
                watch_every: Duration::from_secs(10),
                profiles: Vec::new(),
                palette_history: Vec::new(),
                mouse: false,
                keymap: keymap::KeyMap::default(),
            },
            journal: Vec::new(),
            watch: None,
            waiting: Waiting::default(),
            quit: false,
            switch_profile: None,
            viewport_rows: 20,
        }
    }

    /// First requests: who am I, then the first tab. `logged_in`: the core client has
    /// credentials (Ocean and Maarch ask when their tab first needs them).
    pub fn start(&mut self, logged_in: bool) {
        if !self.session.has(Service::Core) {
            self.load_tab(self.tab);
        } else if logged_in {
            self.send(Request::WhoAmI, Purpose::Login);
            self.load_tab(self.tab);
        } else {
            self.ask_login(Service::Core, None);
        }
    }

    /// Sites kept from the last run, shown until the server's list lands (a list already
    /// streaming or shown is left alone).
    pub fn show_kept_sites(&mut self, sites: Vec<SiteSummary>, age: std::time::Duration) {
        if !self.lists.sites.items.is_empty() || sites.is_empty() {
            return;
        }
        self.lists.sites.set_items(sites);
        self.lists.sites.provisional = true;
        self.status.notice = Some(trf(
            "Sites as read {} ago: reading them again…",
            &[&crate::text::short_duration(age)],
        ));
    }

    /// The key that does `action` on `scope` now, as shown (`-` when none does).
    pub fn key_label(&self, scope: Scope, action: &str) -> String {
        self.prefs
            .keymap
            .key_of_in(scope, action)
            .map(|k| k.label())
            .unwrap_or_else(|| "-".into())
    }

    /// The kind of records the current tab lists.
    pub fn list_kind(&self) -> ListKind {
        ListKind::of(self.tab, self.lists.users_dir)
    }

    /// The service a tab reads from.
    pub fn tab_service(&self, t: Tab) -> Service {
        t.service(self.lists.users_dir)
    }

    pub fn busy(&self) -> bool {
        !self.net.in_flight.is_empty()
    }

    pub fn requests_in_flight(&self) -> usize {
        self.net.in_flight.len()
    }

    pub fn take_requests(&mut self) -> Vec<(u64, Request)> {
        std::mem::take(&mut self.net.outbox)
    }

    // ---- loading ----------------------------------------------------------------------------

    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Progress { id, loaded, total } => {
                if self.lists.equipements.pending == Some(id) {
                    self.lists.load_progress = Some((loaded, total));
                }
            }
            Event::Sites { id, offset, rows } => self.lists.sites.streamed(id, offset, rows),
            Event::Done { id, result } => {
                let Some((purpose, service)) = self.net.in_flight.remove(&id) else {
                    return;
                };
                match result {
                    Ok(p) => self.on_payload(id, purpose, p),
                    Err(e) => self.on_error(id, purpose, service, e),
                }
            }
        }
    }

    fn open_help(&mut self) {
        self.waiting.help_scroll = 0;
        self.overlays.push(Overlay::Help);
    }

    fn refuse_if_read_only(&mut self, what: &str) -> bool {
        if self.session.read_only {
            self.status.notice = Some(trf("READ-ONLY profile: {} is disabled", &[&tr(what)]));
            true
        } else {
            false
        }
    }

    /// Effects to carry out (copies, exports), in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }
}
