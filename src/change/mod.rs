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

mod read;
mod send;
pub mod values;

pub use send::{individu_body, role_update};

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::api::ApiError;
use crate::api::Service;
use crate::api::core::CoreClient;
use crate::api::maarch::{MaarchClient, MaarchUserDetails, NewMaarchUser};
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

/// A record as the server answered it (or holds it now), for the console to show.
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

/// A field changed both by the user and, meanwhile, on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Clash {
    pub key: String,
    /// As the user saw it.
    pub seen: Option<Value>,
    /// As the server holds it now.
    pub theirs: Value,
    /// As the user wants it.
    pub mine: Value,
}

/// What became of one field sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Applied,
    /// The server answered with the value it held before: it ignored the field.
    NotApplied(Value),
    /// The server wrote another value than the one sent (its own normalisation).
    AppliedAs(Value),
    /// No answer nor read shows this field (a password): sent, not checkable.
    Unchecked,
    /// The server already held the wanted value: not sent.
    Already,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldResult {
    pub key: String,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Sent; see each field's status.
    Applied,
    /// Nothing sent: these fields changed on both sides.
    Conflict(Vec<Clash>),
    /// Nothing sent: the record is gone.
    Gone,
    /// Nothing sent: the server already holds every wanted value.
    Unchanged,
}

/// What a change did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The record after the change (or as it is now, when nothing was sent).
    pub saved: Option<Saved>,
    /// The record is gone (deleted by this change).
    pub deleted: bool,
    pub fields: Vec<FieldResult>,
    /// Fields the user left alone that someone else changed meanwhile (kept as theirs).
    pub theirs: Vec<String>,
    /// What to journal (none when nothing changed).
    pub entry: Option<Entry>,
    /// The server's own words (Ocean's statuses, a created record's id).
    pub message: String,
    /// The id of the record the change made or touched.
    pub id: String,
    /// The kind of that record (none in fakes that do not say it).
    pub kind: Option<Kind>,
    /// What could not be done or checked after the write succeeded (a read after that
    /// failed, a second write refused): said beside the outcome, never as its failure.
    pub notes: Vec<String>,
}

impl Outcome {
    fn new(verdict: Verdict, id: &str) -> Outcome {
        Outcome {
            verdict,
            saved: None,
            deleted: false,
            fields: Vec::new(),
            theirs: Vec::new(),
            entry: None,
            message: String::new(),
            id: id.to_string(),
            kind: None,
            notes: Vec::new(),
        }
    }

    /// What a server that did exactly as asked answers (fakes and tests): applied, the
    /// record as `saved`.
    pub fn applied(saved: Saved) -> Outcome {
        let id = match &saved {
            Saved::Site(s) => s.site_id.clone(),
            Saved::Equipement(e) => e.equipement_id.clone(),
            Saved::User(u) => u.user_id.clone(),
            Saved::Role(r) => r.role_id.clone(),
            Saved::MaarchUser(d, _) => d.user.id.to_string(),
            Saved::Individus { .. } | Saved::Account(_) => String::new(),
        };
        let mut o = Outcome::new(Verdict::Applied, &id);
        o.saved = Some(saved);
        o
    }

    /// The record `id` of `kind` deleted (fakes and tests).
    pub fn removed(id: &str) -> Outcome {
        let mut o = Outcome::new(Verdict::Applied, id);
        o.deleted = true;
        o
    }

    /// Nothing sent: `verdict` says why (fakes and tests).
    pub fn not_sent(verdict: Verdict, id: &str) -> Outcome {
        Outcome::new(verdict, id)
    }

    /// Fields sent that the server did not apply: (key, value it kept).
    pub fn not_applied(&self) -> Vec<(&str, &Value)> {
        self.fields
            .iter()
            .filter_map(|f| match &f.status {
                Status::NotApplied(v) => Some((f.key.as_str(), v)),
                _ => None,
            })
            .collect()
    }

    /// Fields the server wrote otherwise than sent: (key, value written).
    pub fn applied_as(&self) -> Vec<(&str, &Value)> {
        self.fields
            .iter()
            .filter_map(|f| match &f.status {
                Status::AppliedAs(v) => Some((f.key.as_str(), v)),
                _ => None,
            })
            .collect()
    }

    /// Whether something the user asked for holds on the server now.
    pub fn applied_any(&self) -> bool {
        self.verdict == Verdict::Applied
            && (self.fields.is_empty()
                || self.fields.iter().any(|f| {
                    matches!(
                        f.status,
                        Status::Applied | Status::AppliedAs(_) | Status::Unchecked
                    )
                }))
    }
}

