//! A Maarch user: list columns, its form, its group/entity/Parapheur links.

use crate::app::kinds::Stored;
use crate::change;

use crate::api::maarch::MODES;
use crate::api::maarch::NewMaarchUser;
use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::MaarchUser;
use crate::app::MaarchUserDetails;
use crate::app::kinds::Ask;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::opt;
use crate::app::kinds::safe;
use crate::app::kinds::to_json;
use crate::app::kinds::trimmed;
use crate::change::Create;
use crate::i18n::tr;
use crate::protocol::Change;
use crate::protocol::DeleteOp;
use crate::protocol::Payload;
use crate::rows::Record;
use serde_json::Value;
use std::borrow::Cow;

impl crate::api::items::Marked for MaarchUser {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl Record for MaarchUser {
    const KIND: &'static str = "maarch_users";
    type Rows = Vec<Self>;
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.user_id.clone(),
            self.firstname.clone(),
            self.lastname.clone(),
            self.mail.clone().unwrap_or_default(),
            self.status_label().to_string(),
            self.mode.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id.to_string())
    }
    fn label(&self) -> String {
        format!(
            "Maarch user {} ({} {})",
            self.user_id, self.firstname, self.lastname
        )
    }
}

impl Form {
    /// A Maarch user: `existing` as read (its unseen keys start empty and are asked about
    /// before a save would erase them).
    pub fn maarch_user(existing: Option<&MaarchUserDetails>) -> Form {
        let d = existing.cloned().unwrap_or_default();
        let e = &d.user;
        let editing = existing.is_some();
        let mut fields = Vec::new();
        if !editing {
            fields.push(Field::new("userId", "Login", FieldKind::Login, true).strict());
        }
        let modes = MODES
            .iter()
            .map(|m| (m.to_string(), m.to_string()))
            .collect();
        let mode = if e.mode.is_empty() {
            "standard"
        } else {
            &e.mode
        };
        // Maarch's own limits (firstname and lastname 1–255, initials 32, mail and phone as it
        // checks them): strict. The mail is optional on an update.
        fields.extend([
            Field::new(
                "firstname",
                "First name",
                FieldKind::Text { min: 1, max: 255 },
                true,
            )
            .strict()
            .not_received(d.is_unseen("firstname"))
            .with_value(&e.firstname),
            Field::new(
                "lastname",
                "Last name",
                FieldKind::Text { min: 1, max: 255 },
                true,
            )
            .strict()
            .not_received(d.is_unseen("lastname"))
            .with_value(&e.lastname),
            Field::new(
                "initials",
                "Initials",
                FieldKind::Text { min: 0, max: 32 },
                false,
            )
            .strict()
            .not_received(d.is_unseen("initials"))
            .with_value(e.initials.as_deref().unwrap_or_default()),
            // Maarch checks the mail with PHP's FILTER_VALIDATE_EMAIL, not ours: advice.
            Field::new("mail", "Email", FieldKind::Email, !editing)
                .not_received(d.is_unseen("mail"))
                .with_value(e.mail.as_deref().unwrap_or_default()),
            Field::new("phone", "Phone", FieldKind::Phone, false)
                .strict()
                .not_received(d.is_unseen("phone"))
                .with_value(e.phone.as_deref().unwrap_or_default()),
            Field::new(
                "mode",
                "Mode",
                FieldKind::Choice {
                    options: modes,
                    selected: None,
                },
                true,
            )
            .with_value(mode),
        ]);
        // A suspended or absent user can be made active again (Maarch takes `status: OK`).
        if editing && !e.status.is_empty() && e.status != "OK" {
            let options = vec![
                (e.status.clone(), tr(e.status_label()).to_string()),
                ("OK".to_string(), tr("active").to_string()),
            ];
            fields.push(
                Field::new(
                    "status",
                    "Status",
                    FieldKind::Choice {
                        options,
                        selected: None,
                    },
                    true,
                )
                .with_value(&e.status),
            );
        }
        let seen = existing.map(|d| {
            let mut v = serde_json::to_value(&d.user).unwrap_or_default();
            v["unseen"] = serde_json::json!(d.user.unseen);
            v
        });
        let mut f = Form::build(
            FormKind::MaarchUser,
            existing.map(|d| d.user.id.to_string()),
            fields,
        );
        f.seen = seen;
        f
    }

