//! The registry of the kinds listed in tabs: the one place that maps a kind to its tab, its
//! list in `App` and its detail. Code that works on "the list shown" goes through `with_list!`
//! instead of matching on the tab (and the Users tab's directory) itself.

use super::*;
use crate::api::maarch::MaarchUserDetails;
use crate::app::{DetailTarget, Tab};
use crate::protocol::{Request, Service};

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
        Some(match self {
            ListKind::Sites => Request::Sites,
            ListKind::Equipements => return None,
            ListKind::Users => Request::Users,
            ListKind::MaarchUsers => Request::MaarchUsers,
            ListKind::Roles => Request::Roles,
            ListKind::Individus => Request::Individus,
        })
    }
}

/// A record kind with a detail screen.
pub trait Kind: Record {
    /// The detail that shows this record.
    fn target(&self) -> DetailTarget;
}

impl Kind for SiteSummary {
    fn target(&self) -> DetailTarget {
        DetailTarget::Site(self.clone())
    }
}

impl Kind for Equipement {
    fn target(&self) -> DetailTarget {
        DetailTarget::Equipement(self.clone())
    }
}

impl Kind for User {
    fn target(&self) -> DetailTarget {
        DetailTarget::User(self.clone())
    }
}

impl Kind for Role {
    fn target(&self) -> DetailTarget {
        DetailTarget::Role(self.clone())
    }
}

impl Kind for Individu {
    fn target(&self) -> DetailTarget {
        DetailTarget::Individu(self.clone())
    }
}

impl Kind for MaarchUser {
    /// The list's fields; the detail reads the rest.
    fn target(&self) -> DetailTarget {
        DetailTarget::MaarchUser(MaarchUserDetails::from_list(self.clone()))
    }
}

/// The columns of a list's kind.
pub fn columns_of<T: Record>(_: &ListView<T>) -> &'static [Column] {
    T::columns()
}

/// Runs `$body` with `$l` bound to the list of `$kind` in `$app` (`&`, or `&mut` with `mut`).
macro_rules! with_list {
    ($app:expr, $kind:expr, |$l:ident| $body:expr) => {
        match $kind {
            $crate::app::kinds::ListKind::Sites => {
                let $l = &$app.sites;
                $body
            }
            $crate::app::kinds::ListKind::Equipements => {
                let $l = &$app.equipements;
                $body
            }
            $crate::app::kinds::ListKind::Users => {
                let $l = &$app.users;
                $body
            }
            $crate::app::kinds::ListKind::MaarchUsers => {
                let $l = &$app.maarch_users;
                $body
            }
            $crate::app::kinds::ListKind::Roles => {
                let $l = &$app.roles;
                $body
            }
            $crate::app::kinds::ListKind::Individus => {
                let $l = &$app.individus;
                $body
            }
        }
    };
    ($app:expr, $kind:expr, |mut $l:ident| $body:expr) => {
        match $kind {
            $crate::app::kinds::ListKind::Sites => {
                let $l = &mut $app.sites;
                $body
            }
            $crate::app::kinds::ListKind::Equipements => {
                let $l = &mut $app.equipements;
                $body
            }
            $crate::app::kinds::ListKind::Users => {
                let $l = &mut $app.users;
                $body
            }
            $crate::app::kinds::ListKind::MaarchUsers => {
                let $l = &mut $app.maarch_users;
                $body
            }
            $crate::app::kinds::ListKind::Roles => {
                let $l = &mut $app.roles;
                $body
            }
            $crate::app::kinds::ListKind::Individus => {
                let $l = &mut $app.individus;
                $body
            }
        }
    };
}

pub(crate) use with_list;
