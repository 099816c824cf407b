//! What lands in the lists when the server answers a save or a delete, and the change a delete is.

use super::{DetailTarget, equipement, individu, maarch_user, role, site, user};
use crate::app::App;
use crate::app::form::Form;
use crate::change::{self, Change};
use crate::protocol::{DeleteOp, Saved};

/// Lands a save's answer where it shows (lists, open details); the notice that says it.
pub fn land_saved(app: &mut App, saved: Saved) -> String {
    match saved {
        Saved::Site(s) => site::saved(app, s),
        Saved::Equipement(e) => equipement::saved(app, e),
        Saved::User(u) => user::saved(app, u),
        Saved::Role(r) => role::saved(app, r),
        Saved::Individus { message, individus } => individu::saved(app, message, individus),
        Saved::MaarchUser(d, what) => maarch_user::saved(app, d, what),
        Saved::Account(m) => m,
    }
}

/// What `d` (or `x` on a Maarch user's link) on `t` asks the change room: `op` as its
/// `Item::deletion` names it.
pub fn delete_change(t: &DetailTarget, op: &DeleteOp) -> Change {
    use change::{Action, Kind};
    let c = match op {
        DeleteOp::Site(i) => Change::delete(Kind::Site, i),
        DeleteOp::Equipement(i) => Change::delete(Kind::Equipement, i),
        DeleteOp::User(i) => Change::delete(Kind::User, i),
        DeleteOp::Role(i) => Change::delete(Kind::Role, i),
        DeleteOp::Individu(i) => Change::delete(Kind::Individu, i.to_string()),
        DeleteOp::MaarchGroup { user, group } => Form::link_change(*user, "group", group, false),
        DeleteOp::MaarchEntity { user, entity } => {
            Form::link_change(*user, "entity", entity, false)
        }
        DeleteOp::ParapheurLink(user) => Change::action(
            Kind::MaarchUser,
            user.to_string(),
            Action::UnlinkParapheur(*user),
        ),
    };
    let site = match t {
        DetailTarget::Equipement(e) => e.site_id().map(str::to_string),
        _ => None,
    };
    c.on_site(site).labelled(t.label())
}

/// The id of the record a save's answer carries (none for Ocean's, which answer statuses).
pub fn saved_id(saved: &Saved) -> Option<String> {
    Some(match saved {
        Saved::Site(s) => s.site_id.clone(),
        Saved::Equipement(e) => e.equipement_id.clone(),
        Saved::User(u) => u.user_id.clone(),
        Saved::Role(r) => r.role_id.clone(),
        Saved::MaarchUser(d, _) => d.user.id.to_string(),
        Saved::Individus { .. } | Saved::Account(_) => return None,
    })
}

/// The API's name for what a delete removes (403 wording).
pub fn deleted_things(op: &DeleteOp) -> &'static str {
    match op {
        DeleteOp::Site(_) => "sites",
        DeleteOp::Equipement(_) => "equipements",
        DeleteOp::User(_) => "users",
        DeleteOp::Role(_) => "roles",
        DeleteOp::Individu(_) => "individus",
        _ => "Maarch users",
    }
}

/// Lands a record deleted (a core user: deactivated); what the notice says (to translate).
pub fn land_removed(app: &mut App, kind: change::Kind, id: &str) -> &'static str {
    use change::Kind;
    match kind {
        Kind::Site => site::deleted(app, id),
        Kind::Equipement => equipement::deleted(app, id),
        Kind::User => user::deleted(app, id),
        Kind::Role => role::deleted(app, id),
        Kind::Individu => individu::deleted(app, id.parse().unwrap_or_default()),
        Kind::MaarchUser => "",
    }
}