    /// Adds a group (`entity == false`) or an entity to a Maarch user.
    pub fn maarch_link(user: &MaarchUser, entity: bool, options: Vec<(String, String)>) -> Form {
        let (kind, key, label) = if entity {
            (FormKind::AddEntity, "entityId", "Entity")
        } else {
            (FormKind::AddGroup, "groupId", "Group")
        };
        let options = options
            .into_iter()
            .map(|(id, label)| {
                let l = format!("{id} — {label}");
                (id, l)
            })
            .collect();
        let mut f = Form::build(
            kind,
            Some(user.id.to_string()),
            vec![Field::new(
                key,
                label,
                FieldKind::Choice {
                    options,
                    selected: None,
                },
                true,
            )],
        );
        f.subject = user.user_id.clone();
        f
    }

    pub fn parapheur_link(user: &MaarchUser) -> Form {
        let mut f = Form::build(
            FormKind::ParapheurLink,
            Some(user.id.to_string()),
            vec![Field::new(
                "maarchParapheurUserId",
                "Maarch Parapheur user id",
                FieldKind::Integer {
                    min: 1,
                    max: i64::MAX,
                },
                true,
            )],
        );
        f.subject = user.user_id.clone();
        f
    }

    pub fn parapheur_create(user: &MaarchUser) -> Form {
        let mut f = Form::build(
            FormKind::ParapheurCreate,
            Some(user.id.to_string()),
            vec![
                // Maarch checks only that a login is given.
                Field::new("login", "Login in Maarch Parapheur", FieldKind::Login, true)
                    .with_value(&user.user_id),
            ],
        );
        // The suggested login is ready to send as is.
        f.fields[0].initial = String::new();
        f.subject = user.user_id.clone();
        f
    }

    /// The creation, or the fields changed (the change room writes the others as the server
    /// holds them then); an unseen value left alone goes into `erase` once the user agreed.
    pub(crate) fn maarch_user_change(&self) -> Option<Change> {
        if self.record_id.is_none() {
            return Some(Change::create(Create::MaarchUser(NewMaarchUser {
                user_id: self.val("userId").trim().to_string(),
                firstname: self.val("firstname").trim().to_string(),
                lastname: self.val("lastname").trim().to_string(),
                initials: opt(self.val("initials")),
                mail: self.val("mail").trim().to_string(),
                phone: opt(self.val("phone")),
                mode: opt(self.val("mode")),
            })));
        }
        let mut c = self.edit_change(change::Kind::MaarchUser, |f, v| {
            let written = crate::api::maarch::WRITTEN_KEYS.contains(&f.key.as_ref());
            (written || matches!(f.key.as_ref(), "mode" | "status")).then(|| trimmed(v))
        })?;
        if let change::Op::Edit(e) = &mut c.op
            && self.agreed.contains(&Ask::Erase)
        {
            e.erase = self.unkept().iter().map(|f| f.key.to_string()).collect();
        }
        Some(c)
    }

    /// A group (`to` = `group`) or entity added to, or removed from, a Maarch user: a field
    /// of the user (`group:AGENT`), whatever its role when added.
    pub fn link_change(user: i64, to: &str, id: &str, add: bool) -> Change {
        let wanted = if add {
            Value::Object(Default::default())
        } else {
            Value::Null
        };
        Change::edit(
            change::Kind::MaarchUser,
            user.to_string(),
            vec![change::FieldChange::new(
                change::values::link_key(to, id),
                None,
                wanted,
            )],
        )
    }

    /// A group added.
    pub(crate) fn add_group_change(&self) -> Option<Change> {
        let user: i64 = self.record_id.clone()?.parse().ok()?;
        Some(Form::link_change(user, "group", &self.val("groupId"), true))
    }

    /// An entity added.
    pub(crate) fn add_entity_change(&self) -> Option<Change> {
        let user: i64 = self.record_id.clone()?.parse().ok()?;
        Some(Form::link_change(
            user,
            "entity",
            &self.val("entityId"),
            true,
        ))
    }

    /// A Parapheur link.
    pub(crate) fn parapheur_link_change(&self) -> Option<Change> {
        let id = self.record_id.clone()?;
        let a = change::Action::LinkParapheur {
            user: id.parse().ok()?,
            parapheur_id: self.val("maarchParapheurUserId").trim().parse().ok()?,
        };
        Some(Change::action(change::Kind::MaarchUser, id, a))
    }

