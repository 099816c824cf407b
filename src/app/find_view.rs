//! `:find TEXT`: one lookup across the config's profiles (as `vigie find`), grouped by
//! profile; Enter opens the record, in its own profile (switching to it as `:profile` does).

use crossterm::event::KeyEvent;

use crate::api::model::{Equipement, Site, SiteRef, SiteSummary};
use crate::app::hints::K::A;
use crate::app::hints::{ENTER, ESC, Hint, Keys};
use crate::app::keymap::{Act, Scope};
use crate::app::list::{EXACT, ListView, Query, Record};
use crate::app::screen::Failure;
use crate::app::view::{Cx, Flow, Msg, View, move_selection};
use crate::app::{App, DetailTarget, Overlay, Purpose};
use crate::i18n::{tr, trf};
use crate::protocol::{
    FOUND_PER_PROFILE, FinderRef, Found, FoundRecord, Parts, Payload, ProfileFound, Request,
    Service,
};
use std::time::Duration;

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
    /// What this console found in its own lists, read lately (merged into its profile's
    /// answer).
    pub kept: Option<Kept>,
}

/// Records found in the console's own lists, and the oldest list's age.
pub struct Kept {
    pub found: (Vec<Found>, usize),
    pub age: Duration,
}

/// Lists read less than this long ago are searched where they are.
pub const KEPT_FOR: Duration = Duration::from_secs(300);

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
        let (kept, found, age) = self.search_kept(text);
        let req = Request::Find {
            text: text.to_string(),
            own: own.clone(),
            kept,
            finder,
        };
        let id = self.send(req, Purpose::Find);
        let kept = (kept != Parts::default()).then_some(Kept { found, age });
        self.overlays.push(Overlay::Find(Box::new(FindView {
            text: text.to_string(),
            pending: Some(id),
            results: Vec::new(),
            hits: Vec::new(),
            selected: 0,
            own,
            error: None,
            kept,
        })));
    }

    /// This profile's lists read less than `KEPT_FOR` ago (and whole) searched here: what
    /// they cover, what they hold that matches, and the oldest one's age.
    fn search_kept(&self, text: &str) -> (Parts, (Vec<Found>, usize), Duration) {
        let l = &self.lists;
        let mut age = Duration::ZERO;
        let mut fresh = |read_at: Option<std::time::Instant>, ok: bool| {
            let a = read_at.map(|t| t.elapsed()).filter(|a| ok && *a < KEPT_FOR);
            age = age.max(a.unwrap_or_default());
            a.is_some()
        };
        let has = |s| self.session.has(s);
        let kept = Parts {
            sites: has(Service::Core)
                && fresh(l.sites.read_at, !l.sites.provisional)
                && fresh(l.equipements.read_at, l.equipements.complete),
            users: has(Service::Core) && fresh(l.users.read_at, true),
            maarch: has(Service::Maarch) && fresh(l.maarch_users.read_at, true),
            individus: has(Service::Ocean) && fresh(l.individus.read_at, true),
        };
        let mut out = Collect::new(&self.session.profile);
        let none = |_: &_| String::new();
        if kept.sites {
            out.list(
                text,
                &l.sites,
                |s| s.name.clone(),
                |s| FoundRecord::Site(s.clone()),
            );
            let site = |e: &Equipement| e.client_site.as_ref().map(|s| s.name.clone());
            out.list(
                text,
                &l.equipements,
                |e| site(e).unwrap_or_default(),
                |e| FoundRecord::Equipement(e.clone()),
            );
        }
        if kept.users {
            out.list(text, &l.users, none, |u| FoundRecord::User(u.clone()));
        }
        if kept.maarch {
            out.list(
                text,
                &l.maarch_users,
                |_| String::new(),
                |u| FoundRecord::MaarchUser(u.clone()),
            );
        }
        if kept.individus {
            out.list(
                text,
                &l.individus,
                |_| String::new(),
                |i| FoundRecord::Individu(i.clone()),
            );
        }
        (kept, out.finish(), age)
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
        if move_selection(&mut self.selected, act, self.hits.len(), cx.rows) {
            return Flow::Stay;
        }
        match act {
            Some(Act::Cancel | Act::Back) => {
                // Stopped, not only hidden: the worker drops the profiles still read.
                if let Some(id) = self.pending.take() {
                    cx.net.outbox.push((0, Request::Cancel(id)));
                    *cx.notice = Some(tr("Search stopped").into());
                }
                return Flow::Close;
            }
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
                self.merge_kept();
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

impl FindView {
    /// The records found in this console's lists join its profile's (exact ones first).
    fn merge_kept(&mut self) {
        let Some(kept) = &self.kept else { return };
        let Some(Ok((hits, more))) = self
            .results
            .iter_mut()
            .find(|r| r.profile == self.own)
            .map(|r| r.found.as_mut())
        else {
            return;
        };
        hits.extend(kept.found.0.iter().cloned());
        hits.sort_by_key(|h| !h.exact);
        *more += kept.found.1 + hits.len().saturating_sub(FOUND_PER_PROFILE);
        hits.truncate(FOUND_PER_PROFILE);
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

/// The heading of a profile's results, as the window shows it: this console's says how old
/// the lists it searched itself are.
pub fn heading(r: &ProfileFound, v: &FindView) -> String {
    let name = crate::text::sanitize(&r.profile);
    let here = match &v.kept {
        _ if r.profile != v.own => String::new(),
        Some(k) => format!(
            " ({})",
            trf(
                "this console, some lists as read {} ago",
                &[&crate::text::short_duration(k.age)]
            )
        ),
        None => format!(" ({})", tr("this console")),
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

/// What one profile's search keeps: exact matches first, at most `FOUND_PER_PROFILE` of each
/// kind of match, the rest counted.
pub struct Collect<'a> {
    profile: &'a str,
    exact: Vec<Found>,
    loose: Vec<Found>,
    more: usize,
}

impl<'a> Collect<'a> {
    pub fn new(profile: &'a str) -> Self {
        Collect {
            profile,
            exact: Vec::new(),
            loose: Vec::new(),
            more: 0,
        }
    }

    /// Every row of a list the console holds that `text` matches, read from the list's
    /// searchable text; `site` names each one's.
    pub fn list<T: Record>(
        &mut self,
        text: &str,
        list: &ListView<T>,
        site: impl Fn(&T) -> String,
        record: impl Fn(&T) -> FoundRecord,
    ) {
        let q = Query::parse(text, T::columns());
        for (r, score) in list.matching(&q) {
            self.add(r.label(), site(&r), score, || record(&r));
        }
    }

    /// Every record of `items` that `text` matches (as `/` matches), `site` naming each one's.
    pub fn records<T: Record>(
        &mut self,
        text: &str,
        items: &[T],
        site: impl Fn(&T) -> String,
        record: impl Fn(&T) -> FoundRecord,
    ) {
        let q = Query::parse(text, T::columns());
        for r in items {
            if let Some(score) = q.score_record(r) {
                self.add(r.label(), site(r), score, || record(r));
            }
        }
    }

    /// The sites of `/client_site/all` and the equipements each embeds (taken, not copied:
    /// a row is cloned only when it is kept).
    pub fn sites(&mut self, text: &str, sites: Vec<Site>) {
        let q_site = Query::parse(text, SiteSummary::columns());
        let q_eq = Query::parse(text, Equipement::columns());
        for mut s in sites {
            let summary = SiteSummary::from(&s);
            if let Some(score) = q_site.score_record(&summary) {
                let name = summary.name.clone();
                self.add(summary.label(), name, score, || {
                    FoundRecord::Site(summary.clone())
                });
            }
            let at = std::sync::Arc::new(SiteRef::from(&summary));
            for mut eq in std::mem::take(&mut s.equipements) {
                eq.client_site.get_or_insert_with(|| at.clone());
                if let Some(score) = q_eq.score_record(&eq) {
                    self.add(eq.label(), s.name.clone(), score, || {
                        FoundRecord::Equipement(eq)
                    });
                }
            }
        }
    }

    fn add(
        &mut self,
        label: String,
        site: String,
        score: u32,
        record: impl FnOnce() -> FoundRecord,
    ) {
        let exact = score >= EXACT;
        let into = if exact {
            &mut self.exact
        } else {
            &mut self.loose
        };
        if into.len() >= FOUND_PER_PROFILE {
            self.more += 1;
            return;
        }
        let record = record();
        let kind = kind_of(&record);
        // The kind has its own column: "equipement 10.1.0.1:554 (…)" shows without it.
        let label = match label.get(..kind.len()) {
            Some(k) if k.eq_ignore_ascii_case(kind) && label[kind.len()..].starts_with(' ') => {
                label[kind.len() + 1..].to_string()
            }
            _ => label,
        };
        into.push(Found {
            profile: self.profile.to_string(),
            kind,
            label,
            site,
            exact,
            record,
        });
    }

    /// The records kept, exact ones first, at most `FOUND_PER_PROFILE` in all, and how many
    /// more matched.
    pub fn finish(mut self) -> (Vec<Found>, usize) {
        self.exact.append(&mut self.loose);
        self.more += self.exact.len().saturating_sub(FOUND_PER_PROFILE);
        self.exact.truncate(FOUND_PER_PROFILE);
        (self.exact, self.more)
    }
}

/// The kind a record is, as outputs name it.
pub fn kind_of(r: &FoundRecord) -> &'static str {
    match r {
        FoundRecord::Site(_) => "site",
        FoundRecord::Equipement(_) => "equipement",
        FoundRecord::User(_) => "user",
        FoundRecord::MaarchUser(_) => "maarch user",
        FoundRecord::Individu(_) => "individu",
    }
}

#[cfg(test)]
mod tests {
    use super::{Collect, EXACT, FOUND_PER_PROFILE, FoundRecord};

    /// A profile keeps at most `FOUND_PER_PROFILE` records in all, exact ones first, and
    /// counts the rest — not that many of each kind of match.
    #[test]
    fn a_profile_keeps_at_most_the_bound_in_all_exact_first() {
        let mut c = Collect::new("p");
        let site = || FoundRecord::Site(Default::default());
        for i in 0..400 {
            c.add(format!("loose {i}"), String::new(), EXACT - 1, site);
            c.add(format!("exact {i}"), String::new(), EXACT, site);
        }
        let (kept, more) = c.finish();
        assert_eq!(kept.len(), FOUND_PER_PROFILE);
        assert_eq!(more, 800 - FOUND_PER_PROFILE);
        assert!(kept[..400].iter().all(|f| f.exact), "exact ones first");
        assert!(kept[400..].iter().all(|f| !f.exact));
    }
}
