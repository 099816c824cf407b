//! What the console and the worker say to each other: numbered requests one way, events the
//! other. Below both (and below the forms that build mutations): nothing here imports them.

use secrecy::SecretString;

use crate::api::ApiError;
use crate::api::maarch::{MaarchUser, MaarchUserDetails};
use crate::api::model::*;
use crate::api::ocean::{Functionality, Individu, OutboxMail};
pub use crate::change::{Change, Outcome, Saved};

pub use crate::api::Service;

/// What `d` (or `x` on a Maarch user's link) removes, as the console names it; sent as a
/// `Change` (`crate::change`).
#[derive(Debug, Clone)]
pub enum DeleteOp {
    Site(String),
    Equipement(String),
    /// Users are deactivated, not deleted.
    User(String),
    Role(String),
    Individu(i64),
    /// A Maarch user leaves a group.
    MaarchGroup {
        user: i64,
        group: String,
    },
    /// A Maarch user leaves an entity.
    MaarchEntity {
        user: i64,
        entity: String,
    },
    /// A Maarch user's Parapheur link is removed.
    ParapheurLink(i64),
}

impl DeleteOp {
    /// The id of the record that is gone (the user, for links).
    pub fn id(&self) -> String {
        match self {
            DeleteOp::Site(i) | DeleteOp::Equipement(i) | DeleteOp::User(i) | DeleteOp::Role(i) => {
                i.clone()
            }
            DeleteOp::Individu(i) | DeleteOp::ParapheurLink(i) => i.to_string(),
            DeleteOp::MaarchGroup { user, .. } | DeleteOp::MaarchEntity { user, .. } => {
                user.to_string()
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum Request {
    Login {
        service: Service,
        username: String,
        password: SecretString,
    },
    WhoAmI,
    Sites,
    Users,
    /// One core user (`GET /users/{user_id}`).
    User(String),
    Roles,
    EquipementsPage {
        page: u32,
        size: u32,
    },
    AllEquipements,
    SiteEquipements {
        site_id: String,
        page: u32,
        size: u32,
    },
    /// Every equipement of a site (all its pages), answered as one page.
    AllSiteEquipements(String),
    /// A write: only the change room sends it (`crate::change::execute`).
    Change(Box<Change>),
    Individus,
    MaarchUsers,
    MaarchDetails(i64),
    /// Every Maarch group and entity, for pickers.
    MaarchCatalogue,
    ParapheurStatus(i64),
    Functionalities(String),
    Outbox,
    /// Reads an import file and plans it against the server (`crate::import`), every row
    /// going to `site_id`.
    PlanImport {
        path: std::path::PathBuf,
        site_id: String,
    },
    /// Stops the request with this id (a load the user no longer wants); answers nothing.
    Cancel(u64),
    /// Tries each target with a TCP connect, as the profile allows (`crate::probe`).
    Probe {
        targets: Vec<crate::probe::Target>,
        settings: crate::probe::Settings,
    },
    /// `:find TEXT` across the config's profiles; the console's own (`own`) is read with the
    /// worker's clients, already logged in.
    Find {
        text: String,
        own: String,
        /// What the console searched itself in the lists it holds, read lately.
        kept: Parts,
        finder: FinderRef,
    },
}

impl Request {
    /// The service that answers it.
    pub fn service(&self) -> Service {
        match self {
            Request::Login { service, .. } => *service,
            Request::Change(c) => c.service(),
            Request::MaarchUsers
            | Request::MaarchDetails(_)
            | Request::MaarchCatalogue
            | Request::ParapheurStatus(_) => Service::Maarch,
            Request::Individus | Request::Functionalities(_) | Request::Outbox => Service::Ocean,
            _ => Service::Core,
        }
    }
}

// Moved once per answer: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Payload {
    LoggedIn(Claims),
    /// Ocean or Maarch accepted the login.
    ServiceLoggedIn(Service, String),
    Sites(Vec<SiteSummary>),
    Users(Vec<User>),
    User(User),
    Roles(Vec<Role>),
    EquipementsPage(Page<Equipement>),
    AllEquipements(Vec<Equipement>),
    /// Every equipement, searchable text built by the worker (what the console's own load sends).
    AllEquipementsPrepared(Box<crate::rows::Prepared<Equipement>>),
    SiteEquipements {
        site_id: String,
        page: Page<Equipement>,
    },
    /// What a change did (`crate::change::Outcome`).
    Changed(Box<Outcome>),
    Individus(Vec<Individu>),
    MaarchUsers(Vec<MaarchUser>),
    /// `None`: the server has no details route; the list's fields are all there is.
    MaarchDetails(i64, Option<MaarchUserDetails>),
    MaarchCatalogue {
        groups: Vec<(String, String)>,
        entities: Vec<(String, String)>,
    },
    ParapheurStatus(i64, String),
    Functionalities(String, Vec<Functionality>),
    Outbox(Option<Vec<OutboxMail>>),
    /// An import file's plan.
    ImportPlan(Vec<crate::import::Planned>),
    /// What each probe target did, in the targets' order.
    Probed(Vec<crate::probe::Target>, Vec<crate::probe::State>),
    /// What `:find` found, profile by profile.
    Found(Vec<ProfileFound>),
}

impl Payload {
    /// Its kind, for logs (never its content: records hold secrets).
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::LoggedIn(_) => "LoggedIn",
            Payload::ServiceLoggedIn(..) => "ServiceLoggedIn",
            Payload::Sites(_) => "Sites",
            Payload::Users(_) => "Users",
            Payload::User(_) => "User",
            Payload::Roles(_) => "Roles",
            Payload::EquipementsPage(_) => "EquipementsPage",
            Payload::AllEquipements(_) | Payload::AllEquipementsPrepared(_) => "AllEquipements",
            Payload::SiteEquipements { .. } => "SiteEquipements",
            Payload::Changed(_) => "Changed",
            Payload::Individus(_) => "Individus",
            Payload::MaarchUsers(_) => "MaarchUsers",
            Payload::MaarchDetails(..) => "MaarchDetails",
            Payload::MaarchCatalogue { .. } => "MaarchCatalogue",
            Payload::ParapheurStatus(..) => "ParapheurStatus",
            Payload::Functionalities(..) => "Functionalities",
            Payload::Outbox(_) => "Outbox",
            Payload::ImportPlan(_) => "ImportPlan",
            Payload::Probed(..) => "Probed",
            Payload::Found(_) => "Found",
        }
    }
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    Done {
        id: u64,
        result: Result<Payload, ApiError>,
    },
    Progress {
        id: u64,
        loaded: usize,
        total: usize,
    },
    /// Sites decoded so far while their list streams in: `rows` start at index `offset` (0
    /// again when a retry starts over). The `Done` that follows carries the whole list.
    Sites {
        id: u64,
        offset: usize,
        rows: Vec<SiteSummary>,
    },
}

/// Records found per profile, at most this many (the rest counted): a search for "1" over a
/// million devices must not hold them all.
pub const FOUND_PER_PROFILE: usize = 500;

/// One record found by `vigie find` or `:find`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    pub profile: String,
    pub kind: &'static str,
    pub label: String,
    pub site: String,
    /// Every word matched as text (not only as letters in order).
    pub exact: bool,
    /// The record as read, for the console to open.
    #[serde(skip)]
    pub record: FoundRecord,
}