/// What to do with each changed field, given the record as the server holds it now.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    /// Fields to send (indices into the change's fields).
    pub send: Vec<usize>,
    /// Fields already as wanted.
    pub already: Vec<usize>,
    pub clashes: Vec<Clash>,
    /// Watched fields someone else changed.
    pub theirs: Vec<String>,
}

/// Step 2: the three-way comparison of the changed fields only. `now(key)`: the field as
/// the fresh read shows it (`None`: no read shows it).
pub fn decide(edit: &Edit, now: impl Fn(&str) -> Option<Value>) -> Decision {
    let mut d = Decision::default();
    for (i, f) in edit.fields.iter().enumerate() {
        let Some(n) = now(&f.key) else {
            // No read shows it: nothing to compare with, it is sent.
            d.send.push(i);
            continue;
        };
        if satisfies(&f.key, &n, &f.wanted) {
            d.already.push(i);
            continue;
        }
        match &f.seen {
            Some(s) if !same(&f.key, s, &n) => d.clashes.push(Clash {
                key: f.key.clone(),
                seen: Some(s.clone()),
                theirs: n,
                mine: f.wanted.clone(),
            }),
            _ => d.send.push(i),
        }
    }
    for (key, seen) in &edit.watch {
        if let Some(n) = now(key)
            && !same(key, seen, &n)
        {
            d.theirs.push(key.clone());
        }
    }
    d
}

/// Step 4: each field sent, checked against the record after. `before(key)`: the fresh
/// read's value; `after(key)`: the answer's (or the read after it).
pub fn verify(
    sent: &[&FieldChange],
    before: impl Fn(&str) -> Option<Value>,
    after: impl Fn(&str) -> Option<Value>,
) -> Vec<FieldResult> {
    sent.iter()
        .map(|f| {
            let status = match after(&f.key) {
                None => Status::Unchecked,
                Some(a) if satisfies(&f.key, &a, &f.wanted) => Status::Applied,
                Some(a) => match before(&f.key) {
                    Some(b) if same(&f.key, &a, &b) => Status::NotApplied(a),
                    // Asked to remove a link, the server still lists it.
                    _ if f.wanted.is_null() && split_link(&f.key).is_some() => {
                        Status::NotApplied(a)
                    }
                    _ => Status::AppliedAs(a),
                },
            };
            FieldResult {
                key: f.key.clone(),
                status,
            }
        })
        .collect()
}

/// Step 5: the journal's before and after of the fields the server changed, as it held
/// them just before and just after (a secret is never kept).
pub fn journal_states(
    results: &[FieldResult],
    before: impl Fn(&str) -> Option<Value>,
    after: impl Fn(&str) -> Option<Value>,
) -> Option<(Value, Value)> {
    let mut b = Map::new();
    let mut a = Map::new();
    for r in results {
        if !matches!(r.status, Status::Applied | Status::AppliedAs(_)) || values::secret(&r.key) {
            continue;
        }
        let (Some(x), Some(y)) = (before(&r.key), after(&r.key)) else {
            continue;
        };
        b.insert(r.key.clone(), x);
        a.insert(r.key.clone(), y);
    }
    (!b.is_empty()).then(|| (Value::Object(b), Value::Object(a)))
}

