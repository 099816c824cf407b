//! The registry of record kinds: the one place that lists them. `ListKind` names the kinds a
//! tab lists, `DetailTarget` the records a detail shows; `with_kind!` turns a `ListKind` into
//! its type, whose `Kind` impl (in the kind's own file) says the rest: its list in `App`, the
//! request that reads it, its form, how its answers land. Code that works on "the list shown"
//! goes through `with_list!` instead of matching on the tab (and the Users tab's directory).

use super::*;
use crate::app::Tab;
use crate::protocol::{Payload, Request, Service};

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
    pub const ALL: [ListKind; 6] = [
        ListKind::Sites,
        ListKind::Equipements,
        ListKind::Users,
        ListKind::Roles,
        ListKind::Individus,
        ListKind::MaarchUsers,
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

/// A record kind listed in a tab.
pub trait Kind: Record {
    /// The detail that shows this record.
    fn target(&self) -> DetailTarget;
    /// Its list in the console's state.
    fn list(app: &App) -> &ListView<Self>;
    fn list_mut(app: &mut App) -> &mut ListView<Self>;
    /// The request that reads the whole list; `None` for a list the server pages.
    fn request() -> Option<Request>;
    /// The form that creates one.
    fn new_form(app: &mut App) -> Form;
    /// Lands an answer to the list's request `id`; `false` when it is not one.
    fn land(app: &mut App, id: u64, p: Payload) -> bool {
        match Self::rows(p) {
            Some(v) if Self::list(app).pending == Some(id) => {
                let l = Self::list_mut(app);
                l.pending = None;
                l.set_items(v);
                true
            }
            _ => false,
        }
    }
    /// The rows of an answer, when it is this kind's list.
    fn rows(p: Payload) -> Option<Vec<Self>>;
}

/// The columns of a list's kind.
pub fn columns_of<T: Record>(_: &ListView<T>) -> &'static [Column] {
    T::columns()
}

/// Runs `$body` with the type `$T` of the records of `$kind`.
macro_rules! with_kind {
    ($kind:expr, |$T:ident| $body:expr) => {{
        use $crate::app::kinds::ListKind as L;
        match $kind {
            L::Sites => {
                type $T = $crate::api::model::SiteSummary;
                $body
            }
            L::Equipements => {
                type $T = $crate::api::model::Equipement;
                $body
            }
            L::Users => {
                type $T = $crate::api::model::User;
                $body
            }
            L::MaarchUsers => {
                type $T = $crate::api::maarch::MaarchUser;
                $body
            }
            L::Roles => {
                type $T = $crate::api::model::Role;
                $body
            }
            L::Individus => {
                type $T = $crate::api::ocean::Individu;
                $body
            }
        }
    }};
}

/// Runs `$body` with `$l` bound to the list of `$kind` in `$app` (`&`, or `&mut` with `mut`).
macro_rules! with_list {
    ($app:expr, $kind:expr, |$l:ident| $body:expr) => {
        $crate::app::kinds::with_kind!($kind, |K| {
            let $l = <K as $crate::app::kinds::Kind>::list(&*$app);
            $body
        })
    };
    ($app:expr, $kind:expr, |mut $l:ident| $body:expr) => {
        $crate::app::kinds::with_kind!($kind, |K| {
            let $l = <K as $crate::app::kinds::Kind>::list_mut(&mut *$app);
            $body
        })
    };
}

pub(crate) use {with_kind, with_list};
