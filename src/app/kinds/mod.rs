//! The registry of record kinds, the one place that lists them, and one module per kind:
//! what the console does with a site, an equipement, a core user, a role, an Ocean individu,
//! a Maarch user (its columns and cells, its detail, its form and what saving it sends, how
//! its answers land), and the Ocean account's forms.
//!
//! Here: `Tab`, `ListKind` (the kinds a tab lists), `DetailTarget` (the records a detail
//! shows), `FormKind`, and `with_kind!`, which turns a `ListKind` into its type; that type's
//! `Kind` and `Item` impls, in the kind's own file, say the rest. Code that works on "the
//! list shown" goes through `with_list!` instead of matching on the tab itself.

mod account;
mod equipement;
mod individu;
mod landing;
mod maarch_user;
mod role;
mod site;
mod user;
pub use landing::*;

pub use individu::entity_choices;
pub use role::permission_cells;

use super::form::*;
use super::list::*;
use crate::api::maarch::{MaarchUser, MaarchUserDetails};
use crate::api::model::*;
use crate::api::ocean::Individu;
use crate::app::Lists;
use crate::i18n::tr;

use crate::api::model::Timestamp;
use crate::app::App;
use serde::{Deserialize, Serialize};

use crate::change::{self, Change};
use crate::protocol::{DeleteOp, Payload, Request, Service};

/// The console's tabs, in order.
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

    /// The service it reads from, the Users tab on `users_dir`.
    pub fn service(self, users_dir: Service) -> Service {
        match self {
            Tab::Individus => Service::Ocean,
            Tab::Users => users_dir,
            _ => Service::Core,
        }
    }

    pub(crate) fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// A kind of record a tab lists (the Users tab lists core or Maarch users).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Sites,
    Equipements,
    Users,
    MaarchUsers,
    Roles,
    Individus,
}

impl ListKind {
    /// In the tabs' order (the palette offers them so).
    pub const ALL: [ListKind; 6] = [
        ListKind::Sites,
        ListKind::Equipements,
        ListKind::Users,
        ListKind::MaarchUsers,
        ListKind::Roles,
        ListKind::Individus,
    ];

    /// The kind a tab shows, the Users tab on `users_dir`.
    pub fn of(tab: Tab, users_dir: Service) -> ListKind {
        match tab {
            Tab::Sites => ListKind::Sites,
            Tab::Equipements => ListKind::Equipements,
            Tab::Users if users_dir == Service::Maarch => ListKind::MaarchUsers,
            Tab::Users => ListKind::Users,
            Tab::Roles => ListKind::Roles,
            Tab::Individus => ListKind::Individus,
        }
    }

    /// Its tab, and the directory that tab shows for it.
    pub fn place(self) -> (Tab, Option<Service>) {
        match self {
            ListKind::Sites => (Tab::Sites, None),
            ListKind::Equipements => (Tab::Equipements, None),
            ListKind::Users => (Tab::Users, Some(Service::Core)),
            ListKind::MaarchUsers => (Tab::Users, Some(Service::Maarch)),
            ListKind::Roles => (Tab::Roles, None),
            ListKind::Individus => (Tab::Individus, None),
        }
    }

