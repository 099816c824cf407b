//! Loading the lists: a tab's first read, equipement pages and read-ahead, every equipement at once, a site's equipements.

use crate::app::browse::{clamp_u32, group};
use crate::rows::Rows;

use crate::app::App;
use crate::app::Equipement;
use crate::app::Overlay;
use crate::app::PAGE_SIZE;
use crate::app::Page;
use crate::app::Purpose;
use crate::app::kinds::ListKind;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::app::list::Paging;
use crate::i18n::trf;
use crate::protocol::Request;

impl App {
    pub(super) fn load_tab(&mut self, tab: Tab) {
        if !self.session.has(self.tab_service(tab)) {
            // The tab explains how to configure it; nothing to ask.
            return;
        }
        let kind = ListKind::of(tab, self.lists.users_dir);
        let Some(request) = kind.request() else {
            // Equipements: paged by the server.
            if self.lists.equipements.complete {
                self.load_all();
            } else {
                let page = self.lists.equipements.paging.map(|p| p.page).unwrap_or(1);
                self.load_equipements_page(page);
            }
            return;
        };
        let id = self.send(request, Purpose::List(kind));
        with_list!(self, kind, |mut l| {
            l.pending = Some(id);
            l.loading = true;
        });
    }

    pub(super) fn load_equipements_page(&mut self, page: u32) {
        // A page asked while every equipement loads replaces that load: it stops, and what
        // waited for it is dropped, said, rather than run later on another list.
        self.cancel_load();
        if let Some(p) = self.lists.prefetched.remove(&page) {
            // Instant: the page was fetched ahead.
            self.lists.equipements.pending = None;
            self.apply_equipements_page(p, None);
            return;
        }
        let id = self.send(
            Request::EquipementsPage {
                page,
                size: PAGE_SIZE,
            },
            Purpose::List(ListKind::Equipements),
        );
        self.lists.equipements.pending = Some(id);
        self.lists.equipements.loading = true;
    }

    /// A page of equipements shown; `read`: the request that read it (a page read ahead
    /// was forgotten if a change landed since).
    pub(super) fn apply_equipements_page(&mut self, p: Page<Equipement>, read: Option<u64>) {
        let paging = Paging {
            page: clamp_u32(p.page.unwrap_or(1)),
            pages: clamp_u32(p.page_count().unwrap_or(1).max(1)),
            total: p.total.unwrap_or(p.items.len() as u64),
            size: clamp_u32(p.size.unwrap_or(u64::from(PAGE_SIZE))),
        };
        // The same page read again (`r`, a watch) keeps the selected record; another starts
        // at its top.
        let same = (self.lists.equipements.paging).is_some_and(|q| q.page == paging.page);
        self.lists.equipements.paging = Some(paging);
        if !same {
            self.lists.equipements.selected = 0;
            self.lists.equipements.offset = 0;
        }
        let changed = read.map(|r| self.net.changed_since(r, ListKind::Equipements.name()));
        let rows = crate::rows::Prepared::new(p.items);
        (self.lists.equipements).set_read(rows, &changed.unwrap_or_default(), false);
        // Fetch the next page ahead, so paging forward is instant.
        let next = paging.page + 1;
        if next <= paging.pages
            && !self.lists.prefetched.contains_key(&next)
            && !self
                .net
                .in_flight
                .values()
                .any(|(v, _)| matches!(v, Purpose::Prefetch(n) if *n == next))
        {
            self.send(
                Request::EquipementsPage {
                    page: next,
                    size: PAGE_SIZE,
                },
                Purpose::Prefetch(next),
            );
        }
    }

    /// Pages read ahead, and those on their way, are forgotten: they may hold records as
    /// they were before a refresh or a change.
    pub(super) fn forget_prefetched(&mut self) {
        self.lists.prefetched.clear();
        (self.net.in_flight).retain(|_, (p, _)| !matches!(p, Purpose::Prefetch(_)));
    }

