//! The console's side of the one write path: every write is a `Change` sent by
//! `send_change`, and every outcome lands through `land_outcome` — the record where it
//! shows, the journal, the words of what the server did — whether or not the screen that
//! asked is still open.

use crate::app::App;
use crate::app::Conflict;
use crate::app::ConflictRow;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::form;
use crate::app::form::Form;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Request;
use crate::rows::Rows;

use crate::change::{self, Change, Outcome, Status, Verdict};

impl App {
    /// Sends a change to the change room (the worker runs it): who is logged in goes with
    /// it, for the journal.
    pub(super) fn send_change(&mut self, mut c: Change, purpose: Purpose) -> u64 {
        if c.who.is_empty() {
            c.who = self
                .session
                .user_on(c.service().section())
                .unwrap_or_default();
        }
        if c.label.is_empty() && !c.id.is_empty() {
            c.label = self.label_of(ListKind::of_change(c.kind), &c.id);
        }
        self.send(Request::Change(Box::new(c)), purpose)
    }

    /// How a record the console holds is named ("site LOUM"); its id otherwise.
    pub(super) fn label_of(&self, kind: ListKind, id: &str) -> String {
        self.record_json(kind, id)
            .and_then(|v| DetailTarget::from_json(kind, &v))
            .map(|t| t.label())
            .unwrap_or_else(|| id.to_string())
    }

    /// An outcome lands: the record where it shows (or out of the lists when deleted), the
    /// change in the journal. What the server did, in words (the notice).
    pub(super) fn land_outcome(&mut self, kind: change::Kind, o: &Outcome) -> String {
        let list = ListKind::of_change(kind);
        self.net.landed(list.name(), &o.id, o.deleted);
        if list == ListKind::Equipements {
            // Pages read ahead may hold the record as it was.
            self.forget_prefetched();
        }
        let mut words = String::new();
        if o.deleted {
            words = tr(kinds::land_removed(self, kind, &o.id)).to_string();
        } else if let Some(saved) = o.saved.clone() {
            words = kinds::land_saved(self, saved);
        }
        // A core user is deactivated, not deleted.
        if kind == change::Kind::User
            && o.entry
                .as_ref()
                .is_some_and(|e| e.op == crate::journal::Op::Delete)
        {
            words = tr("user deactivated").into();
        }
        if let Some(e) = &o.entry {
            let mut e = e.clone();
            if e.label.is_empty() {
                e.label = self.label_of(list, &e.id);
            }
            self.journal_entry(e);
        }
        if !o.message.is_empty() && words.is_empty() {
            words = crate::text::sanitize(&o.message).into_owned();
        }
        if !o.applied_any() {
            // Answered without an error, yet nothing asked for holds: never "Saved".
            words = tr("Not applied by the server").into();
        }
        for n in &o.notes {
            words = format!("{words} — {}", crate::text::sanitize(n));
        }
        words
    }

    /// A change journaled (the runtime appends it to the file).
    pub(super) fn journal_entry(&mut self, e: crate::journal::Entry) {
        self.journal.push(e.clone());
        if self.journal.len() > crate::journal::MAX_ENTRIES {
            self.journal.remove(0);
        }
        self.effects.push(Effect::Journal(Box::new(e)));
    }

