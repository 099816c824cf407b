//! Bulk actions on the marked rows: delete, move equipements to another site, set fields.
//! One question first, then one request at a time (never two writes racing, never a write
//! retried by itself), a progress bar, and a result per row; a failure does not stop the
//! run, Esc stops it after the request in flight. Rows done are unmarked, failed ones stay
//! marked so the run can be repeated on them; every change goes to the journal.

use crate::api::ApiError;
use crate::app::App;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::action::{Typed, fixed, typed};
use crate::app::changes;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Payload;
use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::change::{self, Change, Verdict};

/// Above this many rows, a bulk delete is confirmed by typing the count.
pub const TYPE_THE_COUNT_ABOVE: usize = 10;

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not sent yet (or never: the run was stopped).
    Waiting,
    Done(String),
    Failed(String),
    /// Nothing to do for it (already so), or it cannot be done here; nothing was sent.
    Skipped(String),
}

pub struct BulkJob {
    /// The record's key in its list (marks are kept by it).
    pub key: String,
    pub label: String,
    /// What the row asks the change room; `None`: decided before the run (see the outcome).
    pub change: Option<Change>,
    /// Why nothing is sent for it (with no change).
    pub skip: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    Ask,
    Run,
    Finished,
}

pub struct BulkRun {
    /// What is done, as asked ("Delete 12 equipements?").
    pub question: String,
    /// What the run is, for its title ("Moving to LOUM").
    pub title: String,
    pub kind: ListKind,
    pub jobs: Vec<BulkJob>,
    pub outcomes: Vec<Outcome>,
    pub phase: Phase,
    /// The count to type before a big delete, and what is typed.
    pub typed: Option<(String, Input)>,
    pub error: Option<String>,
    /// The job whose request is in flight, and the request's id.
    pub pending: Option<(usize, u64)>,
    /// Esc was pressed: no new request is sent.
    pub stopping: bool,
    /// An import: the journal batch its rows share.
    pub batch: Option<u64>,
    pub selected: usize,
    /// `/`: only the rows whose label or result holds every word.
    pub filter: String,
    pub filtering: bool,
}

impl BulkRun {
    /// A run asked, not started: a row with no change is skipped with its reason.
    pub fn new(
        question: String,
        title: String,
        kind: ListKind,
        jobs: Vec<BulkJob>,
        typed: Option<(String, Input)>,
    ) -> BulkRun {
        let outcomes = jobs
            .iter()
            .map(|j| match (&j.change, &j.skip) {
                (Some(_), _) => Outcome::Waiting,
                (None, why) => Outcome::Skipped(why.clone().unwrap_or_default()),
            })
            .collect();
        BulkRun {
            question,
            title,
            kind,
            jobs,
            outcomes,
            phase: Phase::Ask,
            typed,
            error: None,
            pending: None,
            stopping: false,
            batch: None,
            selected: 0,
            filter: String::new(),
            filtering: false,
        }
    }

    pub fn done(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Done(_)))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failed(_)))
            .count()
    }

    /// The rows shown (indices into `jobs`): every one, or those the filter keeps.
    pub fn shown(&self) -> Vec<usize> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(|w| crate::app::list::fold(w).to_lowercase())
            .collect();
        (0..self.jobs.len())
            .filter(|&i| {
                if words.is_empty() {
                    return true;
                }
                let said = match &self.outcomes[i] {
                    Outcome::Waiting => "",
                    Outcome::Done(w) | Outcome::Failed(w) | Outcome::Skipped(w) => w,
                };
                let hay = crate::app::list::fold(&format!("{} {said}", self.jobs[i].label))
                    .to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }

    /// Moves the selection by `delta` among the rows shown.
    fn step(&mut self, delta: isize) {
        let shown = self.shown();
        let Some(last) = shown.len().checked_sub(1) else {
            return;
        };
        let at = shown.iter().position(|&i| i == self.selected).unwrap_or(0);
        let to = match delta {
            isize::MIN => 0,
            isize::MAX => last,
            d => at.saturating_add_signed(d).min(last),
        };
        self.selected = shown[to];
    }

    /// Rows settled (done, failed or skipped), for the progress bar.
    pub fn settled(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| **o != Outcome::Waiting)
            .count()
    }
}

impl App {
    pub(super) fn open_bulk(
        &mut self,
        question: String,
        title: String,
        kind: ListKind,
        jobs: Vec<BulkJob>,
        typed: Option<(String, Input)>,
    ) {
        self.overlays.push(Overlay::Bulk(Box::new(BulkRun::new(
            question, title, kind, jobs, typed,
        ))));
    }

