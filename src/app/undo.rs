//! `u` walking back through the journal. Undo is a change like any other: for each field
//! the change journaled, the value before is wanted back and the value after is what the
//! server must still hold — a field someone changed since is a conflict, never silently
//! reverted, and fields vigie did not change are never sent. A created record is deleted
//! (asked first), a deleted one is offered back as a filled creation form, an edit comes
//! back as the record's form with the journaled fields put back, a Maarch link as a question.

use crate::app::form;
use crate::rows::Rows;

use crate::app::App;
use crate::app::Confirm;
use crate::app::Overlay;
use crate::app::form::Form;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;

use crate::change::{self, FieldChange};
use crate::journal::{self, Entry, Op};

impl App {
    /// The record of `kind` with this id as the console holds it, as JSON: in its list, else
    /// in an open detail (a site's equipements are not all in the Equipements tab's page).
    pub fn record_json(&self, kind: ListKind, id: &str) -> Option<serde_json::Value> {
        let listed = with_list!(self, kind, |l| l
            .items
            .position_of(id)
            .and_then(|i| l.items.row(i))
            .and_then(|r| serde_json::to_value(&*r).ok()));
        listed.or_else(|| {
            self.overlays.iter().rev().find_map(|o| {
                let Overlay::Detail(d) = o else {
                    return None;
                };
                let t = &d.target;
                if t.item().id_text() == id && t.kind() == kind {
                    return Some(t.item().json());
                }
                let list = &d.equipements.items;
                let e = list.position_of(id).and_then(|i| list.row(i))?;
                (kind == ListKind::Equipements).then(|| serde_json::to_value(&*e).ok())?
            })
        })
    }

    /// `u`: undoes the newest change not undone yet, after the user sees what it is.
    pub(super) fn undo(&mut self) {
        if self.refuse_if_read_only("undoing") {
            return;
        }
        let Some(e) = journal::next_undo(&self.journal).cloned() else {
            self.status.notice = Some(tr("Nothing to undo in this profile's journal").into());
            return;
        };
        let Some(kind) = ListKind::named(&e.kind) else {
            self.status.notice = Some(trf("Changes to {} cannot be undone here", &[&e.kind]));
            return;
        };
        if let (Some(batch), Op::Create) = (e.batch, e.op) {
            return self.undo_import(batch);
        }
        let fields = change::undo_fields(&e);
        if e.op == Op::Update
            && !fields.is_empty()
            && fields.iter().all(|f| change::split_link(&f.key).is_some())
        {
            return self.undo_links(&e, fields);
        }
        if kind == ListKind::MaarchUsers {
            return self.undo_maarch_user(&e, fields);
        }
        let when = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
        match e.op {
            Op::Create => self.undo_create(&e, kind, &when),
            Op::Delete if kind == ListKind::Users => {
                self.status.notice = Some(
                    tr("The core API has no route to reactivate a user: nothing was done").into(),
                );
            }
            Op::Delete => self.undo_delete(&e, kind, &when),
            Op::Update => self.undo_update(&e, kind, &when, &fields),
        }
    }

