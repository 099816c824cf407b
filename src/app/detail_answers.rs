//! What a record's detail does with the answers and failures of its own reads: a site's page
//! of equipements, a Maarch user's details and Parapheur link. What they change beyond the
//! detail (the lists, the status line) is the console's, in `Screen for Detail`.

use std::sync::Arc;

use crate::api::maarch::MaarchUserDetails;
use crate::app::Detail;
use crate::app::Equipement;
use crate::app::PAGE_SIZE;
use crate::app::Page;
use crate::app::Purpose;
use crate::app::SiteRef;
use crate::app::clamp_u32;
use crate::app::keymap::Act;
use crate::app::kinds::DetailTarget;
use crate::app::list::Paging;
use crate::app::view::{Cx, Failure, Flow, Msg};
use crate::i18n::trf;
use crate::protocol::Payload;

impl Detail {
    /// An answer for this detail; `None` when it waits for another (or for none).
    pub(super) fn take_answer(
        &mut self,
        id: u64,
        purpose: &Purpose,
        p: &Payload,
        cx: &mut Cx,
    ) -> Option<Flow> {
        match (purpose, p) {
            (Purpose::SiteDetail, Payload::SiteEquipements { site_id, page }) => {
                self.site_page(id, site_id, page, cx)
            }
            (Purpose::Probe, Payload::Probed(targets, states)) => {
                let flow = self.probed(id, targets, states)?;
                *cx.notice = Some(crate::app::detail_probe::answered(states));
                Some(flow)
            }
            (Purpose::MaarchDetails, Payload::MaarchDetails(uid, details)) => {
                self.maarch_details(*uid, details.as_ref())
            }
            (Purpose::MaarchDetails, Payload::ParapheurStatus(uid, login)) => {
                let DetailTarget::MaarchUser(cur) = &self.target else {
                    return None;
                };
                (cur.user.id == *uid).then(|| {
                    self.parapheur = Some(login.clone());
                    Flow::Stay
                })
            }
            _ => None,
        }
    }

    /// A failure of this detail's read; `None` when not its own.
    pub(super) fn take_failure(&mut self, f: &Failure) -> Option<bool> {
        match f.purpose {
            Purpose::MaarchDetails
                if matches!(self.target, DetailTarget::MaarchUser(_)) && !self.loaded =>
            {
                self.error = Some(f.words.to_string());
            }
            // A picker waiting for the catalogue will not open.
            Purpose::Catalogue => self.pick_after_catalogue = None,
            Purpose::SiteDetail if self.equipements.pending == Some(f.id) => {
                self.equipements.pending = None;
                self.equipements.loading = false;
            }
            _ => return None,
        }
        Some(true)
    }

    /// A page of the site's equipements, if it is the one this detail asked for.
    fn site_page(
        &mut self,
        id: u64,
        site_id: &str,
        page: &Page<Equipement>,
        cx: &mut Cx,
    ) -> Option<Flow> {
        let DetailTarget::Site(site) = &self.target else {
            return None;
        };
        if self.equipements.pending != Some(id) || site.site_id != site_id {
            return None;
        }
        // This route's items do not name their site: it is the one shown.
        let site_ref = Arc::new(SiteRef::from(site));
        let e = &mut self.equipements;
        e.pending = None;
        e.paging = Some(Paging {
            page: clamp_u32(page.page.unwrap_or(1)),
            pages: clamp_u32(page.page_count().unwrap_or(1).max(1)),
            total: page.total.unwrap_or(page.items.len() as u64),
            size: PAGE_SIZE,
        });
        e.selected = 0;
        e.offset = 0;
        let items = page
            .items
            .iter()
            .cloned()
            .map(|mut x| {
                if x.client_site.is_none() {
                    x.site_id.get_or_insert_with(|| site_ref.site_id.clone());
                    x.client_site = Some(site_ref.clone());
                }
                x
            })
            .collect();
        let changed = (cx.net).changed_since(id, crate::app::ListKind::Equipements.name());
        e.set_read(crate::rows::Prepared::new(items), &changed, false);
        if std::mem::take(&mut self.mark_all_when_loaded) {
            self.equipements.mark_view();
            let n = self.equipements.marked.len();
            *cx.notice = Some(trf("{} marked", &[&n]));
        }
        if std::mem::take(&mut self.probe_when_loaded) {
            return Some(Flow::Then(Msg::OnDetail(Act::Probe)));
        }
        Some(Flow::Stay)
    }

    /// A Maarch user's details read: this detail shows them if it is that user's.
    fn maarch_details(&mut self, uid: i64, details: Option<&MaarchUserDetails>) -> Option<Flow> {
        let DetailTarget::MaarchUser(cur) = &mut self.target else {
            return None;
        };
        if cur.user.id != uid {
            return None;
        }
        self.loaded = true;
        self.error = None;
        if let Some(fresh) = details {
            *cur = fresh.clone();
        }
        let n = cur.groups.len() + cur.entities.len();
        self.cursor = self.cursor.min(n.saturating_sub(1));
        Some(Flow::Stay)
    }
}