    /// The fields the server did not apply, or wrote otherwise, in words; `label` names a
    /// field (the form's label where there is one).
    pub(super) fn server_kept(o: &Outcome, label: &dyn Fn(&str) -> String) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(w) = change::not_applied_words(o, label) {
            parts.push(w);
        }
        let written: Vec<String> = o
            .applied_as()
            .iter()
            .map(|(k, v)| format!("{} = {}", label(k), change::shown(k, v)))
            .collect();
        if !written.is_empty() {
            parts.push(trf("written by the server as {}", &[&written.join(", ")]));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Why nothing was sent, when the server already held what was wanted.
    pub(super) fn unchanged_words(
        c_fields: &[(String, bool)],
        label: &dyn Fn(&str) -> String,
    ) -> String {
        match c_fields {
            [(k, removed)] if change::split_link(k).is_some() => {
                if *removed {
                    trf("not a member of {}: nothing to remove", &[&label(k)])
                } else {
                    trf("already a member of {}: nothing to add", &[&label(k)])
                }
            }
            _ => tr("Nothing sent: the server already holds these values").into(),
        }
    }

    /// The outcome of a form's save, whether its form is still open or not.
    pub(super) fn on_form_changed(&mut self, id: u64, o: Outcome) {
        let pos = self.waiting_form(id);
        let (kind, creating, undoes, form_labels) = match pos.map(|p| &self.overlays[p]) {
            Some(Overlay::Form(f)) => (
                f.kind.record_kind(),
                f.record_id.is_none(),
                f.undoes,
                f.fields
                    .iter()
                    .map(|x| (Form::change_key(x), tr(&x.label).to_string()))
                    .collect::<Vec<_>>(),
            ),
            _ => (None, false, None, Vec::new()),
        };
        // The form gone, the outcome says what it touched.
        let change_kind = kind
            .map(ListKind::change_kind)
            .unwrap_or_else(|| super::confirm::kind_of_outcome(&o));
        let label = |k: &str| {
            form_labels
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, l)| l.clone())
                .unwrap_or_else(|| change::label(k))
        };
        match &o.verdict {
            Verdict::Conflict(clashes) => self.form_conflicted(pos, &o, clashes, &label),
            Verdict::Gone => self.form_record_gone(pos, &o, change_kind),
            Verdict::Unchanged => {
                if let Some(p) = pos {
                    self.overlays.remove(p);
                }
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let fields: Vec<(String, bool)> =
                    o.fields.iter().map(|f| (f.key.clone(), false)).collect();
                self.status.notice = Some(App::unchanged_words(&fields, &label));
                self.status.last_error = None;
            }
            Verdict::Applied => {
                let recreated = creating && undoes.is_some();
                self.form_applied(pos, &o, change_kind, recreated, &label)
            }
        }
    }

    /// A save that clashed with the server: the form (if still open) asks field by field,
    /// else the status line says it was not saved.
    fn form_conflicted(
        &mut self,
        pos: Option<usize>,
        o: &Outcome,
        clashes: &[change::Clash],
        label: &dyn Fn(&str) -> String,
    ) {
        let rows = self.conflict_rows(pos, clashes, label);
        if let Some(s) = o.saved.clone() {
            kinds::land_saved(self, s);
        }
        match pos {
            Some(p) => {
                if let Some(Overlay::Form(f)) = self.overlays.get_mut(p) {
                    f.pending = None;
                    f.error = Some(tr("Changed on the server too: choose for each field").into());
                }
                self.overlays.push(Overlay::Conflict(Conflict {
                    rows,
                    selected: 0,
                    resend: None,
                }));
            }
            None => {
                self.status.last_error = Some(
                    tr("Not saved: changed on the server meanwhile (its form was closed)").into(),
                );
            }
        }
    }

    /// A save whose record was deleted meanwhile: it leaves the lists, and the form (if still
    /// open) turns into a creation so that what was typed is not lost.
    fn form_record_gone(&mut self, pos: Option<usize>, o: &Outcome, change_kind: change::Kind) {
        let list = ListKind::of_change(change_kind);
        with_list!(self, list, |mut l| l.remove(&o.id));
        for d in self.details_mut() {
            d.equipements.remove(&o.id);
        }
        match pos.and_then(|p| match self.overlays.get_mut(p) {
            Some(Overlay::Form(f)) => Some(f),
            _ => None,
        }) {
            Some(f) => {
                // Someone deleted it meanwhile: what was typed can re-create it.
                f.pending = None;
                f.record_id = None;
                f.seen = None;
                for x in &mut f.fields {
                    if matches!(x.kind, form::FieldKind::Password { .. }) {
                        x.required = true;
                    }
                }
                f.error = Some(
                    tr("Deleted on the server meanwhile: saving re-creates it from this form, Esc leaves it")
                        .into(),
                );
            }
            None => {
                self.status.last_error = Some(
                    tr("Not saved: deleted on the server meanwhile (its form was closed)").into(),
                );
            }
        }
    }

    /// A save the server applied: the form closes, the record lands, and the notice says
    /// what another admin kept, a new id, or that the form was already closed.
    /// `recreated`: the save re-created a record whose deletion was undone.
    fn form_applied(
        &mut self,
        pos: Option<usize>,
        o: &Outcome,
        change_kind: change::Kind,
        recreated: bool,
        label: &dyn Fn(&str) -> String,
    ) {
        if let Some(p) = pos {
            self.overlays.remove(p);
        }
        let mut notice = self.land_outcome(change_kind, o);
        if !o.theirs.is_empty() {
            let names: Vec<String> = o.theirs.iter().map(|k| label(k)).collect();
            notice = trf(
                "{} — kept as another admin changed it meanwhile: {}",
                &[&notice, &names.join(", ")],
            );
        }
        if recreated && !o.id.is_empty() {
            // Deleted then re-created: the server gave it a new id.
            notice = trf("Re-created, new id {} — {}", &[&o.id, &notice]);
        }
        if pos.is_none() {
            notice = trf("{} (answered after its form was closed)", &[&notice]);
        }
        self.status.last_error = App::server_kept(o, label);
        if matches!(self.overlays.last(), Some(Overlay::Account(_))) {
            // A reset request shows up in the outbox.
            self.load_account();
        }
        self.status.notice = Some(notice);
    }

    /// A conflict's rows, worded as the form shows its fields (or as the API names them).
    fn conflict_rows(
        &self,
        form: Option<usize>,
        clashes: &[change::Clash],
        label: &dyn Fn(&str) -> String,
    ) -> Vec<ConflictRow> {
        let field = |k: &str| match form.and_then(|p| self.overlays.get(p)) {
            Some(Overlay::Form(f)) => f.fields.iter().find(|x| Form::change_key(x) == k).cloned(),
            _ => None,
        };
        clashes
            .iter()
            .map(|c| {
                let text = |v: &serde_json::Value| match field(&c.key) {
                    Some(x) if !matches!(x.kind, form::FieldKind::Password { .. }) => {
                        Form::text_of(&x, v)
                    }
                    _ => change::shown(&c.key, v),
                };
                ConflictRow {
                    key: c.key.clone(),
                    label: label(&c.key),
                    original: c.seen.as_ref().map(&text).unwrap_or_default(),
                    theirs: text(&c.theirs),
                    mine: text(&c.mine),
                    theirs_value: c.theirs.clone(),
                    keep_mine: None,
                }
            })
            .collect()
    }
}

