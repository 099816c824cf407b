//! The form screen: creating and editing records, the pickers' choices, saving.

use crate::api::ApiError;
use crate::app::App;
use crate::app::ExportFormat;
use crate::app::LinkChange;
use crate::app::Overlay;
use crate::app::Permission;
use crate::app::Purpose;
use crate::app::form;
use crate::app::form::Form;
use crate::app::form::FormKind;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::hints::TAB;
use crate::app::hints::Y;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::Tab;
use crate::app::named_fields;
use crate::app::not_configured;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::app::shellexpand_home;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Payload;
use crate::protocol::Request;
use crossterm::event::KeyEvent;

impl App {
    /// Where the form waiting for the answer to request `id` is in the screen stack.
    pub(super) fn waiting_form(&self, id: u64) -> Option<usize> {
        self.overlays
            .iter()
            .position(|o| matches!(o, Overlay::Form(f) if f.pending == Some(id)))
    }

    pub(super) fn push_form(&mut self, form: Form) {
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    pub fn site_choices(&self) -> Vec<(String, String)> {
        self.lists
            .sites
            .items
            .iter()
            .map(|s| {
                let client = s.client.as_ref().map(|c| c.nom.as_str()).unwrap_or("");
                (s.site_id.clone(), format!("{} — {}", s.name, client))
            })
            .collect()
    }

    pub fn client_choices(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for s in &self.lists.sites.items {
            if let Some(c) = &s.client
                && !out.iter().any(|(id, _)| id == &c.client_id)
            {
                let code = c.code.map(|c| format!(" ({c})")).unwrap_or_default();
                out.push((c.client_id.clone(), format!("{}{code}", c.nom)));
            }
        }
        for (id, label) in &self.lists.extra_clients {
            if !out.iter().any(|(i, _)| i == id) {
                out.push((id.clone(), label.clone()));
            }
        }
        out
    }

    /// Every permission the server reports (all roles'): the role form's grid.
    pub(super) fn permission_catalogue(&self) -> Vec<Permission> {
        self.lists
            .roles
            .items
            .iter()
            .flat_map(|r| r.permissions.iter().cloned())
            .collect()
    }

    pub(super) fn role_choices(&mut self) -> Vec<(String, String)> {
        if !self.lists.roles.loaded_once && self.lists.roles.pending.is_none() {
            self.load_tab(Tab::Roles);
        }
        self.lists
            .roles
            .items
            .iter()
            .map(|r| (r.role_id.clone(), r.name.clone()))
            .collect()
    }

    /// The roles read: an open core user form offers them, showing the user's own role
    /// (a form opened before the Roles tab was ever read had none to offer).
    pub(super) fn roles_landed(&mut self) {
        let roles: Vec<(String, String)> = self
            .lists
            .roles
            .items
            .iter()
            .map(|r| (r.role_id.clone(), r.name.clone()))
            .collect();
        for o in &mut self.overlays {
            let Overlay::Form(f) = o else { continue };
            if f.kind != FormKind::User {
                continue;
            }
            let held = f
                .seen
                .as_ref()
                .and_then(|s| s.get("role_id"))
                .and_then(|v| v.as_str())
                .map(str::to_string);
            let Some(x) = f.fields.iter_mut().find(|x| x.key == "role_id") else {
                continue;
            };
            if let form::FieldKind::Choice { options, selected } = &mut x.kind {
                let picked = selected
                    .and_then(|i| options.get(i))
                    .map(|(v, _)| v.clone());
                *options = roles.clone();
                *selected = picked.and_then(|p| options.iter().position(|(v, _)| *v == p));
            }
            if !x.touched
                && let Some(h) = held
            {
                x.rebase(&h, true);
            }
        }
    }

    /// `site`: preselect this site (new equipement from a site's detail).
    pub(super) fn new_record(&mut self, site: Option<String>) {
        if self.refuse_if_read_only("creating") {
            return;
        }
        if !self.session.has(self.tab_service(self.tab)) {
            self.status.notice = Some(not_configured(
                self.tab_service(self.tab),
                &self.session.profile,
            ));
            return;
        }
        let form = match site {
            Some(s) => Form::equipement(None, self.site_choices(), Some(&s)),
            None => self.list_kind().new_form(self),
        };
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    pub(super) fn edit_target(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        if self.undecodable(&t) {
            return;
        }
        if let Some(form) = t.item().edit_form(self) {
            self.push_form(form);
        }
    }

    /// A row the server sent that could not be read has no id to act on: said, refused.
    pub(super) fn undecodable(&mut self, t: &DetailTarget) -> bool {
        let unreadable = t.item().unreadable();
        if unreadable {
            self.status.notice = Some(
                tr("This row could not be read as the server sent it: nothing to act on (v shows it)")
                    .into(),
            );
        }
        unreadable
    }

    pub(super) fn edit_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.edit_target(t);
        }
    }

