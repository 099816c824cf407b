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
mod action;
mod answers;
mod browse;
mod browse_keys;
mod browse_load;
mod bulk;
mod bulk_ask;
mod changes;
mod columns;
mod confirm;
mod conflict;
mod detail;
mod detail_answers;
mod detail_hints;
mod detail_maarch;
mod detail_probe;
pub mod drafts;
mod effects;
mod error_words;
mod export;
mod find_view;
pub mod form;
mod form_screen;
mod frequency;
pub mod hints;
mod import;
mod journal_view;
mod json_edit;
pub mod keymap;
pub mod kinds;
pub mod list;
mod login;
mod palette;
mod raw_view;
mod restore;
mod run;
mod screen;
mod session;
mod state;
mod undo;
pub mod view;
mod watch;

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

pub use account::*;
pub use answers::Purpose;
use answers::*;
pub use browse::*;
pub use browse_keys::ListKeys;
pub use bulk::*;
pub use bulk_ask::*;
pub use columns::ColumnChooser;
pub use confirm::*;
pub use conflict::*;
pub use detail::*;
pub use effects::Effect;
pub use error_words::*;
pub use export::*;
pub use find_view::{Collect, FindView, Switch, heading as find_heading};
pub use frequency::Frequency;
pub use journal_view::*;
pub use login::*;
pub use palette::*;
pub use raw_view::*;
pub use run::RunAsk;
pub use screen::{Browse, HelpScreen};
pub use session::*;
pub(crate) use state::Waiting;
pub use state::{Lists, Net, Prefs, Status};
pub use watch::Watch;

pub const PAGE_SIZE: u32 = 50;

/// (value, label) pairs offered by a picker.
pub type Choices = Vec<(String, String)>;

pub enum Overlay {
    Detail(Box<Detail>),
    Form(Box<Form>),
    Confirm(Confirm),
    Help(HelpScreen),
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
    /// `:find`: records across the profiles.
    Find(Box<FindView>),
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
    /// Set by `:profile NAME` (or Enter on `:find`'s record of another profile): the
    /// console ends and starts again on that profile.
    pub switch_profile: Option<Switch>,
    /// Rows of the table body in the last layout (set on resize).
    pub viewport_rows: usize,
}

impl App {
    pub fn new(session: Session) -> App {
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
            lists: Lists::new(users_dir),
            overlays: Vec::new(),
            status: Status::default(),
            session,
            net: Net::default(),
            effects: Vec::new(),
            prefs: Prefs::default(),
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
        // Under the login window when one is asked: shown once logged in.
        if let Some(r) = self.waiting.open_first.take() {
            self.open_detail(find_view::target_of(r));
        }
        if !self.session.has(Service::Core) {
            self.load_tab(self.tab);
        } else if logged_in {
            self.send(Request::WhoAmI, Purpose::Login);
            self.load_tab(self.tab);
        } else {
            self.ask_login(Service::Core, None);
        }
    }

    /// The key that does `action` on `scope` now, as shown (`-` when none does).
    pub fn key_label(&self, scope: Scope, action: keymap::Act) -> String {
        self.prefs.keymap.label_of(scope, action)
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
        self.overlays.push(Overlay::Help(HelpScreen::default()));
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
