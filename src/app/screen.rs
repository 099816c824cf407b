//! Screens: the lists and each overlay (detail, form, confirm, help, palette, login, account,
//! draft restore, raw view). Each screen's file implements `Screen`: how it takes keys, the
//! answers and failures of the requests it makes, its footer and its help. `App` only
//! routes: keys to the screen on top, answers to the screen whose request it was.

use crate::app::Account;
use crate::app::App;
use crate::app::BulkRun;
use crate::app::Confirm;
use crate::app::Conflict;
use crate::app::Detail;
use crate::app::Effect;
use crate::app::FindView;
use crate::app::JournalView;
use crate::app::Login;
use crate::app::Overlay;
use crate::app::Palette;
use crate::app::Purpose;
use crate::app::RawView;
use crate::app::columns::ColumnChooser;
use crate::app::form::Form;
use crate::app::frequency::Frequency;
use crate::app::hints::ESC;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::hints::{PGDN, PGUP};
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::with_list;
use crate::app::run::RunAsk;
pub(super) use crate::app::view::Failure;
use crate::app::view::{self, Cx, Flow, Msg, Stacked, View};
use crate::i18n::{tr, trf};
use crate::protocol::Payload;
use crossterm::event::KeyEvent;

use super::hints::Hint;

/// The lists under every overlay (the tabs).
pub struct Browse;

/// The help window: how far it is scrolled.
#[derive(Debug, Default)]
pub struct HelpScreen {
    pub scroll: usize,
}

/// A draft offered back.
pub type Restore = crate::app::drafts::Draft;

pub(super) trait Screen {
    /// Takes a key; the screen reads it through its scope of the key table.
    fn on_key(app: &mut App, key: KeyEvent);
    /// Lands an answer to one of its requests; `false` when nothing waits for it any more.
    fn on_answer(app: &mut App, id: u64, purpose: Purpose, p: Payload) -> bool {
        let _ = (app, id, purpose, p);
        false
    }
    /// Says where a refusal or failure of one of its requests shows; `false` stops there
    /// (no status line, no reconnection, no login asked).
    fn on_failure(app: &mut App, f: &Failure) -> bool {
        let _ = (app, f);
        true
    }
    /// Its footer's hints, from the key table.
    fn footer(app: &App) -> Vec<Hint>;
    /// Its part of the help (the help window shows the screen under it).
    fn help(app: &App) -> Vec<(String, &'static str)> {
        Browse::help(app)
    }
}

/// Runs `$body` with `$S` the type of the screen `$top` (an `Option<&Overlay>`; `None`: the
/// lists).
macro_rules! with_screen {
    ($top:expr, |$S:ident| $body:expr) => {
        by_type!($top, |$S| $body, {
            None => Browse,
            Some(Overlay::Detail(_)) => Detail,
            Some(Overlay::Form(_)) => Form,
            Some(Overlay::Confirm(_)) => Confirm,
            Some(Overlay::Help(_)) => HelpScreen,
            Some(Overlay::Palette(_)) => Palette,
            Some(Overlay::Login(_)) => Login,
            Some(Overlay::Account(_)) => Account,
            Some(Overlay::Restore(_)) => Restore,
            Some(Overlay::Raw(_)) => RawView,
            Some(Overlay::Conflict(_)) => Conflict,
            Some(Overlay::Journal(_)) => JournalView,
            Some(Overlay::Bulk(_)) => BulkRun,
            Some(Overlay::RunAsk(_)) => RunAsk,
            Some(Overlay::Frequency(_)) => Frequency,
            Some(Overlay::Columns(_)) => ColumnChooser,
            Some(Overlay::Find(_)) => FindView,
        })
    };
}

/// Runs `$body` with `$S` the type of the screen that makes requests for `$purpose`.
macro_rules! with_asker {
    ($purpose:expr, |$S:ident| $body:expr) => {
        by_type!($purpose, |$S| $body, {
            Purpose::List(_) | Purpose::Prefetch(_) | Purpose::LoadAll | Purpose::ProbeList => Browse,
            Purpose::Login => Login,
            Purpose::MaarchDetails
            | Purpose::MaarchEdit(_)
            | Purpose::Catalogue
            | Purpose::User
            | Purpose::SiteDetail
            | Purpose::Probe => Detail,
            Purpose::Account => Account,
            Purpose::Save => Form,
            Purpose::Delete => Confirm,
            Purpose::Bulk | Purpose::ImportPlan => BulkRun,
            Purpose::Find => FindView,
        })
    };
}

