//! The one write path. Every change vigie makes to a server — a form, `$EDITOR`, a bulk run,
//! an import, an undo, a Maarch link — is a `Change`, and `execute` is the only code that
//! sends a mutation. It:
//!
//! 1. reads the record fresh with the cheapest read that shows the changed fields (`read`);
//! 2. compares only the changed fields three ways — as the user saw them, as the server
//!    holds them now, as the user wants them (`decide`): a change on one side goes through,
//!    the same field changed on both sides is a conflict, a field no read shows is sent;
//! 3. sends only those fields (`send`);
//! 4. checks the answer, or a read after it, field by field (`verify`): a field the server
//!    did not apply is said so, never "Saved";
//! 5. journals, for the fields it changed only, what the server held just before and after;
//! 6. answers with all of it (`Outcome`), which the console lands whether or not the
//!    screen that asked is still open.
//!
//! Undo is a change like any other: wanted = the journaled before, seen = the journaled
//! after (`undo_fields`).

mod actions;
mod compare;
mod creation;
mod outcome;
mod read;
mod send;
pub mod values;

pub use compare::{Decision, decide, journal_states, undo_fields, verify};
pub use outcome::{Clash, FieldResult, Outcome, Saved, Status, Verdict};
pub use send::{individu_body, role_update};

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use secrecy::SecretString;
use serde_json::Value;

use crate::api::ApiError;
use crate::api::Service;
use crate::api::core::CoreClient;
use crate::api::maarch::{MaarchClient, NewMaarchUser};
use crate::api::model::*;
use crate::api::ocean::{Individu, OceanClient};
use crate::i18n::{tr, trf};
use crate::journal::{Entry, Op as JournalOp};

pub use values::{label, perm_key, same, satisfies, shown, split_link, value_of};

/// One client per configured service.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub core: Option<CoreClient>,
    pub ocean: Option<OceanClient>,
    pub maarch: Option<MaarchClient>,
}

fn missing(s: Service) -> ApiError {
    ApiError::Config(trf(
        "{} is not configured for this profile (no [profiles.<name>.{}] section)",
        &[&s.name(), &s.section()],
    ))
}

impl Clients {
    pub fn core(&self) -> Result<&CoreClient, ApiError> {
        self.core.as_ref().ok_or_else(|| missing(Service::Core))
    }
    pub fn ocean(&self) -> Result<&OceanClient, ApiError> {
        self.ocean.as_ref().ok_or_else(|| missing(Service::Ocean))
    }
    pub fn maarch(&self) -> Result<&MaarchClient, ApiError> {
        self.maarch.as_ref().ok_or_else(|| missing(Service::Maarch))
    }
}

/// The kinds of records a change writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Site,
    Equipement,
    User,
    Role,
    Individu,
    MaarchUser,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Site,
        Kind::Equipement,
        Kind::User,
        Kind::Role,
        Kind::Individu,
        Kind::MaarchUser,
    ];

    /// Its name in the journal (and `assets/columns.toml`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Site => "sites",
            Kind::Equipement => "equipements",
            Kind::User => "users",
            Kind::Role => "roles",
            Kind::Individu => "individus",
            Kind::MaarchUser => "maarch_users",
        }
    }

    pub fn named(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn service(self) -> Service {
        match self {
            Kind::Individu => Service::Ocean,
            Kind::MaarchUser => Service::Maarch,
            _ => Service::Core,
        }
    }
}

/// A field the user changed: its value as they saw it (`None`: not known, as for a bulk
/// link on a user whose links were not read) and the value they want.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub key: String,
    pub seen: Option<Value>,
    pub wanted: Value,
}

impl FieldChange {
    pub fn new(key: impl Into<String>, seen: Option<Value>, wanted: Value) -> Self {
        FieldChange {
            key: key.into(),
            seen,
            wanted,
        }
    }
}

/// A record created: the body as each API takes it.
#[derive(Debug, Clone)]
pub enum Create {
    Site(NewSite),
    Equipement(NewEquipement),
    User(NewUser),
    Role(NewRole),
    Individu {
        body: Individu,
        start: Option<DateTime<FixedOffset>>,
        end: Option<DateTime<FixedOffset>>,
    },
    MaarchUser(NewMaarchUser),
}

