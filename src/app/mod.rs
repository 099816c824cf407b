//! The console's state and its update logic: keys and worker events in, state changes and
//! numbered requests out. Nothing here draws or touches the network.

pub mod form;
pub mod keymap;
pub mod list;

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::api::ApiError;
use crate::api::maarch::{MaarchUser, MaarchUserDetails};
use crate::api::model::*;
use crate::api::ocean::{ELEMENT_TYPES, Functionality, Individu, OutboxMail};
use crate::i18n::{tr, trf};
use crate::protocol::{DeleteOp, Event, Payload, Request, Saved, Service};
use crate::text::mask_secrets;
use form::{Form, FormKind};
use list::{ListView, Paging, Record};

pub const PAGE_SIZE: u32 = 50;

/// (value, label) pairs offered by a picker.
pub type Choices = Vec<(String, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Sites,
    Equipements,
    Users,
    Roles,
    Individus,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Sites,
        Tab::Equipements,
        Tab::Users,
        Tab::Roles,
        Tab::Individus,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Sites => "Sites",
            Tab::Equipements => "Equipements",
            Tab::Users => "Users",
            Tab::Roles => "Roles",
            Tab::Individus => "Individus",
        }
    }

    /// The API's name for the resource (403 messages, RBAC).
    fn things(self) -> &'static str {
        match self {
            Tab::Sites => "sites",
            Tab::Equipements => "equipements",
            Tab::Users => "users",
            Tab::Roles => "roles",
            Tab::Individus => "individus",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub enum DetailTarget {
    Site(SiteSummary),
    Equipement(Equipement),
    User(User),
    Role(Role),
    Individu(Individu),
    MaarchUser(MaarchUserDetails),
}

pub struct Detail {
    pub target: DetailTarget,
    pub reveal: bool,
    /// A site's equipements, paged by the server.
    pub equipements: ListView<Equipement>,
    /// Maarch: the selected line among groups then entities.
    pub cursor: usize,
    /// Maarch: the user's details were read (groups, entities, Parapheur).
    pub loaded: bool,
    /// Maarch: the answer of `statusInMaarchParapheur`, once asked.
    pub parapheur: Option<String>,
    /// Maarch: why the details could not be read.
    pub error: Option<String>,
}

impl Detail {
    pub fn new(target: DetailTarget) -> Self {
        Detail {
            target,
            reveal: false,
            equipements: ListView::default(),
            cursor: 0,
            loaded: false,
            parapheur: None,
            error: None,
        }
    }

    /// Maarch: the link under the cursor, as the operation that removes it.
    pub fn selected_link(&self) -> Option<DeleteOp> {
        let DetailTarget::MaarchUser(d) = &self.target else {
            return None;
        };
        let user = d.user.id;
        if let Some(g) = d.groups.get(self.cursor) {
            return Some(DeleteOp::MaarchGroup {
                user,
                group: g.group_id.clone(),
            });
        }
        d.entities
            .get(self.cursor - d.groups.len())
            .map(|e| DeleteOp::MaarchEntity {
                user,
                entity: e.entity_id.clone(),
            })
    }
}

pub struct Confirm {
    pub message: String,
    pub op: DeleteOp,
    pub pending: Option<u64>,
    pub error: Option<String>,
}

#[derive(Default)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
}

pub struct Login {
    pub service: Service,
    pub username: Input,
    pub password: Input,
    pub focus: usize,
    pub error: Option<String>,
    pub pending: Option<u64>,
}

pub enum Overlay {
    Detail(Box<Detail>),
    Form(Box<Form>),
    Confirm(Confirm),
    Help,
    Palette(Palette),
    Login(Login),
    Account(Box<Account>),
    /// A form left unfinished last time, offered back.
    Restore(Box<crate::drafts::Draft>),
    /// A record as JSON, secrets masked, scrollable.
    Raw(Box<RawView>),
}

pub struct RawView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
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
    /// Turn the terminal's mouse reporting on or off.
    Mouse(bool),
    /// Open `text` (a record as JSON) in `$EDITOR`; the result goes to `on_edited`.
    Edit { title: String, text: String },
}

/// What a mouse click landed on (worked out from the drawn layout).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Click {
    Tab(Tab),
    /// A row of the list, as an index into its view.
    Row(usize),
    /// A key offered in the footer.
    Key(KeyCode),
}

/// The Ocean account screen: my rights by element type, and the demo outbox.
pub struct Account {
    /// The element types offered: the known ones, then any typed (`t`).
    pub types: Vec<String>,
    /// The one shown, an index into `types`.
    pub element_type: usize,
    pub functionalities: Vec<Functionality>,
    pub selected: usize,
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// `None` until read, `Some(None)` when the server has no outbox (a real Ocean).
    pub outbox: Option<Option<Vec<OutboxMail>>>,
}

/// Who and where: shown in the status bar.
#[derive(Debug, Clone)]
pub struct Session {
    pub profile: String,
    pub server: String,
    pub user: Option<String>,
    pub role: Option<String>,
    pub read_only: bool,
    pub insecure_tls: bool,
    /// The services the profile declares.
    pub services: Vec<Service>,
    /// Ocean and Maarch logins, to prefill their login forms.
    pub ocean_user: Option<String>,
    pub maarch_user: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            profile: String::new(),
            server: String::new(),
            user: None,
            role: None,
            read_only: false,
            insecure_tls: false,
            services: vec![Service::Core, Service::Ocean, Service::Maarch],
            ocean_user: None,
            maarch_user: None,
        }
    }
}

impl Session {
    pub fn has(&self, s: Service) -> bool {
        self.services.contains(&s)
    }
}

/// What a request in flight was for, to route (or drop) its answer.
#[derive(Debug, Clone)]
enum Purpose {
    List(Tab),
    MaarchUsers,
    MaarchDetails,
    /// A Maarch user's details read to edit them (`true`: in `$EDITOR`).
    MaarchEdit(bool),
    /// A core user read again for its open detail.
    User,
    Catalogue,
    Account,
    Prefetch(u32),
    LoadAll,
    SiteDetail,
    Save,
    Delete,
    Login,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PurposeKind {
    Read,
    WhoAmI,
    Other,
}

/// The runtime ticks about 8 times a second while something is going on.
pub const TICKS_PER_SECOND: u32 = 8;

/// Waiting to try an unreachable server again.
#[derive(Debug, Clone)]
pub struct Reconnect {
    pub attempts: u32,
    pub ticks_left: u32,
}

/// A palette entry: what it says and what it does.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Tab(Tab),
    OpenSite(String),
    /// The Users tab on this directory (core or Maarch).
    Users(Service),
    Account,
    ChangePassword,
    PasswordReset,
    /// Write the current view (every page, filter applied) to a file.
    Export,
    /// A configured alias: a palette command, then optionally ` /filter`.
    Alias(String),
    Refresh,
    New,
    LoadAll,
    /// The recent status messages, whole.
    Messages,
    Help,
    Quit,
}

pub struct App {
    pub tab: Tab,
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
    /// How far the help is scrolled.
    pub help_scroll: usize,
    /// The recent status messages, newest last (`:messages`): a long one can be read whole.
    pub messages: std::collections::VecDeque<String>,
    /// The notice and the error last kept there (each kept once, when it changes).
    seen_messages: (Option<String>, Option<String>),
    /// A Maarch user's details read to edit them: the request, and how many overlays were
    /// open then (an answer after the user moved on opens nothing).
    maarch_edit: Option<(u64, usize)>,
    /// Maarch groups and entities for pickers, once read.
    pub catalogue: Option<(Choices, Choices)>,
    /// Set while the server is unreachable.
    pub reconnect: Option<Reconnect>,
    /// The column of the selected cell (`y` copies it).
    pub col: usize,
    /// Side effects for the runtime, taken after each update.
    pub effects: Vec<Effect>,
    /// Palette aliases from the config: name → `command [/filter]`.
    pub aliases: Vec<(String, String)>,
    /// Palette commands run, most recent first (offered first).
    pub palette_history: Vec<String>,
    /// Mouse reporting on (it takes the terminal's own text selection away, so off by default).
    pub mouse: bool,
    /// Keys remapped by the config.
    pub keymap: keymap::KeyMap,
    /// The record being edited in `$EDITOR`.
    editing: Option<DetailTarget>,
    /// Export asked before every page was loaded: written once they are.
    pending_export: Option<(std::path::PathBuf, ExportFormat)>,
    pub overlays: Vec<Overlay>,
    pub session: Session,
    pub last_error: Option<String>,
    pub notice: Option<String>,
    /// Requests made by the last update, for the worker.
    pub outbox: Vec<(u64, Request)>,
    pub quit: bool,
    /// Rows of the table body in the last layout (set on resize).
    pub viewport_rows: usize,
    pub spinner: usize,
    /// Loading every equipement: (loaded, total).
    pub load_progress: Option<(usize, usize)>,
    /// Clients offered by the site form besides those seen on sites.
    pub extra_clients: Vec<(String, String)>,
    in_flight: HashMap<u64, (Purpose, Service)>,
    prefetched: HashMap<u32, Page<Equipement>>,
    next_id: u64,
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
            sites: ListView::default(),
            equipements,
            users: ListView::default(),
            roles: ListView::default(),
            individus: ListView::default(),
            maarch_users: ListView::default(),
            users_dir,
            maarch_partial: false,
            help_scroll: 0,
            messages: Default::default(),
            seen_messages: (None, None),
            maarch_edit: None,
            catalogue: None,
            reconnect: None,
            col: 0,
            effects: Vec::new(),
            aliases: Vec::new(),
            palette_history: Vec::new(),
            mouse: false,
            keymap: keymap::KeyMap::default(),
            editing: None,
            pending_export: None,
            overlays: Vec::new(),
            session,
            last_error: None,
            notice: None,
            outbox: Vec::new(),
            quit: false,
            viewport_rows: 20,
            spinner: 0,
            load_progress: None,
            extra_clients: Vec::new(),
            in_flight: HashMap::new(),
            prefetched: HashMap::new(),
            next_id: 1,
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

    /// The service a tab reads from.
    pub fn tab_service(&self, t: Tab) -> Service {
        match t {
            Tab::Individus => Service::Ocean,
            Tab::Users => self.users_dir,
            _ => Service::Core,
        }
    }