    /// Its name in the palette, as shown.
    pub fn palette_name(self) -> &'static str {
        match self {
            ListKind::Sites => tr("sites"),
            ListKind::Equipements => tr("equipements"),
            ListKind::Users => tr("users"),
            ListKind::MaarchUsers => tr("maarch users"),
            ListKind::Roles => tr("roles"),
            ListKind::Individus => tr("individus"),
        }
    }

    /// The request that reads the whole list; `None` for a list the server pages.
    pub fn request(self) -> Option<Request> {
        with_kind!(self, |K| K::request())
    }

    /// The form that creates one.
    pub fn new_form(self, app: &mut App) -> Form {
        with_kind!(self, |K| K::new_form(app))
    }

    /// Lands an answer to its list's request `id`; `false` when nothing waits for it.
    pub fn land(self, app: &mut App, id: u64, p: Payload) -> bool {
        with_kind!(self, |K| K::land(app, id, p))
    }

    /// Its name in `assets/columns.toml` and the journal.
    pub fn name(self) -> &'static str {
        with_kind!(self, |K| K::KIND)
    }

    /// The kind of that name.
    pub fn named(name: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The service that holds it.
    pub fn service(self) -> Service {
        let (tab, dir) = self.place();
        tab.service(dir.unwrap_or(Service::Core))
    }

    /// The form kind that creates or edits it.
    pub fn form_kind(self) -> FormKind {
        match self {
            ListKind::Sites => FormKind::Site,
            ListKind::Equipements => FormKind::Equipement,
            ListKind::Users => FormKind::User,
            ListKind::MaarchUsers => FormKind::MaarchUser,
            ListKind::Roles => FormKind::Role,
            ListKind::Individus => FormKind::Individu,
        }
    }

    /// The kind as the change room names it.
    pub fn change_kind(self) -> change::Kind {
        match self {
            ListKind::Sites => change::Kind::Site,
            ListKind::Equipements => change::Kind::Equipement,
            ListKind::Users => change::Kind::User,
            ListKind::MaarchUsers => change::Kind::MaarchUser,
            ListKind::Roles => change::Kind::Role,
            ListKind::Individus => change::Kind::Individu,
        }
    }

    /// The list of the change room's kind.
    pub fn of_change(k: change::Kind) -> ListKind {
        match k {
            change::Kind::Site => ListKind::Sites,
            change::Kind::Equipement => ListKind::Equipements,
            change::Kind::User => ListKind::Users,
            change::Kind::MaarchUser => ListKind::MaarchUsers,
            change::Kind::Role => ListKind::Roles,
            change::Kind::Individu => ListKind::Individus,
        }
    }

    /// The API's name for the kind (403 wording).
    pub fn things(self) -> &'static str {
        match self {
            ListKind::Sites => "sites",
            ListKind::Equipements => "equipements",
            ListKind::Users => "users",
            ListKind::MaarchUsers => "Maarch users",
            ListKind::Roles => "roles",
            ListKind::Individus => "individus",
        }
    }
}

/// The record a detail shows, one variant per kind.
#[derive(Debug, Clone)]
pub enum DetailTarget {
    Site(SiteSummary),
    Equipement(Equipement),
    User(User),
    Role(Role),
    Individu(Individu),
    MaarchUser(MaarchUserDetails),
}

impl DetailTarget {
    /// What the console shows and does with it.
    pub fn item(&self) -> &dyn Item {
        match self {
            DetailTarget::Site(r) => r,
            DetailTarget::Equipement(r) => r,
            DetailTarget::User(r) => r,
            DetailTarget::Role(r) => r,
            DetailTarget::Individu(r) => r,
            DetailTarget::MaarchUser(r) => r,
        }
    }

    /// A record as JSON (a journal's state, a record read again) as the detail that shows
    /// it; a Maarch user counts as read from its details route, what that did not send being
    /// listed under `unseen`.
    pub fn from_json(kind: ListKind, v: &serde_json::Value) -> Option<DetailTarget> {
        if kind == ListKind::MaarchUsers {
            let mut user: MaarchUser = serde_json::from_value(v.clone()).ok()?;
            user.unseen = serde_json::from_value(v["unseen"].clone()).unwrap_or_default();
            return Some(DetailTarget::MaarchUser(MaarchUserDetails {
                fetched: true,
                ..MaarchUserDetails::from_list(user)
            }));
        }
        with_kind!(kind, |K| serde_json::from_value::<K>(v.clone())
            .ok()
            .map(|r| r.target()))
    }

    /// The Maarch user's id, when it is one.
    pub fn maarch_uid(&self) -> Option<i64> {
        match self {
            DetailTarget::MaarchUser(d) => Some(d.user.id),
            _ => None,
        }
    }

