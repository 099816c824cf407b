//! No lost update: an edit is checked against the record as the server holds it now before
//! it is sent. What changed on the server only is kept (and said); what both changed stops
//! the save on this screen, which shows the original, theirs and mine of each such field and
//! lets the user pick; a record deleted meanwhile is offered back as a creation.

use super::*;

/// A field changed both on the server and in the form.
#[derive(Debug, Clone)]
pub struct ConflictRow {
    pub key: String,
    pub label: String,
    /// As the form opened it.
    pub original: String,
    /// As the server holds it now.
    pub theirs: String,
    /// As typed.
    pub mine: String,
    /// The user's pick: `Some(true)` keeps mine.
    pub keep_mine: Option<bool>,
}

pub struct Conflict {
    pub rows: Vec<ConflictRow>,
    pub selected: usize,
}

impl App {
    /// The edited record as the server holds it now: compared with the form, then saved,
    /// stopped on a conflict, or offered back as a creation when it is gone.
    pub(super) fn on_fresh(&mut self, id: u64, now: Option<serde_json::Value>) -> bool {
        let Some(pos) = self.waiting_form(id) else {
            return false;
        };
        let Overlay::Form(f) = &mut self.overlays[pos] else {
            return false;
        };
        f.pending = None;
        let Some(kind) = f.kind.record_kind() else {
            return false;
        };
        let Some(now) = now else {
            // Someone deleted it meanwhile: what was typed can re-create it; the lists no
            // longer show it.
            let gone = f.record_id.take().unwrap_or_default();
            for x in &mut f.fields {
                if matches!(x.kind, form::FieldKind::Password { .. }) {
                    x.required = true;
                }
            }
            f.error = Some(
                tr("Deleted on the server meanwhile: saving re-creates it from this form, Esc leaves it")
                    .into(),
            );
            with_list!(self, kind, |mut l| l.remove(&gone));
            for d in self.details_mut() {
                d.equipements.remove(&gone);
            }
            return true;
        };
        let Some(fresh) = DetailTarget::from_json(kind, &now) else {
            if let Some(Overlay::Form(f)) = self.overlays.get_mut(pos) {
                f.error =
                    Some(tr("The record read again could not be understood: not saved").into());
            }
            return true;
        };
        // The form the server's record would open, to compare field by field as shown.
        let Some(theirs) = fresh.item().edit_form(self) else {
            return true;
        };
        let Some(Overlay::Form(f)) = self.overlays.get_mut(pos) else {
            return false;
        };
        let mut moved = Vec::new();
        let mut rows = Vec::new();
        for x in &mut f.fields {
            // Secrets are never read back; a role's permissions are merged one by one.
            if matches!(
                x.kind,
                form::FieldKind::Password { .. } | form::FieldKind::Grid { .. }
            ) {
                continue;
            }
            // A value the server did not send now is not compared.
            let Some(t) = theirs.field(&x.key).filter(|t| !t.unknown) else {
                continue;
            };
            let (original, their, mine) = (x.initial.clone(), t.initial.clone(), x.value());
            if their == original {
                continue;
            }
            let untouched = mine == original;
            if (untouched || mine == their) && x.rebase(&their, untouched) {
                if untouched {
                    moved.push(tr(&x.label).to_string());
                }
                continue;
            }
            rows.push(ConflictRow {
                key: x.key.to_string(),
                label: x.label.to_string(),
                original,
                theirs: their,
                mine,
                keep_mine: None,
            });
        }
        if kind == ListKind::Individus {
            // Ocean's update sends the whole record: built on the server's, not the old one.
            f.original = serde_json::from_value(now).ok();
        }
        for m in moved {
            if !f.kept_theirs.contains(&m) {
                f.kept_theirs.push(m);
            }
        }
        if !rows.is_empty() {
            f.error = Some(tr("Changed on the server too: choose for each field").into());
            self.overlays
                .push(Overlay::Conflict(Conflict { rows, selected: 0 }));
            return true;
        }
        f.fresh_checked = true;
        self.save_form();
        true
    }

    pub(super) fn conflict_key(&mut self, key: KeyEvent) {
        if matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
            return self.close_conflict(key.code == KeyCode::Enter);
        }
        let Some(key) = self.keymap.translate(Scope::Conflict, key) else {
            return;
        };
        let Some(Overlay::Conflict(c)) = self.overlays.last_mut() else {
            return;
        };
        let n = c.rows.len();
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => {
                c.selected = (c.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char('k') | KeyCode::Up => c.selected = c.selected.saturating_sub(1),
            KeyCode::Char('t') | KeyCode::Char('m') => {
                if let Some(r) = c.rows.get_mut(c.selected) {
                    r.keep_mine = Some(key.code == KeyCode::Char('m'));
                }
                c.selected = (c.selected + 1).min(n.saturating_sub(1));
            }
            KeyCode::Char('?') => self.open_help(),
            _ => {}
        }
    }

    /// Enter: the picks go into the form, which the next save checks again; Esc: back to the
    /// form as typed, nothing sent.
    fn close_conflict(&mut self, apply: bool) {
        let Some(Overlay::Conflict(c)) = self.overlays.last() else {
            return;
        };
        if apply && c.rows.iter().any(|r| r.keep_mine.is_none()) {
            self.notice = Some(trf(
                "Choose for each field: {} keeps the server's value, {} keeps yours",
                &[
                    &self.key_label(Scope::Conflict, "theirs"),
                    &self.key_label(Scope::Conflict, "mine"),
                ],
            ));
            return;
        }
        let Some(Overlay::Conflict(c)) = self.overlays.pop() else {
            return;
        };
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if !apply {
            f.error = Some(tr("Not saved: the server's values differ from yours").into());
            return;
        }
        for r in c.rows {
            if let Some(x) = f.fields.iter_mut().find(|x| x.key == r.key) {
                let keep_mine = r.keep_mine == Some(true);
                x.rebase(&r.theirs, !keep_mine);
                if keep_mine {
                    x.set_text(&r.mine);
                }
            }
        }
        // What is sent changed: a reviewed profile sees it again.
        f.agreed.retain(|a| *a != form::Ask::Review);
        f.error = Some(tr("Your choices are in the form: save to send them").into());
    }
}

impl Screen for Conflict {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.conflict_key(key)
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.keymap);
        let c = |a| A(Scope::Conflict, a);
        vec![
            k.h(&[c("down"), c("up")], "move"),
            k.h(&[c("theirs")], "theirs"),
            k.h(&[c("mine")], "mine"),
            k.h(&[ENTER], "apply"),
            k.h(&[ESC], "back"),
        ]
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        let k = Keys(&app.keymap);
        let c = |a| A(Scope::Conflict, a);
        vec![
            k.sp(
                &[c("down"), c("up")],
                "move between the fields changed on both sides",
            ),
            k.sp(&[c("theirs")], "keep the server's value"),
            k.sp(&[c("mine")], "keep mine"),
            k.sp(&[ENTER], "put the choices in the form (save sends them)"),
            k.sp(&[ESC], "back to the form, nothing sent"),
        ]
    }
}
