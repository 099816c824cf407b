//! What `App` holds besides the tabs and the screen stack: the lists, the status line, the
//! requests, the user's choices, and what waits for data.

use std::collections::HashMap;
use std::time::Duration;

use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, Page, Role, SiteSummary, User};
use crate::api::ocean::Individu;
use crate::app::Nav;
use crate::app::PAGE_SIZE;
use crate::app::kinds::{ListKind, Stored, with_kind};
use crate::app::list::{ListView, Paging};
use crate::app::{Choices, DetailTarget, ExportFormat, Purpose, Reconnect, keymap};
use crate::protocol::{Request, Service};

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
    /// What was asked before every equipement was loaded, done once they are.
    pub(crate) when_loaded: WhenLoaded,
    /// Esc was pressed once with marks and no filter: the next Esc clears them.
    pub(crate) esc_armed: bool,
    /// The probe run the Equipements tab waits for (`P`; Esc stops waiting).
    pub(crate) probing: Option<u64>,
    /// What `P` last probed on the Equipements tab: a watch (`W`) probes it again.
    pub(crate) probed: Vec<crate::probe::Target>,
}

/// What waits for every equipement to be loaded.
#[derive(Default)]
pub(crate) struct WhenLoaded {
    /// An export: written once they are.
    pub export: Option<(std::path::PathBuf, ExportFormat)>,
    /// `*`: marks them.
    pub mark_all: bool,
    /// `F`: counts them.
    pub frequency: bool,
    /// `:dups`.
    pub dups: bool,
    /// How many screens were open when a window (`F`, `:dups`) was asked.
    pub depth: usize,
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
    /// The notice said over the sites kept from the last run, until the server answers.
    pub(crate) kept_sites: Option<String>,
}

impl Status {
    /// The server answered for the sites: "reading them again…" is no longer true.
    pub(crate) fn sites_answered(&mut self) {
        if let Some(said) = self.kept_sites.take()
            && self.notice.as_ref() == Some(&said)
        {
            self.notice = None;
        }
    }
}

/// Requests: the next id, those in flight, those made by the last update.
pub struct Net {
    /// Requests made by the last update, for the worker.
    pub outbox: Vec<(u64, Request)>,
    pub(in crate::app) in_flight: HashMap<u64, (Purpose, Service)>,
    pub(crate) next_id: u64,
    /// Records a change landed on (kind, id), with the first request id sent after it and
    /// whether it deleted them: a read sent before it answers what the server held before.
    pub(crate) written: HashMap<(&'static str, String), (u64, bool)>,
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
    /// What `P` may probe (the profile's `probe_networks`…): nothing by default.
    pub probe: crate::probe::Settings,
    /// What `:find` searches the config's profiles with (none: this profile alone cannot
    /// be searched either, and `:find` says so).
    pub finder: Option<crate::protocol::FinderRef>,
}

/// Where the user is: how many screens are open, which kind is on top, and whose Maarch
/// detail when it is one.
pub(crate) type Place = (
    usize,
    Option<std::mem::Discriminant<crate::app::Overlay>>,
    Option<i64>,
);

/// What was asked before what it needs came.
#[derive(Default)]
pub(crate) struct Waiting {
    /// A Maarch user's details read to edit them: the request, and where the user was then
    /// (how many screens were open, which on top, whose Maarch detail): an answer after the
    /// user moved on opens nothing.
    pub maarch_edit: Option<(u64, Place)>,
    /// A record to open once the console has started (`:find` in another profile).
    pub open_first: Option<crate::protocol::FoundRecord>,
    /// The record being edited in `$EDITOR`.
    pub editing: Option<DetailTarget>,
    /// A Maarch edit `u` reverts, waiting for the user's details: (the read, entry, user,
    /// old values). Only that read's form takes them.
    pub undo_values: Option<(u64, u64, i64, Vec<crate::change::FieldChange>)>,
}

impl Lists {
    /// The list of `kind`, to move in, mark, sort and filter.
    pub fn nav_mut(&mut self, kind: ListKind) -> &mut dyn Nav {
        with_kind!(kind, |K| <K as Stored>::of_lists(self) as &mut dyn Nav)
    }

    /// Empty lists; equipements are read a page at a time.
    pub fn new(users_dir: Service) -> Lists {
        let mut equipements = ListView::default();
        equipements.paging = Some(Paging {
            size: PAGE_SIZE,
            ..Default::default()
        });
        Lists {
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
            when_loaded: WhenLoaded::default(),
            esc_armed: false,
            probing: None,
            probed: Vec::new(),
        }
    }
}

impl Net {
    /// Queues a request for the worker; its answer comes back under the id returned.
    pub(crate) fn send(&mut self, req: Request, purpose: Purpose) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, (purpose, req.service()));
        self.outbox.push((id, req));
        id
    }

    /// A change to `kind`'s record `id` landed: reads sent before now are older than it.
    pub(crate) fn landed(&mut self, kind: &'static str, id: &str, deleted: bool) {
        if id.is_empty() {
            return;
        }
        // A mark older than every request in flight can make no answer stale.
        let oldest = self.in_flight.keys().min().copied().unwrap_or(self.next_id);
        self.written.retain(|_, (after, _)| *after > oldest);
        let at = (self.next_id, deleted);
        self.written.insert((kind, id.to_string()), at);
    }

    /// `kind`'s records a change landed on after the read `read` was sent: (id, deleted).
    pub(crate) fn changed_since(&self, read: u64, kind: &str) -> Vec<(String, bool)> {
        self.written
            .iter()
            .filter(|((k, _), (after, _))| *k == kind && read < *after)
            .map(|((_, id), (_, deleted))| (id.clone(), *deleted))
            .collect()
    }

    /// Whether the read `read` of `kind`'s record `id` was sent before a change to it landed
    /// (its answer would put back what the change replaced).
    pub(crate) fn predates_change(&self, read: u64, kind: &str, id: &str) -> bool {
        self.written
            .get(&(kind, id.to_string()))
            .is_some_and(|(after, _)| read < *after)
    }
}

impl Default for Net {
    fn default() -> Net {
        Net {
            outbox: Vec::new(),
            in_flight: HashMap::new(),
            next_id: 1,
            written: HashMap::new(),
            reconnect: None,
        }
    }
}

impl Default for Prefs {
    fn default() -> Prefs {
        Prefs {
            aliases: Vec::new(),
            commands: Vec::new(),
            views: Default::default(),
            watch_every: Duration::from_secs(10),
            profiles: Vec::new(),
            palette_history: Vec::new(),
            mouse: false,
            keymap: keymap::KeyMap::default(),
            probe: crate::probe::Settings::none(),
            finder: None,
        }
    }
}