impl App {
    /// A key goes to the screen on top (Ctrl-C quits from anywhere).
    pub fn on_key(&mut self, key: KeyEvent) {
        if crate::keys::Key::of(&key) == crate::keys::Key::ctrl('c') {
            self.quit = true;
            return;
        }
        self.status.notice = None;
        with_screen!(self.overlays.last(), |S| <S as Screen>::on_key(self, key))
    }

    /// An answer goes to the screen whose request it was.
    pub(super) fn answer_screen(&mut self, id: u64, purpose: Purpose, p: Payload) -> bool {
        with_asker!(&purpose, |S| <S as Screen>::on_answer(self, id, purpose, p))
    }

    /// A failure goes to the screen whose request it was; `false`: nothing more to say.
    pub(super) fn fail_screen(&mut self, f: &Failure) -> bool {
        with_asker!(f.purpose, |S| <S as Screen>::on_failure(self, f))
    }

    /// The footer's hints of the screen on top.
    pub(super) fn screen_footer(&self) -> Vec<Hint> {
        with_screen!(self.overlays.last(), |S| <S as Screen>::footer(self))
    }

    /// The screen the help window is open over (`None`: the lists).
    pub(super) fn under_help(&self) -> Option<&Overlay> {
        self.overlays
            .iter()
            .rev()
            .find(|o| !matches!(o, Overlay::Help(_)))
    }

    /// The help of the screen under the help window.
    pub(super) fn screen_help(&self) -> Vec<(String, &'static str)> {
        with_screen!(self.under_help(), |S| <S as Screen>::help(self))
    }
}

impl View for HelpScreen {
    const SCOPE: Scope = Scope::Help;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let page = cx.rows.max(1);
        let scroll = &mut self.scroll;
        match act {
            Some(Act::Cancel | Act::Help | Act::Close | Act::Open) => return Flow::Close,
            Some(Act::Down) => *scroll += 1,
            Some(Act::Up) => *scroll = scroll.saturating_sub(1),
            Some(Act::PageDown) => *scroll += page,
            Some(Act::PageUp) => *scroll = scroll.saturating_sub(page),
            Some(Act::First) => *scroll = 0,
            Some(Act::Last) => *scroll = usize::MAX / 2,
            _ => {}
        }
        // Past the end is clamped when drawn; keep the number small.
        *scroll = (*scroll).min(200);
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.joined(
                &[
                    A(Scope::Help, Act::Down),
                    A(Scope::Help, Act::Up),
                    PGDN,
                    PGUP,
                ],
                " ",
                "scroll",
            ),
            k.h(&[ESC], "close help"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }
}

/// Which `Overlay` variant holds each view on the stack.
macro_rules! stacked {
    ($($T:ty => $variant:ident),+ $(,)?) => {$(
        impl Stacked for $T {
            fn of(o: &Overlay) -> Option<&Self> {
                match o {
                    Overlay::$variant(v) => {
                        let v: &$T = v;
                        Some(v)
                    }
                    _ => None,
                }
            }
            fn of_mut(o: &mut Overlay) -> Option<&mut Self> {
                match o {
                    Overlay::$variant(v) => {
                        let v: &mut $T = v;
                        Some(v)
                    }
                    _ => None,
                }
            }
        }
    )+};
}

