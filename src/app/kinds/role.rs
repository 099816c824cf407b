//! A role and its permissions: list columns, the form with its grid, what saving it sends.

use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::NewRole;
use crate::app::Permission;
use crate::app::PermissionRef;
use crate::app::Role;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::safe;
use crate::app::kinds::to_json;
use crate::app::kinds::trimmed;
use crate::app::kinds::ts;
use crate::change;
use crate::change::Create;
use crate::i18n::tr;
use crate::protocol::Change;
use crate::protocol::DeleteOp;
use crate::rows::Record;
use serde_json::Value;
use std::borrow::Cow;

impl Record for Role {
    const KIND: &'static str = "roles";
    type Rows = Vec<Self>;
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.description.clone(),
            self.permissions.len().to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.role_id)
    }
    fn label(&self) -> String {
        format!("role {}", self.name)
    }
}

/// A permission's cell in the grid: (ressource, action); one known only by its id is a cell
/// of its own (no ressource, the id as action).
pub(crate) fn cell_of(p: &Permission) -> (&String, &String) {
    if p.ressource.is_empty() || p.action.is_empty() {
        (&p.ressource, &p.permission_id)
    } else {
        (&p.ressource, &p.action)
    }
}

/// The grid's cells: every permission given, once, grouped by ressource (the core's usual
/// ressources and actions first, then the others alphabetically).
pub fn permission_cells<'a>(perms: impl Iterator<Item = &'a Permission>) -> Vec<(String, String)> {
    const RESSOURCES: [&str; 4] = ["users", "roles", "client_site", "equipements"];
    const ACTIONS: [&str; 4] = ["read", "create", "update", "delete"];
    fn rank<'s>(known: &[&str], s: &'s str) -> (usize, &'s str) {
        (known.iter().position(|k| *k == s).unwrap_or(known.len()), s)
    }
    let mut cells: Vec<(String, String)> = Vec::new();
    for p in perms {
        let (r, a) = cell_of(p);
        if a.is_empty() || cells.iter().any(|(x, y)| x == r && y == a) {
            continue;
        }
        cells.push((r.clone(), a.clone()));
    }
    cells.sort_by(|(r1, a1), (r2, a2)| {
        rank(&RESSOURCES, r1)
            .cmp(&rank(&RESSOURCES, r2))
            .then(rank(&ACTIONS, a1).cmp(&rank(&ACTIONS, a2)))
    });
    cells
}

/// `ressource:action` items typed in a list (commas or spaces between them); `:id` names a
/// permission by its id.
pub(crate) fn typed_permissions(s: &str) -> Vec<(String, String)> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|x| x.trim().split_once(':'))
        .filter(|(_, a)| !a.trim().is_empty())
        .map(|(r, a)| (r.trim().to_string(), a.trim().to_string()))
        .collect()
}