    fn ask_login(&mut self, service: Service, error: Option<String>) {
        let user = match service {
            Service::Core => self.session.user.clone(),
            Service::Ocean => self.session.ocean_user.clone(),
            Service::Maarch => self.session.maarch_user.clone(),
        };
        self.overlays.push(Overlay::Login(Login {
            service,
            focus: usize::from(user.is_some()),
            username: Input::new(user.unwrap_or_default()),
            password: Input::default(),
            error,
            pending: None,
        }));
    }

    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
    }

    pub fn requests_in_flight(&self) -> usize {
        self.in_flight.len()
    }

    fn send(&mut self, req: Request, purpose: Purpose) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, (purpose, req.service()));
        self.outbox.push((id, req));
        id
    }

    pub fn take_requests(&mut self) -> Vec<(u64, Request)> {
        std::mem::take(&mut self.outbox)
    }

    // ---- loading ----------------------------------------------------------------------------

    fn load_tab(&mut self, tab: Tab) {
        if !self.session.has(self.tab_service(tab)) {
            // The tab explains how to configure it; nothing to ask.
            return;
        }
        match tab {
            Tab::Individus => {
                let id = self.send(Request::Individus, Purpose::List(Tab::Individus));
                self.individus.pending = Some(id);
                self.individus.loading = true;
            }
            Tab::Users if self.users_dir == Service::Maarch => {
                let id = self.send(Request::MaarchUsers, Purpose::MaarchUsers);
                self.maarch_users.pending = Some(id);
                self.maarch_users.loading = true;
            }
            Tab::Sites => {
                let id = self.send(Request::Sites, Purpose::List(Tab::Sites));
                self.sites.pending = Some(id);
                self.sites.loading = true;
            }
            Tab::Users => {
                let id = self.send(Request::Users, Purpose::List(Tab::Users));
                self.users.pending = Some(id);
                self.users.loading = true;
            }
            Tab::Roles => {
                let id = self.send(Request::Roles, Purpose::List(Tab::Roles));
                self.roles.pending = Some(id);
                self.roles.loading = true;
            }
            Tab::Equipements => {
                if self.equipements.complete {
                    self.load_all();
                } else {
                    let page = self.equipements.paging.map(|p| p.page).unwrap_or(1);
                    self.load_equipements_page(page);
                }
            }
        }
    }

    fn load_equipements_page(&mut self, page: u32) {
        if let Some(p) = self.prefetched.remove(&page) {
            // Instant: the page was fetched ahead.
            self.equipements.pending = None;
            self.apply_equipements_page(p);
            return;
        }
        let id = self.send(
            Request::EquipementsPage {
                page,
                size: PAGE_SIZE,
            },
            Purpose::List(Tab::Equipements),
        );
        self.equipements.pending = Some(id);
        self.equipements.loading = true;
    }

    fn apply_equipements_page(&mut self, p: Page<Equipement>) {
        let paging = Paging {
            page: clamp_u32(p.page.unwrap_or(1)),
            pages: clamp_u32(p.page_count().unwrap_or(1).max(1)),
            total: p.total.unwrap_or(p.items.len() as u64),
            size: clamp_u32(p.size.unwrap_or(u64::from(PAGE_SIZE))),
        };
        self.equipements.paging = Some(paging);
        self.equipements.selected = 0;
        self.equipements.offset = 0;
        self.equipements.set_items(p.items);
        // Fetch the next page ahead, so paging forward is instant.
        let next = paging.page + 1;
        if next <= paging.pages
            && !self.prefetched.contains_key(&next)
            && !self
                .in_flight
                .values()
                .any(|(v, _)| matches!(v, Purpose::Prefetch(n) if *n == next))
        {
            self.send(
                Request::EquipementsPage {
                    page: next,
                    size: PAGE_SIZE,
                },
                Purpose::Prefetch(next),
            );
        }
    }

    fn load_all(&mut self) {
        if self
            .in_flight
            .values()
            .any(|(p, _)| matches!(p, Purpose::LoadAll))
        {
            return;
        }
        let id = self.send(Request::AllEquipements, Purpose::LoadAll);
        self.equipements.pending = Some(id);
        self.equipements.loading = true;
        self.load_progress = Some((0, 0));
    }

    /// Stops loading every equipement (Esc): the worker drops the request, nothing waits.
    fn cancel_load(&mut self) {
        let (loaded, total) = self.load_progress.take().unwrap_or_default();
        let Some(id) = self
            .in_flight
            .iter()
            .find(|(_, (p, _))| matches!(p, Purpose::LoadAll))
            .map(|(id, _)| *id)
        else {
            return;
        };
        self.in_flight.remove(&id);
        // Not a request of its own: nothing answers it.
        self.outbox.push((0, Request::Cancel(id)));
        if self.equipements.pending == Some(id) {
            self.equipements.pending = None;
            self.equipements.loading = false;
        }
        self.pending_export = None;
        self.notice = Some(trf(
            "Loading stopped ({} of {} equipements read): the page shown stays",
            &[&group(loaded as u64), &group(total as u64)],
        ));
    }

    fn load_site_equipements(&mut self, page: u32) {
        let Some(Overlay::Detail(d)) = self.overlays.last_mut() else {
            return;
        };
        let DetailTarget::Site(site) = &d.target else {
            return;
        };
        let site_id = site.site_id.clone();
        let id = self.next_id;
        d.equipements.pending = Some(id);
        d.equipements.loading = true;
        self.send(
            Request::SiteEquipements {
                site_id,
                page,
                size: PAGE_SIZE,
            },
            Purpose::SiteDetail,
        );
    }

    // ---- events from the worker -------------------------------------------------------------

    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Progress { id, loaded, total } => {
                if self.equipements.pending == Some(id) {
                    self.load_progress = Some((loaded, total));
                }
            }
            Event::Done { id, result } => {
                let Some((purpose, service)) = self.in_flight.remove(&id) else {
                    return;
                };
                match result {
                    Ok(p) => self.on_payload(id, purpose, p),
                    Err(e) => self.on_error(id, purpose, service, e),
                }
            }
        }
    }

    fn on_payload(&mut self, id: u64, purpose: Purpose, p: Payload) {
        if self.reconnect.take().is_some() {
            self.notice = Some(tr("Connected again").into());
            self.last_error = None;
        }
        match (purpose, p) {
            (Purpose::Login, Payload::LoggedIn(c)) => {
                self.last_error = None;
                if !c.email.is_empty() || !c.sub.is_empty() {
                    self.session.user = Some(if c.email.is_empty() { c.sub } else { c.email });
                }
                if !c.role_name.is_empty() {
                    self.session.role = Some(c.role_name);
                }
                if let Some(Overlay::Login(l)) = self.overlays.last()
                    && l.pending == Some(id)
                {
                    self.overlays.pop();
                    self.load_tab(Tab::Sites);
                    if self.tab != Tab::Sites {
                        self.load_tab(self.tab);
                    }
                }
            }
            (Purpose::Login, Payload::ServiceLoggedIn(service, user)) => {
                self.last_error = None;
                match service {
                    Service::Ocean => self.session.ocean_user = Some(user),
                    _ => self.session.maarch_user = Some(user),
                }
                if let Some(Overlay::Login(l)) = self.overlays.last()
                    && l.pending == Some(id)
                {
                    self.overlays.pop();
                }
                // Whatever waited for this login is asked again.
                match service {
                    Service::Ocean => {
                        self.load_tab(Tab::Individus);
                        if let Some(Overlay::Account(_)) = self.overlays.last() {
                            self.load_account();
                        }
                    }
                    _ => {
                        let dir = self.users_dir;
                        self.users_dir = Service::Maarch;
                        self.load_tab(Tab::Users);
                        self.users_dir = dir;
                        // Open details that could not be read are read now.
                        let waiting: Vec<i64> = self
                            .overlays
                            .iter()
                            .filter_map(|o| match o {
                                Overlay::Detail(d) if !d.loaded => match &d.target {
                                    DetailTarget::MaarchUser(u) => Some(u.user.id),
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect();
                        if !waiting.is_empty() {
                            self.load_catalogue();
                        }
                        for uid in waiting {
                            self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
                        }
                    }
                }
            }
            (Purpose::List(Tab::Individus), Payload::Individus(v))
                if self.individus.pending == Some(id) =>
            {
                self.individus.pending = None;
                self.individus.set_items(v);
            }
            (Purpose::MaarchUsers, Payload::MaarchUsers(v))
                if self.maarch_users.pending == Some(id) =>
            {
                self.maarch_users.pending = None;
                // Only a root caller (mode root_visible or root_invisible) sees every user.
                let me = self.session.maarch_user.as_deref().unwrap_or_default();
                self.maarch_partial = !v
                    .iter()
                    .any(|u| u.user_id.eq_ignore_ascii_case(me) && u.mode.starts_with("root_"));
                self.maarch_users.set_items(v);
            }
            (Purpose::MaarchDetails, Payload::MaarchDetails(uid, details)) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && let DetailTarget::MaarchUser(cur) = &mut d.target
                        && cur.user.id == uid
                    {
                        d.loaded = true;
                        d.error = None;
                        if let Some(fresh) = &details {
                            *cur = fresh.clone();
                        }
                        let n = cur.groups.len() + cur.entities.len();
                        d.cursor = d.cursor.min(n.saturating_sub(1));
                    }
                }
                if let Some(fresh) = details {
                    self.maarch_users.upsert(fresh.user);
                }
            }
            (Purpose::MaarchEdit(editor), Payload::MaarchDetails(uid, details)) => {
                if self.maarch_edit.take() != Some((id, self.overlays.len())) {
                    // The user moved on meanwhile: nothing opens over what they do now.
                    return;
                }
                let d = match details {
                    Some(d) => d,
                    // No details route: the list's fields are all there is.
                    None => {
                        let user = self
                            .maarch_users
                            .items
                            .iter()
                            .find(|u| u.id == uid)
                            .cloned()
                            .unwrap_or(MaarchUser {
                                id: uid,
                                ..Default::default()
                            });
                        MaarchUserDetails {
                            fetched: true,
                            ..MaarchUserDetails::from_list(user)
                        }
                    }
                };
                self.maarch_users.upsert(d.user.clone());
                let t = DetailTarget::MaarchUser(d);
                if editor {
                    self.edit_in_editor(t);
                } else {
                    self.edit_target(t);
                }
            }
            (Purpose::User, Payload::User(u)) => {
                self.update_detail(DetailTarget::User(u.clone()));
                self.users.upsert(u);
            }
            (Purpose::MaarchDetails, Payload::ParapheurStatus(uid, login)) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && matches!(&d.target, DetailTarget::MaarchUser(cur) if cur.user.id == uid)
                    {
                        d.parapheur = Some(login.clone());
                    }
                }
                self.notice = Some(if login.is_empty() {
                    tr("Not linked to Maarch Parapheur").into()
                } else {
                    trf("Linked to Maarch Parapheur user {}", &[&login])
                });
            }
            (Purpose::Catalogue, Payload::MaarchCatalogue { groups, entities }) => {
                self.catalogue = Some((groups, entities));
            }
            (Purpose::Account, Payload::Functionalities(t, list)) => {
                // The screen may be under a form or the help: look for it.
                if let Some(a) = self.account_mut()
                    && a.pending == Some(id)
                    && a.types.get(a.element_type) == Some(&t)
                {
                    a.pending = None;
                    a.error = None;
                    a.functionalities = list;
                    a.selected = 0;
                }
            }
            (Purpose::Account, Payload::Outbox(o)) => {
                if let Some(a) = self.account_mut() {
                    a.outbox = Some(o);
                }
            }
            (Purpose::List(Tab::Sites), Payload::Sites(v)) if self.sites.pending == Some(id) => {
                self.sites.pending = None;
                self.sites.set_items(v);
            }
            (Purpose::List(Tab::Users), Payload::Users(v)) if self.users.pending == Some(id) => {
                self.users.pending = None;
                self.users.set_items(v);
            }
            (Purpose::List(Tab::Roles), Payload::Roles(v)) if self.roles.pending == Some(id) => {
                self.roles.pending = None;
                self.roles.set_items(v);
            }
            (Purpose::List(Tab::Equipements), Payload::EquipementsPage(p))
                if self.equipements.pending == Some(id) =>
            {
                self.equipements.pending = None;
                self.apply_equipements_page(p);
            }
            (Purpose::Prefetch(n), Payload::EquipementsPage(p)) if !self.equipements.complete => {
                self.prefetched.insert(n, p);
                // Keep only pages near the current one.
                let cur = self.equipements.paging.map(|p| p.page).unwrap_or(1);
                self.prefetched.retain(|k, _| k.abs_diff(cur) <= 2);
            }
            (Purpose::LoadAll, Payload::AllEquipements(v))
                if self.equipements.pending == Some(id) =>
            {
                self.equipements.pending = None;
                self.load_progress = None;
                self.prefetched.clear();
                let n = v.len() as u64;
                self.equipements.complete = true;
                self.equipements.paging = Some(Paging {
                    page: 1,
                    pages: 1,
                    total: n,
                    size: clamp_u32(n.max(1)),
                });
                self.equipements.set_items(v);
                self.notice = Some(trf("All {} equipements loaded", &[&group(n)]));
                if let Some((path, format)) = self.pending_export.take() {
                    self.export(path, format);
                }
            }
            // A load the list no longer waits for: its progress goes.
            (Purpose::LoadAll, _) => self.load_progress = None,
            (Purpose::SiteDetail, Payload::SiteEquipements { site_id, page }) => {
                let mut page = Some(page);
                for o in self.overlays.iter_mut().rev() {
                    if let Overlay::Detail(d) = o
                        && d.equipements.pending == Some(id)
                        && matches!(&d.target, DetailTarget::Site(s) if s.site_id == site_id)
                        && let Some(page) = page.take()
                    {
                        d.equipements.pending = None;
                        d.equipements.paging = Some(Paging {
                            page: clamp_u32(page.page.unwrap_or(1)),
                            pages: clamp_u32(page.page_count().unwrap_or(1).max(1)),
                            total: page.total.unwrap_or(page.items.len() as u64),
                            size: PAGE_SIZE,
                        });
                        d.equipements.selected = 0;
                        d.equipements.offset = 0;
                        // This route's items do not name their site: it is the one shown.
                        let site_ref = std::sync::Arc::new(match &d.target {
                            DetailTarget::Site(s) => SiteRef::from(s),
                            _ => SiteRef::default(),
                        });
                        let items = page
                            .items
                            .into_iter()
                            .map(|mut e| {
                                if e.client_site.is_none() {
                                    e.site_id.get_or_insert_with(|| site_ref.site_id.clone());
                                    e.client_site = Some(site_ref.clone());
                                }
                                e
                            })
                            .collect();
                        d.equipements.set_items(items);
                    }
                }
            }
            (Purpose::Save, Payload::Saved(saved)) => self.on_saved(id, saved),
            (Purpose::Delete, Payload::Deleted(op)) => self.on_deleted(id, op),
            // A stale answer: the user already moved on.
            _ => {}
        }
    }

    fn on_error(&mut self, id: u64, purpose: Purpose, service: Service, e: ApiError) {
        let purpose_kind = match &purpose {
            Purpose::List(_) | Purpose::MaarchUsers | Purpose::LoadAll => PurposeKind::Read,
            Purpose::Login if !matches!(self.overlays.last(), Some(Overlay::Login(_))) => {
                PurposeKind::WhoAmI
            }
            _ => PurposeKind::Other,
        };
        let action = match &purpose {
            Purpose::Save => "save",
            Purpose::Delete => "delete",
            Purpose::Login => "log in",
            _ => "read",
        };
        let words = match &e {
            // Ocean and Maarch say which right is missing better than a role name would.
            ApiError::Forbidden(m) if service != Service::Core => {
                trf("403 — {} refused: {}", &[&service.name(), m])
            }
            _ => self.describe(&e, action),
        };
        match purpose {
            Purpose::Login => {
                if let Some(Overlay::Login(l)) = self.overlays.last_mut() {
                    l.pending = None;
                    l.error = Some(words.clone());
                } else if matches!(e, ApiError::Unauthorized(_)) {
                    self.ask_login(service, None);
                    return;
                }
            }
            Purpose::List(t) => {
                let l: &mut dyn Pending = match t {
                    Tab::Sites => &mut self.sites,
                    Tab::Equipements => &mut self.equipements,
                    Tab::Users => &mut self.users,
                    Tab::Roles => &mut self.roles,
                    Tab::Individus => &mut self.individus,
                };
                if !l.is_pending(id) {
                    return;
                }
                l.clear_pending();
            }
            Purpose::MaarchUsers => {
                if !self.maarch_users.is_pending(id) {
                    return;
                }
                self.maarch_users.clear_pending();
            }
            Purpose::MaarchDetails => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && matches!(d.target, DetailTarget::MaarchUser(_))
                        && !d.loaded
                    {
                        d.error = Some(words.clone());
                    }
                }
            }
            Purpose::Catalogue => {}
            Purpose::MaarchEdit(_) => {
                if self.maarch_edit.is_some_and(|(e, _)| e == id) {
                    self.maarch_edit = None;
                }
            }
            // The detail keeps what the list said.
            Purpose::User => return,
            Purpose::Account => {
                if let Some(a) = self.account_mut()
                    && a.pending == Some(id)
                {
                    a.pending = None;
                    a.error = Some(words.clone());
                }
            }
            Purpose::LoadAll => {
                self.load_progress = None;
                if self.equipements.pending == Some(id) {
                    self.equipements.pending = None;
                    self.equipements.loading = false;
                }
            }
            Purpose::SiteDetail => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && d.equipements.pending == Some(id)
                    {
                        d.equipements.pending = None;
                        d.equipements.loading = false;
                    }
                }
            }
            Purpose::Prefetch(_) => return,
            Purpose::Save => {
                for o in &mut self.overlays {
                    if let Overlay::Form(f) = o
                        && f.pending == Some(id)
                    {
                        f.pending = None;
                        if f.kind == FormKind::ChangePassword
                            && crate::api::ocean::wants_passwords_in_url(&e)
                            && !f.agreed.contains(&form::Ask::PasswordsInUrl)
                        {
                            // The body was not read: ask before putting passwords in a URL.
                            f.asking = Some(form::Ask::PasswordsInUrl);
                            f.error = None;
                            return;
                        }
                        // Field errors go under their fields; the form keeps every character.
                        let mut field_errors = e.field_errors().to_vec();
                        if let ApiError::BadRequest(m) = &e
                            && let Some(key) =
                                named_fields(m).into_iter().find(|k| f.field(k).is_some())
                        {
                            // Ocean and Maarch name the field in a 400's text.
                            field_errors.push(crate::api::FieldError::new(&key, m.clone()));
                        }
                        let rest = f.apply_server_errors(&field_errors);
                        f.error = if field_errors.is_empty() {
                            Some(words.clone())
                        } else if rest.is_empty() {
                            Some(tr("The server refused some fields: see below each one").into())
                        } else {
                            Some(rest.join("; "))
                        };
                    }
                }
            }
            Purpose::Delete => {
                if let Some(Overlay::Confirm(c)) = self.overlays.last_mut()
                    && c.pending == Some(id)
                {
                    c.pending = None;
                    c.error = Some(words.clone());
                }
            }
        }
        let reading = matches!(purpose_kind, PurposeKind::Read | PurposeKind::WhoAmI);
        if matches!(e, ApiError::Network(_)) && reading {
            // Unreachable: the console stays usable and tries again by itself.
            self.schedule_reconnect();
        }
        if matches!(e, ApiError::Unauthorized(_))
            && !matches!(self.overlays.last(), Some(Overlay::Login(_)))
        {
            // The session is gone and could not be renewed: ask again, keep everything else.
            self.ask_login(service, Some(words.clone()));
        }
        self.last_error = Some(words);
    }

    /// An error in words a person understands.
    pub fn describe(&self, e: &ApiError, action: &str) -> String {
        let things = self.current_things();
        match e {
            ApiError::Forbidden(_) => {
                let role = self.session.role.clone().unwrap_or_else(|| "?".into());
                let verb = match action {
                    "save" => "change",
                    "read" => "read",
                    other => other,
                };
                trf(
                    "403 — your role {} cannot {} {}",
                    &[&role, &tr(verb), &tr(things)],
                )
            }
            ApiError::Unauthorized(m) if action == "log in" => format!("401 — {m}"),
            ApiError::Unauthorized(m) => trf("401 — not logged in or session expired ({})", &[m]),
            ApiError::NotFound(m) => trf("404 — {} (it may have been deleted meanwhile)", &[m]),
            ApiError::Conflict(m) => format!("409 — {m}"),
            ApiError::Validation(v) => trf(
                "422 — the server refused: {}",
                &[&v.iter()
                    .map(|f| {
                        if f.field.is_empty() {
                            f.msg.clone()
                        } else {
                            format!("{}: {}", f.field, f.msg)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")],
            ),
            ApiError::RateLimited { retry_after, .. } => match retry_after {
                Some(d) => trf("429 — too many requests; retry in {}s", &[&d.as_secs()]),
                None => tr("429 — too many requests; retry in a moment").into(),
            },
            ApiError::Network(m) => trf("cannot reach the server: {}", &[m]),
            ApiError::Server { status, message } => {
                format!("{status} — the server failed ({message}); nothing was lost, try again")
            }
            other => other.to_string(),
        }
    }

    fn current_things(&self) -> &'static str {
        for o in self.overlays.iter().rev() {
            match o {
                Overlay::Form(f) => {
                    return match f.kind {
                        FormKind::Site => "sites",
                        FormKind::Equipement => "equipements",
                        FormKind::User => "users",
                        FormKind::Role => "roles",
                        FormKind::Individu | FormKind::AssignEntity => "individus",
                        FormKind::ChangePassword | FormKind::PasswordReset => "accounts",
                        _ => "Maarch users",
                    };
                }
                Overlay::Confirm(c) => {
                    return match c.op {
                        DeleteOp::Site(_) => "sites",
                        DeleteOp::Equipement(_) => "equipements",
                        DeleteOp::User(_) => "users",
                        DeleteOp::Role(_) => "roles",
                        DeleteOp::Individu(_) => "individus",
                        _ => "Maarch users",
                    };
                }
                _ => {}
            }
        }
        if self.tab == Tab::Users && self.users_dir == Service::Maarch {
            return "Maarch users";
        }
        self.tab.things()
    }

    fn site_name(&self, site_id: &str) -> Option<&SiteSummary> {
        self.sites.items.iter().find(|s| s.site_id == site_id)
    }

    fn on_saved(&mut self, id: u64, saved: Saved) {
        let Some(pos) = self
            .overlays
            .iter()
            .position(|o| matches!(o, Overlay::Form(f) if f.pending == Some(id)))
        else {
            return;
        };
        self.overlays.remove(pos);
        // These say what happened themselves.
        let self_worded = matches!(
            saved,
            Saved::Account(_) | Saved::Individus { .. } | Saved::MaarchUser(..)
        );
        let what = match saved {
            Saved::Site(s) => {
                let sum = SiteSummary::from(&s);
                let name = sum.name.clone();
                // An update answer may lack the client or the equipements: keep what we knew.
                let merged = match self.site_name(&sum.site_id) {
                    Some(old) => SiteSummary {
                        client: sum.client.clone().or(old.client.clone()),
                        equipement_count: if s.equipements.is_empty() {
                            old.equipement_count
                        } else {
                            sum.equipement_count
                        },
                        ..sum
                    },
                    None => sum,
                };
                self.update_detail(DetailTarget::Site(merged.clone()));
                self.sites.upsert(merged);
                format!("site {name}")
            }
            Saved::Equipement(mut e) => {
                if e.client_site.is_none()
                    && let Some(sid) = e.site_id()
                    && let Some(s) = self.site_name(sid)
                {
                    e.client_site = Some(std::sync::Arc::new(SiteRef::from(s)));
                }
                let label = e.label();
                let site_id = e.site_id().map(str::to_string);
                let is_new = !self
                    .equipements
                    .items
                    .iter()
                    .any(|x| x.equipement_id == e.equipement_id);
                if self.equipements.complete
                    || !is_new
                    || self.equipements.paging.is_some_and(|p| p.page == p.pages)
                {
                    self.equipements.upsert(e.clone());
                } else if let Some(p) = &mut self.equipements.paging {
                    p.total += 1;
                }
                if is_new
                    && let Some(sid) = &site_id
                    && let Some(pos) = self.sites.items.iter().position(|s| &s.site_id == sid)
                {
                    let mut s = self.sites.items[pos].clone();
                    s.equipement_count += 1;
                    self.update_detail(DetailTarget::Site(s.clone()));
                    self.sites.upsert(s);
                }
                self.update_detail(DetailTarget::Equipement(e.clone()));
                // The site detail underneath shows it too.
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && matches!(&d.target, DetailTarget::Site(s) if Some(&s.site_id) == site_id.as_ref())
                    {
                        d.equipements.upsert(e.clone());
                    }
                }
                label
            }
            Saved::User(u) => {
                let label = u.label();
                self.update_detail(DetailTarget::User(u.clone()));
                self.users.upsert(u);
                label
            }
            Saved::Role(mut r) => {
                // `add_permissions` answers without the timestamp: keep the one known.
                if r.timestamp.is_none()
                    && let Some(old) = self.roles.items.iter().find(|o| o.role_id == r.role_id)
                {
                    r.timestamp = old.timestamp.clone();
                }
                let label = r.label();
                self.update_detail(DetailTarget::Role(r.clone()));
                self.roles.upsert(r);
                label
            }
            Saved::Individus { message, individus } => {
                // Refresh an open detail from the fresh list.
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && let DetailTarget::Individu(cur) = &mut d.target
                        && let Some(fresh) = individus.iter().find(|i| i.id() == cur.id())
                    {
                        *cur = fresh.clone();
                    }
                }
                self.individus.pending = None;
                self.individus.set_items(individus);
                crate::text::sanitize(&message).into_owned()
            }
            Saved::MaarchUser(d, what) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(det) = o
                        && let DetailTarget::MaarchUser(cur) = &mut det.target
                        && cur.user.id == d.user.id
                    {
                        *cur = d.clone();
                        det.loaded = true;
                    }
                }
                self.maarch_users.upsert(d.user);
                what
            }
            Saved::Account(m) => m,
        };
        if matches!(self.overlays.last(), Some(Overlay::Account(_))) {
            // A reset request shows up in the outbox.
            self.load_account();
        }
        self.notice = Some(if self_worded {
            what
        } else {
            trf("Saved {}", &[&what])
        });
        self.last_error = None;
    }

    fn update_detail(&mut self, t: DetailTarget) {
        let id = target_id(&t).to_string();
        for o in &mut self.overlays {
            if let Overlay::Detail(d) = o
                && target_id(&d.target) == id
                && std::mem::discriminant(&d.target) == std::mem::discriminant(&t)
            {
                d.target = t.clone();
            }
        }
    }

    fn on_deleted(&mut self, id: u64, op: DeleteOp) {
        if let Some(Overlay::Confirm(c)) = self.overlays.last()
            && c.pending == Some(id)
        {
            self.overlays.pop();
        }
        let rid = op.id();
        let removes_record = !matches!(
            op,
            DeleteOp::User(_)
                | DeleteOp::MaarchGroup { .. }
                | DeleteOp::MaarchEntity { .. }
                | DeleteOp::ParapheurLink(_)
        );
        // Close details of the record that is gone.
        self.overlays.retain(|o| match o {
            Overlay::Detail(d) => !removes_record || target_id(&d.target) != rid,
            _ => true,
        });
        let what = match &op {
            DeleteOp::Site(i) => {
                self.sites.remove(i);
                "site deleted"
            }
            DeleteOp::Equipement(i) => {
                let site = self
                    .equipements
                    .items
                    .iter()
                    .find(|e| &e.equipement_id == i)
                    .and_then(|e| e.site_id().map(str::to_string));
                self.equipements.remove(i);
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o {
                        d.equipements.remove(i);
                    }
                }
                if let Some(sid) = site
                    && let Some(pos) = self.sites.items.iter().position(|s| s.site_id == sid)
                {
                    let mut s = self.sites.items[pos].clone();
                    s.equipement_count = s.equipement_count.saturating_sub(1);
                    self.update_detail(DetailTarget::Site(s.clone()));
                    self.sites.upsert(s);
                }
                "equipement deleted"
            }
            DeleteOp::User(i) => {
                if let Some(pos) = self.users.items.iter().position(|u| &u.user_id == i) {
                    let mut u = self.users.items[pos].clone();
                    u.status = "deactivated".into();
                    self.update_detail(DetailTarget::User(u.clone()));
                    self.users.upsert(u);
                }
                "user deactivated"
            }
            DeleteOp::Role(i) => {
                self.roles.remove(i);
                "role deleted"
            }
            DeleteOp::Individu(i) => {
                self.individus.remove(&i.to_string());
                "individu deleted"
            }
            DeleteOp::MaarchGroup { user, .. }
            | DeleteOp::MaarchEntity { user, .. }
            | DeleteOp::ParapheurLink(user) => {
                let user = *user;
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && matches!(&d.target, DetailTarget::MaarchUser(u) if u.user.id == user)
                    {
                        d.parapheur = None;
                    }
                }
                self.send(Request::MaarchDetails(user), Purpose::MaarchDetails);
                match op {
                    DeleteOp::MaarchGroup { .. } => "group removed",
                    DeleteOp::MaarchEntity { .. } => "entity removed",
                    _ => "Parapheur link removed",
                }
            }
        };
        self.notice = Some(tr(what).to_string());
        self.last_error = None;
    }

    // ---- keys -------------------------------------------------------------------------------

    pub fn on_key(&mut self, key: KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return;
        }
        self.notice = None;
        match self.overlays.last() {
            Some(Overlay::Help) => {
                let page = self.viewport_rows.max(1);
                match key.code {
                    KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                        self.overlays.pop();
                    }
                    KeyCode::Char('j') | KeyCode::Down => self.help_scroll += 1,
                    KeyCode::Char('k') | KeyCode::Up => {
                        self.help_scroll = self.help_scroll.saturating_sub(1)
                    }
                    KeyCode::PageDown | KeyCode::Char(' ') => self.help_scroll += page,
                    KeyCode::PageUp => self.help_scroll = self.help_scroll.saturating_sub(page),
                    KeyCode::Char('g') | KeyCode::Home => self.help_scroll = 0,
                    KeyCode::Char('G') | KeyCode::End => self.help_scroll = usize::MAX / 2,
                    _ => {}
                }
                // Past the end is clamped when drawn; keep the number small.
                self.help_scroll = self.help_scroll.min(200);
            }
            Some(Overlay::Palette(_)) => self.palette_key(key),
            Some(Overlay::Confirm(_)) => self.confirm_key(key),
            Some(Overlay::Form(_)) => self.form_key(key),
            Some(Overlay::Login(_)) => self.login_key(key),
            Some(Overlay::Account(_)) => self.account_key(key),
            Some(Overlay::Restore(_)) => self.restore_key(key),
            Some(Overlay::Raw(_)) => self.raw_key(key),
            Some(Overlay::Detail(_)) => self.detail_key(key),
            None => self.list_key(key),
        }
    }

    fn open_help(&mut self) {
        self.help_scroll = 0;
        self.overlays.push(Overlay::Help);
    }

    fn refuse_if_read_only(&mut self, what: &str) -> bool {
        if self.session.read_only {
            self.notice = Some(trf("READ-ONLY profile: {} is disabled", &[&tr(what)]));
            true
        } else {
            false
        }
    }

    fn switch_tab(&mut self, t: Tab) {
        self.tab = t;
        // A Maarch edit being read no longer opens once the user went elsewhere.
        self.maarch_edit = None;
        let loaded = match t {
            Tab::Sites => self.sites.loaded_once || self.sites.pending.is_some(),
            Tab::Equipements => self.equipements.loaded_once || self.equipements.pending.is_some(),
            Tab::Users if self.users_dir == Service::Maarch => {
                self.maarch_users.loaded_once || self.maarch_users.pending.is_some()
            }
            Tab::Users => self.users.loaded_once || self.users.pending.is_some(),
            Tab::Roles => self.roles.loaded_once || self.roles.pending.is_some(),
            Tab::Individus => self.individus.loaded_once || self.individus.pending.is_some(),
        };
        if !loaded {
            self.load_tab(t);
        }
    }

    /// Shows the Users tab on a directory (core or Maarch).
    pub fn switch_users_dir(&mut self, dir: Service) {
        self.users_dir = dir;
        self.switch_tab(Tab::Users);
    }

    fn list_mut(&mut self) -> &mut dyn Nav {
        match self.tab {
            Tab::Sites => &mut self.sites,
            Tab::Equipements => &mut self.equipements,
            Tab::Users if self.users_dir == Service::Maarch => &mut self.maarch_users,
            Tab::Users => &mut self.users,
            Tab::Roles => &mut self.roles,
            Tab::Individus => &mut self.individus,
        }
    }

    fn list_key(&mut self, key: KeyEvent) {
        let rows = self.viewport_rows;
        // Remapped keys stand for their default one (not while typing a filter).
        let key = match key.code {
            KeyCode::Char(c)
                if !self.list_mut().filtering()
                    && !key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                match self.keymap.translate(c) {
                    Some(d) => KeyEvent::new(KeyCode::Char(d), key.modifiers),
                    None => return,
                }
            }
            _ => key,
        };
        if self.list_mut().filtering() {
            match key.code {
                KeyCode::Enter => self.list_mut().set_filtering(false),
                KeyCode::Esc => {
                    self.list_mut().set_filter(String::new());
                    self.list_mut().set_filtering(false);
                }
                KeyCode::Up | KeyCode::Down => self
                    .list_mut()
                    .nav(if key.code == KeyCode::Up { -1 } else { 1 }, rows),
                KeyCode::Backspace => {
                    let mut f = self.list_mut().filter_text();
                    f.pop();
                    self.list_mut().set_filter(f);
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    let mut f = self.list_mut().filter_text();
                    f.push(c);
                    self.list_mut().set_filter(f);
                }
                _ => {}
            }
            return;
        }
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Tab => self.switch_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            KeyCode::BackTab => {
                self.switch_tab(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()])
            }
            KeyCode::Char(c @ '1'..='5') => {
                self.switch_tab(Tab::ALL[(c as usize) - ('1' as usize)])
            }
            KeyCode::Char('j') | KeyCode::Down => self.list_mut().nav(1, rows),
            KeyCode::Char('k') | KeyCode::Up => self.list_mut().nav(-1, rows),
            KeyCode::Char('g') | KeyCode::Home => self.list_mut().nav(isize::MIN, rows),
            KeyCode::Char('G') | KeyCode::End => self.list_mut().nav(isize::MAX, rows),
            KeyCode::PageDown | KeyCode::Char(']') => self.page(1),
            KeyCode::PageUp | KeyCode::Char('[') => self.page(-1),
            KeyCode::Char('/') => {
                self.list_mut().set_filtering(true);
                if self.tab == Tab::Equipements && !self.equipements.complete {
                    // No search route: filter over every equipement, loaded in the background.
                    self.load_all();
                }
            }
            KeyCode::Esc if self.load_progress.is_some() => self.cancel_load(),
            KeyCode::Esc if !self.list_mut().filter_text().is_empty() => {
                self.list_mut().set_filter(String::new());
            }
            KeyCode::Char('A') if self.tab == Tab::Equipements => self.load_all(),
            KeyCode::Char('u') if self.tab == Tab::Users => {
                let other = if self.users_dir == Service::Maarch {
                    Service::Core
                } else {
                    Service::Maarch
                };
                self.switch_users_dir(other);
            }
            KeyCode::Char('a') if self.tab == Tab::Individus => {
                if let Some(i) = self.individus.selected_item().cloned() {
                    self.assign_entity(&i);
                }
            }
            KeyCode::Char('@') => self.run_command(Command::Account),
            KeyCode::Left | KeyCode::Char('h') => self.col = self.col.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => {
                self.col = (self.col + 1).min(self.column_count().saturating_sub(1))
            }
            KeyCode::Char('y') => self.copy_cell(),
            KeyCode::Char('Y') => {
                if let Some((title, v)) = self.selected_json() {
                    self.copy_json(&title, v);
                }
            }
            KeyCode::Char('v') => {
                if let Some((title, v)) = self.selected_json() {
                    self.show_raw(title, v);
                }
            }
            KeyCode::Char('x') => self.run_command(Command::Export),
            KeyCode::Char('m') => self.set_mouse(!self.mouse),
            KeyCode::Char('E') => {
                if let Some(t) = self.selected_target() {
                    self.edit_in_editor(t);
                }
            }
            KeyCode::Char('s') => self.list_mut().sort_next(),
            KeyCode::Char(':') => self.overlays.push(Overlay::Palette(Palette::default())),
            KeyCode::Char('?') => self.open_help(),
            KeyCode::Char('r') => self.refresh(),
            KeyCode::Enter => self.open_selected(),
            KeyCode::Char('n') => self.new_record(None),
            KeyCode::Char('e') => self.edit_selected(),
            KeyCode::Char('d') => self.delete_selected(),
            _ => {}
        }
    }

    fn page(&mut self, dir: i32) {
        let rows = self.viewport_rows as isize;
        if self.tab == Tab::Equipements
            && !self.equipements.complete
            && let Some(p) = self.equipements.paging
        {
            let target =
                (p.page as i64 + i64::from(dir)).clamp(1, i64::from(p.pages.max(1))) as u32;
            if target != p.page {
                self.load_equipements_page(target);
            }
            return;
        }
        let vr = self.viewport_rows;
        self.list_mut().nav(rows * dir as isize, vr);
    }

    fn refresh(&mut self) {
        if self.tab == Tab::Equipements {
            self.prefetched.clear();
        }
        self.load_tab(self.tab);
        if self.tab != Tab::Sites {
            // Sites feed the pickers and counts.
            self.load_tab(Tab::Sites);
        }
    }

    fn selected_target(&self) -> Option<DetailTarget> {
        Some(match self.tab {
            Tab::Sites => DetailTarget::Site(self.sites.selected_item()?.clone()),
            Tab::Equipements => DetailTarget::Equipement(self.equipements.selected_item()?.clone()),
            Tab::Users if self.users_dir == Service::Maarch => DetailTarget::MaarchUser(
                MaarchUserDetails::from_list(self.maarch_users.selected_item()?.clone()),
            ),
            Tab::Users => DetailTarget::User(self.users.selected_item()?.clone()),
            Tab::Roles => DetailTarget::Role(self.roles.selected_item()?.clone()),
            Tab::Individus => DetailTarget::Individu(self.individus.selected_item()?.clone()),
        })
    }

    fn open_detail(&mut self, t: DetailTarget) {
        let is_site = matches!(t, DetailTarget::Site(_));
        let maarch = match &t {
            DetailTarget::MaarchUser(d) => Some(d.user.id),
            _ => None,
        };
        if let DetailTarget::User(u) = &t
            && !u.user_id.is_empty()
        {
            // The list may be old: the detail shows the user as the server has it now.
            self.send(Request::User(u.user_id.clone()), Purpose::User);
        }
        self.overlays
            .push(Overlay::Detail(Box::new(Detail::new(t))));
        if is_site {
            self.load_site_equipements(1);
        }
        if let Some(uid) = maarch {
            self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
            self.load_catalogue();
        }
    }

    fn load_catalogue(&mut self) {
        let asked = self
            .in_flight
            .values()
            .any(|(p, _)| matches!(p, Purpose::Catalogue));
        if self.catalogue.is_none() && !asked {
            self.send(Request::MaarchCatalogue, Purpose::Catalogue);
        }
    }

    fn assign_entity(&mut self, i: &Individu) {
        if self.refuse_if_read_only("assigning") {
            return;
        }
        let form = Form::assign_entity(i, &self.individus.items);
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    fn push_form(&mut self, form: Form) {
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    /// Opens the Ocean account screen and reads my rights.
    fn open_account(&mut self) {
        if !self.session.has(Service::Ocean) {
            self.notice = Some(not_configured(Service::Ocean, &self.session.profile));
            return;
        }
        self.overlays.push(Overlay::Account(Box::new(Account {
            types: ELEMENT_TYPES.iter().map(|t| t.to_string()).collect(),
            element_type: 0,
            functionalities: Vec::new(),
            selected: 0,
            pending: None,
            error: None,
            outbox: None,
        })));
        self.load_account();
    }

    fn load_account(&mut self) {
        let Some(Overlay::Account(a)) = self.overlays.last() else {
            return;
        };
        let t = a
            .types
            .get(a.element_type)
            .cloned()
            .unwrap_or_else(|| ELEMENT_TYPES[0].to_string());
        let id = self.send(Request::Functionalities(t), Purpose::Account);
        self.send(Request::Outbox, Purpose::Account);
        if let Some(Overlay::Account(a)) = self.overlays.last_mut() {
            a.pending = Some(id);
        }
    }

    fn column_count(&self) -> usize {
        match self.tab {
            Tab::Sites => SiteSummary::COLUMNS.len(),
            Tab::Equipements => Equipement::COLUMNS.len(),
            Tab::Users if self.users_dir == Service::Maarch => MaarchUser::COLUMNS.len(),
            Tab::Users => User::COLUMNS.len(),
            Tab::Roles => Role::COLUMNS.len(),
            Tab::Individus => Individu::COLUMNS.len(),
        }
    }

    /// The cells of the selected row and the column titles of the current list.
    fn selected_cells(&self) -> Option<(Vec<String>, &'static [list::Column])> {
        fn of<T: Record>(l: &ListView<T>) -> Option<(Vec<String>, &'static [list::Column])> {
            l.selected_item().map(|r| (r.cells(), T::COLUMNS))
        }
        match self.tab {
            Tab::Sites => of(&self.sites),
            Tab::Equipements => of(&self.equipements),
            Tab::Users if self.users_dir == Service::Maarch => of(&self.maarch_users),
            Tab::Users => of(&self.users),
            Tab::Roles => of(&self.roles),
            Tab::Individus => of(&self.individus),
        }
    }

    fn copy_cell(&mut self) {
        let Some((cells, cols)) = self.selected_cells() else {
            return;
        };
        let i = self.col.min(cells.len().saturating_sub(1));
        // What reaches the clipboard is pasted into shells: no CR, no escape sequence.
        let text = crate::text::sanitize(cells.get(i).map_or("", String::as_str)).into_owned();
        let what = cols.get(i).map(|c| tr(c.title)).unwrap_or_default();
        self.effects.push(Effect::Copy {
            what: trf("{} “{}”", &[&what, &text]),
            text,
        });
    }

    fn copy_json(&mut self, title: &str, v: serde_json::Value) {
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.effects.push(Effect::Copy {
            text,
            what: trf("{} as JSON", &[&title]),
        });
    }

    /// The selected record as JSON, secrets masked.
    fn selected_json(&self) -> Option<(String, serde_json::Value)> {
        self.selected_target().map(|t| target_json(&t))
    }

    fn show_raw(&mut self, title: String, v: serde_json::Value) {
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.overlays.push(Overlay::Raw(Box::new(RawView {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
        })));
    }

    fn raw_key(&mut self, key: KeyEvent) {
        let rows = self.viewport_rows.max(1);
        let Some(Overlay::Raw(r)) = self.overlays.last_mut() else {
            return;
        };
        let max = r.lines.len().saturating_sub(rows);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('v') => {
                self.overlays.pop();
            }
            KeyCode::Char('j') | KeyCode::Down => r.scroll = (r.scroll + 1).min(max),
            KeyCode::Char('k') | KeyCode::Up => r.scroll = r.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => r.scroll = (r.scroll + rows).min(max),
            KeyCode::PageUp => r.scroll = r.scroll.saturating_sub(rows),
            KeyCode::Char('g') | KeyCode::Home => r.scroll = 0,
            KeyCode::Char('G') | KeyCode::End => r.scroll = max,
            KeyCode::Char('Y') => {
                let title = r.title.clone();
                let text = r.lines.join("\n");
                self.effects.push(Effect::Copy {
                    text,
                    what: trf("{} as JSON", &[&title]),
                });
            }
            _ => {}
        }
    }

    /// Writes the current view, filter applied; every page is loaded first when needed.
    /// Writes the current view (every page, filter applied) to `path`.
    pub fn export(&mut self, path: std::path::PathBuf, format: ExportFormat) {
        if self.tab == Tab::Equipements && !self.equipements.complete {
            self.pending_export = Some((path, format));
            self.load_all();
            self.notice = Some(tr("Loading every page before the export…").into());
            return;
        }
        fn rows<T: Record + serde::Serialize>(
            l: &ListView<T>,
            format: ExportFormat,
        ) -> (String, usize) {
            let items = l.view.iter().filter_map(|&i| l.items.get(i));
            match format {
                ExportFormat::Json => {
                    let mut v: Vec<serde_json::Value> = items
                        .map(|r| serde_json::to_value(r).unwrap_or_default())
                        .collect();
                    v.iter_mut().for_each(mask_secrets);
                    let n = v.len();
                    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                    (crate::text::json_safe(text), n)
                }
                ExportFormat::Csv => {
                    // Cells neither run as formulas nor act on a terminal (`text::csv_cell`).
                    let rows: Vec<Vec<String>> = items.map(|r| r.cells()).collect();
                    let mut buf = Vec::new();
                    let _ = crate::text::write_csv_rows(
                        &mut buf,
                        T::COLUMNS.iter().map(|c| tr(c.title)),
                        rows.iter(),
                    );
                    (String::from_utf8_lossy(&buf).into_owned(), rows.len())
                }
            }
        }
        let (content, n) = match self.tab {
            Tab::Sites => rows(&self.sites, format),
            Tab::Equipements => rows(&self.equipements, format),
            Tab::Users if self.users_dir == Service::Maarch => rows(&self.maarch_users, format),
            Tab::Users => rows(&self.users, format),
            Tab::Roles => rows(&self.roles, format),
            Tab::Individus => rows(&self.individus, format),
        };
        self.effects.push(Effect::Export {
            path,
            content,
            rows: n,
        });
    }

    /// The first row shown of the current list.
    pub fn list_offset(&self) -> usize {
        match self.tab {
            Tab::Sites => self.sites.offset,
            Tab::Equipements => self.equipements.offset,
            Tab::Users if self.users_dir == Service::Maarch => self.maarch_users.offset,
            Tab::Users => self.users.offset,
            Tab::Roles => self.roles.offset,
            Tab::Individus => self.individus.offset,
        }
    }

    pub fn set_mouse(&mut self, on: bool) {
        self.mouse = on;
        self.effects.push(Effect::Mouse(on));
        self.notice = Some(
            tr(if on {
                "Mouse on: click tabs, rows and footer keys, wheel scrolls (m: off, Shift-drag selects text)"
            } else {
                "Mouse off: the terminal selects text again (m: on)"
            })
            .into(),
        );
    }

    /// The wheel: scrolls whatever is on top.
    pub fn on_scroll(&mut self, down: bool) {
        let step = if down { 3 } else { -3 };
        let rows = self.viewport_rows;
        match self.overlays.last_mut() {
            Some(Overlay::Raw(r)) => {
                let max = r.lines.len().saturating_sub(rows);
                r.scroll = (r.scroll as isize + step).clamp(0, max as isize) as usize;
            }
            Some(Overlay::Detail(d)) => d.equipements.nav(step, rows.saturating_sub(8).max(1)),
            None => self.list_mut().nav(step, rows),
            _ => {}
        }
    }

    /// A click, already placed on what was drawn there.
    pub fn on_click(&mut self, c: Click) {
        self.notice = None;
        match c {
            Click::Tab(t) if self.overlays.is_empty() => self.switch_tab(t),
            Click::Row(i) if self.overlays.is_empty() => {
                let rows = self.viewport_rows;
                let list = self.list_mut();
                // A second click on the selected row opens it.
                if list.selected_index() == i {
                    self.open_selected();
                } else {
                    list.select(i, rows);
                }
            }
            Click::Key(k) => self.on_key(KeyEvent::new(k, KeyModifiers::NONE)),
            _ => {}
        }
    }

    /// Reads a Maarch user's details before editing them (once at a time).
    fn read_maarch_for_edit(&mut self, uid: i64, editor: bool) {
        if self.maarch_edit.is_some() {
            return;
        }
        let id = self.send(Request::MaarchDetails(uid), Purpose::MaarchEdit(editor));
        self.maarch_edit = Some((id, self.overlays.len()));
    }

    /// `E`: the record as JSON in `$EDITOR` (secrets masked; a mask left alone is no change).
    fn edit_in_editor(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        if let DetailTarget::MaarchUser(d) = &t
            && !d.fetched
        {
            // What the editor shows must be what a save writes: read the details first.
            self.read_maarch_for_edit(d.user.id, true);
            self.notice = Some(tr("Reading the user's details…").into());
            return;
        }
        let (title, v) = target_json(&t);
        self.editing = Some(t);
        self.effects.push(Effect::Edit {
            title,
            text: serde_json::to_string_pretty(&v).unwrap_or_default(),
        });
    }

    /// What the editor gave back: the edit form filled with it, checked, and sent when valid.
    pub fn on_edited(&mut self, result: Result<String, String>) {
        let Some(target) = self.editing.take() else {
            return;
        };
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                self.last_error = Some(e);
                return;
            }
        };
        let v: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            Ok(_) => {
                self.last_error =
                    Some(tr("The edited text is not a JSON object: nothing sent").into());
                return;
            }
            Err(e) => {
                self.last_error =
                    Some(trf("The edited text is not JSON ({}): nothing sent", &[&e]));
                return;
            }
        };
        let before = self.overlays.len();
        self.edit_target(target.clone());
        if self.overlays.len() == before {
            return;
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if let DetailTarget::Individu(orig) = &target
            && let serde_json::Value::Object(m) = &v
        {
            // The whole record goes back as edited, under its own id; a secret left masked
            // goes back as the server sent it.
            let mut edited = serde_json::Value::Object(m.clone());
            unmask(&mut edited, &serde_json::Value::Object(orig.0.clone()));
            let serde_json::Value::Object(m) = edited else {
                return;
            };
            let mut body = Individu(m);
            if let Some(id) = orig.id() {
                body.set("individu.id", serde_json::json!(id));
            }
            for field in &mut f.fields {
                let text = body.text(&field.key);
                if field.key == "entite.id" || body.get(&field.key).is_some() {
                    field.set_text(&text);
                }
            }
            f.original = Some(body);
        } else {
            if let Some(list) = v.get("permissions") {
                // Any item a server sends: objects, ids or `ressource:action` strings. Anything
                // but a list would read as "no permission": refused, nothing sent.
                let perms: Option<Vec<Permission>> = match list {
                    serde_json::Value::Array(_) => serde_json::from_value(list.clone()).ok(),
                    _ => None,
                };
                let Some(perms) = perms else {
                    self.overlays.pop();
                    self.last_error =
                        Some(tr("permissions must be a list of permissions: nothing sent").into());
                    return;
                };
                f.set_permissions(&perms);
            }
            for field in &mut f.fields {
                if field.key == "permissions" {
                    continue;
                }
                let Some(val) = v.get(field.key.as_ref()) else {
                    continue;
                };
                let text = match val {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(a) => a
                        .iter()
                        .map(|x| match x {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Object(o) => {
                                match (o.get("ressource"), o.get("action")) {
                                    (Some(r), Some(a)) => format!(
                                        "{}:{}",
                                        r.as_str().unwrap_or_default(),
                                        a.as_str().unwrap_or_default()
                                    ),
                                    _ => x.to_string(),
                                }
                            }
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                // A secret still masked was not touched.
                if text == "********" {
                    continue;
                }
                field.set_text(&text);
            }
        }
        self.save_form();
    }

    /// Keeps the status line's message, if new, among the recent ones (the runtime calls it
    /// after each update): a message longer than the line is read whole with `:messages`.
    pub fn remember_messages(&mut self) {
        let now = chrono::Local::now().format("%H:%M:%S");
        let current = (self.notice.clone(), self.last_error.clone());
        let fresh = [
            (current.0 != self.seen_messages.0).then(|| current.0.clone()),
            (current.1 != self.seen_messages.1).then(|| current.1.clone()),
        ];
        for m in fresh.into_iter().flatten().flatten() {
            self.messages
                .push_back(format!("{now}  {}", crate::text::sanitize(&m)));
            if self.messages.len() > 100 {
                self.messages.pop_front();
            }
        }
        self.seen_messages = current;
    }

    /// Effects to carry out (copies, exports), in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// Offers back a form left unfinished (dropped session, crash).
    pub fn offer_draft(&mut self, d: crate::drafts::Draft) {
        self.overlays.push(Overlay::Restore(Box::new(d)));
    }

    fn restore_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                if let Some(Overlay::Restore(d)) = self.overlays.pop() {
                    let mut form = d.form;
                    if self.session.read_only {
                        self.notice =
                            Some(tr("READ-ONLY profile: the draft cannot be sent").into());
                    }
                    form.error = Some(trf(
                        "Restored from {}: passwords are never kept, type them again",
                        &[&d.saved_at],
                    ));
                    self.overlays.push(Overlay::Form(Box::new(form)));
                }
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                self.overlays.pop();
                self.notice = Some(tr("Draft discarded").into());
            }
            _ => {}
        }
    }

    fn account_mut(&mut self) -> Option<&mut Account> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Account(a) => Some(a.as_mut()),
            _ => None,
        })
    }

    fn account_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Account(a)) = self.overlays.last_mut() else {
            return;
        };
        let n = a.types.len().max(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.overlays.pop();
            }
            KeyCode::Char('t') => {
                let current = a.types.get(a.element_type).cloned().unwrap_or_default();
                self.push_form(Form::element_type(&current));
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
                let right = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
                a.element_type = (a.element_type + if right { 1 } else { n - 1 }) % n;
                a.functionalities.clear();
                self.load_account();
            }
            KeyCode::Char('j') | KeyCode::Down => {
                a.selected = (a.selected + 1).min(a.functionalities.len().saturating_sub(1))
            }
            KeyCode::Char('k') | KeyCode::Up => a.selected = a.selected.saturating_sub(1),
            KeyCode::Char('r') => self.load_account(),
            KeyCode::Char('p') => self.run_command(Command::ChangePassword),
            KeyCode::Char('R') => self.run_command(Command::PasswordReset),
            KeyCode::Char('?') => self.open_help(),
            _ => {}
        }
    }

    fn open_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.open_detail(t);
        }
    }

    pub fn site_choices(&self) -> Vec<(String, String)> {
        self.sites
            .items
            .iter()
            .map(|s| {
                let client = s.client.as_ref().map(|c| c.nom.as_str()).unwrap_or("");
                (s.site_id.clone(), format!("{} — {}", s.name, client))
            })
            .collect()
    }

    pub fn client_choices(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for s in &self.sites.items {
            if let Some(c) = &s.client
                && !out.iter().any(|(id, _)| id == &c.client_id)
            {
                let code = c.code.map(|c| format!(" ({c})")).unwrap_or_default();
                out.push((c.client_id.clone(), format!("{}{code}", c.nom)));
            }
        }
        for (id, label) in &self.extra_clients {
            if !out.iter().any(|(i, _)| i == id) {
                out.push((id.clone(), label.clone()));
            }
        }
        out
    }

    /// Every permission the server reports (all roles'): the role form's grid.
    fn permission_catalogue(&self) -> Vec<Permission> {
        self.roles
            .items
            .iter()
            .flat_map(|r| r.permissions.iter().cloned())
            .collect()
    }

    fn role_choices(&mut self) -> Vec<(String, String)> {
        if !self.roles.loaded_once && self.roles.pending.is_none() {
            self.load_tab(Tab::Roles);
        }
        self.roles
            .items
            .iter()
            .map(|r| (r.role_id.clone(), r.name.clone()))
            .collect()
    }

    /// `site`: preselect this site (new equipement from a site's detail).
    fn new_record(&mut self, site: Option<String>) {
        if self.refuse_if_read_only("creating") {
            return;
        }
        if !self.session.has(self.tab_service(self.tab)) {
            self.notice = Some(not_configured(
                self.tab_service(self.tab),
                &self.session.profile,
            ));
            return;
        }
        let form = match (self.tab, &site) {
            (_, Some(s)) => Form::equipement(None, self.site_choices(), Some(s)),
            (Tab::Individus, None) => Form::individu(None, &self.individus.items),
            (Tab::Users, None) if self.users_dir == Service::Maarch => Form::maarch_user(None),
            (Tab::Sites, None) => Form::site(None, self.client_choices()),
            (Tab::Equipements, None) => Form::equipement(None, self.site_choices(), None),
            (Tab::Users, None) => {
                let roles = self.role_choices();
                Form::user(None, roles)
            }
            (Tab::Roles, None) => Form::role(None, &self.permission_catalogue()),
        };
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    fn edit_target(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        if self.undecodable(&t) {
            return;
        }
        let form = match &t {
            DetailTarget::Site(s) => Form::site(Some(s), self.client_choices()),
            DetailTarget::Equipement(e) => Form::equipement(Some(e), self.site_choices(), None),
            DetailTarget::User(u) => {
                let roles = self.role_choices();
                Form::user(Some(u), roles)
            }
            DetailTarget::Role(r) => Form::role(Some(r), &self.permission_catalogue()),
            DetailTarget::Individu(i) => Form::individu(Some(i), &self.individus.items),
            DetailTarget::MaarchUser(d) if !d.fetched => {
                // The list lacks the initials and phone the save writes: read them first.
                let uid = d.user.id;
                self.read_maarch_for_edit(uid, false);
                self.notice = Some(tr("Reading the user's details…").into());
                return;
            }
            DetailTarget::MaarchUser(d) => Form::maarch_user(Some(d)),
        };
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    /// A row the server sent that could not be read has no id to act on: said, refused.
    fn undecodable(&mut self, t: &DetailTarget) -> bool {
        let unreadable = target_id(t).is_empty()
            && matches!(
                t,
                DetailTarget::Site(_)
                    | DetailTarget::Equipement(_)
                    | DetailTarget::User(_)
                    | DetailTarget::Role(_)
            );
        if unreadable {
            self.notice = Some(
                tr("This row could not be read as the server sent it: nothing to act on (v shows it)")
                    .into(),
            );
        }
        unreadable
    }

    fn edit_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.edit_target(t);
        }
    }

    fn delete_target(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("deleting") {
            return;
        }
        if self.undecodable(&t) {
            return;
        }
        let (message, op) = match &t {
            DetailTarget::Site(s) => (
                trf("Delete {}?", &[&s.label()]),
                DeleteOp::Site(s.site_id.clone()),
            ),
            DetailTarget::Equipement(e) => (
                trf("Delete {}?", &[&e.label()]),
                DeleteOp::Equipement(e.equipement_id.clone()),
            ),
            DetailTarget::User(u) => (
                trf(
                    "Deactivate {}? They will no longer be able to log in.",
                    &[&u.label()],
                ),
                DeleteOp::User(u.user_id.clone()),
            ),
            DetailTarget::Role(r) => (
                trf("Delete {}?", &[&r.label()]),
                DeleteOp::Role(r.role_id.clone()),
            ),
            DetailTarget::Individu(i) => {
                let Some(id) = i.id() else {
                    self.notice = Some(tr("This individu has no id: it cannot be deleted").into());
                    return;
                };
                (
                    trf(
                        "Delete {}? Ocean removes the individu and its badges.",
                        &[&i.label()],
                    ),
                    DeleteOp::Individu(id),
                )
            }
            DetailTarget::MaarchUser(_) => {
                self.notice = Some(
                    tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch")
                        .into(),
                );
                return;
            }
        };
        self.overlays.push(Overlay::Confirm(Confirm {
            message,
            op,
            pending: None,
            error: None,
        }));
    }

    fn delete_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.delete_target(t);
        }
    }

    fn detail_key(&mut self, key: KeyEvent) {
        let rows = self.viewport_rows.saturating_sub(8).max(1);
        let Some(Overlay::Detail(d)) = self.overlays.last_mut() else {
            return;
        };
        let is_site = matches!(d.target, DetailTarget::Site(_));
        if let DetailTarget::MaarchUser(u) = &d.target {
            let u = u.clone();
            self.maarch_detail_key(key, u);
            return;
        }
        if key.code == KeyCode::Char('E') {
            let t = d.target.clone();
            self.edit_in_editor(t);
            return;
        }
        if matches!(key.code, KeyCode::Char('v') | KeyCode::Char('Y')) {
            let (title, v) = target_json(&d.target);
            if key.code == KeyCode::Char('v') {
                self.show_raw(title, v);
            } else {
                self.copy_json(&title, v);
            }
            return;
        }
        if let (DetailTarget::Individu(i), KeyCode::Char('a')) = (&d.target, key.code) {
            let i = i.clone();
            self.assign_entity(&i);
            return;
        }
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.overlays.pop();
            }
            KeyCode::Char('p') => d.reveal = !d.reveal,
            KeyCode::Char('j') | KeyCode::Down if is_site => d.equipements.nav(1, rows),
            KeyCode::Char('k') | KeyCode::Up if is_site => d.equipements.nav(-1, rows),
            KeyCode::Char('g') if is_site => d.equipements.nav(isize::MIN, rows),
            KeyCode::Char('G') if is_site => d.equipements.nav(isize::MAX, rows),
            KeyCode::PageDown | KeyCode::Char(']') if is_site => {
                if let Some(p) = d.equipements.paging
                    && p.page < p.pages
                {
                    self.load_site_equipements(p.page + 1);
                }
            }
            KeyCode::PageUp | KeyCode::Char('[') if is_site => {
                if let Some(p) = d.equipements.paging
                    && p.page > 1
                {
                    self.load_site_equipements(p.page - 1);
                }
            }
            KeyCode::Enter if is_site => {
                if let Some(e) = d.equipements.selected_item().cloned() {
                    self.open_detail(DetailTarget::Equipement(e));
                }
            }
            KeyCode::Char('n') if is_site => {
                let sid = target_id(&d.target).to_string();
                self.new_record(Some(sid));
            }
            KeyCode::Char('e') => {
                let t = d.target.clone();
                self.edit_target(t);
            }
            KeyCode::Char('d') => {
                let t = d.target.clone();
                self.delete_target(t);
            }
            KeyCode::Char('?') => self.open_help(),
            KeyCode::Char(':') => self.overlays.push(Overlay::Palette(Palette::default())),
            _ => {}
        }
    }

    fn maarch_detail_key(&mut self, key: KeyEvent, u: MaarchUserDetails) {
        let uid = u.user.id;
        let links = u.groups.len() + u.entities.len();
        let mutating = matches!(
            key.code,
            KeyCode::Char('e' | 'g' | 't' | 'x' | 'l' | 'c' | 'U') | KeyCode::Delete
        );
        if mutating && self.refuse_if_read_only("changing Maarch users") {
            return;
        }
        let (groups, entities) = self.catalogue.clone().unwrap_or_default();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.overlays.pop();
            }
            KeyCode::Char('j') | KeyCode::Down => {
                if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
                    d.cursor = (d.cursor + 1).min(links.saturating_sub(1));
                }
            }
            KeyCode::Char('k') | KeyCode::Up => {
                if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
                    d.cursor = d.cursor.saturating_sub(1);
                }
            }
            KeyCode::Char('e') => self.edit_target(DetailTarget::MaarchUser(u)),
            KeyCode::Char('g') | KeyCode::Char('t') => {
                let entity = key.code == KeyCode::Char('t');
                if self.catalogue.is_none() {
                    self.load_catalogue();
                    self.notice = Some(tr("Reading Maarch groups and entities…").into());
                    return;
                }
                // Offer only what the user does not have yet.
                let options: Vec<(String, String)> = if entity {
                    entities
                        .into_iter()
                        .filter(|(id, _)| !u.entities.iter().any(|e| &e.entity_id == id))
                        .collect()
                } else {
                    groups
                        .into_iter()
                        .filter(|(id, _)| !u.groups.iter().any(|g| &g.group_id == id))
                        .collect()
                };
                self.push_form(Form::maarch_link(&u.user, entity, options));
            }
            KeyCode::Char('x') | KeyCode::Delete => {
                let op = match self.overlays.last() {
                    Some(Overlay::Detail(d)) => d.selected_link(),
                    _ => None,
                };
                let Some(op) = op else {
                    self.notice = Some(tr("No group or entity selected").into());
                    return;
                };
                let message = match &op {
                    DeleteOp::MaarchGroup { group, .. } => {
                        trf("Remove {} from group {}?", &[&u.user.user_id, group])
                    }
                    DeleteOp::MaarchEntity { entity, .. } => {
                        trf("Remove {} from entity {}?", &[&u.user.user_id, entity])
                    }
                    _ => return,
                };
                self.overlays.push(Overlay::Confirm(Confirm {
                    message,
                    op,
                    pending: None,
                    error: None,
                }));
            }
            KeyCode::Char('d') => {
                self.notice = Some(
                    tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch")
                        .into(),
                );
            }
            KeyCode::Char('l') => self.push_form(Form::parapheur_link(&u.user)),
            KeyCode::Char('c') => self.push_form(Form::parapheur_create(&u.user)),
            KeyCode::Char('U') => self.overlays.push(Overlay::Confirm(Confirm {
                message: trf("Unlink {} from Maarch Parapheur?", &[&u.user.user_id]),
                op: DeleteOp::ParapheurLink(uid),
                pending: None,
                error: None,
            })),
            KeyCode::Char('s') => {
                self.send(Request::ParapheurStatus(uid), Purpose::MaarchDetails);
            }
            KeyCode::Char('r') => {
                self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
            }
            KeyCode::Char('?') => self.open_help(),
            KeyCode::Char(':') => self.overlays.push(Overlay::Palette(Palette::default())),
            _ => {}
        }
    }

    fn form_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if f.confirm_discard {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.overlays.pop();
                }
                _ => f.confirm_discard = false,
            }
            return;
        }
        if let Some(ask) = f.asking.take() {
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    f.agreed.push(ask);
                    self.save_form();
                }
                _ => {
                    // Back to the first value not received, to type it.
                    if let Some(i) = f.fields.iter().position(|x| x.unknown && !x.changed()) {
                        f.focus = i;
                    }
                }
            }
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let on_grid = matches!(
            f.fields.get(f.focus).map(|x| &x.kind),
            Some(form::FieldKind::Grid { .. })
        );
        // Enter moves on, and saves from the last field (a one-field picker saves at once).
        let submit = key.code == KeyCode::Enter && !on_grid && f.is_last_visible(f.focus);
        if key.code == KeyCode::Enter && !on_grid && !submit {
            f.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
            return;
        }
        match key.code {
            _ if submit => self.save_form(),
            KeyCode::Char('s') if ctrl => self.save_form(),
            KeyCode::Esc => {
                if f.dirty() {
                    f.confirm_discard = true;
                } else {
                    self.overlays.pop();
                }
            }
            _ => {
                f.on_key(key);
            }
        }
    }

    fn save_form(&mut self) {
        if self.refuse_if_read_only("saving") {
            return;
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        {
            {
                if f.pending.is_some() {
                    return;
                }
                if !f.validate_all() {
                    f.error = Some(tr("Some fields need attention").into());
                    return;
                }
                if f.record_id.is_some() && !f.dirty() {
                    self.overlays.pop();
                    self.notice = Some(tr("Nothing changed").into());
                    return;
                }
                if !f.agreed.contains(&form::Ask::Erase) && !f.unkept().is_empty() {
                    // The API writes values the console never received: never silently.
                    f.asking = Some(form::Ask::Erase);
                    return;
                }
                if f.kind == FormKind::ElementType {
                    // Ocean's spelling varies ("Onglets", "WsAction"): the one typed is asked
                    // as typed, and kept beside the known ones.
                    let t = f.val("elementType").trim().to_string();
                    self.overlays.pop();
                    if let Some(a) = self.account_mut() {
                        let pos = match a.types.iter().position(|x| *x == t) {
                            Some(p) => p,
                            None => {
                                a.types.push(t);
                                a.types.len() - 1
                            }
                        };
                        a.element_type = pos;
                        a.functionalities.clear();
                    }
                    self.load_account();
                    return;
                }
                if f.kind == FormKind::Export {
                    let path = std::path::PathBuf::from(shellexpand_home(
                        f.field("path")
                            .map(|x| x.value())
                            .unwrap_or_default()
                            .trim(),
                    ));
                    let format = if f.field("format").map(|x| x.value()).as_deref() == Some("json")
                    {
                        ExportFormat::Json
                    } else {
                        ExportFormat::Csv
                    };
                    self.overlays.pop();
                    self.export(path, format);
                    return;
                }
                if let Some(m) = f.mutation() {
                    f.error = None;
                    let id = self.next_id;
                    f.pending = Some(id);
                    self.send(Request::Mutate(m), Purpose::Save);
                }
            }
        }
    }

    fn confirm_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Confirm(c)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter if c.pending.is_none() => {
                let op = c.op.clone();
                let id = self.next_id;
                c.pending = Some(id);
                c.error = None;
                self.send(Request::Delete(op), Purpose::Delete);
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                self.overlays.pop();
            }
            _ => {}
        }
    }

    fn login_key(&mut self, key: KeyEvent) {
        let stacked = self.overlays.len() > 1;
        let Some(Overlay::Login(l)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                l.focus = 1 - l.focus.min(1)
            }
            KeyCode::Esc if l.service != Service::Core || stacked => {
                // Ocean/Maarch logins, or a session to renew: closing keeps the console.
                self.overlays.pop();
            }
            KeyCode::Esc => self.quit = true,
            KeyCode::Enter => {
                if l.focus == 0 {
                    l.focus = 1;
                    return;
                }
                let username = l.username.value().trim().to_string();
                if username.is_empty() {
                    l.error = Some(match l.service {
                        Service::Core => tr("Enter your email or matricule").into(),
                        _ => tr("Enter your login").into(),
                    });
                    l.focus = 0;
                    return;
                }
                if l.pending.is_some() {
                    return;
                }
                let password = SecretString::from(l.password.value().to_string());
                let id = self.next_id;
                l.pending = Some(id);
                l.error = None;
                let service = l.service;
                if service == Service::Core {
                    self.session.user = Some(username.clone());
                }
                self.send(
                    Request::Login {
                        service,
                        username,
                        password,
                    },
                    Purpose::Login,
                );
            }
            _ => {
                if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                    if l.focus == 0 {
                        l.username.handle(req);
                    } else {
                        l.password.handle(req);
                    }
                }
            }
        }
    }

    // ---- palette ----------------------------------------------------------------------------

    pub fn palette_entries(&self) -> Vec<(String, Command)> {
        let mut v: Vec<(String, Command)> = vec![
            (tr("sites").into(), Command::Tab(Tab::Sites)),
            (tr("equipements").into(), Command::Tab(Tab::Equipements)),
            (tr("users").into(), Command::Users(Service::Core)),
            (tr("maarch users").into(), Command::Users(Service::Maarch)),
            (tr("roles").into(), Command::Tab(Tab::Roles)),
            (tr("individus").into(), Command::Tab(Tab::Individus)),
            (tr("account").into(), Command::Account),
            (tr("change password").into(), Command::ChangePassword),
            (tr("password reset").into(), Command::PasswordReset),
            (tr("export").into(), Command::Export),
            (tr("refresh").into(), Command::Refresh),
            (tr("new").into(), Command::New),
            (tr("load all equipements").into(), Command::LoadAll),
            (tr("messages").into(), Command::Messages),
            (tr("help").into(), Command::Help),
            (tr("quit").into(), Command::Quit),
        ];
        for (name, target) in &self.aliases {
            v.push((format!("{name} → {target}"), Command::Alias(target.clone())));
        }
        for s in &self.sites.items {
            v.push((
                trf("site {}", &[&s.name]),
                Command::OpenSite(s.site_id.clone()),
            ));
        }
        v
    }

    /// Palette entries matching what was typed, best first.
    pub fn palette_matches(&self, query: &str) -> Vec<(String, Command)> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let entries = self.palette_entries();
        if query.trim().is_empty() {
            // Recent commands first.
            let mut out: Vec<(String, Command)> = self
                .palette_history
                .iter()
                .filter_map(|h| entries.iter().find(|(t, _)| t == h).cloned())
                .collect();
            for e in entries {
                if !out.iter().any(|(t, _)| *t == e.0) {
                    out.push(e);
                }
            }
            out.truncate(9);
            return out;
        }
        // An exact name wins: `:site LOUM` opens LOUM, not LOUM-something; an alias by its name.
        let q = query.trim().to_lowercase();
        if let Some(e) = entries.iter().find(|(t, _)| {
            let t = t.to_lowercase();
            t == q || t.split(" → ").next() == Some(q.as_str()) && t.contains(" → ")
        }) {
            return vec![e.clone()];
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let texts: Vec<&str> = entries.iter().map(|(t, _)| t.as_str()).collect();
        let scored = pattern.match_list(texts, &mut matcher);
        scored
            .into_iter()
            .filter_map(|(t, _)| entries.iter().find(|(x, _)| x == t).cloned())
            .take(50)
            .collect()
    }

    fn palette_key(&mut self, key: KeyEvent) {
        let Some(Overlay::Palette(p)) = self.overlays.last_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => {
                self.overlays.pop();
            }
            KeyCode::Up => p.selected = p.selected.saturating_sub(1),
            KeyCode::Down => p.selected += 1,
            KeyCode::Enter => {
                let q = p.input.value().to_string();
                let sel = p.selected;
                let matches = self.palette_matches(&q);
                self.overlays.pop();
                match matches.get(sel.min(matches.len().saturating_sub(1))) {
                    Some((text, cmd)) => {
                        self.palette_history.retain(|h| h != text);
                        self.palette_history.insert(0, text.clone());
                        self.palette_history.truncate(20);
                        self.run_command(cmd.clone())
                    }
                    None => self.notice = Some(trf("No command matches '{}'", &[&q])),
                }
            }
            _ => {
                if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                    p.input.handle(req);
                    p.selected = 0;
                }
            }
        }
    }

    pub fn run_command(&mut self, cmd: Command) {
        match cmd {
            Command::Tab(t) => {
                self.overlays.clear();
                self.switch_tab(t);
            }
            Command::OpenSite(id) => {
                if let Some(s) = self.site_name(&id).cloned() {
                    self.overlays.clear();
                    self.tab = Tab::Sites;
                    if let Some(pos) = self
                        .sites
                        .view
                        .iter()
                        .position(|&i| self.sites.items[i].site_id == id)
                    {
                        self.sites.selected = pos;
                        self.sites.scroll_into_view(self.viewport_rows);
                    }
                    self.open_detail(DetailTarget::Site(s));
                }
            }
            Command::Users(dir) => {
                self.overlays.clear();
                self.switch_users_dir(dir);
            }
            Command::Account => self.open_account(),
            Command::ChangePassword | Command::PasswordReset => {
                if !self.session.has(Service::Ocean) {
                    self.notice = Some(not_configured(Service::Ocean, &self.session.profile));
                } else if self.refuse_if_read_only("changing accounts") {
                } else if cmd == Command::ChangePassword {
                    self.push_form(Form::change_password());
                } else {
                    let login = self.session.ocean_user.clone().unwrap_or_default();
                    self.push_form(Form::password_reset(&login));
                }
            }
            Command::Export => {
                let tab = tr(self.tab.things()).replace(' ', "-");
                let day = chrono::Local::now().format("%Y%m%d-%H%M");
                let dir = directories::UserDirs::new()
                    .map(|d| d.home_dir().to_path_buf())
                    .unwrap_or_else(std::env::temp_dir);
                let path = dir.join(format!("vigie-{tab}-{day}.csv"));
                self.push_form(Form::export(&path.display().to_string()));
            }
            Command::Alias(target) => {
                let (cmd, filter) = match target.split_once(" /") {
                    Some((c, f)) => (c.trim().to_string(), Some(f.trim().to_string())),
                    None => (target.trim().to_string(), None),
                };
                let found = self
                    .palette_entries()
                    .into_iter()
                    .find(|(t, c)| t.eq_ignore_ascii_case(&cmd) && !matches!(c, Command::Alias(_)))
                    .or_else(|| {
                        self.palette_matches(&cmd)
                            .into_iter()
                            .find(|(_, c)| !matches!(c, Command::Alias(_)))
                    });
                let Some((_, c)) = found else {
                    self.notice = Some(trf("No command matches '{}'", &[&cmd]));
                    return;
                };
                self.run_command(c);
                if let Some(f) = filter {
                    if self.tab == Tab::Equipements && !self.equipements.complete {
                        self.load_all();
                    }
                    self.list_mut().set_filter(f);
                }
            }
            Command::Refresh => self.refresh(),
            Command::New => self.new_record(None),
            Command::LoadAll => {
                self.switch_tab(Tab::Equipements);
                self.load_all();
            }
            Command::Messages => {
                let lines: Vec<String> = if self.messages.is_empty() {
                    vec![tr("No message yet").to_string()]
                } else {
                    self.messages.iter().rev().cloned().collect()
                };
                self.overlays.push(Overlay::Raw(Box::new(RawView {
                    title: tr("Messages, newest first").into(),
                    lines,
                    scroll: 0,
                })));
            }
            Command::Help => self.open_help(),
            Command::Quit => self.quit = true,
        }
    }

    pub fn on_resize(&mut self, _w: u16, h: u16) {
        // Tabs, header, footer, status and borders take 6 rows.
        self.viewport_rows = usize::from(h.saturating_sub(6)).max(1);
        let rows = self.viewport_rows;
        for l in self.lists_mut() {
            l.nav(0, rows);
        }
    }

    pub fn tick(&mut self) {
        self.spinner = self.spinner.wrapping_add(1);
        if let Some(r) = &mut self.reconnect {
            r.ticks_left = r.ticks_left.saturating_sub(1);
            if r.ticks_left == 0 && !self.busy() {
                self.reconnect_now();
            }
        }
    }

    /// Work left for when no key or answer waits: a filter still being matched.
    pub fn has_pending_work(&self) -> bool {
        self.lists().iter().any(|l| l.filter_pending())
    }

    /// Does some of the pending work, for about `budget`; the view shows what is done.
    pub fn work(&mut self, budget: Duration) {
        for l in self.lists_mut() {
            if l.filter_pending() {
                l.resume_filter(budget);
                return;
            }
        }
    }

    fn lists(&self) -> [&dyn Nav; 6] {
        [
            &self.sites,
            &self.equipements,
            &self.users,
            &self.roles,
            &self.individus,
            &self.maarch_users,
        ]
    }

    fn lists_mut(&mut self) -> [&mut dyn Nav; 6] {
        [
            &mut self.sites,
            &mut self.equipements,
            &mut self.users,
            &mut self.roles,
            &mut self.individus,
            &mut self.maarch_users,
        ]
    }

    /// Whether the runtime should call `tick` (a spinner turns or a reconnection waits).
    pub fn wants_tick(&self) -> bool {
        self.busy() || self.reconnect.is_some()
    }

    /// Seconds before the next try to reach an unreachable server.
    pub fn reconnect_in(&self) -> Option<u32> {
        self.reconnect
            .as_ref()
            .map(|r| r.ticks_left.div_ceil(TICKS_PER_SECOND))
    }

    fn reconnect_now(&mut self) {
        if let Some(r) = &mut self.reconnect {
            r.ticks_left = 0;
        }
        let service = self.tab_service(self.tab);
        if service == Service::Core && self.session.role.is_none() {
            self.send(Request::WhoAmI, Purpose::Login);
        }
        self.load_tab(self.tab);
        if self.tab != Tab::Sites && self.session.has(Service::Core) {
            self.load_tab(Tab::Sites);
        }
    }

    /// The server could not be reached: try again later, waiting longer each time.
    fn schedule_reconnect(&mut self) {
        let attempts = self.reconnect.as_ref().map_or(0, |r| r.attempts) + 1;
        let secs = (2u32 << attempts.min(4)).min(30);
        self.reconnect = Some(Reconnect {
            attempts,
            ticks_left: secs * TICKS_PER_SECOND,
        });
    }

    /// The draftable form on top, if any (for crash-safe drafts); a draft still offered
    /// counts as open.
    pub fn open_form(&self) -> Option<&Form> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Form(f) => Some(f.as_ref()),
            Overlay::Restore(d) => Some(&d.form),
            _ => None,
        })
    }
}