/// Whether an outcome's fields hold something the server did not apply.
pub(super) fn any_not_applied(o: &Outcome) -> bool {
    o.fields
        .iter()
        .any(|f| matches!(f.status, Status::NotApplied(_)))
}

impl<T: crate::rows::Record + Clone> crate::app::list::ListView<T> {
    /// Shows the rows a read answered; `changed`: the records a change landed on after it
    /// was sent (`Net::changed_since`: id, deleted), which the read holds as they were
    /// before. One deleted since is left out; one changed since takes the console's copy
    /// (the change's answer) when the list holds it, else stays as read; one created since
    /// is added from the console's copy when the read is the `whole` list.
    pub(crate) fn set_read(
        &mut self,
        mut rows: crate::rows::Prepared<T>,
        changed: &[(String, bool)],
        whole: bool,
    ) {
        for (k, deleted) in changed {
            let at = rows.items.position_of(k);
            let held = self.items.position_of(k).and_then(|i| self.items.row(i));
            match (at, *deleted, held) {
                (Some(i), true, _) => {
                    rows.items.remove_row(i);
                    rows.haystacks.remove(i);
                }
                (Some(i), false, Some(h)) => {
                    let mut text = String::new();
                    crate::rows::haystack(h.as_ref(), &mut text);
                    rows.items.replace(i, h.into_owned());
                    rows.haystacks.set(i, &text);
                }
                (None, false, Some(h)) if whole => rows.extend(vec![h.into_owned()]),
                _ => {}
            }
        }
        self.set_prepared(rows);
    }
}
