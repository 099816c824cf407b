//! Changes written to the journal as their answers land, and `u` walking back through it:
//! a created record is deleted (asked first), a deleted one is offered back as a filled
//! creation form, an edit is offered back as the record's form with the previous values.

use super::*;
use crate::journal::{self, Entry, Op};

impl App {
    /// The record of `kind` with this id as the console holds it, as JSON: in its list, else
    /// in an open detail (a site's equipements are not all in the Equipements tab's page).
    pub fn record_json(&self, kind: ListKind, id: &str) -> Option<serde_json::Value> {
        let listed = with_list!(self, kind, |l| l
            .items
            .iter()
            .find(|r| r.key() == id)
            .and_then(|r| serde_json::to_value(r).ok()));
        listed.or_else(|| {
            self.overlays.iter().rev().find_map(|o| {
                let Overlay::Detail(d) = o else {
                    return None;
                };
                let t = &d.target;
                if t.item().id_text() == id && t.kind() == kind {
                    return Some(t.item().json());
                }
                let e = d.equipements.items.iter().find(|e| e.key() == id)?;
                (kind == ListKind::Equipements).then(|| serde_json::to_value(e).ok())?
            })
        })
    }

    /// A record kind's change landed: journaled with the states before and after (the
    /// runtime appends the entry to the file).
    pub(super) fn journal_landed(
        &mut self,
        kind: ListKind,
        id: &str,
        op: Op,
        before: Option<serde_json::Value>,
        undoes: Option<u64>,
        link: Option<journal::Link>,
    ) {
        // A user "deleted" is deactivated: what it became is known.
        let after = (op != Op::Delete || kind == ListKind::Users)
            .then(|| self.record_json(kind, id))
            .flatten();
        let label = after
            .as_ref()
            .or(before.as_ref())
            .and_then(|v| DetailTarget::from_json(kind, v))
            .map(|t| t.label())
            .unwrap_or_default();
        let mut e =
            Entry::now(kind.service().section(), kind.name(), id, op).with_states(before, after);
        e.label = label;
        e.link = link;
        e.who = self.session.user_on(&e.service).unwrap_or_default();
        e.undoes = undoes;
        e.batch = self.journal_batch;
        self.journal.push(e.clone());
        if self.journal.len() > journal::MAX_ENTRIES {
            self.journal.remove(0);
        }
        self.effects.push(Effect::Journal(Box::new(e)));
    }