/// The fields an edit journaled, to undo: for each, the value it had before (wanted back)
/// and after (what the server must still hold, else someone changed it since). Whole
/// records (journals written before the change room) give the fields that differ.
pub fn undo_fields(e: &Entry) -> Vec<FieldChange> {
    let obj = |v: &Option<Value>| v.as_ref().and_then(Value::as_object).cloned();
    let (b, a) = (
        obj(&e.before).unwrap_or_default(),
        obj(&e.after).unwrap_or_default(),
    );
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<FieldChange> = keys
        .into_iter()
        .filter(|k| !values::secret(k) && !matches!(k.as_str(), "timestamp" | "unseen"))
        .filter_map(|k| {
            let before = b.get(k).cloned().unwrap_or(Value::Null);
            let after = a.get(k).cloned().unwrap_or(Value::Null);
            (!same(k, &before, &after)).then(|| FieldChange::new(k.clone(), Some(after), before))
        })
        .collect();
    // An old entry's link: added → remove it; removed → add it back (its role unknown).
    if let Some(l) = &e.link {
        let key = values::link_key(&l.to, &l.id);
        out.retain(|f| f.key != key);
        let member = Value::Object(Map::new());
        out.push(if l.added {
            FieldChange::new(key, Some(member), Value::Null)
        } else {
            FieldChange::new(key, Some(Value::Null), member)
        });
    }
    out
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
        Op::Create(_) => send::create(c, &ch).await,
        Op::Edit(edit) => edit_record(c, &ch, edit).await,
        Op::Delete => delete(c, &ch).await,
        Op::Action(a) => send::action(c, &ch, a).await,
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
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(fields: Vec<FieldChange>) -> Edit {
        Edit {
            fields,
            ..Default::default()
        }
    }

    #[test]
    fn only_the_same_field_changed_on_both_sides_is_a_conflict() {
        let now = json!({"port": 101, "username": "them", "description": "old"});
        let e = Edit {
            fields: vec![
                // Mine only.
                FieldChange::new("description", Some(json!("old")), json!("mine")),
                // Both, to different values.
                FieldChange::new("username", Some(json!("admin")), json!("me")),
                // Both, to the same value: nothing to send.
                FieldChange::new("port", Some(json!(100)), json!("101")),
            ],
            watch: vec![("marque".into(), json!("Axis"))],
            erase: Vec::new(),
        };
        let d = decide(&e, |k| now.get(k).cloned().or(Some(json!("Axis"))));
        assert_eq!(d.send, [0]);
        assert_eq!(d.already, [2]);
        assert_eq!(d.clashes.len(), 1);
        assert_eq!(d.clashes[0].key, "username");
        assert_eq!(d.clashes[0].theirs, json!("them"));
        assert!(d.theirs.is_empty(), "marque unchanged on the server");
    }

    #[test]
    fn a_field_no_read_shows_is_sent_never_a_conflict() {
        let e = edit(vec![FieldChange::new(
            "password",
            Some(json!("a")),
            json!("b"),
        )]);
        let d = decide(&e, |_| None);
        assert_eq!(d.send, [0]);
        assert!(d.clashes.is_empty());
    }

    #[test]
    fn an_unknown_seen_value_is_sent_unless_already_so() {
        let e = edit(vec![FieldChange::new("group:AGENT", None, Value::Null)]);
        assert_eq!(
            decide(&e, |_| Some(Value::Null)).already,
            [0],
            "never had it"
        );
        assert_eq!(decide(&e, |_| Some(json!({"role": ""}))).send, [0]);
    }

    #[test]
    fn a_field_the_server_kept_is_not_applied() {
        let f = FieldChange::new("role_id", Some(json!("r1")), json!("r2"));
        let g = FieldChange::new("nom", Some(json!("A")), json!("B"));
        let h = FieldChange::new("email", Some(json!("a@x")), json!("B@X.ORG"));
        let p = FieldChange::new("password", None, json!("secret"));
        let before = json!({"role_id": "r1", "nom": "A", "email": "a@x"});
        let after = json!({"role_id": "r1", "nom": "B", "email": "B@x.org"});
        let r = verify(
            &[&f, &g, &h, &p],
            |k| before.get(k).cloned(),
            |k| after.get(k).cloned(),
        );
        assert_eq!(r[0].status, Status::NotApplied(json!("r1")));
        assert_eq!(r[1].status, Status::Applied);
        assert_eq!(r[2].status, Status::AppliedAs(json!("B@x.org")));
        assert_eq!(r[3].status, Status::Unchecked);
        let (b, a) =
            journal_states(&r, |k| before.get(k).cloned(), |k| after.get(k).cloned()).unwrap();
        assert_eq!(b, json!({"nom": "A", "email": "a@x"}), "only what changed");
        assert_eq!(a, json!({"nom": "B", "email": "B@x.org"}));
    }

    #[test]
    fn a_link_still_listed_after_its_removal_is_not_applied() {
        let f = FieldChange::new("group:AGENT", None, Value::Null);
        let r = verify(
            &[&f],
            |_| Some(json!({"role": "x"})),
            |_| Some(json!({"role": "y"})),
        );
        assert!(matches!(r[0].status, Status::NotApplied(_)));
    }

    #[test]
    fn undo_takes_the_journaled_fields_back() {
        let mut e = Entry::now("core", "equipements", "e1", JournalOp::Update);
        e.before = Some(json!({"description": "old", "timestamp": "t"}));
        e.after = Some(json!({"description": "new", "timestamp": "t"}));
        assert_eq!(
            undo_fields(&e),
            [FieldChange::new(
                "description",
                Some(json!("new")),
                json!("old")
            )]
        );
        // A journal of whole records (written before the change room): what differs.
        e.before = Some(json!({"port": 100, "ip": "1.1.1.1", "password": "x"}));
        e.after = Some(json!({"port": 101, "ip": "1.1.1.1", "password": "y"}));
        assert_eq!(
            undo_fields(&e),
            [FieldChange::new("port", Some(json!(101)), json!(100))]
        );
        e.before = None;
        e.after = None;
        e.link = Some(crate::journal::Link {
            to: "group".into(),
            id: "AGENT".into(),
            added: true,
        });
        assert_eq!(
            undo_fields(&e),
            [FieldChange::new(
                "group:AGENT",
                Some(json!({})),
                Value::Null
            )]
        );
    }
}