impl Create {
    pub fn kind(&self) -> Kind {
        match self {
            Create::Site(_) => Kind::Site,
            Create::Equipement(_) => Kind::Equipement,
            Create::User(_) => Kind::User,
            Create::Role(_) => Kind::Role,
            Create::Individu { .. } => Kind::Individu,
            Create::MaarchUser(_) => Kind::MaarchUser,
        }
    }
}

/// Writes that are not a record's fields: sent as they are, their answer said.
#[derive(Debug, Clone)]
pub enum Action {
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
    LinkParapheur {
        user: i64,
        parapheur_id: i64,
    },
    CreateInParapheur {
        user: i64,
        login: String,
    },
    UnlinkParapheur(i64),
}

/// Fields of a record changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    pub fields: Vec<FieldChange>,
    /// Fields the user left alone, as they saw them: one another admin changed meanwhile is
    /// kept as the server has it, and named in the outcome.
    pub watch: Vec<(String, Value)>,
    /// Fields the server does not show this caller that the save may erase (Maarch writes
    /// them whatever the body holds): agreed by the user before.
    pub erase: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Op {
    Create(Create),
    Edit(Edit),
    Delete,
    Action(Action),
}

/// One write, as the user asked it.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: Kind,
    /// The record (empty for a creation; the user for a Maarch link or Parapheur action).
    pub id: String,
    /// An equipement: the site it was seen on (the cheapest read that finds it).
    pub site: Option<String>,
    pub op: Op,
    /// How the record is named ("equipement 10.0.0.1:80 (Axis P1)"), for the journal.
    pub label: String,
    /// Who is logged in, for the journal.
    pub who: String,
    /// The journal entry this change undoes.
    pub undoes: Option<u64>,
    /// The import this change belongs to.
    pub batch: Option<u64>,
}

impl Change {
    pub fn new(kind: Kind, id: impl Into<String>, op: Op) -> Change {
        Change {
            kind,
            id: id.into(),
            site: None,
            op,
            label: String::new(),
            who: String::new(),
            undoes: None,
            batch: None,
        }
    }

    pub fn create(c: Create) -> Change {
        Change::new(c.kind(), "", Op::Create(c))
    }

    pub fn edit(kind: Kind, id: impl Into<String>, fields: Vec<FieldChange>) -> Change {
        Change::new(
            kind,
            id,
            Op::Edit(Edit {
                fields,
                ..Default::default()
            }),
        )
    }

    pub fn delete(kind: Kind, id: impl Into<String>) -> Change {
        Change::new(kind, id, Op::Delete)
    }

    pub fn action(kind: Kind, id: impl Into<String>, a: Action) -> Change {
        Change::new(kind, id, Op::Action(a))
    }

    pub fn on_site(mut self, site: Option<String>) -> Change {
        self.site = site.filter(|s| !s.is_empty());
        self
    }

    pub fn labelled(mut self, label: impl Into<String>) -> Change {
        self.label = label.into();
        self
    }

    /// The fields an edit changes (none for other changes).
    pub fn fields(&self) -> &[FieldChange] {
        match &self.op {
            Op::Edit(e) => &e.fields,
            _ => &[],
        }
    }

    /// The value an edit wants for `key`.
    pub fn wanted(&self, key: &str) -> Option<&Value> {
        self.fields()
            .iter()
            .find(|f| f.key == key)
            .map(|f| &f.wanted)
    }

    /// What a creation sends.
    pub fn created(&self) -> Option<&Create> {
        match &self.op {
            Op::Create(c) => Some(c),
            _ => None,
        }
    }

    /// An account action or a link to Maarch Parapheur.
    pub fn action_sent(&self) -> Option<&Action> {
        match &self.op {
            Op::Action(a) => Some(a),
            _ => None,
        }
    }

    pub fn service(&self) -> Service {
        match &self.op {
            Op::Action(
                Action::AssignEntity { .. }
                | Action::ChangePassword { .. }
                | Action::PasswordReset { .. },
            ) => Service::Ocean,
            Op::Action(_) => Service::Maarch,
            _ => self.kind.service(),
        }
    }

