//! An equipement: its list columns, its form and what saving it sends.

use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Equipement;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::NewEquipement;
use crate::app::SiteRef;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::integer;
use crate::app::kinds::list_values;
use crate::app::kinds::safe;
use crate::app::kinds::to_json;
use crate::app::kinds::trimmed;
use crate::app::kinds::ts;
use crate::change;
use crate::change::Create;
use crate::i18n::tr;
use crate::protocol::Change;
use crate::protocol::DeleteOp;
use crate::protocol::Payload;
use crate::rows::Record;
use crate::rows::Rows;
use serde_json::Value;
use std::borrow::Cow;

/// Column `col` of `e` handed in parts, borrowed where the record holds the text: `cell`
/// joins them, `cell_parts` hands every column's (the searchable text of a million rows is
/// built without a string a cell).
fn column_parts(e: &Equipement, col: usize, put: &mut dyn FnMut(&str)) {
    match col {
        0 => put(&e.ip),
        1 => {
            let mut port = itoa::Buffer::new();
            put(e.port.map_or("", |p| port.format(p)));
        }
        2 => put(&e.marque),
        3 => put(&e.modele),
        4 => put(e.client_site.as_ref().map_or("", |s| &s.name)),
        5 => {
            for (i, s) in e.sources.0.iter().enumerate() {
                if i > 0 {
                    put(", ");
                }
                put(s);
            }
        }
        6 => put(&e.timestamp.as_ref().map(|t| t.short()).unwrap_or_default()),
        7 => put(e.reach.as_deref().unwrap_or_default()),
        _ => {}
    }
}

impl Record for Equipement {
    const KIND: &'static str = "equipements";
    type Rows = crate::rows::dense::DenseEquipements;
    const LOCAL: bool = true;
    fn keep_local(&mut self, old: &Self) {
        if self.reach.is_none() {
            self.reach = old.reach.clone();
        }
    }
    fn cells(&self) -> Vec<String> {
        (0..8).map(|c| self.cell(c)).collect()
    }
    fn cell(&self, col: usize) -> String {
        let mut cell = String::new();
        column_parts(self, col, &mut |part| cell.push_str(part));
        cell
    }
    fn cell_parts(&self, put: &mut dyn FnMut(usize, &str)) {
        for col in 0..8 {
            column_parts(self, col, &mut |part| put(col, part));
        }
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.equipement_id)
    }
    fn label(&self) -> String {
        match self.port {
            Some(p) => format!(
                "equipement {}:{} ({} {})",
                self.ip, p, self.marque, self.modele
            ),
            None => format!("equipement {}", self.ip),
        }
    }
}

impl Form {
    /// `sites`: (site_id, name) pairs.
    pub fn equipement(
        existing: Option<&Equipement>,
        sites: Vec<(String, String)>,
        site: Option<&str>,
    ) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let site_value = e
            .site_id()
            .map(str::to_string)
            .or(site.map(str::to_string))
            .unwrap_or_default();
        let fields = vec![
            Field::new(
                "site_id",
                "Site",
                FieldKind::Choice {
                    options: sites,
                    selected: None,
                },
                true,
            )
            .with_value(&site_value),
            Field::new("ip", "IP address", FieldKind::Ip, true).with_value(&e.ip),
            Field::new(
                "port",
                "Port",
                FieldKind::Integer { min: 1, max: 65535 },
                true,
            )
            .with_value(&e.port.map(|p| p.to_string()).unwrap_or_default()),
            Field::new(
                "marque",
                "Brand",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.marque),
            Field::new(
                "modele",
                "Model",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.modele),
            Field::new(
                "sources",
                "Sources (comma-separated)",
                FieldKind::List,
                false,
            )
            .with_value(&e.sources.0.join(", ")),
            Field::new(
                "username",
                "Username",
                FieldKind::Text { min: 0, max: 200 },
                false,
            )
            .with_value(&e.username),
            Field::new(
                "password",
                "Password",
                FieldKind::Password { min: 0 },
                false,
            )
            .with_value(e.password.expose()),
            Field::new(
                "description",
                "Description",
                FieldKind::Text { min: 0, max: 1000 },
                false,
            )
            .with_value(&e.description),
        ];
        Form::build(
            FormKind::Equipement,
            existing.map(|e| e.equipement_id.clone()),
            fields,
        )
        .with_seen(existing)
    }

    /// The creation, or the fields changed, an equipement form sends.
    pub(crate) fn equipement_change(&self) -> Option<Change> {
        if self.record_id.is_none() {
            return Some(Change::create(Create::Equipement(NewEquipement {
                ip: self.val("ip").trim().to_string(),
                site_id: self.val("site_id"),
                marque: self.val("marque").trim().to_string(),
                sources: list_values(&self.val("sources")),
                port: self.val("port").trim().parse().unwrap_or_default(),
                username: self.val("username"),
                password: self.val("password"),
                description: self.val("description"),
                modele: self.val("modele").trim().to_string(),
            })));
        }
        self.edit_change(change::Kind::Equipement, |f, v| match f.key.as_ref() {
            "ip" | "marque" | "modele" => Some(trimmed(v)),
            "port" => integer(v),
            "sources" => Some(serde_json::json!(list_values(v))),
            "site_id" | "username" | "password" | "description" => {
                Some(Value::String(v.to_string()))
            }
            _ => None,
        })
    }
}

