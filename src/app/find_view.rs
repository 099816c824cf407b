//! `:find TEXT`: one lookup across the config's profiles (as `vigie find`), grouped by
//! profile; Enter opens the record, in its own profile (switching to it as `:profile` does).

use crossterm::event::KeyEvent;

use crate::app::hints::K::A;
use crate::app::hints::{ENTER, ESC, Hint, Keys};
use crate::app::keymap::{Act, Scope};
use crate::app::screen::{Failure, Screen};
use crate::app::view::{Cx, Flow, Msg, View};
use crate::app::{App, DetailTarget, Overlay, Purpose};
use crate::i18n::{tr, trf};
use crate::protocol::{FinderRef, Found, FoundRecord, Payload, ProfileFound, Request};

/// Where a profile's console should land once started: the record `:find` chose there.
#[derive(Debug)]
pub struct Switch {
    pub profile: String,
    pub open: Option<FoundRecord>,
}

pub struct FindView {
    pub text: String,
    /// The search it waits for; `None` once answered or stopped.
    pub pending: Option<u64>,
    pub results: Vec<ProfileFound>,
    /// Every record found, as (profile, record) indexes into `results`, in the order shown.
    pub hits: Vec<(usize, usize)>,
    pub selected: usize,
    /// The console's own profile (its records open here, without switching).
    pub own: String,
    pub error: Option<String>,
}

impl FindView {
    /// The record selected.
    pub fn chosen(&self) -> Option<&Found> {
        let &(p, i) = self.hits.get(self.selected)?;
        self.results.get(p)?.found.as_ref().ok()?.0.get(i)
    }
}

/// The detail that shows a record found.
pub fn target_of(r: FoundRecord) -> DetailTarget {
    use crate::app::kinds::Stored;
    match r {
        FoundRecord::Site(s) => DetailTarget::Site(s),
        FoundRecord::Equipement(e) => DetailTarget::Equipement(e),
        FoundRecord::User(u) => DetailTarget::User(u),
        FoundRecord::MaarchUser(u) => u.target(),
        FoundRecord::Individu(i) => DetailTarget::Individu(i),
    }
}

impl App {
    /// `:find TEXT`: every profile of the config searched (reads only), this one with the
    /// console's own clients.
    pub(super) fn find(&mut self, text: &str, finder: FinderRef) {
        let text = text.trim();
        if text.is_empty() {
            self.status.notice = Some(tr("Type what to find: :find TEXT").into());
            return;
        }
        let own = self.session.profile.clone();
        let req = Request::Find {
            text: text.to_string(),
            own: own.clone(),
            finder,
        };
        let id = self.send(req, Purpose::Find);
        self.overlays.push(Overlay::Find(Box::new(FindView {
            text: text.to_string(),
            pending: Some(id),
            results: Vec::new(),
            hits: Vec::new(),
            selected: 0,
            own,
            error: None,
        })));
    }

    /// A record to open once started (`:find`'s Enter in the console before).
    pub fn open_at_start(&mut self, r: Option<FoundRecord>) {
        self.waiting.open_first = r;
    }

    /// Enter on a record found: its detail here, or in its profile's console.
    pub(super) fn open_found(&mut self, f: Found) {
        if f.profile == self.session.profile {
            self.open_detail(target_of(f.record));
        } else {
            self.switch_to(&f.profile, Some(f.record));
        }
    }
}

impl View for FindView {
    const SCOPE: Scope = Scope::Find;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let page = cx.rows.max(1);
        let last = self.hits.len().saturating_sub(1);
        let s = &mut self.selected;
        match act {
            Some(Act::Cancel | Act::Back) => {
                // Stopped, not only hidden: the worker drops the profiles still read.
                if let Some(id) = self.pending.take() {
                    cx.net.outbox.push((0, Request::Cancel(id)));
                    *cx.notice = Some(tr("Search stopped").into());
                }
                return Flow::Close;
            }
            Some(Act::Down) => *s = (*s + 1).min(last),
            Some(Act::Up) => *s = s.saturating_sub(1),
            Some(Act::PageDown) => *s = (*s + page).min(last),
            Some(Act::PageUp) => *s = s.saturating_sub(page),
            Some(Act::First) => *s = 0,
            Some(Act::Last) => *s = last,
            Some(Act::Open) => {
                if let Some(f) = self.chosen() {
                    return Flow::Done(Msg::OpenFound(Box::new(f.clone())));
                }
            }
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let f = |a| A(Scope::Find, a);
        vec![
            k.h(&[f(Act::Down), f(Act::Up)], "move"),
            k.h(&[ENTER], "open (in its profile)"),
            k.h(&[ESC, f(Act::Back)], "back"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let f = |a| A(Scope::Find, a);
        vec![
            k.sp(&[f(Act::Down), f(Act::Up)], "move among the records found"),
            k.sl(&[f(Act::First), f(Act::Last)], "first / last"),
            k.sp(
                &[ENTER],
                "open the record, switching to its profile as :profile does",
            ),
            k.sl(&[ESC, f(Act::Back)], "back (a search still running stops)"),
        ]
    }

    fn on_answer(&mut self, id: u64, purpose: &Purpose, p: &Payload, _: &mut Cx) -> Option<Flow> {
        match (purpose, p) {
            (Purpose::Find, Payload::Found(results)) if self.pending == Some(id) => {
                self.pending = None;
                self.results = results.clone();
                self.hits = hits_of(&self.results);
                self.selected = 0;
                Some(Flow::Stay)
            }
            _ => None,
        }
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        f.settle(&mut self.pending, &mut self.error)
    }
}

/// Every record of every profile answered, in the order shown.
fn hits_of(results: &[ProfileFound]) -> Vec<(usize, usize)> {
    results
        .iter()
        .enumerate()
        .flat_map(|(p, r)| {
            let n = r.found.as_ref().map_or(0, |f| f.0.len());
            (0..n).map(move |i| (p, i))
        })
        .collect()
}

impl Screen for FindView {
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
}

/// The heading of a profile's results, as the window shows it.
pub fn heading(r: &ProfileFound, own: &str) -> String {
    let name = crate::text::sanitize(&r.profile);
    let here = if r.profile == own {
        format!(" ({})", tr("this console"))
    } else {
        String::new()
    };
    match &r.found {
        Ok((hits, 0)) if hits.is_empty() => trf("{}{}: nothing found", &[&name, &here]),
        Ok((hits, 0)) => trf("{}{}: {} found", &[&name, &here, &hits.len()]),
        Ok((hits, more)) => trf(
            "{}{}: {} found, {} more not listed (narrow the search)",
            &[&name, &here, &hits.len(), more],
        ),
        Err(why) => trf(
            "{}{}: failed: {}",
            &[&name, &here, &crate::text::sanitize(why)],
        ),
    }
}