/// A record found, as its list holds it.
#[derive(Debug, Clone)]
pub enum FoundRecord {
    Site(SiteSummary),
    Equipement(Equipement),
    User(User),
    MaarchUser(MaarchUser),
    Individu(Individu),
}

/// One profile's answer: its records (best first, at most `FOUND_PER_PROFILE`) and how many
/// more matched, or why it could not be searched.
#[derive(Debug, Clone)]
pub struct ProfileFound {
    pub profile: String,
    pub found: Result<(Vec<Found>, usize), String>,
}

/// Parts of a profile's records a search leaves out (the console searched them itself).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Parts {
    /// The sites and the equipements they hold.
    pub sites: bool,
    /// The core's users.
    pub users: bool,
    pub maarch: bool,
    pub individus: bool,
}

/// The console's own profile: searched with its clients (logged in), leaving out `kept`.
#[derive(Debug, Clone)]
pub struct Own {
    pub name: String,
    pub clients: crate::change::Clients,
    pub kept: Parts,
}

/// Searches the config's profiles (built where profiles are connected: the command line).
pub trait Finder: Send + Sync {
    /// Every profile's matches for `text`, in the config's order; `own` is searched with its
    /// clients rather than new ones.
    fn find(
        &self,
        text: String,
        own: Option<Own>,
    ) -> futures::future::BoxFuture<'static, Vec<ProfileFound>>;
}

/// A finder a request can carry.
#[derive(Clone)]
pub struct FinderRef(pub std::sync::Arc<dyn Finder>);

impl std::fmt::Debug for FinderRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Finder")
    }
}