    /// Whether it writes a record the journal keeps (account actions do not).
    pub fn journaled(&self) -> bool {
        !matches!(
            self.op,
            Op::Action(Action::ChangePassword { .. } | Action::PasswordReset { .. })
        )
    }
}

/// The record's label for the journal, from the change or the record.
fn entry_for(
    ch: &Change,
    id: &str,
    op: JournalOp,
    before: Option<Value>,
    after: Option<Value>,
) -> Entry {
    let mut e =
        Entry::now(ch.kind.service().section(), ch.kind.name(), id, op).with_states(before, after);
    e.label = ch.label.clone();
    e.who = ch.who.clone();
    e.undoes = ch.undoes;
    e.batch = ch.batch;
    e
}

/// Carries out a change: the six steps above. An error is a refusal or a failure of the
/// write (or of the read before it): nothing was changed by it that vigie knows of.
pub async fn execute(c: &Clients, ch: Change) -> Result<Outcome, ApiError> {
    let mut out = match &ch.op {
        Op::Create(_) => creation::create(c, &ch).await,
        Op::Edit(edit) => edit_record(c, &ch, edit).await,
        Op::Delete => delete(c, &ch).await,
        Op::Action(a) => actions::action(c, &ch, a).await,
    }?;
    out.kind = Some(ch.kind);
    Ok(out)
}

/// A read after a write that succeeded: its failure is no failure of the change (it is on
/// the server), only words saying what could not be checked.
pub(crate) fn after_write<T>(r: Result<T, ApiError>, notes: &mut Vec<String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push(trf(
                "sent; reading it back failed ({}): not checked",
                &[&crate::text::sanitize(&e.to_string())],
            ));
            None
        }
    }
}

async fn edit_record(c: &Clients, ch: &Change, edit: &Edit) -> Result<Outcome, ApiError> {
    // 1. The record as the server holds it now.
    let Some(fresh) = read::fresh(c, ch.kind, &ch.id, ch.site.as_deref()).await? else {
        return Ok(Outcome::new(Verdict::Gone, &ch.id));
    };
    let now = |k: &str| value_of(ch.kind, &fresh.json, k);
    // 2. Only the changed fields, three ways.
    let d = decide(edit, now);
    let mut out = Outcome::new(Verdict::Applied, &ch.id);
    out.theirs = d.theirs.clone();
    if !d.clashes.is_empty() {
        out.verdict = Verdict::Conflict(d.clashes);
        out.saved = Some(fresh.saved);
        return Ok(out);
    }
    let already: Vec<FieldResult> = d
        .already
        .iter()
        .map(|&i| FieldResult {
            key: edit.fields[i].key.clone(),
            status: Status::Already,
        })
        .collect();
    if d.send.is_empty() {
        out.verdict = Verdict::Unchanged;
        out.fields = already;
        out.saved = Some(fresh.saved);
        return Ok(out);
    }
    let sent: Vec<&FieldChange> = d.send.iter().map(|&i| &edit.fields[i]).collect();
    // 3. Only those fields.
    let answer = send::edit(c, ch, edit, &sent, &fresh).await?;
    // 4. What the server did, from its answer or a read after it.
    let mut notes = answer.notes.clone();
    let after_json = match answer.json {
        Some(j)
            if sent
                .iter()
                .all(|f| value_of(ch.kind, &j, &f.key).is_some() || now(&f.key).is_none()) =>
        {
            Some(j)
        }
        _ => match after_write(read::after(c, ch, &sent, &fresh).await, &mut notes) {
            Some(Some(r)) => {
                out.saved = Some(r.saved);
                Some(r.json)
            }
            Some(None) => {
                notes.push(tr("sent; gone right after: not checked").into());
                None
            }
            None => None,
        },
    };
    if out.saved.is_none() {
        out.saved = answer.saved;
    }
    let mut results = match &after_json {
        Some(j) => verify(&sent, now, |k| value_of(ch.kind, j, k)),
        // Sent, but nothing says what it became.
        None => sent
            .iter()
            .map(|f| FieldResult {
                key: f.key.clone(),
                status: Status::Unchecked,
            })
            .collect(),
    };
    // 5. The journal: the fields the server changed, as it held them before and after (what
    // was sent, when it could not be read back).
    let wanted = |k: &str| sent.iter().find(|f| f.key == k).map(|f| f.wanted.clone());
    let after = |k: &str| match &after_json {
        Some(j) => value_of(ch.kind, j, k),
        None => wanted(k),
    };
    let journaled: Vec<FieldResult> = results
        .iter()
        .map(|r| match r.status {
            Status::Unchecked if after_json.is_none() => FieldResult {
                key: r.key.clone(),
                status: Status::Applied,
            },
            _ => r.clone(),
        })
        .collect();
    if ch.journaled()
        && let Some((b, a)) = journal_states(&journaled, now, after)
    {
        let mut e = entry_for(ch, &ch.id, JournalOp::Update, Some(b), Some(a));
        e.site = after("site_id")
            .and_then(|v| v.as_str().map(str::to_string))
            .or_else(|| fresh.site.clone())
            .filter(|_| ch.kind == Kind::Equipement);
        out.entry = Some(e);
    }
    results.extend(already);
    out.fields = results;
    out.message = answer.message;
    out.notes = notes;
    Ok(out)
}

