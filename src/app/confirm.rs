//! The question before a delete: the record named, the operation sent on `y`, the server's
//! refusal shown in place.

use super::*;
use crate::journal::Op;

pub struct Confirm {
    pub message: String,
    pub op: DeleteOp,
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// The journal entry this delete undoes, when `u` asked it.
    pub undoes: Option<u64>,
    /// What must be typed to confirm (a site's name when it still holds equipements), and
    /// what is typed; `None`: `y` confirms.
    pub typed: Option<(String, Input)>,
}

impl App {
    /// A delete's answer: the question closes, the record goes (or changes) where it shows.
    pub(super) fn on_deleted(&mut self, id: u64, op: DeleteOp) {
        let mut undoes = None;
        if let Some(Overlay::Confirm(c)) = self.overlays.last()
            && c.pending == Some(id)
        {
            undoes = c.undoes;
            self.overlays.pop();
        }
        let (kind, record) = kinds::deleted_record(&op);
        let before = self.record_json(kind, &record);
        let rid = op.id();
        let removes_record = !matches!(
            op,
            DeleteOp::User(_)
                | DeleteOp::MaarchGroup { .. }
                | DeleteOp::MaarchEntity { .. }
                | DeleteOp::ParapheurLink(_)
        );
        // Close details of the record that is gone.
        self.overlays.retain(|o| match o {
            Overlay::Detail(d) => !removes_record || target_id(&d.target) != rid,
            _ => true,
        });
        let what = kinds::land_deleted(self, &op);
        let link = |to: &str, id: &str| crate::journal::Link {
            to: to.into(),
            id: id.into(),
            added: false,
        };
        match &op {
            DeleteOp::MaarchGroup { group, .. } => {
                let l = link("group", group);
                self.journal_landed(kind, &record, Op::Update, before, undoes, Some(l));
            }
            DeleteOp::MaarchEntity { entity, .. } => {
                let l = link("entity", entity);
                self.journal_landed(kind, &record, Op::Update, before, undoes, Some(l));
            }
            DeleteOp::ParapheurLink(_) => {}
            _ => self.journal_landed(kind, &record, Op::Delete, before, undoes, None),
        }
        self.notice = Some(tr(what).to_string());
        self.last_error = None;
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
                self.notice = Some(why.into());
                return;
            }
        };
        // A delete that takes more with it is typed, not a `y` away.
        let typed = t.item().delete_guard().map(|(why, expect)| {
            message = format!("{message} {why}");
            (expect, Input::default())
        });
        self.overlays.push(Overlay::Confirm(Confirm {
            message,
            op,
            pending: None,
            error: None,
            undoes: None,
            typed,
        }));
    }

    pub(super) fn delete_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.delete_target(t);
        }
    }

    pub(super) fn confirm_key(&mut self, key: KeyEvent) {
        let Some(key) = self.keymap.translate(Scope::Confirm, key) else {
            return;
        };
        let Some(Overlay::Confirm(c)) = self.overlays.last_mut() else {
            return;
        };
        if let Some((expect, input)) = &mut c.typed {
            match key.code {
                KeyCode::Esc => {
                    self.overlays.pop();
                }
                KeyCode::Enter if c.pending.is_none() => {
                    if input.value().trim() != expect.trim() {
                        c.error = Some(trf("Type {} exactly to delete it", &[expect]));
                        return;
                    }
                    let op = c.op.clone();
                    c.error = None;
                    let id = self.send(Request::Delete(op), Purpose::Delete);
                    if let Some(Overlay::Confirm(c)) = self.overlays.last_mut() {
                        c.pending = Some(id);
                    }
                }
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                        input.handle(req);
                    }
                }
            }
            return;
        }
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter if c.pending.is_none() => {
                let op = c.op.clone();
                c.error = None;
                let id = self.send(Request::Delete(op), Purpose::Delete);
                if let Some(Overlay::Confirm(c)) = self.overlays.last_mut() {
                    c.pending = Some(id);
                }
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                self.overlays.pop();
            }
            _ => {}
        }
    }
}

impl Screen for Confirm {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.confirm_key(key)
    }

    fn on_answer(app: &mut App, id: u64, _purpose: Purpose, p: Payload) -> bool {
        let Payload::Deleted(op) = p else {
            return false;
        };
        app.on_deleted(id, op);
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        let Failure { id, words, .. } = *f;
        if let Some(Overlay::Confirm(c)) = app.overlays.last_mut()
            && c.pending == Some(id)
        {
            c.pending = None;
            c.error = Some(words.to_string());
        }
        true
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.keymap);
        if let Some(Overlay::Confirm(c)) = app.overlays.last()
            && c.typed.is_some()
        {
            return vec![k.h(&[ENTER], "delete"), k.h(&[ESC], "cancel")];
        }
        match app.overlays.last() {
            Some(Overlay::Confirm(_)) => vec![
                k.h(&[A(Scope::Confirm, "yes")], "confirm"),
                k.h(&[A(Scope::Confirm, "no"), ESC], "cancel"),
            ],
            _ => Vec::new(),
        }
    }
}
