//! The detail screens: a record, a site with its equipements, a Maarch user with its links.

use crate::app::Net;
use crate::app::RawView;
use crate::app::browse::Nav;
use crate::app::keymap::Act;
use crate::app::kinds::Stored;
use crate::app::raw_view::copy_as_json;
use crate::app::view::{Cx, Flow, Msg, View};

use crate::app::App;
use crate::app::Equipement;
use crate::app::ListKind;
use crate::app::Overlay;
use crate::app::PAGE_SIZE;
use crate::app::Palette;
use crate::app::Purpose;
use crate::app::hints::Hint;
use crate::app::hints::Keys;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::with_list;
use crate::app::list::ListView;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::i18n::{tr, trf};
use crate::protocol::DeleteOp;
use crate::protocol::Payload;
use crate::protocol::Request;
use crate::text::mask_secrets;
use crossterm::event::KeyEvent;

pub struct Detail {
    pub target: DetailTarget,
    pub reveal: bool,
    /// A site's equipements, paged by the server.
    pub equipements: ListView<Equipement>,
    /// Maarch: the selected line among groups then entities.
    pub cursor: usize,
    /// Maarch: the user's details were read (groups, entities, Parapheur).
    pub loaded: bool,
    /// Maarch: the answer of `statusInMaarchParapheur`, once asked.
    pub parapheur: Option<String>,
    /// Maarch: why the details could not be read.
    pub error: Option<String>,
    /// `*` asked before every equipement of the site was loaded: marks them once they are.
    pub mark_all_when_loaded: bool,
    /// Maarch: a group or entity picker asked before the catalogue came; it opens once the
    /// catalogue lands if this detail is still on top.
    pub pick_after_catalogue: Option<Act>,
    /// The probe run its equipements wait for (`P`; Esc stops waiting).
    pub probing: Option<u64>,
    /// `P` asked before every equipement of the site was loaded: probes them once they are.
    pub probe_when_loaded: bool,
}

impl Detail {
    pub fn new(target: DetailTarget) -> Self {
        Detail {
            target,
            reveal: false,
            equipements: ListView::default(),
            cursor: 0,
            loaded: false,
            parapheur: None,
            error: None,
            mark_all_when_loaded: false,
            probe_when_loaded: false,
            pick_after_catalogue: None,
            probing: None,
        }
    }

    /// Maarch: the link under the cursor, as the operation that removes it.
    pub fn selected_link(&self) -> Option<DeleteOp> {
        let DetailTarget::MaarchUser(d) = &self.target else {
            return None;
        };
        let user = d.user.id;
        if let Some(g) = d.groups.get(self.cursor) {
            return Some(DeleteOp::MaarchGroup {
                user,
                group: g.group_id.clone(),
            });
        }
        d.entities
            .get(self.cursor - d.groups.len())
            .map(|e| DeleteOp::MaarchEntity {
                user,
                entity: e.entity_id.clone(),
            })
    }
}

pub(super) fn target_id(t: &DetailTarget) -> String {
    t.item().id_text()
}

/// A detail's record as JSON, secrets masked, with a title.
pub fn target_json(t: &DetailTarget) -> (String, serde_json::Value) {
    let mut v = t.item().json();
    mask_secrets(&mut v);
    (t.label(), v)
}

impl App {
    /// Every open detail, under other screens too (answers refresh them all).
    pub(super) fn details_mut(&mut self) -> impl Iterator<Item = &mut Detail> {
        self.overlays.iter_mut().filter_map(|o| match o {
            Overlay::Detail(d) => Some(d.as_mut()),
            _ => None,
        })
    }

    pub(super) fn selected_target(&self) -> Option<DetailTarget> {
        with_list!(self, self.list_kind(), |l| l
            .selected_item()
            .map(|r| r.target()))
    }

    pub(super) fn open_detail(&mut self, t: DetailTarget) {
        let is_site = matches!(t, DetailTarget::Site(_));
        let maarch = t.maarch_uid();
        if let DetailTarget::User(u) = &t
            && !u.user_id.is_empty()
        {
            // The list may be old: the detail shows the user as the server has it now.
            self.send(Request::User(u.user_id.clone()), Purpose::User);
        }
        self.overlays
            .push(Overlay::Detail(Box::new(Detail::new(t))));
        if is_site {
            self.load_site_equipements(1);
        }
        if let Some(uid) = maarch {
            self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
            self.load_catalogue();
        }
    }

