//! A client site: its list columns, its form and what saving it sends.

use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::NewSite;
use crate::app::Site;
use crate::app::SiteSummary;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::num;
use crate::app::kinds::parse_float;
use crate::app::kinds::safe;
use crate::app::kinds::to_json;
use crate::app::kinds::trimmed;
use crate::app::kinds::ts;
use crate::change;
use crate::change::Create;
use crate::i18n::tr;
use crate::protocol::Change;
use crate::protocol::DeleteOp;
use crate::rows::Record;
use serde_json::Value;
use std::borrow::Cow;

pub(crate) fn coord(v: Option<f64>) -> String {
    v.map(|f| format!("{f:.4}")).unwrap_or_default()
}

impl Record for SiteSummary {
    const KIND: &'static str = "sites";
    type Rows = Vec<Self>;
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.client
                .as_ref()
                .map(|c| c.nom.clone())
                .unwrap_or_default(),
            coord(self.latitude),
            coord(self.longitude),
            self.equipement_count.to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.site_id)
    }
    fn label(&self) -> String {
        format!("site {}", self.name)
    }
}

impl Form {
    /// `clients`: (client_id, label) pairs.
    pub fn site(existing: Option<&SiteSummary>, clients: Vec<(String, String)>) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let mut fields = vec![
            Field::new("name", "Name", FieldKind::Text { min: 1, max: 200 }, true)
                .with_value(&e.name),
            Field::new(
                "latitude",
                "Latitude",
                FieldKind::Float {
                    min: -90.0,
                    max: 90.0,
                },
                true,
            )
            .with_value(&e.latitude.map(|f| f.to_string()).unwrap_or_default()),
            Field::new(
                "longitude",
                "Longitude",
                FieldKind::Float {
                    min: -180.0,
                    max: 180.0,
                },
                true,
            )
            .with_value(&e.longitude.map(|f| f.to_string()).unwrap_or_default()),
            Field::new(
                "description",
                "Description",
                FieldKind::Text { min: 0, max: 1000 },
                false,
            )
            .with_value(&e.description),
        ];
        if existing.is_none() {
            fields.insert(
                0,
                Field::new(
                    "client_id",
                    "Client",
                    FieldKind::Choice {
                        options: clients,
                        selected: None,
                    },
                    true,
                ),
            );
        }
        Form::build(FormKind::Site, existing.map(|s| s.site_id.clone()), fields).with_seen(existing)
    }

    /// The creation, or the fields changed, a site form sends.
    pub(crate) fn site_change(&self) -> Option<Change> {
        if self.record_id.is_none() {
            return Some(Change::create(Create::Site(NewSite {
                client_id: self.val("client_id"),
                name: self.val("name").trim().to_string(),
                longitude: parse_float(&self.val("longitude")),
                latitude: parse_float(&self.val("latitude")),
                description: self.val("description"),
            })));
        }
        self.edit_change(change::Kind::Site, |f, v| match f.key.as_ref() {
            "name" => Some(trimmed(v)),
            "longitude" | "latitude" => Some(serde_json::json!(parse_float(v))),
            "description" => Some(Value::String(v.to_string())),
            _ => None,
        })
    }
}

impl Item for SiteSummary {
    fn id_text(&self) -> String {
        self.site_id.clone()
    }
    fn heading(&self) -> String {
        crate::i18n::trf("Site {}", &[&safe(&self.name)])
    }
    fn fields(&self, _: Option<&str>) -> Vec<(&'static str, String)> {
        let client = self.client.as_ref();
        vec![
            ("Name", self.name.clone()),
            ("Client", client.map(|c| c.nom.clone()).unwrap_or_default()),
            (
                "Client code",
                client
                    .and_then(|c| c.code)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("Latitude", num(self.latitude)),
            ("Longitude", num(self.longitude)),
            ("Description", self.description.clone()),
            ("Equipements", self.equipement_count.to_string()),
            ("Created", ts(&self.timestamp)),
            ("Site id", self.site_id.clone()),
            (
                "Client id",
                self.client_id().unwrap_or_default().to_string(),
            ),
        ]
    }
    fn json(&self) -> serde_json::Value {
        to_json(self)
    }
    fn problem(&self) -> Option<&str> {
        crate::api::items::Marked::problem(self)
    }
    fn things(&self) -> &'static str {
        "sites"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        let q = crate::i18n::trf("Delete {}?", &[&self.label()]);
        Ok((q, DeleteOp::Site(self.site_id.clone())))
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        Some(Form::site(Some(self), app.client_choices()))
    }
    /// A site that still holds equipements is deleted by typing its name.
    fn delete_guard(&self) -> Option<(String, String)> {
        (self.equipement_count > 0).then(|| {
            let why = crate::i18n::trf(
                "It still holds {} equipement(s): type its name, then Enter, to delete it.",
                &[&self.equipement_count],
            );
            (why, self.name.clone())
        })
    }
}

impl Kind for SiteSummary {
    fn title(_: &App) -> &'static str {
        tr("Sites")
    }
    fn new_form(app: &mut App) -> Form {
        Form::site(None, app.client_choices())
    }
}

/// A saved site lands in the list and its open details; the notice.
pub(super) fn saved(app: &mut App, s: Site) -> String {
    let sum = SiteSummary::from(&s);
    let name = sum.name.clone();
    // An update answer may lack the client or the equipements: keep what we knew.
    let merged = match app.site_name(&sum.site_id) {
        Some(old) => SiteSummary {
            client: sum.client.clone().or(old.client.clone()),
            equipement_count: if s.equipements.is_empty() {
                old.equipement_count
            } else {
                sum.equipement_count
            },
            ..sum
        },
        None => sum,
    };
    app.update_detail(DetailTarget::Site(merged.clone()));
    app.lists.sites.upsert(merged);
    crate::i18n::trf("Saved {}", &[&format!("site {name}")])
}

/// A site's equipement count moved by `by` (an equipement created or deleted there).
pub(super) fn count_equipement(app: &mut App, site_id: &str, by: isize) {
    if let Some(pos) = app
        .lists
        .sites
        .items
        .iter()
        .position(|s| s.site_id == site_id)
    {
        let mut s = app.lists.sites.items[pos].clone();
        s.equipement_count = s.equipement_count.saturating_add_signed(by);
        app.update_detail(DetailTarget::Site(s.clone()));
        app.lists.sites.upsert(s);
    }
}

pub(super) fn deleted(app: &mut App, id: &str) -> &'static str {
    app.lists.sites.remove(id);
    "site deleted"
}
