//! What the worker answers: each payload lands where it was asked for, or is dropped.

use crate::app::App;
use crate::app::Overlay;
use crate::app::SiteSummary;
use crate::app::kinds::ListKind;
use crate::i18n::tr;
use crate::protocol::Payload;
use crate::protocol::Request;

/// What a request in flight was for, to route (or drop) its answer.
#[derive(Debug, Clone)]
pub enum Purpose {
    /// A tab's list.
    List(ListKind),
    MaarchDetails,
    /// A Maarch user's details read to edit them (`true`: in `$EDITOR`).
    MaarchEdit(bool),
    /// A core user read again for its open detail.
    User,
    Catalogue,
    Account,
    Prefetch(u32),
    LoadAll,
    SiteDetail,
    Save,
    Delete,
    Login,
    /// One row of a bulk action.
    Bulk,
    /// An import file read and planned.
    ImportPlan,
    /// A site's equipements probed (`P` in its detail).
    Probe,
    /// The Equipements tab's marked or selected rows probed (`P`).
    ProbeList,
    /// `:find` across the profiles.
    Find,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PurposeKind {
    Read,
    WhoAmI,
    Other,
}

impl App {
    pub(super) fn on_payload(&mut self, id: u64, purpose: Purpose, p: Payload) {
        if self.net.reconnect.take().is_some() {
            self.status.notice = Some(tr("Connected again").into());
            self.status.last_error = None;
        }
        let kind = p.kind();
        let asked = purpose.clone();
        let landed = self.route(id, purpose, p);
        if !landed {
            // Never silently matched away: the screen that asked is gone, or moved on.
            tracing::info!(
                id,
                purpose = ?asked,
                answer = kind,
                "answer dropped: no screen waits for it any more"
            );
        }
    }

    /// Lands an answer where it was asked for; `false` when nothing waits for it.
    fn route(&mut self, id: u64, purpose: Purpose, p: Payload) -> bool {
        self.answer_screen(id, purpose, p)
    }

    pub(super) fn current_things(&self) -> &'static str {
        for o in self.overlays.iter().rev() {
            match o {
                Overlay::Form(f) => return f.kind.things(),
                Overlay::Confirm(c) => return ListKind::of_change(c.change.kind).things(),
                _ => {}
            }
        }
        self.list_kind().things()
    }

    pub(super) fn site_name(&self, site_id: &str) -> Option<&SiteSummary> {
        self.lists.sites.items.iter().find(|s| s.site_id == site_id)
    }
}

impl App {
    pub(super) fn send(&mut self, req: Request, purpose: Purpose) -> u64 {
        self.net.send(req, purpose)
    }
}
