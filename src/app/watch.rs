//! `W`: the list shown is read again every few seconds (config `watch_secs`); what changed
//! is lit for a few seconds, new rows are marked. Between refreshes the console sleeps:
//! the runtime wakes it at `next_wake`, nothing ticks. On the Equipements tab, what `P`
//! probed is probed again at each reading (nothing else is ever probed by itself).

use crate::app::list;

use crate::app::App;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;
use std::time::Duration;

use std::time::Instant;

/// The list being watched.
#[derive(Debug, Clone, Copy)]
pub struct Watch {
    pub kind: ListKind,
    pub every: Duration,
    pub next: Instant,
}

/// Refreshes no closer than this, whatever the config says.
pub const MIN_WATCH: Duration = Duration::from_secs(2);

impl App {
    /// `W`: watch the list shown, or stop.
    pub(super) fn toggle_watch(&mut self) {
        let kind = self.list_kind();
        if let Some(w) = self.watch.take() {
            with_list!(self, w.kind, |mut l| {
                l.watched = false;
                l.flash = None;
            });
            if w.kind == kind {
                self.status.notice = Some(tr("Watch stopped").into());
                return;
            }
        }
        let every = self.prefs.watch_every.max(MIN_WATCH);
        with_list!(self, kind, |mut l| l.watched = true);
        self.watch = Some(Watch {
            kind,
            every,
            next: Instant::now() + every,
        });
        self.status.notice = Some(trf(
            "Watching: read again every {} s, changes lit (W stops)",
            &[&every.as_secs()],
        ));
    }

    /// When the runtime must wake the console: the next refresh, or the end of a highlight.
    pub fn next_wake(&self) -> Option<Instant> {
        let w = self.watch?;
        let flash_end = with_list!(self, w.kind, |l| l
            .flash
            .as_ref()
            .filter(|f| f.active())
            .map(|f| f.at + list::FLASH_FOR));
        Some(flash_end.map_or(w.next, |f| f.min(w.next)))
    }

    /// The runtime woke the console at `now`: a refresh is due when its time came, the
    /// watched list is shown and not already loading.
    pub fn wake(&mut self, now: Instant) {
        let Some(w) = self.watch else {
            return;
        };
        if now < w.next {
            return;
        }
        if let Some(w) = &mut self.watch {
            w.next = now + w.every;
        }
        let shown = self.list_kind() == w.kind && self.overlays.is_empty();
        let loading = with_list!(self, w.kind, |l| l.pending.is_some());
        if shown && !loading && self.net.reconnect.is_none() {
            if w.kind == ListKind::Equipements {
                // As `r` does: pages read ahead are as old as the rows read again.
                self.forget_prefetched();
            }
            self.load_tab(self.tab);
            if w.kind == ListKind::Equipements {
                self.probe_again();
            }
        }
    }
}