    pub(super) fn save_form(&mut self) {
        // An export and an element type write nothing to a server: read-only profiles too.
        let local = matches!(
            self.overlays.last(),
            Some(Overlay::Form(f)) if matches!(f.kind, FormKind::Export | FormKind::ElementType)
        );
        if !local && self.refuse_if_read_only("saving") {
            return;
        }
        if !self.form_ready_to_save() || self.save_form_elsewhere() || self.warn_taken_address() {
            return;
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        // The change room reads the record again, compares, sends only what changed
        // and checks what the server did.
        if let Some(c) = f.change() {
            f.error = None;
            // Reviewed for this save only: the next one is shown again.
            f.agreed.retain(|a| *a != form::Ask::Review);
            let id = self.send_change(c, Purpose::Save);
            if let Some(Overlay::Form(f)) = self.overlays.last_mut() {
                f.pending = Some(id);
            }
        }
    }

    /// Whether the form on top may be saved now: nothing pending, every field valid,
    /// something changed, and the review and the erasing asked first when due. False leaves
    /// the form saying why, or closes it when nothing changed.
    fn form_ready_to_save(&mut self) -> bool {
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return false;
        };
        if f.pending.is_some() {
            return false;
        }
        if !f.validate_all() {
            f.error = Some(tr("Some fields need attention").into());
            return false;
        }
        if f.record_id.is_some() && !f.dirty() {
            self.overlays.pop();
            self.status.notice = Some(tr("Nothing changed").into());
            return false;
        }
        if self.session.confirm_saves && f.edits_record() && !f.agreed.contains(&form::Ask::Review)
        {
            // A reviewed profile: what will be sent is shown and asked first.
            f.asking = Some(form::Ask::Review);
            return false;
        }
        if !f.agreed.contains(&form::Ask::Erase) && !f.unkept().is_empty() {
            // The API writes values the console never received: never silently.
            f.asking = Some(form::Ask::Erase);
            return false;
        }
        true
    }