    /// The kind of record it is.
    pub fn kind(&self) -> ListKind {
        match self {
            DetailTarget::Site(_) => ListKind::Sites,
            DetailTarget::Equipement(_) => ListKind::Equipements,
            DetailTarget::User(_) => ListKind::Users,
            DetailTarget::Role(_) => ListKind::Roles,
            DetailTarget::Individu(_) => ListKind::Individus,
            DetailTarget::MaarchUser(_) => ListKind::MaarchUsers,
        }
    }

    /// How it is named in a question ("site LOUM").
    pub fn label(&self) -> String {
        match self {
            DetailTarget::MaarchUser(d) => d.user.label(),
            DetailTarget::Site(r) => r.label(),
            DetailTarget::Equipement(r) => r.label(),
            DetailTarget::User(r) => r.label(),
            DetailTarget::Role(r) => r.label(),
            DetailTarget::Individu(r) => r.label(),
        }
    }
}

/// What a form creates or edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormKind {
    Site,
    Equipement,
    User,
    Role,
    Individu,
    AssignEntity,
    ChangePassword,
    PasswordReset,
    MaarchUser,
    AddGroup,
    AddEntity,
    ParapheurLink,
    ParapheurCreate,
    /// Where and how to write the current view.
    Export,
    /// Ocean rights: which element type to read (any spelling).
    ElementType,
    /// The site the marked equipements move to.
    BulkMove,
    /// The fields set on every marked equipement (empty ones left alone).
    BulkSet,
    /// A group or entity added to or removed from every marked Maarch user.
    BulkLinks,
    /// The file a site's equipements are imported from.
    ImportFile,
}

impl FormKind {
    /// Its title (to translate); `new`: it creates a record.
    pub fn title(self, new: bool) -> &'static str {
        match self {
            FormKind::Site if new => "New site",
            FormKind::Site => "Edit site",
            FormKind::Equipement if new => "New equipement",
            FormKind::Equipement => "Edit equipement",
            FormKind::User if new => "New user",
            FormKind::User => "Edit user",
            FormKind::Role if new => "New role",
            FormKind::Role => "Edit role",
            FormKind::Individu if new => "New individu",
            FormKind::Individu => "Edit individu",
            FormKind::MaarchUser if new => "New Maarch user",
            FormKind::MaarchUser => "Edit Maarch user",
            FormKind::AssignEntity => "Assign to an entity",
            FormKind::ChangePassword => "Change my Ocean password",
            FormKind::PasswordReset => "Request a password reset",
            FormKind::AddGroup => "Add to a group",
            FormKind::AddEntity => "Add to an entity",
            FormKind::ParapheurLink => "Link to a Maarch Parapheur user",
            FormKind::ParapheurCreate => "Create in Maarch Parapheur",
            FormKind::Export => "Export the current view",
            FormKind::ElementType => "Rights of an element type",
            FormKind::BulkMove => "Move the marked equipements",
            FormKind::BulkSet => "Set fields on the marked equipements",
            FormKind::BulkLinks => "Groups and entities of the marked users",
            FormKind::ImportFile => "Import equipements into this site",
        }
    }

    /// It edits a record kind (its unchanged values are the server's).
    pub fn of_record(self) -> bool {
        matches!(
            self,
            FormKind::Site
                | FormKind::Equipement
                | FormKind::User
                | FormKind::Role
                | FormKind::Individu
                | FormKind::MaarchUser
        )
    }

    /// What saving `f` asks the change room (`None` for forms that send nothing, or cannot
    /// yet); each kind's file writes its own.
    pub fn change(self, f: &Form) -> Option<Change> {
        match self {
            FormKind::Site => f.site_change(),
            FormKind::Equipement => f.equipement_change(),
            FormKind::User => f.user_change(),
            FormKind::Role => f.role_change(),
            FormKind::Individu => f.individu_change(),
            FormKind::AssignEntity => f.assign_change(),
            FormKind::MaarchUser => f.maarch_user_change(),
            FormKind::AddGroup => f.add_group_change(),
            FormKind::AddEntity => f.add_entity_change(),
            FormKind::ParapheurLink => f.parapheur_link_change(),
            FormKind::ParapheurCreate => f.parapheur_create_change(),
            FormKind::ChangePassword => f.change_password_change(),
            FormKind::PasswordReset => f.password_reset_change(),
            FormKind::Export
            | FormKind::ElementType
            | FormKind::BulkMove
            | FormKind::BulkSet
            | FormKind::BulkLinks
            | FormKind::ImportFile => None,
        }
    }

    /// The record kind whose record it creates or changes (none for the account's forms and
    /// the export).
    pub fn record_kind(self) -> Option<ListKind> {
        Some(match self {
            FormKind::Site => ListKind::Sites,
            FormKind::Equipement => ListKind::Equipements,
            FormKind::User => ListKind::Users,
            FormKind::Role => ListKind::Roles,
            FormKind::Individu | FormKind::AssignEntity => ListKind::Individus,
            FormKind::MaarchUser
            | FormKind::AddGroup
            | FormKind::AddEntity
            | FormKind::ParapheurLink
            | FormKind::ParapheurCreate => ListKind::MaarchUsers,
            _ => return None,
        })
    }

    /// The API's name for what it changes (403 wording).
    pub fn things(self) -> &'static str {
        match self {
            FormKind::Site => "sites",
            FormKind::Equipement => "equipements",
            FormKind::User => "users",
            FormKind::Role => "roles",
            FormKind::Individu | FormKind::AssignEntity => "individus",
            FormKind::ChangePassword | FormKind::PasswordReset => "accounts",
            FormKind::BulkMove | FormKind::BulkSet | FormKind::ImportFile => "equipements",
            _ => "Maarch users",
        }
    }
}

