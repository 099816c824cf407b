//! Forms: typed fields validated as you type with the server's own rules, server 422 errors
//! mapped back onto fields, and nothing typed ever lost.

use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use serde::{Deserialize, Serialize};

use crate::api::model::*;
use crate::app::action::{Typed, typed};
use crate::app::keymap::{Act, Scope};
use crate::change::Change;
use crate::i18n::tr;

pub use crate::app::kinds::FormKind;

mod field;
mod to_change;
mod tools;
pub use field::*;
pub(crate) use to_change::{integer, trimmed};

/// A form, as drawn and as kept in a draft (secrets removed first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    /// The journal entry this form undoes, when `u` opened it.
    #[serde(default)]
    pub undoes: Option<u64>,
    /// The record edited as it was read (JSON, secrets included: never written to a
    /// draft): each changed field's "before" for the change room's three-way comparison.
    #[serde(skip)]
    pub seen: Option<serde_json::Value>,
    /// What the form saw of a field since it opened, by the API's key (a conflict resolved,
    /// an undo): wins over `seen` and the text the field started from.
    #[serde(skip)]
    pub seen_over: Vec<(String, serde_json::Value)>,
    /// Changes no field shows (an Ocean record's keys edited in `$EDITOR`), sent with the
    /// form's.
    #[serde(skip)]
    pub extra: Vec<crate::change::FieldChange>,
    pub kind: FormKind,
    /// The record edited; `None` for a creation.
    pub record_id: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    #[serde(skip)]
    pub pending: Option<u64>,
    /// A failure that belongs to no field (network, 403, 409...).
    pub error: Option<String>,
    pub confirm_discard: bool,
    /// Every field shown (folded sections open).
    pub show_advanced: bool,
    /// Who the form acts on, shown in its title (assignments, Maarch links).
    pub subject: String,
    /// The role's permissions as the server sent them: an edit sends this set with the
    /// user's changes, so a permission outside the grid is never dropped.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// A question the save waits on (y goes on, any other key back to the form).
    #[serde(default)]
    /// An equipement's `ip:port` already warned about as used elsewhere (saved anyway on
    /// the next Ctrl-S).
    pub dup_warned: Option<String>,
    pub asking: Option<Ask>,
    /// What the user agreed to for this form.
    #[serde(default)]
    pub agreed: Vec<Ask>,
}

/// What a save asks before going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// The API writes values the server did not send: saving erases them.
    Erase,
    /// The server reads passwords from the URL only (where logs and proxies keep them).
    PasswordsInUrl,
    /// The profile reviews edits: what will be sent is shown and asked once.
    Review,
}

pub(crate) fn parse_float(s: &str) -> f64 {
    s.trim().replace(',', ".").parse().unwrap_or_default()
}

pub(crate) fn list_values(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

pub(crate) fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The items of a typed permission list that are not `ressource:action` (nor `:id`).
pub(crate) fn not_permissions(s: &str) -> Vec<&str> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .filter(|x| x.split_once(':').is_none_or(|(_, a)| a.trim().is_empty()))
        .collect()
}

impl Form {
    pub fn title(&self) -> String {
        let t = self.base_title();
        if self.subject.is_empty() {
            t
        } else {
            format!("{t} · {}", self.subject)
        }
    }

    fn base_title(&self) -> String {
        let new = self.record_id.is_none();
        tr(self.kind.title(new)).to_string()
    }

    pub(crate) fn build(kind: FormKind, record_id: Option<String>, fields: Vec<Field>) -> Form {
        let mut f = Form::built(kind, record_id, fields);
        if f.edits_record() {
            // Odd values the server holds are marked from the start, never refused.
            for field in &mut f.fields {
                field.recheck(true);
            }
        }
        f
    }

    fn built(kind: FormKind, record_id: Option<String>, fields: Vec<Field>) -> Form {
        Form {
            undoes: None,
            seen: None,
            seen_over: Vec::new(),
            extra: Vec::new(),
            kind,
            record_id,
            fields,
            focus: 0,
            pending: None,
            error: None,
            confirm_discard: false,
            show_advanced: false,
            subject: String::new(),
            permissions: Vec::new(),
            asking: None,
            dup_warned: None,
            agreed: Vec::new(),
        }
    }

    /// The form edits a record the server holds (its unchanged values are the server's).
    pub fn edits_record(&self) -> bool {
        self.record_id.is_some() && self.kind.of_record()
    }