impl Form {
    /// `catalogue`: the permissions the server reports (every role's): the grid's rows and
    /// columns. The role's own permissions are always in it, whatever they are.
    pub fn role(existing: Option<&Role>, catalogue: &[Permission]) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let cells = permission_cells(catalogue.iter().chain(&e.permissions));
        let on = cells
            .iter()
            .map(|(r, a)| e.permissions.iter().any(|p| cell_of(p) == (r, a)))
            .collect();
        let mut grid = Field::new(
            "permissions",
            "Permissions",
            FieldKind::Grid {
                cells,
                on,
                cursor: 0,
            },
            false,
        );
        grid.initial = grid.value();
        let fields = vec![
            Field::new("name", "Name", FieldKind::Text { min: 1, max: 100 }, true)
                .with_value(&e.name),
            Field::new(
                "description",
                "Description",
                FieldKind::Text { min: 0, max: 500 },
                false,
            )
            .with_value(&e.description),
            grid,
            Field::new(
                "permissions_add",
                "More (ressource:action, …)",
                FieldKind::Permissions,
                false,
            ),
        ];
        let mut f = Form::build(FormKind::Role, existing.map(|r| r.role_id.clone()), fields)
            .with_seen(existing);
        f.permissions = e.permissions;
        f
    }

    /// A role form's permissions: (the whole set wanted, those of it the role lacks, those
    /// it holds that go). The set is what the server sent with the user's changes: the grid's
    /// cells switched off are removed, those switched on and the typed ones added; nothing
    /// else is touched.
    pub fn role_permissions(&self) -> (Vec<Permission>, Vec<Permission>, Vec<Permission>) {
        let grid = self.field("permissions").map(|f| &f.kind);
        let Some(FieldKind::Grid { cells, on, .. }) = grid else {
            return (self.permissions.clone(), Vec::new(), Vec::new());
        };
        let is_on = |p: &Permission| {
            let (r, a) = cell_of(p);
            !cells
                .iter()
                .zip(on)
                .any(|((cr, ca), o)| cr == r && ca == a && !*o)
        };
        let (mut wanted, removed): (Vec<Permission>, Vec<Permission>) =
            self.permissions.iter().cloned().partition(|p| is_on(p));
        let mut added = Vec::new();
        let switched_on = cells
            .iter()
            .zip(on)
            .filter(|(_, o)| **o)
            .map(|(c, _)| c.clone());
        for (r, a) in switched_on.chain(typed_permissions(&self.val("permissions_add"))) {
            if !wanted.iter().any(|p| cell_of(p) == (&r, &a)) {
                let p = if r.is_empty() {
                    Permission {
                        permission_id: a,
                        ..Default::default()
                    }
                } else {
                    Permission::new(&r, &a)
                };
                wanted.push(p.clone());
                added.push(p);
            }
        }
        (wanted, added, removed)
    }

    /// A role form set from a whole list of permissions (`$EDITOR`): the grid's cells on for
    /// those listed, off for the others; those without a cell go to the typed field.
    pub fn set_permissions(&mut self, perms: &[Permission]) {
        let mut extra = Vec::new();
        if let Some(FieldKind::Grid { cells, on, .. }) = self
            .fields
            .iter_mut()
            .find(|f| f.key == "permissions")
            .map(|f| &mut f.kind)
        {
            for (cell, o) in cells.iter().zip(on.iter_mut()) {
                *o = perms.iter().any(|p| cell_of(p) == (&cell.0, &cell.1));
            }
            for p in perms {
                let (r, a) = cell_of(p);
                if !a.is_empty() && !cells.iter().any(|c| (&c.0, &c.1) == (r, a)) {
                    extra.push(format!("{r}:{a}"));
                }
            }
        }
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "permissions") {
            f.touched = true;
        }
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "permissions_add") {
            f.set_text(&extra.join(", "));
        }
    }

    /// The creation, or the fields changed, a role form sends: each permission switched on
    /// or off is a field of its own (`perm:ressource:action`), so one added meanwhile by
    /// someone else is never taken away.
    pub(crate) fn role_change(&self) -> Option<Change> {
        let (wanted, added, removed) = self.role_permissions();
        if self.record_id.is_none() {
            return Some(Change::create(Create::Role(NewRole {
                name: self.val("name").trim().to_string(),
                description: self.val("description"),
                permissions: wanted.iter().map(PermissionRef::from).collect(),
            })));
        }
        let mut c = self.edit_change(change::Kind::Role, |f, v| match f.key.as_ref() {
            "name" => Some(trimmed(v)),
            "description" => Some(Value::String(v.to_string())),
            _ => None,
        })?;
        if let change::Op::Edit(e) = &mut c.op {
            for (p, on) in added
                .iter()
                .map(|p| (p, true))
                .chain(removed.iter().map(|p| (p, false)))
            {
                let key = change::perm_key(p);
                let seen = self
                    .seen_value(change::Kind::Role, &key, || None)
                    .or(Some(Value::Bool(!on)));
                e.fields
                    .push(change::FieldChange::new(key, seen, Value::Bool(on)));
            }
        }
        Some(c)
    }
}

impl Item for Role {
    fn id_text(&self) -> String {
        self.role_id.clone()
    }
    fn heading(&self) -> String {
        crate::i18n::trf("Role {}", &[&safe(&self.name)])
    }
    fn fields(&self, _: Option<&str>) -> Vec<(&'static str, String)> {
        let mut perms: Vec<String> = self.permissions.iter().map(|p| p.key()).collect();
        perms.sort();
        vec![
            ("Name", self.name.clone()),
            ("Description", self.description.clone()),
            ("Permissions", perms.join("\n")),
            ("Created", ts(&self.timestamp)),
            ("Role id", self.role_id.clone()),
        ]
    }
    fn json(&self) -> serde_json::Value {
        to_json(self)
    }
    fn problem(&self) -> Option<&str> {
        crate::api::items::Marked::problem(self)
    }
    fn things(&self) -> &'static str {
        "roles"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        let q = crate::i18n::trf("Delete {}?", &[&self.label()]);
        Ok((q, DeleteOp::Role(self.role_id.clone())))
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        Some(Form::role(Some(self), &app.permission_catalogue()))
    }
}

impl Kind for Role {
    fn title(_: &App) -> &'static str {
        tr("Roles")
    }
    fn new_form(app: &mut App) -> Form {
        Form::role(None, &app.permission_catalogue())
    }
}

pub(super) fn saved(app: &mut App, mut r: Role) -> String {
    // `add_permissions` answers without the timestamp: keep the one known.
    if r.timestamp.is_none()
        && let Some(old) = app
            .lists
            .roles
            .items
            .iter()
            .find(|o| o.role_id == r.role_id)
    {
        r.timestamp = old.timestamp.clone();
    }
    let label = r.label();
    app.update_detail(DetailTarget::Role(r.clone()));
    app.lists.roles.upsert(r);
    crate::i18n::trf("Saved {}", &[&label])
}

pub(super) fn deleted(app: &mut App, id: &str) -> &'static str {
    app.lists.roles.remove(id);
    "role deleted"
}