fn target_id(t: &DetailTarget) -> String {
    match t {
        DetailTarget::Site(s) => s.site_id.clone(),
        DetailTarget::Equipement(e) => e.equipement_id.clone(),
        DetailTarget::User(u) => u.user_id.clone(),
        DetailTarget::Role(r) => r.role_id.clone(),
        DetailTarget::Individu(i) => i.id().map(|i| i.to_string()).unwrap_or_default(),
        DetailTarget::MaarchUser(d) => d.user.id.to_string(),
    }
}

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// `~/x` → the home directory's `x`.
fn shellexpand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), directories::UserDirs::new()) {
        (Some(rest), Some(d)) => d.home_dir().join(rest).display().to_string(),
        _ => p.to_string(),
    }
}

/// Puts back, in an edited record, the values `mask_secrets` masked and the user left alone.
fn unmask(edited: &mut serde_json::Value, original: &serde_json::Value) {
    use serde_json::Value;
    match (edited, original) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, v) in e.iter_mut() {
                match o.get(k) {
                    Some(orig) if v.as_str() == Some("********") && orig.as_str() != v.as_str() => {
                        *v = orig.clone();
                    }
                    Some(orig) => unmask(v, orig),
                    None => {}
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            for (v, orig) in e.iter_mut().zip(o) {
                unmask(v, orig);
            }
        }
        _ => {}
    }
}

