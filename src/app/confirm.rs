//! The question before a delete (and before an undo sent without a form): the record
//! named, the change sent on `y`, the server's refusal shown in place.

use crate::app::App;
use crate::app::Conflict;
use crate::app::ConflictRow;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::app::target_id;
use crate::app::view::{Cx, Flow, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Payload;
use crate::protocol::Saved;
use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::change::{self, Outcome, Verdict};

pub struct Confirm {
    pub message: String,
    /// What `y` sends.
    pub change: change::Change,
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// What must be typed to confirm (a site's name when it still holds equipements), and
    /// what is typed; `None`: `y` confirms.
    pub typed: Option<(String, Input)>,
}

impl Confirm {
    pub fn new(message: String, change: change::Change) -> Confirm {
        Confirm {
            message,
            change,
            pending: None,
            error: None,
            typed: None,
        }
    }
}

impl App {
    /// A confirmed change's outcome: the question closes, the record goes (or changes)
    /// where it shows — whether or not the question is still open.
    pub(super) fn on_confirm_changed(&mut self, id: u64, o: Outcome) {
        let pos = self
            .overlays
            .iter()
            .position(|x| matches!(x, Overlay::Confirm(c) if c.pending == Some(id)));
        let (kind, removal, change) = match pos.map(|p| &self.overlays[p]) {
            Some(Overlay::Confirm(c)) => {
                let removal = match &c.change.op {
                    change::Op::Edit(e) => e.fields.iter().all(|f| f.wanted.is_null()),
                    _ => true,
                };
                (c.change.kind, removal, Some(c.change.clone()))
            }
            _ => (kind_of_outcome(&o), true, None),
        };
        let label = |k: &str| change::label(k);
        match &o.verdict {
            Verdict::Conflict(clashes) => {
                if let Some(Overlay::Confirm(c)) = pos.and_then(|p| self.overlays.get_mut(p)) {
                    c.pending = None;
                    c.error = Some(tr("Changed on the server since: choose for each field").into());
                }
                let rows = clashes
                    .iter()
                    .map(|c| ConflictRow {
                        key: c.key.clone(),
                        label: label(&c.key),
                        original: c
                            .seen
                            .as_ref()
                            .map(|v| change::shown(&c.key, v))
                            .unwrap_or_default(),
                        theirs: change::shown(&c.key, &c.theirs),
                        mine: change::shown(&c.key, &c.mine),
                        theirs_value: c.theirs.clone(),
                        keep_mine: None,
                    })
                    .collect();
                match change {
                    Some(ch) if pos.is_some() => self.overlays.push(Overlay::Conflict(Conflict {
                        rows,
                        selected: 0,
                        resend: Some((ch, Purpose::Delete)),
                    })),
                    _ => {
                        self.status.last_error =
                            Some(tr("Not sent: changed on the server meanwhile").into())
                    }
                }
                return;
            }
            Verdict::Gone => {
                if let Some(p) = pos {
                    self.overlays.remove(p);
                }
                let list = ListKind::of_change(kind);
                with_list!(self, list, |mut l| l.remove(&o.id));
                for d in self.details_mut() {
                    d.equipements.remove(&o.id);
                }
                self.close_details_of(&o.id);
                self.status.notice =
                    Some(tr("Already gone from the server: nothing to delete").into());
            }
            Verdict::Unchanged => {
                if let Some(p) = pos {
                    self.overlays.remove(p);
                }
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let fields: Vec<(String, bool)> =
                    o.fields.iter().map(|f| (f.key.clone(), removal)).collect();
                self.status.notice = Some(App::unchanged_words(&fields, &label));
            }
            Verdict::Applied => {
                if let Some(p) = pos {
                    self.overlays.remove(p);
                }
                if o.deleted {
                    self.close_details_of(&o.id);
                }
                let words = self.land_outcome(kind, &o);
                self.status.last_error = App::server_kept(&o, &label);
                self.status.notice = Some(if pos.is_none() {
                    trf("{} (answered after its question was closed)", &[&words])
                } else {
                    words
                });
                return;
            }
        }
        self.status.last_error = None;
    }

    /// Details of a record that is gone are closed.
    fn close_details_of(&mut self, id: &str) {
        self.overlays.retain(|o| match o {
            Overlay::Detail(d) => target_id(&d.target) != id,
            _ => true,
        });
    }

    pub(super) fn delete_target(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("deleting") {
            return;
        }
        if self.undecodable(&t) {
            return;
        }
        let (mut message, op) = match t.item().deletion() {
            Ok(q) => q,
            Err(why) => {
                self.status.notice = Some(why.into());
                return;
            }
        };
        // A delete that takes more with it is typed, not a `y` away.
        let typed = t.item().delete_guard().map(|(why, expect)| {
            message = format!("{message} {why}");
            (expect, Input::default())
        });
        let change = kinds::delete_change(&t, &op);
        self.overlays.push(Overlay::Confirm(Confirm {
            typed,
            ..Confirm::new(message, change)
        }));
    }

    pub(super) fn delete_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.delete_target(t);
        }
    }
}