    /// Fields whose value the server did not send, left as they are: saving erases them.
    pub fn unkept(&self) -> Vec<&Field> {
        self.fields
            .iter()
            .filter(|f| f.unknown && !f.changed())
            .collect()
    }

    pub fn dirty(&self) -> bool {
        self.fields.iter().any(Field::changed) || !self.extra.is_empty()
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// A field's value as text (empty when there is no such field).
    pub fn val(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// While its save is on its way the form takes no edit: the answer closes it, and what
    /// was typed meanwhile would be lost without a word. Moving and Esc still work. True
    /// when `act` was refused (the form says why).
    pub fn refuses_while_saving(&mut self, act: Option<Act>) -> bool {
        use Act::*;
        let harmless = matches!(
            act,
            Some(NextField | PrevField | Up | Down | Advanced | Reveal | Cancel | Save)
        );
        if self.pending.is_none() || harmless {
            return false;
        }
        self.error = Some(tr("Saving: the form takes keys again when the server answers").into());
        true
    }

    /// Handles a key inside the form, with the shipped keys; returns true when it was used.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let act = crate::app::keymap::KeyMap::default().action(Scope::Form, &key);
        self.on_action(act, key)
    }

    /// Handles a key inside the form: `act`, what it does on forms now (moving, more
    /// fields, reveal), else the text it types into the field; returns true when used.
    pub fn on_action(&mut self, act: Option<Act>, key: KeyEvent) -> bool {
        let n = self.fields.len();
        if n == 0 {
            return false;
        }
        let editing = self.edits_record();
        match act {
            Some(Act::NextField | Act::Down) => {
                self.leave_field();
                self.step(1);
                return true;
            }
            Some(Act::PrevField | Act::Up) => {
                self.leave_field();
                self.step(-1);
                return true;
            }
            Some(Act::Advanced) if self.folded_count() > 0 || self.show_advanced => {
                self.show_advanced = !self.show_advanced;
                if !self.visible(self.focus) {
                    self.step(-1);
                }
                return true;
            }
            _ => {}
        }
        let f = &mut self.fields[self.focus];
        if act == Some(Act::Reveal) {
            f.reveal = !f.reveal;
            return true;
        }
        let mut choice_matches = None;
        if matches!(f.kind, FieldKind::Choice { .. }) {
            choice_matches = Some(f.matching_options());
        }
        match &mut f.kind {
            FieldKind::Grid { cells, on, cursor } => match (act, typed(&key)) {
                (Some(Act::Left), _) => *cursor = cursor.saturating_sub(1),
                (Some(Act::Right), _) => *cursor = (*cursor + 1).min(cells.len().saturating_sub(1)),
                (Some(Act::Open), _) | (_, Some(Typed::Char(' '))) => {
                    if let Some(b) = on.get_mut(*cursor) {
                        *b = !*b;
                    }
                }
                (_, Some(Typed::Char('a'))) => {
                    let all = on.iter().all(|b| *b);
                    on.iter_mut().for_each(|b| *b = !all);
                }
                _ => return false,
            },
            FieldKind::Open { options, .. }
                if matches!(act, Some(Act::Left | Act::Right)) && !options.is_empty() =>
            {
                let cur = f.input.value().to_string();
                let pos = options.iter().position(|(v, _)| *v == cur);
                let len = options.len();
                let next = match (pos, act) {
                    (None, _) => 0,
                    (Some(p), Some(Act::Right)) => (p + 1) % len,
                    (Some(p), _) => (p + len - 1) % len,
                };
                f.input = Input::new(options[next].0.clone());
            }
            FieldKind::Choice { selected, .. } if matches!(act, Some(Act::Left | Act::Right)) => {
                let m = choice_matches.unwrap_or_default();
                if !m.is_empty() {
                    let pos = selected.and_then(|s| m.iter().position(|&i| i == s));
                    let next = match (pos, act) {
                        (None, _) => 0,
                        (Some(p), Some(Act::Right)) => (p + 1) % m.len(),
                        (Some(p), _) => (p + m.len() - 1) % m.len(),
                    };
                    *selected = Some(m[next]);
                }
            }
            _ => {
                let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) else {
                    return false;
                };
                f.input.handle(req);
                f.touched = true;
                if matches!(f.kind, FieldKind::Choice { .. }) {
                    // Typing searches; an option is picked only when the typing names one
                    // (several candidates: ←→ chooses, none is taken for the user).
                    let named = f.named_option();
                    if let FieldKind::Choice { selected, .. } = &mut f.kind {
                        *selected = named;
                    }
                }
            }
        }
        f.touched = true;
        f.recheck(editing);
        true
    }

