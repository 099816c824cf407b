//! `P` on a site's detail: are its equipements answering? The run is the worker's
//! (`crate::probe`, only inside the profile's `probe_networks`); each equipement's answer
//! fills the Reach column, which then shows — sortable, and counted by `F` like any other.

use crate::api::model::Equipement;
use crate::app::App;
use crate::app::Detail;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::list::Record;
use crate::app::view::Flow;
use crate::i18n::{tr, trf};
use crate::probe::{State, Target};
use crate::protocol::Request;

impl App {
    /// Probes the equipements the site's detail shows (the marked ones when there are).
    pub(super) fn probe_site(&mut self) {
        let settings = self.prefs.probe.clone();
        if settings.networks.is_empty() {
            self.status.notice = Some(
                tr("This profile names no probe_networks: nothing is probed (config.example.toml)")
                    .into(),
            );
            return;
        }
        let Some(Overlay::Detail(d)) = self.overlays.last() else {
            return;
        };
        let marked: Vec<&Equipement> = d
            .equipements
            .items
            .iter()
            .filter(|e| d.equipements.marked.contains_key(e.key().as_ref()))
            .collect();
        let shown: Vec<&Equipement> = if marked.is_empty() {
            d.equipements.items.iter().collect()
        } else {
            marked
        };
        let targets: Vec<Target> = shown
            .into_iter()
            .flat_map(crate::probe::targets_of)
            .collect();
        if targets.is_empty() {
            self.status.notice = Some(tr("No address to probe here").into());
            return;
        }
        let n = targets.len();
        let id = self.send(Request::Probe { targets, settings }, Purpose::Probe);
        if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
            d.probing = Some(id);
        }
        self.status.notice = Some(trf("Probing {} addresses… (Esc stops)", &[&n]));
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
        let said = |e: &Equipement| -> Option<Box<str>> {
            let device = match e.port {
                Some(p) => format!("{}:{p}", e.ip),
                None => e.ip.to_string(),
            };
            targets
                .iter()
                .zip(states)
                .find(|(t, _)| t.device == device)
                .map(|(_, s)| s.words().into_boxed_str())
        };
        let mut items = self.equipements.items.clone();
        for e in &mut items {
            if let Some(s) = said(e) {
                e.reach = Some(s);
            }
        }
        self.equipements.set_items(items);
        // The column shows once filled.
        let reach = Equipement::columns().iter().position(|c| c.hidden);
        let mut shown = self.equipements.shown_columns();
        if let Some(r) = reach.filter(|r| !shown.contains(r)) {
            shown.push(r);
            self.equipements.layout = Some(shown);
        }
        Some(Flow::Stay)
    }
}