    /// A Maarch user's edit undone: the edit form needs the user's details, so they are read
    /// first and the old values go in when the form opens.
    fn undo_maarch_user(&mut self, e: &Entry, fields: Vec<FieldChange>) {
        let (Op::Update, Ok(uid)) = (e.op, e.id.parse::<i64>()) else {
            self.status.notice = Some(tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch").into());
            return;
        };
        if fields.is_empty() {
            self.status.notice = Some(tr("The journal does not say what it was").into());
            return;
        }
        let Some(read) = self.read_maarch_for_edit(uid, false) else {
            self.status.notice = Some(tr("A user's details are being read: try again").into());
            return;
        };
        self.waiting.undo_values = Some((read, e.seq, uid, fields));
        self.status.notice = Some(tr("Reading the user's details…").into());
    }

    /// A creation undone: its deletion, asked first. `when` is when it was created.
    fn undo_create(&mut self, e: &Entry, kind: ListKind, when: &str) {
        let Some(t) = journaled_record(kind, &e.after) else {
            self.status.notice = Some(tr("The journal does not say what was created").into());
            return;
        };
        match t.item().deletion() {
            Ok((_, op)) => {
                let mut change = kinds::delete_change(&t, &op);
                change.undoes = Some(e.seq);
                if change.site.is_none() {
                    change.site = e.site.clone();
                }
                self.overlays.push(Overlay::Confirm(Confirm::new(
                    trf("Undo: delete {}, created {}?", &[&t.label(), &when]),
                    change,
                )))
            }
            Err(why) => self.status.notice = Some(why.into()),
        }
    }

    /// A deletion undone: a creation form filled with the record as it was; saving
    /// re-creates it.
    fn undo_delete(&mut self, e: &Entry, kind: ListKind, when: &str) {
        let Some(t) = journaled_record(kind, &e.before) else {
            self.status.notice = Some(tr("The journal does not say what was deleted").into());
            return;
        };
        let Some(mut form) = t.item().edit_form(self) else {
            return;
        };
        // A creation filled with the record as it was: saving re-creates it, and a
        // creation needs the passwords the journal never kept.
        form.record_id = None;
        form.seen = None;
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

    /// An edit undone: the record's form as it is now, with the journaled fields put back;
    /// saving sends them.
    fn undo_update(&mut self, e: &Entry, kind: ListKind, when: &str, fields: &[FieldChange]) {
        let Some(now) = self
            .record_json(kind, &e.id)
            .map(Some)
            .and_then(|v| journaled_record(kind, &v))
        else {
            self.status.notice = Some(trf(
                "{} is not in the list any more: refresh, then undo again",
                &[&e.id],
            ));
            return;
        };
        let Some(mut form) = now.item().edit_form(self) else {
            return;
        };
        if put_back(&mut form, kind.change_kind(), fields) == 0 {
            self.status.notice = Some(tr("The journal does not say what it was").into());
            return;
        }
        form.undoes = Some(e.seq);
        form.error = Some(trf(
            "Undo: {} back to what it was before {}; save to send it",
            &[&now.label(), &when],
        ));
        self.push_form(form);
    }

    /// A Maarch user's groups or entities as they were: one question, then the change (a
    /// link someone changed since is a conflict).
    fn undo_links(&mut self, e: &Entry, fields: Vec<FieldChange>) {
        let login = self
            .lists
            .maarch_users
            .items
            .iter()
            .find(|u| u.id.to_string() == e.id)
            .map(|u| u.user_id.clone())
            .unwrap_or_else(|| e.label.clone());
        let what: Vec<String> = fields
            .iter()
            .map(|f| {
                let name = change::label(&f.key);
                if f.wanted.is_null() {
                    trf("leave {}", &[&name])
                } else {
                    trf(
                        "back in {} as {}",
                        &[&name, &change::shown(&f.key, &f.wanted)],
                    )
                }
            })
            .collect();
        let mut c = change::Change::edit(change::Kind::MaarchUser, e.id.clone(), fields);
        c.undoes = Some(e.seq);
        c.label = e.label.clone();
        let message = trf(
            "Undo: {} {}?",
            &[&crate::text::sanitize(&login), &what.join(", ")],
        );
        self.overlays
            .push(Overlay::Confirm(Confirm::new(message, c)));
    }

    /// The Maarch edit form read by `read` just opened: the old values go in when it is the
    /// one `u` asked for (a read dropped as the user moved on leaves nothing for later).
    pub(super) fn apply_undo_values(&mut self, read: u64) {
        let Some((asked, seq, uid, fields)) = self.waiting.undo_values.take() else {
            return;
        };
        if asked != read {
            return;
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if f.record_id.as_deref() != Some(uid.to_string().as_str()) {
            return;
        }
        put_back(f, change::Kind::MaarchUser, &fields);
        f.undoes = Some(seq);
        let label = f.subject.clone();
        f.error = Some(trf(
            "Undo: {} back to what it was before; save to send it",
            &[&label],
        ));
    }
}

/// Puts the journaled fields back in an edit form: each shows its value before, and the
/// form takes the value after as what it saw (so a field changed since is a conflict);
/// how many fields it holds.
fn put_back(form: &mut Form, kind: change::Kind, fields: &[FieldChange]) -> usize {
    let mut n = 0;
    for fc in fields {
        if let Some(p) = fc.key.strip_prefix("perm:") {
            let Some(on) = fc.wanted.as_bool() else {
                continue;
            };
            let Some(grid) = form.fields.iter_mut().find(|x| x.key == "permissions") else {
                continue;
            };
            if let form::FieldKind::Grid {
                cells,
                on: cells_on,
                ..
            } = &mut grid.kind
                && let Some(i) = cells.iter().position(|(r, a)| {
                    format!("{r}:{a}") == p || (r.is_empty() && format!("#{a}") == p)
                })
            {
                cells_on[i] = on;
                grid.touched = true;
                n += 1;
            } else if on
                && let Some(extra) = form.fields.iter_mut().find(|x| x.key == "permissions_add")
            {
                let mut v = extra.value();
                if !v.is_empty() {
                    v.push_str(", ");
                }
                match p.strip_prefix('#') {
                    Some(id) => v.push_str(&format!(":{id}")),
                    None => v.push_str(p),
                }
                extra.set_text(&v);
                n += 1;
            }
        } else {
            let Some(x) = form
                .fields
                .iter_mut()
                .find(|x| Form::change_key(x) == fc.key)
            else {
                continue;
            };
            if matches!(x.kind, form::FieldKind::Password { .. }) {
                continue;
            }
            let text = Form::text_of(x, &fc.wanted);
            x.set_text(&text);
            n += 1;
        }
        if let Some(after) = &fc.seen {
            form.set_seen(kind, &fc.key, after.clone());
        }
    }
    n
}

/// A record as the journal kept it (before or after the change), as the detail it would open.
fn journaled_record(kind: ListKind, v: &Option<serde_json::Value>) -> Option<DetailTarget> {
    v.as_ref().and_then(|v| DetailTarget::from_json(kind, v))
}
