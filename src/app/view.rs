//! Screens that own their state: each is a struct that takes an action, and the answers and
//! failures of its requests, with `&mut self`, and reaches the rest of the console only
//! through `Cx` (the key table, the rows shown, effects, the status line, requests) and the
//! `Flow` it returns — never `&mut App`. `Harness` drives one alone, as a test would: keys
//! and answers in, its state, hints, effects and flow out.

use crossterm::event::KeyEvent;

use crate::app::effects::Effect;
use crate::app::hints::{Hint, Keys};
use crate::app::keymap::{Act, KeyMap, Scope};
use crate::app::kinds::ListKind;
use crate::app::{Command, ConflictRow, DetailTarget, HelpScreen, Net, Overlay, Purpose};
use crate::change::Change;
use crate::protocol::{Payload, Service};

/// What a screen may reach while it takes a key.
pub struct Cx<'a> {
    pub keys: &'a KeyMap,
    /// Rows of the body in the last layout (a page).
    pub rows: usize,
    pub effects: &'a mut Vec<Effect>,
    pub notice: &'a mut Option<String>,
    /// Requests for the worker (reads; a change goes as `Flow::Send`).
    pub net: &'a mut Net,
    /// The profile is read-only: nothing it would send is offered.
    pub read_only: bool,
    /// Screens open, this one included (1: over the lists alone).
    pub depth: usize,
}

/// A request of a screen that failed, and the words that say it.
#[derive(Clone, Copy)]
pub struct Failure<'a> {
    pub id: u64,
    pub purpose: &'a Purpose,
    pub service: Service,
    pub e: &'a crate::api::ApiError,
    pub words: &'a str,
}

impl Failure<'_> {
    /// For a screen that waits on `pending` and says a refusal in `error`: `None` when the
    /// failure is another request's, else the screen free again with the server's words.
    pub fn settle(&self, pending: &mut Option<u64>, error: &mut Option<String>) -> Option<bool> {
        if *pending != Some(self.id) {
            return None;
        }
        *pending = None;
        *error = Some(self.words.to_string());
        Some(true)
    }
}

/// What the screen stack does after a key.
pub enum Flow {
    Stay,
    /// The screen closes.
    Close,
    /// Another screen opens over it.
    Push(Box<Overlay>),
    /// Another screen takes its place.
    Replace(Box<Overlay>),
    /// The screen closes and the console does this.
    Done(Msg),
    /// The screen stays and the console does this.
    Then(Msg),
    /// The console sends this change (named and signed as every change is); the screen
    /// learns the request's id through `View::on_sent` and waits for its answer.
    Send(Box<Change>, Purpose),
}

impl Flow {
    /// The help window opens over the screen (it shows that screen's keys).
    pub fn help() -> Flow {
        Flow::Push(Box::new(Overlay::Help(HelpScreen::default())))
    }
}

/// What a screen asks of the console beyond itself (carried out by `App::carry_out`).
pub enum Msg {
    /// Show only the rows of `kind` whose column `col` is `value` (`rows` of them).
    Pin {
        kind: ListKind,
        col: usize,
        column: &'static str,
        value: String,
        rows: usize,
    },
    /// Show the columns of `kind` in this order, and keep it.
    KeepColumns { kind: ListKind, layout: Vec<usize> },
    /// A palette command, run over the screen.
    Command(Command),
    /// The console ends.
    Quit,
    /// A bulk run goes on: its next row's change is sent.
    BulkNext,
    /// The form on top is checked and, when valid, its change sent.
    SaveForm,
    /// A record's detail opens over the screen.
    OpenDetail(Box<DetailTarget>),
    /// A record `:find` found opens, in its own profile.
    OpenFound(Box<crate::protocol::Found>),
    /// What a key on the lists asks beyond the list shown (tabs, loading, other screens,
    /// writes).
    OnList(Act),
    /// What the detail on top asks that opens another screen or writes (edit, delete, a
    /// bulk action, an import, `$EDITOR`, an assignment, a Maarch link).
    OnDetail(Act),
    /// What the palette's line asks, or its `selected` match, run.
    RunPalette { line: String, selected: usize },
    /// Who logs in to the core, as typed (kept for the session).
    CoreUser(String),
    /// A conflict closed: its picks go into the form under it (or into the change sent
    /// again) when `apply`, else back to the form as typed.
    ConflictClosed {
        rows: Vec<ConflictRow>,
        resend: Option<Box<(Change, Purpose)>>,
        apply: bool,
    },
}