/// A detail's record as JSON, secrets masked, with a title.
pub fn target_json(t: &DetailTarget) -> (String, serde_json::Value) {
    let (title, v) = match t {
        DetailTarget::Site(s) => (s.label(), serde_json::to_value(s)),
        DetailTarget::Equipement(e) => (e.label(), serde_json::to_value(e)),
        DetailTarget::User(u) => (u.label(), serde_json::to_value(u)),
        DetailTarget::Role(r) => (r.label(), serde_json::to_value(r)),
        DetailTarget::Individu(i) => (i.label(), serde_json::to_value(i)),
        DetailTarget::MaarchUser(d) => (d.user.label(), serde_json::to_value(&d.user)),
    };
    let mut v = v.unwrap_or_default();
    // What the server did not send is not shown as empty: it is left out.
    if let (DetailTarget::MaarchUser(d), serde_json::Value::Object(m)) = (t, &mut v) {
        for k in &d.user.unseen {
            m.remove(k);
        }
    }
    mask_secrets(&mut v);
    (title, v)
}

/// The fields a 400's text may be about, most likely first: those `named_field` reads, and
/// the login for Maarch's "already exists" in any of its languages
/// (`L'identifiant utilisateur existe déjà`).
pub fn named_fields(msg: &str) -> Vec<String> {
    let mut out: Vec<String> = named_field(msg).into_iter().collect();
    let m = msg.to_lowercase();
    let login = ["identifiant", "user id", "userid", "user_id", "login"];
    if login.iter().any(|w| m.contains(w)) {
        out.extend(["userId".to_string(), "login".to_string()]);
    }
    out
}

