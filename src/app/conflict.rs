//! No lost update: the change room compares each changed field with the record as the
//! server holds it now; a field changed on both sides stops the change on this screen,
//! which shows the original, theirs and mine of each such field and lets the user pick.
//! Picks from a form go back into the form (the next save checks again); picks for a
//! change without a form (an undo) are sent again at once.

use crate::app::App;
use crate::app::Confirm;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::form;
use crate::app::form::Form;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::ListKind;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

/// A field changed both on the server and by the user.
#[derive(Debug, Clone)]
pub struct ConflictRow {
    /// The field as the API names it.
    pub key: String,
    pub label: String,
    /// As the user saw it.
    pub original: String,
    /// As the server holds it now.
    pub theirs: String,
    /// As the user wants it.
    pub mine: String,
    /// Theirs as the server sent it (what the next comparison starts from).
    pub theirs_value: serde_json::Value,
    /// The user's pick: `Some(true)` keeps mine.
    pub keep_mine: Option<bool>,
}

pub struct Conflict {
    pub rows: Vec<ConflictRow>,
    pub selected: usize,
    /// A change without a form: sent again with the picks (and the purpose it had).
    pub resend: Option<(crate::change::Change, Purpose)>,
}

impl App {
    /// Enter: the picks go into the form, which the next save checks again; Esc: back to the
    /// form as typed, nothing sent.
    pub(super) fn conflict_closed(
        &mut self,
        rows: Vec<ConflictRow>,
        resend: Option<Box<(crate::change::Change, Purpose)>>,
        apply: bool,
    ) {
        if let Some((mut change, purpose)) = resend.map(|b| *b) {
            return self.resend_after_conflict(&mut change, purpose, rows, apply);
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if !apply {
            f.error = Some(tr("Not saved: the server's values differ from yours").into());
            return;
        }
        let kind = f.kind.record_kind().map(ListKind::change_kind);
        for r in rows {
            let keep_mine = r.keep_mine == Some(true);
            if let Some(x) = f.fields.iter_mut().find(|x| Form::change_key(x) == r.key) {
                // From the value, never from the row's words (a password is masked there):
                // mine stays as typed, theirs becomes what the form started from.
                let theirs = Form::text_of(x, &r.theirs_value);
                x.rebase(&theirs, !keep_mine);
            }
            // A key no field shows (edited in `$EDITOR`): mine goes against theirs, theirs
            // is not sent.
            if keep_mine {
                for e in f.extra.iter_mut().filter(|e| e.key == r.key) {
                    e.seen = Some(r.theirs_value.clone());
                }
            } else {
                f.extra.retain(|e| e.key != r.key);
            }
            // The next save compares with what the server holds now.
            if let Some(k) = kind {
                f.set_seen(k, &r.key, r.theirs_value);
            }
        }
        // What is sent changed: a reviewed profile sees it again.
        f.agreed.retain(|a| *a != form::Ask::Review);
        f.error = Some(tr("Your choices are in the form: save to send them").into());
    }

    /// The picks of a change without a form: mine is sent against what the server holds
    /// now, theirs is not sent; nothing left, nothing sent.
    fn resend_after_conflict(
        &mut self,
        change: &mut crate::change::Change,
        purpose: Purpose,
        rows: Vec<ConflictRow>,
        apply: bool,
    ) {
        fn waiting(app: &mut App) -> Option<&mut Confirm> {
            app.overlays.iter_mut().rev().find_map(|o| match o {
                Overlay::Confirm(c) => Some(c),
                _ => None,
            })
        }
        if !apply {
            if let Some(c) = waiting(self) {
                c.error = Some(tr("Not sent: the server's values differ from yours").into());
            }
            return;
        }
        if let crate::change::Op::Edit(e) = &mut change.op {
            for r in rows {
                if r.keep_mine == Some(true) {
                    if let Some(f) = e.fields.iter_mut().find(|f| f.key == r.key) {
                        f.seen = Some(r.theirs_value);
                    }
                } else {
                    e.fields.retain(|f| f.key != r.key);
                }
            }
            if e.fields.is_empty() {
                if let Some(c) = waiting(self) {
                    c.error = None;
                }
                self.overlays.retain(|o| !matches!(o, Overlay::Confirm(_)));
                self.status.notice = Some(tr("Nothing sent: the server's values were kept").into());
                return;
            }
        }
        let id = self.send_change(change.clone(), purpose);
        if let Some(c) = waiting(self) {
            c.pending = Some(id);
            c.change = change.clone();
        }
    }
}

impl View for Conflict {
    const SCOPE: Scope = Scope::Conflict;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let n = self.rows.len();
        match act {
            Some(Act::Open) if self.rows.iter().any(|r| r.keep_mine.is_none()) => {
                let key = |a| cx.keys.label_of(Scope::Conflict, a);
                *cx.notice = Some(trf(
                    "Choose for each field: {} keeps the server's value, {} keeps yours",
                    &[&key(Act::Theirs), &key(Act::Mine)],
                ));
            }
            Some(Act::Open | Act::Cancel) => {
                return Flow::Done(Msg::ConflictClosed {
                    rows: std::mem::take(&mut self.rows),
                    resend: self.resend.take().map(Box::new),
                    apply: act == Some(Act::Open),
                });
            }
            Some(Act::Down) => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Some(Act::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Theirs | Act::Mine) => {
                if let Some(r) = self.rows.get_mut(self.selected) {
                    r.keep_mine = Some(act == Some(Act::Mine));
                }
                self.selected = (self.selected + 1).min(n.saturating_sub(1));
            }
            Some(Act::Help) => {
                return Flow::help();
            }
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let c = |a| A(Scope::Conflict, a);
        vec![
            k.h(&[c(Act::Down), c(Act::Up)], "move"),
            k.said(c(Act::Theirs)),
            k.said(c(Act::Mine)),
            k.h(&[ENTER], "apply"),
            k.h(&[ESC], "back"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let c = |a| A(Scope::Conflict, a);
        vec![
            k.sp(
                &[c(Act::Down), c(Act::Up)],
                "move between the fields changed on both sides",
            ),
            k.said_line(c(Act::Theirs)),
            k.said_line(c(Act::Mine)),
            k.sp(&[ENTER], "put the choices in the form (save sends them)"),
            k.sp(&[ESC], "back to the form, nothing sent"),
        ]
    }
}