/// Where a kind's list lives in `App`, its rows in an answer, the detail that shows one and
/// the request that reads them all: the registry's table below writes it.
pub trait Stored: Record + Serialize + serde::de::DeserializeOwned {
    fn list(app: &App) -> &ListView<Self>;
    fn list_mut(app: &mut App) -> &mut ListView<Self>;
    /// Its list among the tabs' lists alone (the rest of `App` left free).
    fn of_lists(lists: &mut Lists) -> &mut ListView<Self>;
    /// The rows of an answer, when it is this kind's list.
    fn rows(p: Payload) -> Option<Vec<Self>>;
    /// The detail that shows this record.
    fn target(&self) -> DetailTarget;
    /// The request that reads the whole list; `None` for a list the server pages.
    fn request() -> Option<Request>;
}

macro_rules! stored {
    ($($T:ty => $field:ident, $rows:ident, $detail:ident, $request:expr;)+) => {$(
        impl Stored for $T {
            fn list(app: &App) -> &ListView<Self> {
                &app.lists.$field
            }
            fn list_mut(app: &mut App) -> &mut ListView<Self> {
                &mut app.lists.$field
            }
            fn of_lists(lists: &mut Lists) -> &mut ListView<Self> {
                &mut lists.$field
            }
            fn rows(p: Payload) -> Option<Vec<Self>> {
                match p {
                    Payload::$rows(v) => Some(v),
                    _ => None,
                }
            }
            fn target(&self) -> DetailTarget {
                DetailTarget::$detail(self.clone().into())
            }
            fn request() -> Option<Request> {
                $request
            }
        }
    )+};
}

// record => its list in `App`, its rows' `Payload`, its `DetailTarget`, the request.
stored! {
    SiteSummary => sites, Sites, Site, Some(Request::Sites);
    Equipement => equipements, AllEquipements, Equipement, None;
    User => users, Users, User, Some(Request::Users);
    MaarchUser => maarch_users, MaarchUsers, MaarchUser, Some(Request::MaarchUsers);
    Role => roles, Roles, Role, Some(Request::Roles);
    Individu => individus, Individus, Individu, Some(Request::Individus);
}