/// The field a 400's text is about: Maarch says `Body mail is empty…`, Ocean (the reference
/// server) `propSpecifiqueDTO.dateFCO: '…' is not a date`.
pub fn named_field(msg: &str) -> Option<String> {
    let word = match msg.strip_prefix("Body ") {
        Some(rest) => rest.split_whitespace().next()?,
        None => msg.split_once(": ")?.0,
    };
    let ok = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    ok.then(|| word.to_string())
}

/// What a tab of an unconfigured service says.
pub fn not_configured(s: Service, profile: &str) -> String {
    let p = if profile.is_empty() {
        "<name>"
    } else {
        profile
    };
    trf(
        "{} is not configured for profile {}: add a [profiles.{}.{}] section (base_url, username, password_env) to the config file — see config.example.toml",
        &[&s.name(), &p, &p, &s.section()],
    )
}

/// A count a server announced, as shown and paged here: never cut to its low 32 bits.
fn clamp_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `1987` → `1,987`.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Time a filter keystroke may spend matching before the view shows the rows found so far
/// (the rest is matched between keys, see `App::work`): a key and its frame stay under 10 ms.
pub const FILTER_SLICE: Duration = Duration::from_millis(6);

/// Navigation over any list, whatever its record type.
pub trait Nav {
    fn nav(&mut self, delta: isize, rows: usize);
    fn selected_index(&self) -> usize;
    fn offset(&self) -> usize;
    /// Selects a row of the view (clicks).
    fn select(&mut self, i: usize, rows: usize);
    fn filtering(&self) -> bool;
    fn set_filtering(&mut self, on: bool);
    fn filter_text(&self) -> String;
    fn set_filter(&mut self, f: String);
    fn sort_next(&mut self);
    /// A filter is still being matched (long lists, see `FILTER_SLICE`).
    fn filter_pending(&self) -> bool;
    fn resume_filter(&mut self, budget: Duration);
}