    /// Whether a field is shown (folded sections hide theirs).
    pub fn visible(&self, i: usize) -> bool {
        self.fields
            .get(i)
            .is_some_and(|f| self.show_advanced || !f.advanced)
    }

    /// Whether no shown field comes after field `i`.
    pub fn is_last_visible(&self, i: usize) -> bool {
        !(i + 1..self.fields.len()).any(|j| self.visible(j))
    }

    /// Whether a field hides what is typed (the reveal key applies).
    pub fn has_secret(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f.kind, FieldKind::Password { .. }))
    }

    /// Fields hidden while folded.
    pub fn folded_count(&self) -> usize {
        self.fields.iter().filter(|f| f.advanced).count()
    }

    /// Moves the focus to the next (or previous) shown field.
    fn step(&mut self, dir: isize) {
        let n = self.fields.len() as isize;
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + dir).rem_euclid(n);
            if self.visible(i as usize) {
                self.focus = i as usize;
                return;
            }
        }
    }

    fn leave_field(&mut self) {
        let editing = self.edits_record();
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.touched
        {
            // The server's word on this very value stays, unless the local check refuses it.
            let server = f.error.clone();
            f.recheck(editing);
            if f.error.is_none() && f.server_value.as_deref() == Some(f.value().as_str()) {
                f.error = server;
            }
        }
    }

    /// Checks every field; focuses the first wrong one.
    pub fn validate_all(&mut self) -> bool {
        let mut first_bad = None;
        let editing = self.edits_record();
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.touched = true;
            f.recheck(editing);
            if f.error.is_some() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if self.kind == FormKind::ChangePassword
            && self.val("newPassword") != self.val("newPasswordConfirmed")
            && let Some(i) = self
                .fields
                .iter()
                .position(|f| f.key == "newPasswordConfirmed")
        {
            self.fields[i].error = Some(tr("The two new passwords differ").into());
            first_bad.get_or_insert(i);
        }
        if let Some(i) = first_bad {
            self.focus = i;
            if !self.visible(i) {
                self.show_advanced = true;
            }
        }
        first_bad.is_none()
    }

    /// Puts a server's field errors under the fields; returns the ones that matched none.
    pub fn apply_server_errors(&mut self, errors: &[crate::api::FieldError]) -> Vec<String> {
        let mut unmatched = Vec::new();
        let mut first = None;
        for e in errors {
            match self.fields.iter().position(|f| f.key == e.field) {
                Some(i) => {
                    self.fields[i].error = Some(e.msg.clone());
                    self.fields[i].server_value = Some(self.fields[i].value());
                    first.get_or_insert(i);
                }
                None => unmatched.push(if e.field.is_empty() {
                    e.msg.clone()
                } else {
                    format!("{}: {}", e.field, e.msg)
                }),
            }
        }
        if let Some(i) = first {
            self.focus = i;
            if !self.visible(i) {
                self.show_advanced = true;
            }
        }
        unmatched
    }

    /// What saving the form asks the change room (`None` for forms that send nothing, or
    /// cannot yet).
    pub fn change(&self) -> Option<Change> {
        let mut c = self.kind.change(self)?;
        c.undoes = self.undoes;
        if let crate::change::Op::Edit(e) = &mut c.op {
            e.fields.extend(self.extra.iter().cloned());
        }
        Some(c)
    }

    /// The record edited, as read: what the three-way comparison starts from.
    pub(crate) fn with_seen<T: serde::Serialize>(mut self, record: Option<&T>) -> Form {
        self.seen = record.and_then(|r| serde_json::to_value(r).ok());
        self
    }

    /// The form without its secrets (for drafts), nor the answers it was given: a question
    /// answered in one session is asked again in the next.
    pub fn without_secrets(&self) -> Form {
        let mut f = self.clone();
        f.asking = None;
        f.agreed.clear();
        for field in &mut f.fields {
            if matches!(field.kind, FieldKind::Password { .. }) {
                field.input = Input::default();
                field.initial = String::new();
                field.server_value = None;
            }
        }
        f.pending = None;
        f
    }

    /// Worth keeping as a draft: something typed that is not only secrets.
    pub fn draftable(&self) -> bool {
        self.kind != FormKind::ChangePassword && self.dirty()
    }
}

#[cfg(test)]
mod tests;