    /// A Parapheur account created and linked.
    pub(crate) fn parapheur_create_change(&self) -> Option<Change> {
        let id = self.record_id.clone()?;
        let a = change::Action::CreateInParapheur {
            user: id.parse().ok()?,
            login: self.val("login").trim().to_string(),
        };
        Some(Change::action(change::Kind::MaarchUser, id, a))
    }
}

impl Item for MaarchUserDetails {
    fn id_text(&self) -> String {
        self.user.id.to_string()
    }
    fn heading(&self) -> String {
        crate::i18n::trf("Maarch user {}", &[&safe(&self.user.user_id)])
    }
    fn fields(&self, _: Option<&str>) -> Vec<(&'static str, String)> {
        let u = &self.user;
        let parapheur = match self.parapheur_id {
            Some(id) => crate::i18n::trf("linked (Parapheur id {})", &[&id]),
            None => tr("not linked").into(),
        };
        // A value the server did not send is said so, not shown as empty.
        let shown = |key: &str, v: &Option<String>| match v {
            _ if self.fetched && self.is_unseen(key) => tr("(not sent by the server)").to_string(),
            Some(v) => v.clone(),
            None => String::new(),
        };
        vec![
            ("Login", u.user_id.clone()),
            ("First name", u.firstname.clone()),
            ("Last name", u.lastname.clone()),
            ("Initials", shown("initials", &u.initials)),
            ("Email", u.mail.clone().unwrap_or_default()),
            ("Phone", shown("phone", &u.phone)),
            ("Status", format!("{} ({})", u.status, u.status_label())),
            ("Mode", u.mode.clone()),
            ("Parapheur", parapheur),
            ("Maarch id", u.id.to_string()),
        ]
    }
    /// What the server did not send is not shown as empty: it is left out.
    fn json(&self) -> serde_json::Value {
        let mut v = to_json(&self.user);
        if let serde_json::Value::Object(m) = &mut v {
            for k in &self.user.unseen {
                m.remove(k);
            }
        }
        v
    }
    fn problem(&self) -> Option<&str> {
        crate::api::items::Marked::problem(&self.user)
    }
    fn things(&self) -> &'static str {
        "Maarch users"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        Err(tr(
            "Maarch users are not deleted through this API: edit them, or suspend them in Maarch",
        ))
    }
    fn unreadable(&self) -> bool {
        false
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        if self.fetched {
            return Some(Form::maarch_user(Some(self)));
        }
        // The list lacks the initials and phone the save writes: read them first.
        app.read_maarch_for_edit(self.user.id, false);
        app.status.notice = Some(tr("Reading the user's details…").into());
        None
    }
}

impl Kind for MaarchUser {
    fn title(app: &App) -> &'static str {
        if app.lists.maarch_partial && app.lists.maarch_users.loaded_once {
            tr(
                "Users · Maarch Courrier · maybe partial: Maarch lists only your entities' users to a non-root account",
            )
        } else {
            tr("Users · Maarch Courrier")
        }
    }
    fn new_form(_: &mut App) -> Form {
        Form::maarch_user(None)
    }
    fn land(app: &mut App, id: u64, p: Payload) -> bool {
        let Some(v) = Self::rows(p).filter(|_| app.lists.maarch_users.pending == Some(id)) else {
            return false;
        };
        app.lists.maarch_users.pending = None;
        // Only a root caller (mode root_visible or root_invisible) sees every user.
        let me = app.session.maarch_user.as_deref().unwrap_or_default();
        app.lists.maarch_partial = !v
            .iter()
            .any(|u| u.user_id.eq_ignore_ascii_case(me) && u.mode.starts_with("root_"));
        let changed = app.net.changed_since(id, Self::KIND);
        (app.lists.maarch_users).set_read(crate::rows::Prepared::new(v), &changed, true);
        true
    }
}

/// A Maarch user read back after a change lands in its details and the list; `what`
/// says what changed.
pub(super) fn saved(app: &mut App, d: MaarchUserDetails, what: String) -> String {
    for det in app.details_mut() {
        if let DetailTarget::MaarchUser(cur) = &mut det.target
            && cur.user.id == d.user.id
        {
            *cur = d.clone();
            det.loaded = true;
            if d.parapheur_id.is_none() {
                // Unlinked: the Parapheur login it showed is gone too.
                det.parapheur = None;
            }
        }
    }
    app.lists.maarch_users.upsert(d.user);
    what
}
