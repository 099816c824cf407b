//! What the worker answers: each payload lands where it was asked for, or is dropped.

use super::*;

/// What a request in flight was for, to route (or drop) its answer.
#[derive(Debug, Clone)]
pub(super) enum Purpose {
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PurposeKind {
    Read,
    WhoAmI,
    Other,
}

impl App {
    pub(super) fn on_payload(&mut self, id: u64, purpose: Purpose, p: Payload) {
        if self.reconnect.take().is_some() {
            self.notice = Some(tr("Connected again").into());
            self.last_error = None;
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
        match (purpose, p) {
            (Purpose::Login, Payload::LoggedIn(c)) => {
                self.last_error = None;
                if !c.email.is_empty() || !c.sub.is_empty() {
                    self.session.user = Some(if c.email.is_empty() { c.sub } else { c.email });
                }
                if !c.role_name.is_empty() {
                    self.session.role = Some(c.role_name);
                }
                if let Some(Overlay::Login(l)) = self.overlays.last()
                    && l.pending == Some(id)
                {
                    self.overlays.pop();
                    self.load_tab(Tab::Sites);
                    if self.tab != Tab::Sites {
                        self.load_tab(self.tab);
                    }
                }
            }
            (Purpose::Login, Payload::ServiceLoggedIn(service, user)) => {
                self.last_error = None;
                match service {
                    Service::Ocean => self.session.ocean_user = Some(user),
                    _ => self.session.maarch_user = Some(user),
                }
                if let Some(Overlay::Login(l)) = self.overlays.last()
                    && l.pending == Some(id)
                {
                    self.overlays.pop();
                }
                // Whatever waited for this login is asked again.
                match service {
                    Service::Ocean => {
                        self.load_tab(Tab::Individus);
                        if let Some(Overlay::Account(_)) = self.overlays.last() {
                            self.load_account();
                        }
                    }
                    _ => {
                        let dir = self.users_dir;
                        self.users_dir = Service::Maarch;
                        self.load_tab(Tab::Users);
                        self.users_dir = dir;
                        // Open details that could not be read are read now.
                        let waiting: Vec<i64> = self
                            .overlays
                            .iter()
                            .filter_map(|o| match o {
                                Overlay::Detail(d) if !d.loaded => match &d.target {
                                    DetailTarget::MaarchUser(u) => Some(u.user.id),
                                    _ => None,
                                },
                                _ => None,
                            })
                            .collect();
                        if !waiting.is_empty() {
                            self.load_catalogue();
                        }
                        for uid in waiting {
                            self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
                        }
                    }
                }
            }
            (Purpose::MaarchDetails, Payload::MaarchDetails(uid, details)) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && let DetailTarget::MaarchUser(cur) = &mut d.target
                        && cur.user.id == uid
                    {
                        d.loaded = true;
                        d.error = None;
                        if let Some(fresh) = &details {
                            *cur = fresh.clone();
                        }
                        let n = cur.groups.len() + cur.entities.len();
                        d.cursor = d.cursor.min(n.saturating_sub(1));
                    }
                }
                if let Some(fresh) = details {
                    self.maarch_users.upsert(fresh.user);
                }
            }
            (Purpose::MaarchEdit(editor), Payload::MaarchDetails(uid, details)) => {
                if self.maarch_edit.take() != Some((id, self.overlays.len())) {
                    // The user moved on meanwhile: nothing opens over what they do now.
                    return false;
                }
                let d = match details {
                    Some(d) => d,
                    // No details route: the list's fields are all there is.
                    None => {
                        let user = self
                            .maarch_users
                            .items
                            .iter()
                            .find(|u| u.id == uid)
                            .cloned()
                            .unwrap_or(MaarchUser {
                                id: uid,
                                ..Default::default()
                            });
                        MaarchUserDetails {
                            fetched: true,
                            ..MaarchUserDetails::from_list(user)
                        }
                    }
                };
                self.maarch_users.upsert(d.user.clone());
                let t = DetailTarget::MaarchUser(d);
                if editor {
                    self.edit_in_editor(t);
                } else {
                    self.edit_target(t);
                }
            }
            (Purpose::User, Payload::User(u)) => {
                self.update_detail(DetailTarget::User(u.clone()));
                self.users.upsert(u);
            }
            (Purpose::MaarchDetails, Payload::ParapheurStatus(uid, login)) => {
                for o in &mut self.overlays {
                    if let Overlay::Detail(d) = o
                        && matches!(&d.target, DetailTarget::MaarchUser(cur) if cur.user.id == uid)
                    {
                        d.parapheur = Some(login.clone());
                    }
                }
                self.notice = Some(if login.is_empty() {
                    tr("Not linked to Maarch Parapheur").into()
                } else {
                    trf("Linked to Maarch Parapheur user {}", &[&login])
                });
            }
            (Purpose::Catalogue, Payload::MaarchCatalogue { groups, entities }) => {
                self.catalogue = Some((groups, entities));
                // The picker asked for meanwhile opens, if the user is still on that detail.
                if let Some((key, depth, uid)) = self.pick_after_catalogue.take()
                    && depth == self.overlays.len()
                    && let Some(Overlay::Detail(d)) = self.overlays.last()
                    && let DetailTarget::MaarchUser(u) = &d.target
                    && u.user.id == uid
                {
                    let u = u.clone();
                    self.maarch_detail_key(key, u);
                }
            }
            (Purpose::Account, Payload::Functionalities(t, list)) => {
                // The screen may be under a form or the help: look for it.
                let Some(a) = self.account_mut() else {
                    return false;
                };
                if a.pending != Some(id) || a.types.get(a.element_type) != Some(&t) {
                    return false;
                }
                a.pending = None;
                a.error = None;
                a.functionalities = list;
                a.selected = 0;
            }
            (Purpose::Account, Payload::Outbox(o)) => {
                let Some(a) = self.account_mut() else {
                    return false;
                };
                a.outbox = Some(o);
            }
            (Purpose::List(kind), p) => return kind.land(self, id, p),
            (Purpose::Prefetch(n), Payload::EquipementsPage(p)) if !self.equipements.complete => {
                self.prefetched.insert(n, p);
                // Keep only pages near the current one.
                let cur = self.equipements.paging.map(|p| p.page).unwrap_or(1);
                self.prefetched.retain(|k, _| k.abs_diff(cur) <= 2);
            }
            (Purpose::LoadAll, Payload::AllEquipements(v))
                if self.equipements.pending == Some(id) =>
            {
                self.equipements.pending = None;
                self.load_progress = None;
                self.prefetched.clear();
                let n = v.len() as u64;
                self.equipements.complete = true;
                self.equipements.paging = Some(Paging {
                    page: 1,
                    pages: 1,
                    total: n,
                    size: clamp_u32(n.max(1)),
                });
                self.equipements.set_items(v);
                self.notice = Some(trf("All {} equipements loaded", &[&group(n)]));
                if let Some((path, format)) = self.pending_export.take() {
                    self.export(path, format);
                }
            }
            // A load the list no longer waits for: its progress goes.
            (Purpose::LoadAll, _) => self.load_progress = None,
            (Purpose::SiteDetail, Payload::SiteEquipements { site_id, page }) => {
                let mut page = Some(page);
                let open = self
                    .overlays
                    .iter()
                    .any(|o| matches!(o, Overlay::Detail(d) if d.equipements.pending == Some(id)));
                if !open {
                    return false;
                }
                for o in self.overlays.iter_mut().rev() {
                    if let Overlay::Detail(d) = o
                        && d.equipements.pending == Some(id)
                        && matches!(&d.target, DetailTarget::Site(s) if s.site_id == site_id)
                        && let Some(page) = page.take()
                    {
                        d.equipements.pending = None;
                        d.equipements.paging = Some(Paging {
                            page: clamp_u32(page.page.unwrap_or(1)),
                            pages: clamp_u32(page.page_count().unwrap_or(1).max(1)),
                            total: page.total.unwrap_or(page.items.len() as u64),
                            size: PAGE_SIZE,
                        });
                        d.equipements.selected = 0;
                        d.equipements.offset = 0;
                        // This route's items do not name their site: it is the one shown.
                        let site_ref = std::sync::Arc::new(match &d.target {
                            DetailTarget::Site(s) => SiteRef::from(s),
                            _ => SiteRef::default(),
                        });
                        let items = page
                            .items
                            .into_iter()
                            .map(|mut e| {
                                if e.client_site.is_none() {
                                    e.site_id.get_or_insert_with(|| site_ref.site_id.clone());
                                    e.client_site = Some(site_ref.clone());
                                }
                                e
                            })
                            .collect();
                        d.equipements.set_items(items);
                    }
                }
            }
            (Purpose::Save, Payload::Saved(saved)) => self.on_saved(id, saved),
            (Purpose::Delete, Payload::Deleted(op)) => self.on_deleted(id, op),
            // A stale answer: the user already moved on.
            _ => return false,
        }
        true
    }

    pub(super) fn current_things(&self) -> &'static str {
        for o in self.overlays.iter().rev() {
            match o {
                Overlay::Form(f) => return f.kind.things(),
                Overlay::Confirm(c) => return kinds::deleted_things(&c.op),
                _ => {}
            }
        }
        self.list_kind().things()
    }

    pub(super) fn site_name(&self, site_id: &str) -> Option<&SiteSummary> {
        self.sites.items.iter().find(|s| s.site_id == site_id)
    }
}

impl App {
    pub(super) fn send(&mut self, req: Request, purpose: Purpose) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, (purpose, req.service()));
        self.outbox.push((id, req));
        id
    }
}