/// A record kind listed in a tab: what its own file says.
pub trait Kind: Stored {
    /// The title of its table.
    fn title(app: &App) -> &'static str;
    /// The form that creates one.
    fn new_form(app: &mut App) -> Form;
    /// Lands an answer to the list's request `id`; `false` when it is not one.
    fn land(app: &mut App, id: u64, p: Payload) -> bool {
        match Self::rows(p) {
            Some(v) if Self::list(app).pending == Some(id) => {
                let changed = app.net.changed_since(id, Self::KIND);
                let l = Self::list_mut(app);
                l.pending = None;
                l.set_read(crate::rows::Prepared::new(v), &changed, true);
                true
            }
            _ => false,
        }
    }
}

/// The columns of a list's kind.
pub fn columns_of<T: Record>(_: &ListView<T>) -> &'static [Column] {
    T::columns()
}

/// Runs `$body` with the type `$T` of the records of `$kind`.
macro_rules! with_kind {
    ($kind:expr, |$T:ident| $body:expr) => {{
        use $crate::app::kinds::ListKind as L;
        $crate::app::by_type!($kind, |$T| $body, {
            L::Sites => $crate::api::model::SiteSummary,
            L::Equipements => $crate::api::model::Equipement,
            L::Users => $crate::api::model::User,
            L::MaarchUsers => $crate::api::maarch::MaarchUser,
            L::Roles => $crate::api::model::Role,
            L::Individus => $crate::api::ocean::Individu,
        })
    }};
}

/// Runs `$body` with `$l` bound to the list of `$kind` in `$app` (`&`, or `&mut` with `mut`).
macro_rules! with_list {
    ($app:expr, $kind:expr, |$l:ident| $body:expr) => {
        $crate::app::kinds::with_kind!($kind, |K| {
            let $l = <K as $crate::app::kinds::Stored>::list(&*$app);
            $body
        })
    };
    ($app:expr, $kind:expr, |mut $l:ident| $body:expr) => {
        $crate::app::kinds::with_kind!($kind, |K| {
            let $l = <K as $crate::app::kinds::Stored>::list_mut(&mut *$app);
            $body
        })
    };
}

pub(crate) use {with_kind, with_list};

/// What a detail shows and does with its record, whatever its kind: each kind's file
/// implements it, the registry's `DetailTarget::item` hands out the one shown.
pub trait Item {
    /// Its id as text (empty for a row that could not be read).
    fn id_text(&self) -> String;
    /// The detail's title, its values made safe for a terminal.
    fn heading(&self) -> String;
    /// (label, value) pairs; `reveal`: `None` shows a password, `Some(key)` masks it and
    /// names the key that shows it.
    fn fields(&self, reveal: Option<&str>) -> Vec<(&'static str, String)>;
    /// As JSON, as received (the caller masks secrets).
    fn json(&self) -> serde_json::Value;
    /// What is odd about it, as the server sent it.
    fn problem(&self) -> Option<&str>;
    /// The API's name for its kind (403 wording).
    fn things(&self) -> &'static str;
    /// The question before deleting it and the operation, or why it cannot be deleted.
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str>;
    /// A delete that takes more with it: why, and what must be typed to confirm it.
    fn delete_guard(&self) -> Option<(String, String)> {
        None
    }
    /// A row with no id to act on (kept as the server sent it, marked).
    fn unreadable(&self) -> bool {
        self.id_text().is_empty()
    }
    /// The form that edits it; `None` when something must be read first (asked here).
    fn edit_form(&self, app: &mut App) -> Option<Form>;
}

/// As the list shows it, in the language shown (`13/08/2025 09:48` in French); `v` shows
/// the value as sent.
fn ts(t: &Option<Timestamp>) -> String {
    t.as_ref().map(Timestamp::short).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(|f| f.to_string()).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(t: &T) -> serde_json::Value {
    serde_json::to_value(t).unwrap_or_default()
}

fn safe(s: &str) -> String {
    crate::text::sanitize(s).into_owned()
}

#[cfg(test)]
mod tests;