/// Screens that are views and nothing more: their keys and footer are the view's, and the
/// help window shows the lists' lines over the first ones, the view's own over the others;
/// the last ones also take the answers and failures of their requests.
macro_rules! view_screens {
    (help of the lists: $($L:ty),+; help of their own: $($O:ty),+;
     answers of their own: $($W:ty),+ $(,)?) => {
        view_screens!(help of the lists: $($L),+; help of their own: $($O),+);
        $(impl Screen for $W {
            fn on_key(app: &mut App, key: KeyEvent) {
                app.view_key::<Self>(key)
            }
            fn on_answer(app: &mut App, id: u64, purpose: Purpose, p: Payload) -> bool {
                app.answer_views::<Self>(id, &purpose, &p)
            }
            fn on_failure(app: &mut App, f: &Failure) -> bool {
                app.fail_views::<Self>(f).unwrap_or(true)
            }
            fn footer(app: &App) -> Vec<Hint> {
                app.view_footer::<Self>()
            }
            fn help(app: &App) -> Vec<(String, &'static str)> {
                app.view_help::<Self>()
            }
        })+
    };
    (help of the lists: $($L:ty),+; help of their own: $($O:ty),+ $(,)?) => {
        $(impl Screen for $L {
            fn on_key(app: &mut App, key: KeyEvent) {
                app.view_key::<Self>(key)
            }
            fn footer(app: &App) -> Vec<Hint> {
                app.view_footer::<Self>()
            }
        })+
        $(impl Screen for $O {
            fn on_key(app: &mut App, key: KeyEvent) {
                app.view_key::<Self>(key)
            }
            fn footer(app: &App) -> Vec<Hint> {
                app.view_footer::<Self>()
            }
            fn help(app: &App) -> Vec<(String, &'static str)> {
                app.view_help::<Self>()
            }
        })+
    };
}

view_screens! {
    help of the lists: HelpScreen, Palette, RawView, Restore, RunAsk;
    help of their own: JournalView, ColumnChooser, Conflict, Frequency;
    answers of their own: Account, FindView,
}

stacked! {
    Detail => Detail,
    Form => Form,
    Confirm => Confirm,
    HelpScreen => Help,
    Palette => Palette,
    Login => Login,
    Account => Account,
    Restore => Restore,
    RawView => Raw,
    Conflict => Conflict,
    JournalView => Journal,
    BulkRun => Bulk,
    RunAsk => RunAsk,
    Frequency => Frequency,
    ColumnChooser => Columns,
    FindView => Find,
}

/// What a view may reach of the console (`Cx`), the view itself borrowed apart.
macro_rules! cx {
    ($app:ident, $rows:expr, $depth:expr) => {
        Cx {
            keys: &$app.prefs.keymap,
            rows: $rows,
            effects: &mut $app.effects,
            notice: &mut $app.status.notice,
            net: &mut $app.net,
            read_only: $app.session.read_only,
            depth: $depth,
        }
    };
}
pub(super) use cx;

impl App {
    /// The hints of the view on top.
    pub(super) fn view_footer<V: Stacked>(&self) -> Vec<Hint> {
        let keys = Keys(&self.prefs.keymap);
        self.overlays
            .last()
            .and_then(V::of)
            .map(|v| v.hints(&keys))
            .unwrap_or_default()
    }

    /// The help of the view the help window is open over.
    pub(super) fn view_help<V: Stacked>(&self) -> Vec<(String, &'static str)> {
        let keys = Keys(&self.prefs.keymap);
        self.under_help()
            .and_then(V::of)
            .map(|v| v.help(&keys))
            .unwrap_or_default()
    }

    /// A key to the view on top; its flow followed.
    pub(super) fn view_key<V: Stacked>(&mut self, key: KeyEvent) {
        let rows = self.viewport_rows.max(1);
        let depth = self.overlays.len();
        let Some(v) = self.overlays.last_mut().and_then(V::of_mut) else {
            return;
        };
        let mut cx = cx!(self, rows, depth);
        let flow = view::press(v, &key, &mut cx);
        self.follow_at::<V>(depth - 1, flow);
    }

    /// An answer to every view of type `V` on the stack, top first; `false` when none took it.
    pub(super) fn answer_views<V: Stacked>(
        &mut self,
        id: u64,
        purpose: &Purpose,
        p: &Payload,
    ) -> bool {
        let rows = self.viewport_rows.max(1);
        let depth = self.overlays.len();
        let mut took = false;
        for i in (0..depth).rev() {
            let Some(v) = self.overlays.get_mut(i).and_then(V::of_mut) else {
                continue;
            };
            let mut cx = cx!(self, rows, depth);
            if let Some(flow) = v.on_answer(id, purpose, p, &mut cx) {
                took = true;
                self.follow_at::<V>(i, flow);
            }
        }
        took
    }

