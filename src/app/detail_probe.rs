//! `P` on a site's detail or the Equipements tab: are the equipements answering? The run is
//! the worker's (`crate::probe`, only inside the profile's `probe_networks`); each
//! equipement's answer fills the Reach column, which then shows — sortable, and counted by
//! `F` like any other.

use crate::api::model::Equipement;
use crate::app::App;
use crate::app::Detail;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::list::{ListView, Record, Rows};
use crate::app::view::Flow;
use crate::i18n::{tr, trf};
use crate::probe::{State, Target};
use crate::protocol::Request;
use std::borrow::Cow;

impl App {
    /// Probes every equipement of the site whose detail is shown (the marked ones when there
    /// are); a site of several pages is read whole first.
    pub(super) fn probe_site(&mut self) {
        let Some(Overlay::Detail(d)) = self.overlays.last_mut() else {
            return;
        };
        let paged = d.equipements.paging.is_some_and(|p| p.pages > 1);
        if paged && d.equipements.marked.is_empty() {
            // Nothing is read for a probe the profile does not consent to.
            if self.refuse_without_consent() {
                return;
            }
            let Some(Overlay::Detail(d)) = self.overlays.last_mut() else {
                return;
            };
            let req = Request::AllSiteEquipements(super::detail::target_id(&d.target));
            d.probe_when_loaded = true;
            d.equipements.pending = Some(self.net.send(req, Purpose::SiteDetail));
            d.equipements.loading = true;
            self.status.notice =
                Some(tr("Reading every equipement of the site before probing them…").into());
            return;
        }
        let targets = targets_in(&d.equipements, false);
        if let Some(id) = self.send_probe(targets, Purpose::Probe)
            && let Some(Overlay::Detail(d)) = self.overlays.last_mut()
        {
            d.probing = Some(id);
        }
    }

    /// Probes the Equipements tab's marked rows, or the selected one.
    pub(super) fn probe_list(&mut self) {
        if self.list_kind() != crate::app::kinds::ListKind::Equipements {
            self.status.notice = Some(tr("P probes equipements: open the Equipements tab").into());
            return;
        }
        let targets = targets_in(&self.lists.equipements, true);
        self.lists.probed = targets.clone();
        self.lists.probing = self.send_probe(targets, Purpose::ProbeList);
    }

    /// A watched Equipements tab read again: what `P` probed there is probed again (unless
    /// a run is still on its way).
    pub(super) fn probe_again(&mut self) {
        if self.lists.probed.is_empty() || self.lists.probing.is_some() {
            return;
        }
        let targets = self.lists.probed.clone();
        self.lists.probing = self.send_probe(targets, Purpose::ProbeList);
    }

    /// Says so when the profile names no network to probe (its consent): `true` then.
    fn refuse_without_consent(&mut self) -> bool {
        let refused = self.prefs.probe.networks.is_empty();
        if refused {
            self.status.notice = Some(
                tr("This profile names no probe_networks: nothing is probed (config.example.toml)")
                    .into(),
            );
        }
        refused
    }

    /// Asks the worker to probe `targets` with the profile's consent: `None` when there is
    /// none (said) or nothing to probe.
    fn send_probe(&mut self, targets: Vec<Target>, purpose: Purpose) -> Option<u64> {
        if self.refuse_without_consent() {
            return None;
        }
        let settings = self.prefs.probe.clone();
        if targets.is_empty() {
            self.status.notice = Some(tr("No address to probe here").into());
            return None;
        }
        let n = targets.len();
        let id = self.send(Request::Probe { targets, settings }, purpose);
        self.status.notice = Some(trf("Probing {} addresses… (Esc stops)", &[&n]));
        Some(id)
    }

    /// The Equipements tab's probe answered: its rows say whether they answered.
    pub(super) fn list_probed(&mut self, id: u64, targets: &[Target], states: &[State]) -> bool {
        if self.lists.probing != Some(id) {
            return false;
        }
        self.lists.probing = None;
        fill_reach(&mut self.lists.equipements, targets, states);
        self.status.notice = Some(answered(states));
        true
    }
}

/// The addresses of the marked equipements, else of every one shown (`all`: else of the
/// selected one).
fn targets_in(list: &ListView<Equipement>, selected_only: bool) -> Vec<Target> {
    let marked: Vec<Cow<'_, Equipement>> = list
        .items
        .records()
        .filter(|e| list.marked.contains_key(e.key().as_ref()))
        .collect();
    let chosen: Vec<Cow<'_, Equipement>> = match (marked.is_empty(), selected_only) {
        (false, _) => marked,
        (true, false) => list.items.records().collect(),
        (true, true) => list.selected_item().into_iter().collect(),
    };
    chosen
        .iter()
        .flat_map(|e| crate::probe::targets_of(e))
        .collect()
}

/// "N of M addresses answered".
pub(super) fn answered(states: &[State]) -> String {
    let up = states
        .iter()
        .filter(|s| matches!(s, State::Up { .. }))
        .count();
    trf("{} of {} addresses answered", &[&up, &states.len()])
}

/// Each equipement probed says, in its Reach cell, what its own address (`ip:port`) did; the
/// column then shows.
fn fill_reach(list: &mut ListView<Equipement>, targets: &[Target], states: &[State]) {
    let said = |e: &Equipement| -> Option<Box<str>> {
        let device = crate::probe::device(e);
        targets
            .iter()
            .zip(states)
            .find(|(t, _)| t.device == device)
            .map(|(_, s)| s.words().into_boxed_str())
    };
    let mut items: Vec<Equipement> = list.items.records().map(Cow::into_owned).collect();
    for e in &mut items {
        if let Some(s) = said(e) {
            e.reach = Some(s);
        }
    }
    // The server's rows are as old as they were.
    let read_at = list.read_at;
    list.set_items(items);
    list.read_at = read_at;
    let reach = Equipement::columns().iter().position(|c| c.hidden);
    let mut shown = list.shown_columns();
    if let Some(r) = reach.filter(|r| !shown.contains(r)) {
        shown.push(r);
        list.layout = Some(shown);
    }
}

impl Detail {
    /// A probe run's answer, if it is the one this detail waits for: each equipement's own
    /// address (`ip:port`) says whether it answered, in the Reach column.
    pub(super) fn probed(&mut self, id: u64, targets: &[Target], states: &[State]) -> Option<Flow> {
        if self.probing != Some(id) {
            return None;
        }
        self.probing = None;
        fill_reach(&mut self.equipements, targets, states);
        Some(Flow::Stay)
    }
}