    /// What the detail on top asked that reaches beyond it: another screen, or a write.
    pub(super) fn detail_action(&mut self, act: Act) {
        let Some(Overlay::Detail(d)) = self.overlays.last() else {
            return;
        };
        let t = d.target.clone();
        // A save lands on the detail: undoing it is one key away there too.
        if act == Act::Undo {
            return self.undo();
        }
        if let DetailTarget::MaarchUser(u) = t {
            return self.maarch_detail_action(act, u);
        }
        let is_site = matches!(t, DetailTarget::Site(_));
        let marked = !d.equipements.marked.is_empty();
        match act {
            Act::EditInEditor => self.edit_in_editor(t),
            Act::Assign => {
                if let DetailTarget::Individu(i) = &t {
                    self.ask_assign_entity(i);
                }
            }
            Act::Delete if is_site && marked => self.bulk_delete(),
            Act::Move if is_site => self.ask_bulk_move(),
            Act::Import if is_site => self.ask_import(&target_id(&t)),
            Act::Set if is_site => self.ask_bulk_set(),
            Act::Probe if is_site => self.probe_site(),
            Act::New if is_site => self.new_record(Some(target_id(&t))),
            Act::Edit => self.edit_target(t),
            Act::Delete => self.delete_target(t),
            _ => {}
        }
    }
}

impl Detail {
    /// Asks for page `page` of a site's equipements.
    pub(super) fn load_page(&mut self, page: u32, net: &mut Net) {
        let DetailTarget::Site(site) = &self.target else {
            return;
        };
        let req = Request::SiteEquipements {
            site_id: site.site_id.clone(),
            page,
            size: PAGE_SIZE,
        };
        self.equipements.pending = Some(net.send(req, Purpose::SiteDetail));
        self.equipements.loading = true;
    }

    /// Another page asked: it replaces a read of every page, and what waited for that read
    /// (`*`, `P`) is dropped and said, rather than run on the one page.
    fn turn_page(&mut self, page: u32, cx: &mut Cx) {
        let marks = std::mem::take(&mut self.mark_all_when_loaded);
        let probe = std::mem::take(&mut self.probe_when_loaded);
        if marks || probe {
            *cx.notice = Some(tr("The page changed: what waited for every page is dropped").into());
        }
        self.load_page(page, cx.net);
    }

    /// `*` on a site: every row of the page, or every page first when there are more.
    fn mark_all(&mut self, cx: &mut Cx) {
        if self.equipements.paging.is_some_and(|p| p.pages > 1) {
            self.mark_all_when_loaded = true;
            let req = Request::AllSiteEquipements(target_id(&self.target));
            self.equipements.pending = Some(cx.net.send(req, Purpose::SiteDetail));
            self.equipements.loading = true;
            return;
        }
        self.equipements.mark_view();
        let n = self.equipements.marked.len();
        *cx.notice = Some(trf("{} marked", &[&n]));
    }

    /// A key on a site's equipements; `None` when it is not about them.
    fn site_key(&mut self, act: Act, cx: &mut Cx) -> Option<Flow> {
        let rows = cx.rows.saturating_sub(8).max(1);
        let paging = self.equipements.paging;
        match act {
            Act::Down => self.equipements.nav(1, rows),
            Act::Up => self.equipements.nav(-1, rows),
            Act::First => self.equipements.nav(isize::MIN, rows),
            Act::Last => self.equipements.nav(isize::MAX, rows),
            Act::PageDown | Act::NextPage => {
                if let Some(p) = paging.filter(|p| p.page < p.pages) {
                    self.turn_page(p.page + 1, cx);
                }
            }
            Act::PageUp | Act::PrevPage => {
                if let Some(p) = paging.filter(|p| p.page > 1) {
                    self.turn_page(p.page - 1, cx);
                }
            }
            Act::Open => {
                let e = self.equipements.selected_record()?;
                return Some(Flow::Then(Msg::OpenDetail(Box::new(
                    DetailTarget::Equipement(e),
                ))));
            }
            Act::Mark => {
                self.equipements.toggle_mark();
                self.equipements.nav(1, rows);
            }
            Act::MarkAll => self.mark_all(cx),
            Act::Filter => self.equipements.set_filtering(true),
            Act::Probe => return Some(Flow::Then(Msg::OnDetail(Act::Probe))),
            // Esc stops waiting for a probe run before anything else.
            Act::Cancel if self.probing.is_some() || self.probe_when_loaded => {
                // The run itself stops: no connection is tried after Esc.
                if let Some(id) = self.probing.take() {
                    cx.net.outbox.push((0, Request::Cancel(id)));
                }
                self.probe_when_loaded = false;
                *cx.notice = Some(tr("Probe stopped: its answers are dropped").into());
            }
            // Esc clears a filter before it closes the detail.
            Act::Cancel if !self.equipements.filter.is_empty() => {
                self.equipements.set_filter(String::new())
            }
            _ => return None,
        }
        Some(Flow::Stay)
    }

    /// A key on a Maarch user's detail: the cursor is its own, the rest the app's.
    fn maarch_key(&mut self, act: Act) -> Flow {
        let links = match &self.target {
            DetailTarget::MaarchUser(u) => u.groups.len() + u.entities.len(),
            _ => 0,
        };
        match act {
            Act::Cancel | Act::Back => return Flow::Close,
            Act::Down => self.cursor = (self.cursor + 1).min(links.saturating_sub(1)),
            Act::Up => self.cursor = self.cursor.saturating_sub(1),
            Act::Help => return Flow::help(),
            Act::Palette => return Flow::Push(Box::new(Overlay::Palette(Palette::default()))),
            _ => return Flow::Then(Msg::OnDetail(act)),
        }
        Flow::Stay
    }
}