impl Item for Equipement {
    fn id_text(&self) -> String {
        self.equipement_id.clone()
    }
    fn heading(&self) -> String {
        crate::i18n::trf("Equipement {}", &[&safe(&self.ip)])
    }
    fn fields(&self, reveal: Option<&str>) -> Vec<(&'static str, String)> {
        let site = self.client_site.as_ref().map(|s| s.name.clone());
        vec![
            ("IP address", self.ip.to_string()),
            ("Port", self.port.map(|p| p.to_string()).unwrap_or_default()),
            ("Brand", self.marque.to_string()),
            ("Model", self.modele.to_string()),
            ("Site", site.unwrap_or_default()),
            ("Sources", self.sources.0.join("\n")),
            ("Username", self.username.to_string()),
            (
                "Password",
                match reveal {
                    None => self.password.expose().to_string(),
                    Some(key) => {
                        crate::i18n::trf("{} ({} reveals)", &[&self.password.masked(), &key])
                    }
                },
            ),
            ("Description", self.description.to_string()),
            ("Created", ts(&self.timestamp)),
            ("Equipement id", self.equipement_id.clone()),
            ("Site id", self.site_id().unwrap_or_default().to_string()),
        ]
    }
    fn json(&self) -> serde_json::Value {
        to_json(self)
    }
    fn problem(&self) -> Option<&str> {
        crate::api::items::Marked::problem(self)
    }
    fn things(&self) -> &'static str {
        "equipements"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        let q = crate::i18n::trf("Delete {}?", &[&self.label()]);
        Ok((q, DeleteOp::Equipement(self.equipement_id.clone())))
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        Some(Form::equipement(Some(self), app.site_choices(), None))
    }
}

impl Kind for Equipement {
    fn title(_: &App) -> &'static str {
        tr("Equipements")
    }
    fn new_form(app: &mut App) -> Form {
        Form::equipement(None, app.site_choices(), None)
    }
    fn land(app: &mut App, id: u64, p: Payload) -> bool {
        match p {
            Payload::EquipementsPage(p) if app.lists.equipements.pending == Some(id) => {
                app.lists.equipements.pending = None;
                app.apply_equipements_page(p, Some(id));
                true
            }
            _ => false,
        }
    }
}

/// A saved equipement lands in the list, its site and the open details; the notice.
pub(super) fn saved(app: &mut App, mut e: Equipement) -> String {
    if e.client_site.is_none()
        && let Some(sid) = e.site_id()
        && let Some(s) = app.site_name(sid)
    {
        e.client_site = Some(std::sync::Arc::new(SiteRef::from(s)));
    }
    let label = e.label();
    let site_id = e.site_id().map(str::to_string);
    // The site it was on, when the console holds it anywhere (a move changes two counts).
    let was_on = known_site(app, &e.equipement_id);
    let l = &mut app.lists.equipements;
    let is_new = l.items.position_of(&e.equipement_id).is_none();
    if l.complete || !is_new || l.paging.is_some_and(|p| p.page == p.pages) {
        l.upsert(e.clone());
    } else if let Some(p) = &mut l.paging {
        p.total += 1;
    }
    match (&was_on, &site_id) {
        (None, Some(sid)) => super::site::count_equipement(app, sid, 1),
        (Some(Some(old)), Some(new)) if old != new => {
            for d in app.details_mut() {
                if matches!(&d.target, DetailTarget::Site(s) if &s.site_id == old) {
                    d.equipements.remove(&e.equipement_id);
                }
            }
            super::site::count_equipement(app, old, -1);
            super::site::count_equipement(app, new, 1);
        }
        _ => {}
    }
    app.update_detail(DetailTarget::Equipement(e.clone()));
    // The site detail underneath shows it too.
    for d in app.details_mut() {
        if matches!(&d.target, DetailTarget::Site(s) if Some(&s.site_id) == site_id.as_ref()) {
            d.equipements.upsert(e.clone());
        }
    }
    crate::i18n::trf("Saved {}", &[&label])
}

/// `None`: the console holds no equipement with this id; `Some(site)` where it was seen.
fn known_site(app: &App, id: &str) -> Option<Option<String>> {
    let site = |e: &Equipement| e.site_id().map(str::to_string);
    let list = &app.lists.equipements.items;
    if let Some(e) = list.position_of(id).and_then(|i| list.row(i)) {
        return Some(site(&e));
    }
    app.overlays.iter().find_map(|o| match o {
        crate::app::Overlay::Detail(d) => match &d.target {
            DetailTarget::Equipement(e) if e.equipement_id == id => {
                Some(e.site_id().map(str::to_string))
            }
            DetailTarget::Site(s) => d
                .equipements
                .items
                .position_of(id)
                .map(|_| Some(s.site_id.clone())),
            _ => None,
        },
        _ => None,
    })
}

pub(super) fn deleted(app: &mut App, id: &str) -> &'static str {
    let list = &app.lists.equipements.items;
    let site = list
        .position_of(id)
        .and_then(|i| list.row(i))
        .and_then(|e| e.site_id().map(str::to_string));
    app.lists.equipements.remove(id);
    for d in app.details_mut() {
        d.equipements.remove(id);
    }
    if let Some(sid) = site {
        super::site::count_equipement(app, &sid, -1);
    }
    "equipement deleted"
}