    /// The forms that are no record's change (an element type, bulk moves, links and sets,
    /// an import, an export): each goes its own way. True when the form on top was one.
    fn save_form_elsewhere(&mut self) -> bool {
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return true;
        };
        match f.kind {
            FormKind::ElementType => {
                let t = f.val("elementType").trim().to_string();
                self.overlays.pop();
                self.choose_element_type(t);
            }
            FormKind::BulkMove => {
                let site = f.val("site_id");
                self.overlays.pop();
                self.bulk_move(&site);
            }
            FormKind::ImportFile => {
                let path = std::path::PathBuf::from(shellexpand_home(f.val("path").trim()));
                let site_id = f.subject.clone();
                f.error = None;
                let id = self.send(Request::PlanImport { path, site_id }, Purpose::ImportPlan);
                if let Some(Overlay::Form(f)) = self.overlays.last_mut() {
                    f.pending = Some(id);
                }
            }
            FormKind::BulkLinks => {
                let add = f.val("mode") != "remove";
                let (g, e) = (f.val("groupId"), f.val("entityId"));
                let (to, id) = match (g.trim().is_empty(), e.trim().is_empty()) {
                    (false, true) => ("group", g),
                    (true, false) => ("entity", e),
                    _ => {
                        f.error = Some(tr("Choose one group or one entity").into());
                        return true;
                    }
                };
                self.overlays.pop();
                self.bulk_link(LinkChange { add, to, id });
            }
            FormKind::BulkSet => {
                let fields = f.bulk_fields();
                if fields.is_empty() {
                    f.error =
                        Some(tr("Type the values to set; empty fields are left alone").into());
                    return true;
                }
                self.overlays.pop();
                self.bulk_set(fields);
            }
            FormKind::Export => {
                let path = std::path::PathBuf::from(shellexpand_home(
                    f.field("path")
                        .map(|x| x.value())
                        .unwrap_or_default()
                        .trim(),
                ));
                let format = if f.field("format").map(|x| x.value()).as_deref() == Some("json") {
                    ExportFormat::Json
                } else {
                    ExportFormat::Csv
                };
                self.overlays.pop();
                self.export(path, format);
            }
            _ => return false,
        }
        true
    }

    /// Ocean's spelling of element types varies ("Onglets", "WsAction"): the one typed is
    /// asked as typed, and kept beside the known ones.
    fn choose_element_type(&mut self, t: String) {
        if let Some(a) = self.account_mut() {
            let pos = match a.types.iter().position(|x| *x == t) {
                Some(p) => p,
                None => {
                    a.types.push(t);
                    a.types.len() - 1
                }
            };
            a.element_type = pos;
            a.functionalities.clear();
        }
        self.load_account();
    }

    /// An equipement whose IP and port another one uses: warned once, not refused (the
    /// server decides; Ctrl-S again saves). True when the warning was just given.
    fn warn_taken_address(&mut self) -> bool {
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return false;
        };
        if f.kind != FormKind::Equipement {
            return false;
        }
        let at = format!("{}:{}", f.val("ip").trim(), f.val("port").trim());
        let id = f.record_id.clone();
        let (ip, port, site) = (f.val("ip"), f.val("port"), f.val("site_id"));
        if f.dup_warned.as_deref() != Some(at.as_str())
            && let Some(other) = self.ip_port_taken(ip.trim(), port.trim(), id.as_deref(), &site)
            && let Some(Overlay::Form(f)) = self.overlays.last_mut()
        {
            // A warning, not a refusal: the server decides; Ctrl-S again saves.
            f.error = Some(trf(
                "{} is already used by {}: Ctrl-S again saves anyway",
                &[&at, &other],
            ));
            f.dup_warned = Some(at);
            return true;
        }
        false
    }
}

impl View for Form {
    const SCOPE: Scope = Scope::Form;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow {
        // The form's own questions are answered as a confirmation is.
        let yes = cx.keys.action(Scope::Confirm, key) == Some(Act::Yes);
        if self.confirm_discard {
            if yes {
                return Flow::Close;
            }
            self.confirm_discard = false;
            return Flow::Stay;
        }
        if let Some(ask) = self.asking.take() {
            if yes {
                self.agreed.push(ask);
                return Flow::Then(Msg::SaveForm);
            }
            // Back to the first value not received, to type it.
            if let Some(i) = self.fields.iter().position(|x| x.unknown && !x.changed()) {
                self.focus = i;
            }
            return Flow::Stay;
        }
        if self.refuses_while_saving(act) {
            return Flow::Stay;
        }
        // Keys that type text are never remapped in a form (the config refuses it).
        let on_grid = matches!(
            self.fields.get(self.focus).map(|x| &x.kind),
            Some(form::FieldKind::Grid { .. })
        );
        if self.kind == FormKind::ImportFile
            && act == Some(Act::NextField)
            && self.pending.is_none()
        {
            // Path completion, as a shell does it.
            let (done, said) = complete_path(&self.val("path"));
            if let Some(x) = self.fields.first_mut() {
                x.set_text(&done);
            }
            self.error = said;
            return Flow::Stay;
        }
        // Enter moves on, and saves from the last field (a one-field picker saves at once).
        let enter = act == Some(Act::Open) && !on_grid;
        let submit = enter && self.is_last_visible(self.focus);
        if enter && !submit {
            self.on_action(Some(Act::NextField), *key);
            return Flow::Stay;
        }
        match act {
            _ if submit => Flow::Then(Msg::SaveForm),
            Some(Act::Save) => Flow::Then(Msg::SaveForm),
            Some(Act::Cancel) if self.dirty() => {
                self.confirm_discard = true;
                Flow::Stay
            }
            Some(Act::Cancel) => Flow::Close,
            _ => {
                self.on_action(act, *key);
                Flow::Stay
            }
        }
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        if self.confirm_discard {
            // A question waits: its own keys.
            return vec![
                k.h(&[Y], "discard"),
                k.h(&[T("other key", None)], "keep editing"),
            ];
        }
        if self.asking.is_some() {
            return vec![
                k.h(&[Y], "yes, go on"),
                k.h(&[T("other key", None)], "back to the form"),
            ];
        }
        form_footer(k, self)
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        // The help over a form is the lists' (its line "In forms" says the form's keys).
        Vec::new()
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        if self.pending != Some(f.id) {
            return None;
        }
        let e = f.e;
        self.pending = None;
        if self.kind == FormKind::ChangePassword
            && crate::api::ocean::wants_passwords_in_url(e)
            && !self.agreed.contains(&form::Ask::PasswordsInUrl)
        {
            // The body was not read: ask before putting passwords in a URL.
            self.asking = Some(form::Ask::PasswordsInUrl);
            self.error = None;
            return Some(false);
        }
        // Field errors go under their fields; the form keeps every character.
        let mut field_errors = e.field_errors().to_vec();
        if let ApiError::BadRequest(m) = e
            && let Some(key) = named_fields(m)
                .into_iter()
                .find(|k| self.field(k).is_some())
        {
            // Ocean and Maarch name the field in a 400's text.
            field_errors.push(crate::api::FieldError::new(&key, m.clone()));
        }
        let rest = self.apply_server_errors(&field_errors);
        self.error = if field_errors.is_empty() {
            Some(f.words.to_string())
        } else if rest.is_empty() {
            Some(tr("The server refused some fields: see below each one").into())
        } else {
            Some(rest.join("; "))
        };
        Some(true)
    }
}