    /// A failure to every view of type `V` on the stack: `None` when none took it,
    /// `Some(false)` when one said it alone.
    pub(super) fn fail_views<V: Stacked>(&mut self, f: &Failure) -> Option<bool> {
        let rows = self.viewport_rows.max(1);
        let depth = self.overlays.len();
        let mut said: Option<bool> = None;
        for i in (0..depth).rev() {
            let Some(v) = self.overlays.get_mut(i).and_then(V::of_mut) else {
                continue;
            };
            let mut cx = cx!(self, rows, depth);
            if let Some(more) = v.on_failure(f, &mut cx) {
                said = Some(said.unwrap_or(true) && more);
            }
        }
        said
    }

    /// What the view at `i` on the stack asked of it (a key's, or an answer's).
    fn follow_at<V: Stacked>(&mut self, i: usize, flow: Flow) {
        if i + 1 < self.overlays.len() {
            match flow {
                Flow::Close => {
                    self.overlays.remove(i);
                    return;
                }
                // What a detail asks of "the detail on top" is not for another screen's:
                // a probe a site waited for while the user went further is dropped, said.
                Flow::Then(Msg::OnDetail(_)) => {
                    self.status.notice = Some(
                        tr("The probe waited for a site no longer on top: P there asks again")
                            .into(),
                    );
                    return;
                }
                Flow::Replace(o) => {
                    self.overlays[i] = *o;
                    return;
                }
                Flow::Done(m) => {
                    self.overlays.remove(i);
                    return self.carry_out(m);
                }
                _ => {}
            }
        }
        match flow {
            Flow::Send(change, purpose) => {
                let id = self.send_change(*change, purpose);
                if let Some(v) = self.overlays.get_mut(i).and_then(V::of_mut) {
                    v.on_sent(id);
                }
            }
            flow => self.follow(flow),
        }
    }

    /// What a screen asked of the stack.
    pub(super) fn follow(&mut self, flow: Flow) {
        match flow {
            Flow::Stay => {}
            Flow::Close => {
                self.overlays.pop();
            }
            Flow::Push(o) => self.overlays.push(*o),
            Flow::Replace(o) => {
                self.overlays.pop();
                self.overlays.push(*o);
            }
            Flow::Done(m) => {
                self.overlays.pop();
                self.carry_out(m);
            }
            Flow::Then(m) => self.carry_out(m),
            Flow::Send(change, purpose) => {
                self.send_change(*change, purpose);
            }
        }
    }

    /// What a screen closed asked of the console.
    fn carry_out(&mut self, m: Msg) {
        match m {
            Msg::Pin {
                kind,
                col,
                column,
                value,
                rows,
            } => {
                with_list!(self, kind, |mut l| l.set_pin(Some((col, value.clone()))));
                self.status.notice = Some(trf(
                    "Only {} = {} ({} rows); Esc shows them all",
                    &[&tr(column), &crate::text::sanitize(&value), &rows],
                ));
            }
            Msg::Command(c) => self.run_command(c),
            Msg::Quit => self.quit = true,
            Msg::BulkNext => self.bulk_next(),
            Msg::SaveForm => self.save_form(),
            Msg::OpenDetail(t) => self.open_detail(*t),
            Msg::OpenFound(f) => self.open_found(*f),
            Msg::OnDetail(act) => self.detail_action(act),
            Msg::OnList(act) => self.list_action(act),
            Msg::RunPalette { line, selected } => self.run_palette_line(&line, selected),
            Msg::CoreUser(u) => self.session.user = Some(u),
            Msg::ConflictClosed {
                rows,
                resend,
                apply,
            } => self.conflict_closed(rows, resend, apply),
            Msg::KeepColumns { kind, layout } => {
                let titles = with_list!(self, kind, |mut l| {
                    l.layout = Some(layout);
                    l.layout_titles()
                });
                self.lists.col = 0;
                self.prefs
                    .views
                    .columns
                    .insert(kind.name().to_string(), titles);
                self.effects
                    .push(Effect::SaveViews(Box::new(self.prefs.views.clone())));
                self.status.notice = Some(tr("Columns kept for this tab").into());
            }
        }
    }
}