impl View for Confirm {
    const SCOPE: Scope = Scope::Confirm;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, _cx: &mut Cx) -> Flow {
        if let Some((expect, input)) = &mut self.typed {
            // A name is typed here: only the fixed keys act, every other key is text.
            match crate::app::action::fixed(key.code) {
                Some(Act::Cancel) => return Flow::Close,
                Some(Act::Open) if self.pending.is_none() => {
                    if input.value().trim() != expect.trim() {
                        self.error = Some(trf("Type {} exactly to delete it", &[expect]));
                        return Flow::Stay;
                    }
                    self.error = None;
                    return Flow::Send(Box::new(self.change.clone()), Purpose::Delete);
                }
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(*key)) {
                        input.handle(req);
                    }
                }
            }
            return Flow::Stay;
        }
        match act {
            Some(Act::Yes | Act::Open) if self.pending.is_none() => {
                self.error = None;
                Flow::Send(Box::new(self.change.clone()), Purpose::Delete)
            }
            Some(Act::No | Act::Cancel) => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn on_sent(&mut self, id: u64) {
        self.pending = Some(id);
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        if self.typed.is_some() {
            return vec![k.h(&[ENTER], "delete"), k.h(&[ESC], "cancel")];
        }
        vec![
            k.said(A(Scope::Confirm, Act::Yes)),
            k.h(&[A(Scope::Confirm, Act::No), ESC], "cancel"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        // The question stays open with the server's words: Enter tries again.
        f.settle(&mut self.pending, &mut self.error)
    }
}

impl Screen for Confirm {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.view_key::<Self>(key)
    }

    fn on_answer(app: &mut App, id: u64, _purpose: Purpose, p: Payload) -> bool {
        let Payload::Changed(o) = p else {
            return false;
        };
        app.on_confirm_changed(id, *o);
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        app.fail_views::<Self>(f).unwrap_or(true)
    }

    fn footer(app: &App) -> Vec<Hint> {
        app.view_footer::<Self>()
    }
}

/// The kind of record an outcome touched, when nothing else says it.
pub(super) fn kind_of_outcome(o: &Outcome) -> change::Kind {
    if let Some(k) = o.kind {
        return k;
    }
    if let Some(e) = &o.entry
        && let Some(k) = change::Kind::named(&e.kind)
    {
        return k;
    }
    match &o.saved {
        Some(Saved::Site(_)) => change::Kind::Site,
        Some(Saved::Equipement(_)) => change::Kind::Equipement,
        Some(Saved::User(_)) => change::Kind::User,
        Some(Saved::Role(_)) => change::Kind::Role,
        Some(Saved::MaarchUser(..)) => change::Kind::MaarchUser,
        _ => change::Kind::Individu,
    }
}
