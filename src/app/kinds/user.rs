//! A core user: its list columns, its form and what saving it sends.

use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::NewUser;
use crate::app::User;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::integer;
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

impl Record for User {
    const KIND: &'static str = "users";
    type Rows = Vec<Self>;
    fn cells(&self) -> Vec<String> {
        vec![
            self.matricule.map(|m| m.to_string()).unwrap_or_default(),
            self.nom.clone(),
            self.email.clone(),
            self.role_name.clone(),
            self.status.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.user_id)
    }
    fn label(&self) -> String {
        format!("user {} ({})", self.nom, self.email)
    }
}

impl Form {
    /// `roles`: (role_id, name) pairs.
    pub fn user(existing: Option<&User>, roles: Vec<(String, String)>) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let editing = existing.is_some();
        let fields = vec![
            Field::new(
                "matricule",
                "Matricule",
                FieldKind::Integer {
                    min: 1,
                    max: i64::from(i32::MAX),
                },
                true,
            )
            .with_value(&e.matricule.map(|m| m.to_string()).unwrap_or_default()),
            Field::new("nom", "Name", FieldKind::Text { min: 1, max: 200 }, true)
                .with_value(&e.nom),
            // The schema's `user@example.com`: pydantic's EmailStr, the service's own rule.
            Field::new("email", "Email", FieldKind::Email, true)
                .strict()
                .with_value(&e.email),
            // On edit, an empty password means "unchanged".
            Field::new(
                "password",
                "Password",
                FieldKind::Password { min: 8 },
                !editing,
            ),
            Field::new(
                "role_id",
                "Role",
                FieldKind::Choice {
                    options: roles,
                    selected: None,
                },
                true,
            )
            .with_value(&e.role_id),
        ];
        Form::build(FormKind::User, existing.map(|u| u.user_id.clone()), fields).with_seen(existing)
    }

    /// The creation, or the fields changed, a user form sends.
    pub(crate) fn user_change(&self) -> Option<Change> {
        if self.record_id.is_none() {
            return Some(Change::create(Create::User(NewUser {
                matricule: self.val("matricule").trim().parse().unwrap_or_default(),
                nom: self.val("nom").trim().to_string(),
                email: self.val("email").trim().to_string(),
                password: self.val("password"),
                role_id: self.val("role_id"),
            })));
        }
        self.edit_change(change::Kind::User, |f, v| match f.key.as_ref() {
            "matricule" => integer(v),
            "nom" | "email" => Some(trimmed(v)),
            // Empty on an edit: unchanged.
            "password" => (!v.is_empty()).then(|| Value::String(v.to_string())),
            "role_id" => Some(Value::String(v.to_string())),
            _ => None,
        })
    }
}

impl Item for User {
    fn id_text(&self) -> String {
        self.user_id.clone()
    }
    fn heading(&self) -> String {
        crate::i18n::trf("User {}", &[&safe(&self.nom)])
    }
    fn fields(&self, _: Option<&str>) -> Vec<(&'static str, String)> {
        vec![
            (
                "Matricule",
                self.matricule.map(|m| m.to_string()).unwrap_or_default(),
            ),
            ("Name", self.nom.clone()),
            ("Email", self.email.clone()),
            ("Role", self.role_name.clone()),
            ("Status", self.status.clone()),
            ("Created", ts(&self.timestamp)),
            ("User id", self.user_id.clone()),
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
        "users"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        let q = crate::i18n::trf(
            "Deactivate {}? They will no longer be able to log in.",
            &[&self.label()],
        );
        Ok((q, DeleteOp::User(self.user_id.clone())))
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        let roles = app.role_choices();
        Some(Form::user(Some(self), roles))
    }
}

impl Kind for User {
    fn title(_: &App) -> &'static str {
        tr("Users · core")
    }
    fn new_form(app: &mut App) -> Form {
        let roles = app.role_choices();
        Form::user(None, roles)
    }
}

pub(super) fn saved(app: &mut App, u: User) -> String {
    let label = u.label();
    app.update_detail(DetailTarget::User(u.clone()));
    app.lists.users.upsert(u);
    crate::i18n::trf("Saved {}", &[&label])
}

/// Core users are deactivated, not removed: the row stays, its status changes.
pub(super) fn deleted(app: &mut App, id: &str) -> &'static str {
    if let Some(pos) = app.lists.users.items.iter().position(|u| u.user_id == id) {
        let mut u = app.lists.users.items[pos].clone();
        u.status = "deactivated".into();
        app.update_detail(DetailTarget::User(u.clone()));
        app.lists.users.upsert(u);
    }
    "user deactivated"
}