    pub(super) fn bulk_mut(&mut self) -> Option<&mut BulkRun> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Bulk(b) => Some(b.as_mut()),
            _ => None,
        })
    }

    /// Sends the next waiting row's request, or ends the run.
    pub(super) fn bulk_next(&mut self) {
        let Some(b) = self.bulk_mut() else {
            return;
        };
        let next = (!b.stopping)
            .then(|| {
                (0..b.jobs.len())
                    .find(|&i| b.outcomes[i] == Outcome::Waiting && b.jobs[i].change.is_some())
            })
            .flatten();
        let Some(i) = next else {
            return self.bulk_finish();
        };
        let Some(mut c) = b.jobs[i].change.clone() else {
            return;
        };
        if c.batch.is_none() {
            c.batch = b.batch;
        }
        let id = self.send_change(c, Purpose::Bulk);
        if let Some(b) = self.bulk_mut() {
            b.pending = Some((i, id));
        }
    }

    /// The run ended (or was stopped): done rows unmarked, the count said.
    fn bulk_finish(&mut self) {
        let Some(b) = self.bulk_mut() else {
            return;
        };
        b.phase = Phase::Finished;
        b.pending = None;
        let kind = b.kind;
        let done: Vec<String> = b
            .jobs
            .iter()
            .zip(&b.outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Done(_)))
            .map(|(j, _)| j.key.clone())
            .collect();
        let (n_done, failed, total) = (b.done(), b.failed(), b.jobs.len());
        let not_sent = b
            .outcomes
            .iter()
            .filter(|o| **o == Outcome::Waiting)
            .count();
        with_list!(self, kind, |mut l| for k in &done {
            l.marked.remove(k);
        });
        if kind == ListKind::Equipements {
            for d in self.details_mut() {
                for k in &done {
                    d.equipements.marked.remove(k);
                }
            }
        }
        let mut notice = trf("{} of {} done, {} failed", &[&n_done, &total, &failed]);
        if not_sent > 0 {
            notice = trf("{} — stopped, {} not sent", &[&notice, &not_sent]);
        }
        if failed > 0 || not_sent > 0 {
            notice = trf("{} (still marked: run it again on them)", &[&notice]);
        }
        self.status.notice = Some(notice);
    }

    /// What a row's change did, landed where it shows, in the row's words.
    fn bulk_outcome(&mut self, c: &Change, o: &change::Outcome) -> Outcome {
        let label = |k: &str| change::label(k);
        let removal = match &c.op {
            change::Op::Edit(e) => e.fields.iter().all(|f| f.wanted.is_null()),
            _ => true,
        };
        match &o.verdict {
            Verdict::Conflict(clashes) => {
                // The row shows the server's values: running again compares with them.
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let what: Vec<String> = clashes
                    .iter()
                    .map(|x| {
                        trf(
                            "{} is {} on the server (was {})",
                            &[
                                &label(&x.key),
                                &change::shown(&x.key, &x.theirs),
                                &x.seen
                                    .as_ref()
                                    .map(|v| change::shown(&x.key, v))
                                    .unwrap_or_default(),
                            ],
                        )
                    })
                    .collect();
                Outcome::Failed(trf(
                    "changed on the server meanwhile: {}; not sent",
                    &[&what.join(", ")],
                ))
            }
            Verdict::Gone => {
                if matches!(c.op, change::Op::Delete) {
                    // What a delete wants holds: the row goes.
                    kinds::land_removed(self, c.kind, &o.id);
                    Outcome::Done(tr("already gone from the server").into())
                } else {
                    Outcome::Failed(tr("deleted on the server meanwhile").into())
                }
            }
            Verdict::Unchanged => {
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let fields: Vec<(String, bool)> =
                    o.fields.iter().map(|f| (f.key.clone(), removal)).collect();
                Outcome::Skipped(App::unchanged_words(&fields, &label))
            }
            Verdict::Applied => {
                let words = self.land_outcome(c.kind, o);
                if o.not_applied().iter().any(|(k, _)| *k == "site_id") {
                    // A server without the move extension answers the record unmoved.
                    return Outcome::Failed(
                        tr("the server answered it on its old site: not moved").into(),
                    );
                }
                match App::server_kept(o, &label) {
                    Some(w) if changes::any_not_applied(o) => Outcome::Failed(w),
                    Some(w) => Outcome::Done(format!("{words} — {w}")),
                    None => Outcome::Done(words),
                }
            }
        }
    }

    /// The row whose request `id` was, settled with `outcome`.
    fn bulk_settle(&mut self, id: u64, outcome: Outcome) -> Option<usize> {
        let b = self.bulk_mut()?;
        let (i, _) = b.pending.filter(|(_, p)| *p == id)?;
        b.outcomes[i] = outcome;
        b.selected = i;
        b.pending = None;
        Some(i)
    }
}

impl BulkRun {
    /// A key while the rows' filter is typed: only the fixed keys act.
    fn filter_key(&mut self, key: &KeyEvent) {
        match (fixed(key.code), typed(key)) {
            (Some(Act::Cancel), _) => {
                self.filter.clear();
                self.filtering = false;
            }
            (Some(Act::Open), _) => self.filtering = false,
            (_, Some(Typed::Backspace)) => {
                self.filter.pop();
            }
            (_, Some(Typed::Char(c))) => self.filter.push(c),
            _ => {}
        }
        self.step(0);
    }