impl View for Detail {
    const SCOPE: Scope = Scope::Detail;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow {
        if matches!(self.target, DetailTarget::MaarchUser(_)) {
            // A Maarch user's detail has its own part of the table.
            return match cx.keys.action(Scope::Maarch, key) {
                Some(act) => self.maarch_key(act),
                None => Flow::Stay,
            };
        }
        let is_site = matches!(self.target, DetailTarget::Site(_));
        if is_site && self.equipements.filtering {
            // The filter is typed here, as on the lists.
            let rows = cx.rows.saturating_sub(8).max(1);
            crate::app::ListKeys {
                list: &mut self.equipements,
            }
            .filter_key(key, rows);
            return Flow::Stay;
        }
        let Some(act) = act else {
            return Flow::Stay;
        };
        if is_site && let Some(flow) = self.site_key(act, cx) {
            return flow;
        }
        match act {
            Act::Cancel | Act::Back => Flow::Close,
            Act::Reveal => {
                self.reveal = !self.reveal;
                Flow::Stay
            }
            Act::Raw => {
                let (title, v) = target_json(&self.target);
                Flow::Push(Box::new(Overlay::Raw(Box::new(RawView::of(title, &v)))))
            }
            Act::CopyRecord => {
                let (title, v) = target_json(&self.target);
                cx.effects.push(copy_as_json(&title, &v));
                Flow::Stay
            }
            Act::Help => Flow::help(),
            Act::Palette => Flow::Push(Box::new(Overlay::Palette(Palette::default()))),
            _ => Flow::Then(Msg::OnDetail(act)),
        }
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        self.footer(k)
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        self.help_lines(k)
    }

    fn on_answer(&mut self, id: u64, purpose: &Purpose, p: &Payload, cx: &mut Cx) -> Option<Flow> {
        self.take_answer(id, purpose, p, cx)
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        self.take_failure(f)
    }
}

impl Screen for Detail {
    fn on_key(app: &mut App, key: KeyEvent) {
        // A row command's key (free on this screen, the config checked it).
        if let Some(c) = app.command_for_key(key) {
            return app.run_row_command(c);
        }
        app.view_key::<Self>(key)
    }

    fn on_answer(app: &mut App, id: u64, purpose: Purpose, p: Payload) -> bool {
        match (purpose, p) {
            (purpose @ (Purpose::SiteDetail | Purpose::Probe), p) => {
                return app.answer_views::<Self>(id, &purpose, &p);
            }
            // Read before a change to the user landed: the change's answer is newer.
            (Purpose::MaarchDetails, Payload::MaarchDetails(uid, _))
                if app.maarch_read_is_older(id, uid) =>
            {
                return false;
            }
            (purpose @ Purpose::MaarchDetails, p) => {
                app.answer_views::<Self>(id, &purpose, &p);
                // The list keeps the fresher user; the status line says the link.
                match p {
                    Payload::MaarchDetails(_, Some(fresh)) => {
                        app.lists.maarch_users.upsert(fresh.user)
                    }
                    Payload::ParapheurStatus(_, login) => {
                        app.status.notice = Some(if login.is_empty() {
                            tr("Not linked to Maarch Parapheur").into()
                        } else {
                            trf("Linked to Maarch Parapheur user {}", &[&login])
                        })
                    }
                    _ => return false,
                }
            }
            (Purpose::MaarchEdit(editor), Payload::MaarchDetails(uid, details)) => {
                return app.edit_maarch_user_read(id, editor, uid, details);
            }
            // Read before a change to the user landed: the change's answer is newer.
            (Purpose::User, Payload::User(u))
                if app
                    .net
                    .predates_change(id, ListKind::Users.name(), &u.user_id) =>
            {
                return false;
            }
            (Purpose::User, Payload::User(u)) => {
                app.update_detail(DetailTarget::User(u.clone()));
                app.lists.users.upsert(u);
            }
            (Purpose::Catalogue, Payload::MaarchCatalogue { groups, entities }) => {
                app.maarch_catalogue_read(groups, entities)
            }
            // A stale answer: the user already moved on.
            _ => return false,
        }
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        match f.purpose {
            Purpose::MaarchEdit(_) if app.waiting.maarch_edit.is_some_and(|(e, _)| e == f.id) => {
                app.waiting.maarch_edit = None;
            }
            // The detail keeps what the list said.
            Purpose::User => return false,
            _ => {
                app.fail_views::<Self>(f);
            }
        }
        true
    }

    fn footer(app: &App) -> Vec<Hint> {
        app.view_footer::<Self>()
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        app.view_help::<Self>()
    }
}