async fn delete(c: &Clients, ch: &Change) -> Result<Outcome, ApiError> {
    // What the server held just before: the journal keeps it (undo re-creates from it).
    let Some(fresh) = read::fresh(c, ch.kind, &ch.id, ch.site.as_deref()).await? else {
        return Ok(Outcome::new(Verdict::Gone, &ch.id));
    };
    send::delete(c, ch).await?;
    let mut out = Outcome::new(Verdict::Applied, &ch.id);
    // A core user is deactivated, not removed: what it became is read back.
    let after = if ch.kind == Kind::User {
        let r = after_write(read::fresh(c, ch.kind, &ch.id, None).await, &mut out.notes).flatten();
        r.map(|r| {
            out.saved = Some(r.saved);
            r.json
        })
    } else {
        out.deleted = true;
        None
    };
    let mut e = entry_for(ch, &ch.id, JournalOp::Delete, Some(fresh.json), after);
    if ch.kind == Kind::Equipement {
        e.site = fresh.site;
    }
    out.entry = Some(e);
    Ok(out)
}

/// A creation's answer checked against what was sent: `body` the fields sent (secrets
/// aside), `answer` the record as created.
pub(crate) fn check_created(kind: Kind, body: &Value, answer: &Value) -> Vec<FieldResult> {
    let Some(m) = body.as_object() else {
        return Vec::new();
    };
    m.iter()
        .filter(|(k, _)| !values::secret(k))
        .filter_map(|(k, w)| {
            let a = value_of(kind, answer, k)?;
            let status = if satisfies(k, &a, w) {
                Status::Applied
            } else {
                Status::AppliedAs(a)
            };
            Some(FieldResult {
                key: k.clone(),
                status,
            })
        })
        .collect()
}

/// A few words per field the server did not apply, for the status line.
pub fn not_applied_words(o: &Outcome, label_of: impl Fn(&str) -> String) -> Option<String> {
    let missed = o.not_applied();
    if missed.is_empty() {
        return None;
    }
    let parts: Vec<String> = missed
        .iter()
        .map(|(k, v)| {
            let kept = shown(k, v);
            if kept.is_empty() {
                label_of(k)
            } else {
                trf("{} (the server kept {})", &[&label_of(k), &kept])
            }
        })
        .collect();
    Some(trf("not applied by the server: {}", &[&parts.join(", ")]))
}

/// Counts of a change's field results by status, for tests and logs.
pub fn tally(o: &Outcome) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for f in &o.fields {
        let k = match f.status {
            Status::Applied => "applied",
            Status::NotApplied(_) => "not applied",
            Status::AppliedAs(_) => "applied as",
            Status::Unchecked => "unchecked",
            Status::Already => "already",
        };
        *m.entry(k).or_default() += 1;
    }
    m
}

#[cfg(test)]
mod tests;