    /// The question answered: the run starts, its first row's change sent by the console.
    fn start(&mut self) -> Flow {
        self.phase = Phase::Run;
        Flow::Then(Msg::BulkNext)
    }

    /// A key while the count (or name) to confirm is typed.
    fn typed_key(&mut self, key: &KeyEvent) -> Flow {
        let Some((expect, input)) = &mut self.typed else {
            return Flow::Stay;
        };
        match fixed(key.code) {
            Some(Act::Cancel) => return Flow::Close,
            Some(Act::Open) => {
                if input.value().trim() != expect.as_str() {
                    self.error = Some(trf("Type {} to confirm", &[expect]));
                    return Flow::Stay;
                }
                return self.start();
            }
            _ => {
                if let Some(req) = to_input_request(&crossterm::event::Event::Key(*key)) {
                    input.handle(req);
                }
            }
        }
        Flow::Stay
    }
}

impl View for BulkRun {
    const SCOPE: Scope = Scope::Bulk;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow {
        if self.filtering {
            self.filter_key(key);
            return Flow::Stay;
        }
        match self.phase {
            Phase::Ask if self.typed.is_some() => return self.typed_key(key),
            Phase::Ask => match act {
                Some(Act::Filter) => self.filtering = true,
                Some(Act::Down) => self.step(1),
                Some(Act::Up) => self.step(-1),
                Some(Act::Yes | Act::Open) => return self.start(),
                Some(Act::No | Act::Cancel | Act::Close) => return Flow::Close,
                _ => {}
            },
            Phase::Run => {
                if act == Some(Act::Cancel) {
                    self.stopping = true;
                    *cx.notice = Some(tr("Stopping after the request in flight…").into());
                }
            }
            Phase::Finished => match act {
                Some(Act::Cancel) if !self.filter.is_empty() => self.filter.clear(),
                Some(Act::Cancel | Act::Close | Act::Open) => return Flow::Close,
                Some(Act::Filter) => self.filtering = true,
                Some(Act::Down) => self.step(1),
                Some(Act::Up) => self.step(-1),
                Some(Act::First) => self.step(isize::MIN),
                Some(Act::Last) => self.step(isize::MAX),
                _ => {}
            },
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let b = |a| A(Scope::Bulk, a);
        match self.phase {
            Phase::Ask if self.typed.is_some() => {
                vec![k.h(&[ENTER], "confirm"), k.h(&[ESC], "cancel")]
            }
            Phase::Ask => vec![
                k.h(&[b(Act::Yes), ENTER], "confirm"),
                k.h(&[b(Act::No), ESC], "cancel"),
            ],
            Phase::Run => vec![k.h(&[ESC], "stop after the request in flight")],
            Phase::Finished => vec![
                k.h(&[b(Act::Down), b(Act::Up)], "move"),
                k.said(b(Act::Filter)),
                k.h(&[ESC, b(Act::Close)], "close"),
            ],
        }
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let b = |a| A(Scope::Bulk, a);
        vec![
            k.sp(&[b(Act::Yes), ENTER], "run it on every marked row"),
            k.sp(
                &[ESC],
                "cancel; while running: stop after the request in flight",
            ),
            k.sp(&[b(Act::Down), b(Act::Up)], "move in the results"),
            k.said_line(b(Act::Filter)),
            k.said_line(b(Act::Close)),
        ]
    }
}

impl Screen for BulkRun {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.view_key::<Self>(key)
    }

    fn on_answer(app: &mut App, id: u64, _purpose: Purpose, p: Payload) -> bool {
        let o = match p {
            Payload::ImportPlan(plan) => return app.on_import_plan(id, plan),
            Payload::Changed(o) => *o,
            _ => return false,
        };
        let Some(b) = app.bulk_mut() else {
            return false;
        };
        let Some((i, _)) = b.pending.filter(|(_, p)| *p == id) else {
            return false;
        };
        let Some(c) = b.jobs[i].change.clone() else {
            return false;
        };
        let outcome = app.bulk_outcome(&c, &o);
        app.bulk_settle(id, outcome);
        app.bulk_next();
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        let Failure { id, e, words, .. } = *f;
        if matches!(f.purpose, Purpose::ImportPlan) {
            // The import form waits wherever it is in the stack (a window may be over it).
            if let Some(pos) = app.waiting_form(id)
                && let Some(Overlay::Form(form)) = app.overlays.get_mut(pos)
            {
                form.pending = None;
                form.error = Some(words.to_string());
            }
            return false;
        }
        if app
            .bulk_settle(id, Outcome::Failed(words.to_string()))
            .is_none()
        {
            return false;
        }
        // Unreachable or logged out: every next row would fail the same way.
        let stop = matches!(e, ApiError::Network(_) | ApiError::Unauthorized(_));
        if stop && let Some(b) = app.bulk_mut() {
            b.stopping = true;
        }
        app.bulk_next();
        stop
    }

    fn footer(app: &App) -> Vec<Hint> {
        app.view_footer::<Self>()
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        app.view_help::<Self>()
    }
}
