//! What a change did: the record as saved, each field's status, the verdict.

use serde_json::Value;

use super::Kind;
use crate::api::maarch::MaarchUserDetails;
use crate::api::model::{Equipement, Role, Site, User};
use crate::api::ocean::Individu;
use crate::journal::Entry;

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
    pub(super) fn new(verdict: Verdict, id: &str) -> Outcome {
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
