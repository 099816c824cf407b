//! What the console and the worker say to each other: numbered requests one way, events the
//! other. Below both (and below the forms that build mutations): nothing here imports them.

use chrono::{DateTime, FixedOffset};
use secrecy::SecretString;

use crate::api::ApiError;
use crate::api::maarch::{MaarchUser, MaarchUserDetails, MaarchUserUpdate, NewMaarchUser};
use crate::api::model::*;
use crate::api::ocean::{Functionality, Individu, OutboxMail};

/// The services a profile declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Core,
    Ocean,
    Maarch,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Core => "core",
            Service::Ocean => "Ocean",
            Service::Maarch => "Maarch",
        }
    }

    /// The profile section that configures it.
    pub fn section(self) -> &'static str {
        match self {
            Service::Core => "core",
            Service::Ocean => "ocean",
            Service::Maarch => "maarch",
        }
    }
}

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
    Mutate(Mutation),
    Delete(DeleteOp),
    Individus,
    MaarchUsers,
    MaarchDetails(i64),
    /// Every Maarch group and entity, for pickers.
    MaarchCatalogue,
    ParapheurStatus(i64),
    Functionalities(String),
    Outbox,
    /// One record as the server holds it now, read again before an edit is sent: `kind` as
    /// in `assets/columns.toml`, `site` the site an equipement is on (its cheapest read).
    Fresh {
        kind: String,
        id: String,
        site: Option<String>,
    },
    /// Reads an import file and plans it against the server (`crate::import`), every row
    /// going to `site_id`.
    PlanImport {
        path: std::path::PathBuf,
        site_id: String,
    },
    /// Stops the request with this id (a load the user no longer wants); answers nothing.
    Cancel(u64),
}

impl Request {
    /// The service that answers it.
    pub fn service(&self) -> Service {
        match self {
            Request::Login { service, .. } => *service,
            Request::Mutate(m) => m.service(),
            Request::Delete(
                DeleteOp::MaarchGroup { .. }
                | DeleteOp::MaarchEntity { .. }
                | DeleteOp::ParapheurLink(_),
            )
            | Request::MaarchUsers
            | Request::MaarchDetails(_)
            | Request::MaarchCatalogue
            | Request::ParapheurStatus(_) => Service::Maarch,
            Request::Delete(DeleteOp::Individu(_))
            | Request::Individus
            | Request::Functionalities(_)
            | Request::Outbox => Service::Ocean,
            Request::Fresh { kind, .. } if kind == "individus" => Service::Ocean,
            Request::Fresh { kind, .. } if kind == "maarch_users" => Service::Maarch,
            _ => Service::Core,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Saved {
    Site(Site),
    Equipement(Equipement),
    User(User),
    Role(Role),
    /// Ocean answers statuses, not the record: the fresh list comes with them.
    Individus {
        message: String,
        individus: Vec<Individu>,
    },
    /// A Maarch user after the change, read back, and what changed.
    MaarchUser(MaarchUserDetails, String),
    /// An account action (password change, reset request) and what the server said.
    Account(String),
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
    AllEquipementsPrepared(Box<crate::app::list::Prepared<Equipement>>),
    SiteEquipements {
        site_id: String,
        page: Page<Equipement>,
    },
    Saved(Saved),
    Deleted(DeleteOp),
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
    /// A record as the server holds it now (JSON); `None`: it is gone.
    Fresh(Option<serde_json::Value>),
    /// An import file's plan.
    ImportPlan(Vec<crate::import::Planned>),
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
            Payload::Saved(_) => "Saved",
            Payload::Deleted(_) => "Deleted",
            Payload::Individus(_) => "Individus",
            Payload::MaarchUsers(_) => "MaarchUsers",
            Payload::MaarchDetails(..) => "MaarchDetails",
            Payload::MaarchCatalogue { .. } => "MaarchCatalogue",
            Payload::ParapheurStatus(..) => "ParapheurStatus",
            Payload::Functionalities(..) => "Functionalities",
            Payload::Outbox(_) => "Outbox",
            Payload::Fresh(_) => "Fresh",
            Payload::ImportPlan(_) => "ImportPlan",
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

/// A request a saved form turns into.
#[derive(Debug, Clone)]
pub enum Mutation {
    CreateSite(NewSite),
    UpdateSite(SiteUpdate),
    CreateEquipement(NewEquipement),
    UpdateEquipement(EquipementUpdate),
    CreateUser(NewUser),
    UpdateUser(UserUpdate),
    CreateRole(NewRole),
    /// `update` (when it changes something) then `add_permissions` (when `add` is not empty
    /// and nothing is removed). With `remove`, the worker reads the role again and sends its
    /// set as the server holds it then, minus `remove`, plus `add`.
    UpdateRole {
        update: RoleUpdate,
        add: Vec<PermissionRef>,
        remove: Vec<PermissionRef>,
    },
    CreateIndividu {
        body: Individu,
        start: Option<DateTime<FixedOffset>>,
        end: Option<DateTime<FixedOffset>>,
    },
    UpdateIndividu(Individu),
    AssignEntity {
        individu: i64,
        entite: i64,
        start: DateTime<FixedOffset>,
        end: Option<DateTime<FixedOffset>>,
    },
    ChangePassword {
        actual: SecretString,
        new: SecretString,
        confirmed: SecretString,
        /// As query parameters (the user agreed: the server reads them from there only).
        in_url: bool,
    },
    PasswordReset {
        login: String,
        url: Option<String>,
    },
    CreateMaarchUser(NewMaarchUser),
    /// `update` is the user as the form knew it with the user's changes; the worker reads the
    /// user again and takes the server's current value for every key not in `changed`.
    UpdateMaarchUser {
        update: MaarchUserUpdate,
        changed: Vec<String>,
    },
    AddGroup {
        user: i64,
        group: String,
    },
    AddEntity {
        user: i64,
        entity: String,
    },
    LinkParapheur {
        user: i64,
        parapheur_id: i64,
    },
    CreateInParapheur {
        user: i64,
        login: String,
    },
}

impl Mutation {
    pub fn service(&self) -> Service {
        match self {
            Mutation::CreateIndividu { .. }
            | Mutation::UpdateIndividu(_)
            | Mutation::AssignEntity { .. }
            | Mutation::ChangePassword { .. }
            | Mutation::PasswordReset { .. } => Service::Ocean,
            Mutation::CreateMaarchUser(_)
            | Mutation::UpdateMaarchUser { .. }
            | Mutation::AddGroup { .. }
            | Mutation::AddEntity { .. }
            | Mutation::LinkParapheur { .. }
            | Mutation::CreateInParapheur { .. } => Service::Maarch,
            _ => Service::Core,
        }
    }
}