/// A screen that owns its state.
pub trait View {
    /// Its part of the key table.
    const SCOPE: Scope;
    /// Takes a key: `act` is what the table says it does here (`None`: a key that only types).
    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow;
    /// Its footer's hints.
    fn hints(&self, k: &Keys) -> Vec<Hint>;
    /// Its part of the help.
    fn help(&self, k: &Keys) -> Vec<(String, &'static str)>;
    /// The id of the request its `Flow::Send` became.
    fn on_sent(&mut self, id: u64) {
        let _ = id;
    }
    /// An answer to a request of this kind of screen: `None` when it is not this one's (it
    /// waits for another, or no longer waits). Every screen of the kind on the stack is
    /// asked, top first; what the answer does beyond the screens (the lists, the journal)
    /// is the console's.
    fn on_answer(&mut self, id: u64, purpose: &Purpose, p: &Payload, cx: &mut Cx) -> Option<Flow> {
        let _ = (id, purpose, p, cx);
        None
    }
    /// A failure of one of its requests: `None` when not its own; `Some(false)` when the
    /// screen says it and nothing more is said (no status line, no login asked).
    fn on_failure(&mut self, f: &Failure, cx: &mut Cx) -> Option<bool> {
        let _ = (f, cx);
        None
    }
}

/// A view that lives on the screen stack, found there by its `Overlay` variant.
pub trait Stacked: View {
    fn of(o: &Overlay) -> Option<&Self>;
    fn of_mut(o: &mut Overlay) -> Option<&mut Self>;
}

/// Moves `selected` among `len` lines as `act` says (a line, a page of `page`, the ends);
/// `false` when `act` is no move.
pub fn move_selection(selected: &mut usize, act: Option<Act>, len: usize, page: usize) -> bool {
    let last = len.saturating_sub(1);
    let s = selected;
    match act {
        Some(Act::Down) => *s = (*s + 1).min(last),
        Some(Act::Up) => *s = s.saturating_sub(1),
        Some(Act::PageDown) => *s = (*s + page.max(1)).min(last),
        Some(Act::PageUp) => *s = s.saturating_sub(page.max(1)),
        Some(Act::First) => *s = 0,
        Some(Act::Last) => *s = last,
        _ => return false,
    }
    true
}

/// Runs one key through a view: the key's action on its scope, then the view.
pub fn press<V: View>(v: &mut V, key: &KeyEvent, cx: &mut Cx) -> Flow {
    let act = cx.keys.action(V::SCOPE, key);
    v.on_key(act, key, cx)
}

/// One screen alone, as a test drives it: no `App`, no server.
pub struct Harness<V: View> {
    pub view: V,
    pub keys: KeyMap,
    pub rows: usize,
    pub effects: Vec<Effect>,
    pub notice: Option<String>,
    /// Requests the screen sent (`net.outbox`).
    pub net: Net,
    pub read_only: bool,
    /// What the last key asked of the stack.
    pub flow: Option<Flow>,
    /// Requests sent so far (a change sent gets the next).
    pub sent: u64,
}

impl<V: View> Harness<V> {
    pub fn new(view: V) -> Self {
        Harness {
            view,
            keys: KeyMap::default(),
            rows: 20,
            effects: Vec::new(),
            notice: None,
            net: Net::default(),
            read_only: false,
            flow: None,
            sent: 0,
        }
    }

    /// Sends a key; what it asked of the stack is in `flow`.
    pub fn press(&mut self, key: KeyEvent) -> &mut Self {
        let (view, mut cx) = self.split();
        let flow = press(view, &key, &mut cx);
        if let Flow::Send(..) = flow {
            self.sent += 1;
            self.view.on_sent(self.sent);
        }
        self.flow = Some(flow);
        self
    }

    /// The screen and what it may reach.
    fn split(&mut self) -> (&mut V, Cx<'_>) {
        let cx = Cx {
            keys: &self.keys,
            rows: self.rows,
            effects: &mut self.effects,
            notice: &mut self.notice,
            net: &mut self.net,
            read_only: self.read_only,
            depth: 1,
        };
        (&mut self.view, cx)
    }

    /// Sends an answer to one of its requests; `false` when the screen did not take it (what
    /// it asked of the stack is then in `flow`).
    pub fn answer(&mut self, id: u64, purpose: Purpose, p: Payload) -> bool {
        let (view, mut cx) = self.split();
        let taken = view.on_answer(id, &purpose, &p, &mut cx);
        let took = taken.is_some();
        if took {
            self.flow = taken;
        }
        took
    }

    /// Says a request of the screen failed with `e`: what the screen answered (`None`: not
    /// its own; `Some(false)`: said on the screen alone).
    pub fn fail(&mut self, id: u64, purpose: Purpose, e: &crate::api::ApiError) -> Option<bool> {
        let words = e.to_string();
        let f = Failure {
            id,
            purpose: &purpose,
            service: Service::Core,
            e,
            words: &words,
        };
        let (view, mut cx) = self.split();
        view.on_failure(&f, &mut cx)
    }

    /// Whether the last key closed the screen (alone or with a message).
    pub fn closed(&self) -> bool {
        matches!(
            self.flow,
            Some(Flow::Close | Flow::Done(_) | Flow::Replace(_))
        )
    }

    /// The footer as text: "keys what" per hint.
    pub fn hints(&self) -> Vec<String> {
        self.view
            .hints(&Keys(&self.keys))
            .into_iter()
            .map(|h| format!("{} {}", h.keys, h.what))
            .collect()
    }

    pub fn help(&self) -> Vec<(String, &'static str)> {
        self.view.help(&Keys(&self.keys))
    }
}