impl<T: Record> Nav for ListView<T> {
    fn selected_index(&self) -> usize {
        self.selected
    }
    fn offset(&self) -> usize {
        self.offset
    }
    fn select(&mut self, i: usize, rows: usize) {
        if i < self.view.len() {
            self.selected = i;
            self.scroll_into_view(rows);
        }
    }
    fn nav(&mut self, delta: isize, rows: usize) {
        match delta {
            isize::MIN => self.first(),
            isize::MAX => self.last(),
            d => self.move_by(d),
        }
        self.scroll_into_view(rows);
    }
    fn filtering(&self) -> bool {
        self.filtering
    }
    fn set_filtering(&mut self, on: bool) {
        self.filtering = on;
    }
    fn filter_text(&self) -> String {
        self.filter.clone()
    }
    fn set_filter(&mut self, f: String) {
        self.filter = f;
        self.refresh_view_within(Some(FILTER_SLICE));
    }
    fn sort_next(&mut self) {
        self.cycle_sort();
    }
    fn filter_pending(&self) -> bool {
        ListView::filter_pending(self)
    }
    fn resume_filter(&mut self, budget: Duration) {
        ListView::resume_filter(self, budget);
    }
}

trait Pending {
    fn is_pending(&self, id: u64) -> bool;
    fn clear_pending(&mut self);
}

impl<T: Record> Pending for ListView<T> {
    fn is_pending(&self, id: u64) -> bool {
        self.pending == Some(id)
    }
    fn clear_pending(&mut self) {
        self.pending = None;
        self.loading = false;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_400_names_its_field() {
        use super::named_field;
        assert_eq!(
            named_field("Body mail is empty or not valid").as_deref(),
            Some("mail")
        );
        assert_eq!(
            named_field("propSpecifiqueDTO.dateFCO: '2025-13-01' is not a date").as_deref(),
            Some("propSpecifiqueDTO.dateFCO")
        );
        assert_eq!(named_field("User not found"), None);
        use super::named_fields;
        assert_eq!(
            named_fields("L'identifiant utilisateur existe déjà")[0],
            "userId"
        );
        assert_eq!(named_fields("The user id already exists")[0], "userId");
        assert_eq!(named_fields("Body phone is not correct"), ["phone"]);
        assert!(named_fields("Group not found").is_empty());
        assert_eq!(named_field("Something odd: happened"), None);
    }
}