    /// `u`: undoes the newest change not undone yet, after the user sees what it is.
    pub(super) fn undo(&mut self) {
        if self.refuse_if_read_only("undoing") {
            return;
        }
        let Some(e) = journal::next_undo(&self.journal).cloned() else {
            self.notice = Some(tr("Nothing to undo in this profile's journal").into());
            return;
        };
        let Some(kind) = ListKind::named(&e.kind) else {
            self.notice = Some(trf("Changes to {} cannot be undone here", &[&e.kind]));
            return;
        };
        if let Some(link) = &e.link {
            return self.undo_link(&e, link);
        }
        if let (Some(batch), Op::Create) = (e.batch, e.op) {
            return self.undo_import(batch);
        }
        if kind == ListKind::MaarchUsers {
            // The edit form needs the user's details: read first, the old values go in when
            // the form opens.
            let (Op::Update, Ok(uid), Some(before)) = (e.op, e.id.parse::<i64>(), e.before.clone())
            else {
                self.notice = Some(tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch").into());
                return;
            };
            self.undo_values = Some((e.seq, uid, before));
            self.read_maarch_for_edit(uid, false);
            self.notice = Some(tr("Reading the user's details…").into());
            return;
        }
        let when = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
        let record = |v: &Option<serde_json::Value>| {
            v.as_ref().and_then(|v| DetailTarget::from_json(kind, v))
        };
        match e.op {
            Op::Create => {
                let Some(t) = record(&e.after) else {
                    self.notice = Some(tr("The journal does not say what was created").into());
                    return;
                };
                match t.item().deletion() {
                    Ok((_, op)) => self.overlays.push(Overlay::Confirm(Confirm {
                        message: trf("Undo: delete {}, created {}?", &[&t.label(), &when]),
                        op,
                        pending: None,
                        error: None,
                        undoes: Some(e.seq),
                        typed: None,
                    })),
                    Err(why) => self.notice = Some(why.into()),
                }
            }
            Op::Delete if kind == ListKind::Users => {
                self.notice = Some(
                    tr("The core API has no route to reactivate a user: nothing was done").into(),
                );
            }
            Op::Delete => {
                let Some(t) = record(&e.before) else {
                    self.notice = Some(tr("The journal does not say what was deleted").into());
                    return;
                };
                let Some(mut form) = t.item().edit_form(self) else {
                    return;
                };
                // A creation filled with the record as it was: saving re-creates it, and a
                // creation needs the passwords the journal never kept.
                form.record_id = None;
                for f in &mut form.fields {
                    if matches!(f.kind, form::FieldKind::Password { .. }) {
                        f.required = true;
                    }
                }
                form.undoes = Some(e.seq);
                let secret = form.has_secret();
                form.error = Some(if secret {
                    trf(
                        "Undo: {} as it was before {}; passwords are never kept: type it, then save",
                        &[&t.label(), &when],
                    )
                } else {
                    trf(
                        "Undo: {} as it was before {}; save to re-create it",
                        &[&t.label(), &when],
                    )
                });
                if let Some(i) = form.fields.iter().position(|f| {
                    matches!(f.kind, form::FieldKind::Password { .. }) && f.value().is_empty()
                }) {
                    form.focus = i;
                }
                self.push_form(form);
            }
            Op::Update => {
                let Some(now) = self
                    .record_json(kind, &e.id)
                    .map(Some)
                    .and_then(|v| record(&v))
                else {
                    self.notice = Some(trf(
                        "{} is not in the list any more: refresh, then undo again",
                        &[&e.id],
                    ));
                    return;
                };
                let Some(was) = record(&e.before) else {
                    self.notice = Some(tr("The journal does not say what it was").into());
                    return;
                };
                let (Some(mut form), Some(old)) =
                    (now.item().edit_form(self), was.item().edit_form(self))
                else {
                    return;
                };
                for f in &mut form.fields {
                    if let Some(o) = old.field(&f.key)
                        && !matches!(f.kind, form::FieldKind::Password { .. })
                        && o.value() != f.value()
                    {
                        f.set_text(&o.value());
                    }
                }
                form.undoes = Some(e.seq);
                form.error = Some(trf(
                    "Undo: {} back to what it was before {}; save to send it",
                    &[&now.label(), &when],
                ));
                self.push_form(form);
            }
        }
    }

    /// A Maarch group or entity link added is removed (asked first); one removed is offered
    /// back as the filled form that adds it.
    fn undo_link(&mut self, e: &Entry, link: &journal::Link) {
        let Ok(user) = e.id.parse::<i64>() else {
            return;
        };
        let entity = link.to == "entity";
        let login = self
            .maarch_users
            .items
            .iter()
            .find(|u| u.id == user)
            .cloned()
            .unwrap_or(MaarchUser {
                id: user,
                user_id: e.label.clone(),
                ..Default::default()
            });
        if link.added {
            let (message, op) = if entity {
                (
                    trf(
                        "Undo: remove {} from entity {}?",
                        &[&login.user_id, &link.id],
                    ),
                    DeleteOp::MaarchEntity {
                        user,
                        entity: link.id.clone(),
                    },
                )
            } else {
                (
                    trf(
                        "Undo: remove {} from group {}?",
                        &[&login.user_id, &link.id],
                    ),
                    DeleteOp::MaarchGroup {
                        user,
                        group: link.id.clone(),
                    },
                )
            };
            self.overlays.push(Overlay::Confirm(Confirm {
                message,
                op,
                pending: None,
                error: None,
                undoes: Some(e.seq),
                typed: None,
            }));
            return;
        }
        let mut form = Form::maarch_link(&login, entity, vec![(link.id.clone(), link.id.clone())]);
        if let Some(x) = form.fields.first_mut() {
            x.set_text(&link.id);
        }
        form.undoes = Some(e.seq);
        form.error = Some(tr("Undo: add it back; save to send it").into());
        self.push_form(form);
    }

    /// The Maarch edit form `u` asked for just opened: the old values go in.
    pub(super) fn apply_undo_values(&mut self) {
        let Some((seq, uid, before)) = self.undo_values.take() else {
            return;
        };
        let Some(was) = DetailTarget::from_json(ListKind::MaarchUsers, &before) else {
            return;
        };
        // Only what the journal holds is put back (the list does not carry every field).
        let held = |k: &str| before.get(k).is_some_and(|v| !v.is_null());
        let Some(old) = was.item().edit_form(self) else {
            return;
        };
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if f.record_id.as_deref() != Some(uid.to_string().as_str()) {
            return;
        }
        for x in &mut f.fields {
            if let Some(o) = old.field(&x.key)
                && held(&x.key)
                && !o.unknown
                && o.value() != x.value()
            {
                x.set_text(&o.value());
            }
        }
        f.undoes = Some(seq);
        f.error = Some(trf(
            "Undo: {} back to what it was before; save to send it",
            &[&was.label()],
        ));
    }
}