impl Screen for Form {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.view_key::<Self>(key)
    }

    fn on_answer(app: &mut App, id: u64, _purpose: Purpose, p: Payload) -> bool {
        match p {
            // Lands whether or not its form is still open.
            Payload::Changed(o) => app.on_form_changed(id, *o),
            _ => return false,
        }
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        app.fail_views::<Self>(f).unwrap_or(true)
    }

    fn footer(app: &App) -> Vec<Hint> {
        app.view_footer::<Self>()
    }
}

/// A form's keys: only those that do something on this form and field.
fn form_footer(k: &Keys, fm: &Form) -> Vec<Hint> {
    use form::FieldKind;
    let f = |a| A(Scope::Form, a);
    let mut v = Vec::new();
    if fm.fields.len() > 1 {
        v.push(k.h(&[TAB], "next field"));
    }
    v.push(k.said(f(Act::Save)));
    match fm.fields.get(fm.focus).map(|x| &x.kind) {
        Some(FieldKind::Open { options, .. }) if !options.is_empty() => {
            v.push(k.h(&[T("←→", None)], "known values"))
        }
        Some(FieldKind::Choice { .. }) => v.push(k.h(&[T("type/←→", None)], "pick")),
        _ => {}
    }
    if fm.folded_count() > 0 {
        v.push(k.h(
            &[f(Act::Advanced)],
            if fm.show_advanced {
                "fewer fields"
            } else {
                "more fields"
            },
        ));
    }
    if fm.has_secret() {
        v.push(k.said(f(Act::Reveal)));
    }
    v.push(k.h(&[ESC], "cancel"));
    v
}

/// Completes a typed path as a shell does: the one entry that starts so, or the longest
/// prefix they share (and what they are, said). Reads the directory; touches nothing else.
pub(super) fn complete_path(typed: &str) -> (String, Option<String>) {
    let expanded = shellexpand_home(typed);
    let (dir, stem) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("./", expanded.as_str()),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (
            typed.to_string(),
            Some(trf("No folder {}", &[&crate::text::sanitize(dir)])),
        );
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name.starts_with(stem) && (!name.starts_with('.') || stem.starts_with('.')))
                .then(|| if is_dir { format!("{name}/") } else { name })
        })
        .take(1000)
        .collect();
    names.sort();
    let prefix = if expanded.contains('/') { dir } else { "" };
    match names.as_slice() {
        [] => (typed.to_string(), Some(tr("No file starts so").into())),
        [one] => (format!("{prefix}{one}"), None),
        many => {
            let first = &many[0];
            let common = many.iter().fold(first.len(), |n, s| {
                let same = first
                    .char_indices()
                    .zip(s.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8());
                same.min(n)
            });
            let shown: Vec<String> = many
                .iter()
                .take(8)
                .map(|n| crate::text::sanitize(n).into_owned())
                .collect();
            (
                format!("{prefix}{}", &first[..common]),
                Some(shown.join("  ")),
            )
        }
    }
}