    /// Every equipement is in (the answer to `read`): the list is local and complete;
    /// what waited for it runs.
    pub(super) fn all_loaded(&mut self, read: u64, v: crate::app::list::Prepared<Equipement>) {
        self.lists.equipements.pending = None;
        self.lists.load_progress = None;
        self.lists.prefetched.clear();
        let changed = self.net.changed_since(read, ListKind::Equipements.name());
        self.lists.equipements.set_read(v, &changed, true);
        let n = self.lists.equipements.items.len() as u64;
        self.lists.equipements.complete = true;
        self.lists.equipements.paging = Some(Paging {
            page: 1,
            pages: 1,
            total: n,
            size: clamp_u32(n.max(1)),
        });
        self.status.notice = Some(trf("All {} equipements loaded", &[&group(n)]));
        if self.run_waits() {
            self.status.notice = Some(trf(
                "All {} equipements loaded; the screen changed, what waited is dropped",
                &[&group(n)],
            ));
        }
    }

    /// What waited for every equipement runs where it was asked: on the Equipements tab, and
    /// a window (`F`, `:dups`) only if nothing was opened over the screen it was asked from.
    /// True when something was dropped instead.
    fn run_waits(&mut self) -> bool {
        let w = std::mem::take(&mut self.lists.when_loaded);
        let here = self.tab == Tab::Equipements;
        let windows = here && self.overlays.len() <= w.depth;
        let dropped =
            (!here && (w.mark_all || w.export.is_some())) || (!windows && (w.frequency || w.dups));
        if here && w.mark_all {
            self.mark_all();
        }
        if windows && w.frequency {
            self.open_frequency();
        }
        if windows && w.dups {
            self.open_dups();
        }
        if let (true, Some((path, format))) = (here, w.export) {
            self.export(path, format);
        }
        dropped
    }

    pub(super) fn load_all(&mut self) {
        if self
            .net
            .in_flight
            .values()
            .any(|(p, _)| matches!(p, Purpose::LoadAll))
        {
            return;
        }
        let id = self.send(Request::AllEquipements, Purpose::LoadAll);
        self.lists.equipements.pending = Some(id);
        self.lists.equipements.loading = true;
        self.lists.load_progress = Some((0, 0));
    }

    /// Stops loading every equipement (Esc): the worker drops the request, nothing waits.
    pub(super) fn cancel_load(&mut self) {
        let (loaded, total) = self.lists.load_progress.take().unwrap_or_default();
        let Some(id) = self
            .net
            .in_flight
            .iter()
            .find(|(_, (p, _))| matches!(p, Purpose::LoadAll))
            .map(|(id, _)| *id)
        else {
            return;
        };
        self.net.in_flight.remove(&id);
        // Not a request of its own: nothing answers it.
        self.net.outbox.push((0, Request::Cancel(id)));
        if self.lists.equipements.pending == Some(id) {
            self.lists.equipements.pending = None;
            self.lists.equipements.loading = false;
        }
        let said = if self.drop_waits() {
            "Loading stopped ({} of {} equipements read): what waited for it is dropped"
        } else {
            "Loading stopped ({} of {} equipements read): the page shown stays"
        };
        let n = [group(loaded as u64), group(total as u64)];
        self.status.notice = Some(trf(said, &[&n[0], &n[1]]));
    }

    /// Forgets what waited for every equipement (`*`, `F`, `:dups`, an export); true when
    /// something did.
    fn drop_waits(&mut self) -> bool {
        let w = std::mem::take(&mut self.lists.when_loaded);
        w.export.is_some() || w.mark_all || w.frequency || w.dups
    }

    pub(super) fn load_site_equipements(&mut self, page: u32) {
        if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
            d.load_page(page, &mut self.net);
        }
    }

    /// Sites kept from the last run, shown until the server's list lands (a list already
    /// streaming or shown is left alone).
    pub fn show_kept_sites(
        &mut self,
        sites: Vec<crate::api::model::SiteSummary>,
        age: std::time::Duration,
    ) {
        if !self.lists.sites.items.is_empty() || sites.is_empty() {
            return;
        }
        self.lists.sites.set_items(sites);
        self.lists.sites.provisional = true;
        self.lists.sites.read_at = None;
        let said = trf(
            "Sites as read {} ago: reading them again…",
            &[&crate::text::short_duration(age)],
        );
        self.status.kept_sites = Some(said.clone());
        self.status.notice = Some(said);
    }
}
