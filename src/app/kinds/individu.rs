//! An Ocean individu: list columns, its form, its entity assignment, what saving sends.

use crate::api::ocean::iso_date;
use crate::app::App;
use crate::app::DetailTarget;
use crate::app::Form;
use crate::app::FormKind;
use crate::app::Individu;
use crate::app::form::show_date;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::Item;
use crate::app::kinds::Kind;
use crate::app::kinds::list_values;
use crate::app::kinds::parse_local_date;
use crate::app::kinds::safe;
use crate::app::kinds::to_json;
use crate::change;
use crate::change::Create;
use crate::i18n::tr;
use crate::protocol::Change;
use crate::protocol::DeleteOp;
use crate::rows::Record;
use chrono::Local;
use serde_json::Value;
use serde_json::json;
use std::borrow::Cow;

/// An individu is whole JSON as sent: nothing in it is refused, so nothing is marked.
impl crate::api::items::Marked for Individu {}

impl Record for Individu {
    const KIND: &'static str = "individus";
    type Rows = Vec<Self>;
    fn cells(&self) -> Vec<String> {
        vec![
            self.id().map(|i| i.to_string()).unwrap_or_default(),
            self.nom(),
            self.prenom(),
            self.matricule(),
            self.text("individu.gsm"),
            self.entite_nom(),
            self.login(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id().map(|i| i.to_string()).unwrap_or_default())
    }
    fn label(&self) -> String {
        format!("individu {} {}", self.prenom(), self.nom())
    }
}

/// Entities seen on individus, as (id, name) — Ocean has no entity list route.
pub fn entity_choices(all: &[Individu]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for i in all {
        if let Some(id) = i.entite_id() {
            let id = id.to_string();
            if !out.iter().any(|(x, _)| *x == id) {
                out.push((id, i.entite_nom()));
            }
        }
    }
    out.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(i64::MAX));
    out
}

/// A form field's text as the JSON Ocean expects for it.
pub(crate) fn ocean_value(f: &Field) -> Value {
    let v = f.value();
    let t = v.trim();
    match &f.kind {
        FieldKind::Open { numeric: true, .. } | FieldKind::Integer { .. } => {
            t.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
        }
        FieldKind::Date => parse_local_date(t)
            .map(|d| Value::String(iso_date(&d)))
            .unwrap_or(Value::Null),
        FieldKind::List if f.key == "fonctionnalites" => Value::Array(
            list_values(t)
                .iter()
                .filter_map(|x| x.parse::<i64>().ok())
                .map(|id| json!({ "idFonctionnalite": id }))
                .collect(),
        ),
        FieldKind::List => Value::Array(list_values(t).into_iter().map(Value::String).collect()),
        _ => Value::String(t.to_string()),
    }
}

/// Builds an individu form's fields from the record edited (an empty one when creating):
/// each field shows the record's value.
struct IndividuFields<'a> {
    e: Individu,
    all: &'a [Individu],
}

impl IndividuFields<'_> {
    /// The known values of an open enum followed by those seen on other individus.
    fn seen(&self, path: &str, known: &[&str]) -> Vec<(String, String)> {
        let mut v: Vec<String> = known.iter().map(|s| s.to_string()).collect();
        for i in self.all {
            let t = i.text(path);
            if !t.is_empty() && !v.contains(&t) {
                v.push(t);
            }
        }
        v.into_iter().map(|x| (x.clone(), x)).collect()
    }

    /// A free text of at most `max` characters.
    fn text(&self, key: &'static str, label: &'static str, max: usize) -> Field {
        Field::new(key, label, FieldKind::Text { min: 0, max }, false).with_value(&self.e.text(key))
    }

    /// A date, shown in the console's format.
    fn date(&self, key: &'static str, label: &'static str) -> Field {
        Field::new(key, label, FieldKind::Date, false).with_value(&show_date(&self.e.text(key)))
    }

    /// A numeric code, with no values offered.
    fn num(&self, key: &'static str, label: &'static str) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Open {
                options: Vec::new(),
                numeric: true,
            },
            false,
        )
        .with_value(&self.e.text(key))
    }

    /// An open enum: its known values, then those other individus hold.
    fn open(&self, key: &'static str, label: &'static str, known: &[&str]) -> Field {
        Field::new(
            key,
            label,
            FieldKind::Open {
                options: self.seen(key, known),
                numeric: false,
            },
            false,
        )
        .with_value(&self.e.text(key))
    }

    /// The individu's own fields and its entity, shown first.
    fn identity(&self) -> Vec<Field> {
        let civilites = vec![
            ("0".to_string(), "—".to_string()),
            ("1".into(), "MR".into()),
            ("2".into(), "MME".into()),
            ("3".into(), "MLLE".into()),
        ];
        let entites = entity_choices(self.all);
        vec![
            Field::new(
                "individu.idCivilite",
                "Salutation",
                FieldKind::Open {
                    options: civilites,
                    numeric: true,
                },
                false,
            )
            .with_value(&self.e.text("individu.idCivilite"))
            .in_section("Individu"),
            Field::new(
                "individu.nomInd",
                "Last name",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&self.e.nom()),
            Field::new(
                "individu.prenomInd",
                "First name",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&self.e.prenom()),
            self.text("individu.matriculeInd", "Matricule", 50),
            self.text("individu.initialesInd", "Initials", 10),
            Field::new("individu.email", "Email", FieldKind::Email, false)
                .with_value(&self.e.text("individu.email")),
            Field::new("individu.gsm", "Mobile", FieldKind::Phone, false)
                .with_value(&self.e.text("individu.gsm")),
            Field::new(
                "entite.id",
                "Entity (id)",
                FieldKind::Open {
                    options: entites,
                    numeric: true,
                },
                false,
            )
            .with_value(
                &self
                    .e
                    .entite_id()
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
            )
            .in_section("Entity"),
        ]
    }

    /// The user account and the driving licence, shown after the entity.
    fn account_and_licence(&self) -> Vec<Field> {
        vec![
            self.text("utilisateur.loginUti", "Login", 100)
                .in_section("User account"),
            self.text("utilisateur.nomUti", "Last name", 100),
            self.text("utilisateur.prenomUti", "First name", 100),
            Field::new("utilisateur.emailUti", "Email", FieldKind::Email, false)
                .with_value(&self.e.text("utilisateur.emailUti")),
            self.open("utilisateur.utilisateurType", "Type", &["CLASSIC"]),
            self.date("utilisateur.dateFinValidite", "Valid until"),
            self.text("propSpecifiqueDTO.numeroPermis", "Licence number", 50)
                .in_section("Driving licence"),
            Field::new(
                "propSpecifiqueDTO.categoriePermis",
                "Categories (A, B…)",
                FieldKind::List,
                false,
            )
            .with_value(&self.e.text("propSpecifiqueDTO.categoriePermis")),
            self.date("propSpecifiqueDTO.dateDelivrancePermis", "Issued on"),
            self.date("propSpecifiqueDTO.dateValiditePermis", "Valid to"),
            self.text("propSpecifiqueDTO.lieuDelivrancePermis", "Issued at", 100),
            self.num("propSpecifiqueDTO.nationalitePermis", "Nationality (code)"),
        ]
    }

    /// The fields rarely filled (address, driver, group and rights, vehicle): folded.
    fn folded(&self) -> Vec<Field> {
        let fonctionnalites = self
            .e
            .get("fonctionnalites")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| crate::api::ocean::id_of(f.get("idFonctionnalite")))
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        vec![
            self.text("propSpecifiqueDTO.adresse", "Address", 200)
                .in_section("Address"),
            self.text("propSpecifiqueDTO.numeroVoieAdresse", "Street number", 20),
            self.text("propSpecifiqueDTO.complementAdresse", "Address line 2", 200),
            self.text("propSpecifiqueDTO.codePostal", "Postcode", 20),
            self.text("propSpecifiqueDTO.ville", "City", 100),
            self.num("propSpecifiqueDTO.pays", "Country (code)"),
            self.date("propSpecifiqueDTO.dateNaissanceConducteur", "Born on")
                .in_section("Driver"),
            self.text(
                "propSpecifiqueDTO.lieuNaissanceConducteur",
                "Birthplace",
                100,
            ),
            self.date("propSpecifiqueDTO.dateFCO", "FCO date"),
            self.date("propSpecifiqueDTO.dateVisiteMedicale", "Medical check"),
            self.num("propSpecifiqueDTO.objectifHebdo", "Weekly target"),
            self.num("propSpecifiqueDTO.objectifMensuel", "Monthly target"),
            self.open("propSpecifiqueDTO.typeObjet", "Object type", &["CLIENT"]),
            self.text("groupe.descriptionGrp", "Group", 200)
                .in_section("Group and rights"),
            Field::new(
                "fonctionnalites",
                "Functionalities (ids)",
                FieldKind::List,
                false,
            )
            .with_value(&fonctionnalites),
            self.text("vehicleFieldsDTO.immatriculation", "Registration", 20)
                .in_section("Vehicle"),
            self.text("vehicleFieldsDTO.marque", "Brand", 100),
            self.text("vehicleFieldsDTO.modele", "Model", 100),
            self.text("vehicleFieldsDTO.couleur", "Colour", 50),
            self.text("vehicleFieldsDTO.numeroSerie", "Serial number", 50),
            self.text("vehicleFieldsDTO.numeroParc", "Fleet number", 50),
            self.num("vehicleFieldsDTO.numeroEmbarque", "On-board number"),
            self.open("vehicleFieldsDTO.typeMotorisation", "Engine", &["MONO"]),
            self.open("vehicleFieldsDTO.categorie", "Category", &["UNDEFINED"]),
            self.open(
                "vehicleFieldsDTO.odirectMode",
                "ODirect mode",
                &["ODIRECT_UNIVERSEL"],
            ),
            self.text("vehicleFieldsDTO.description", "Description", 500),
        ]
    }
}

impl Form {
    /// An individu: the fields filled first are shown, the rest folded. `all` gives the open
    /// enums' values seen elsewhere and the entities offered.
    pub fn individu(existing: Option<&Individu>, all: &[Individu]) -> Form {
        let b = IndividuFields {
            e: existing.cloned().unwrap_or_default(),
            all,
        };
        let mut fields = b.identity();
        if existing.is_none() {
            fields.push(Field::new("entityStart", "From", FieldKind::Date, false));
            fields.push(Field::new("entityEnd", "Until", FieldKind::Date, false));
        }
        fields.extend(b.account_and_licence());
        fields.extend(b.folded().into_iter().map(Field::folded));
        Form::build(
            FormKind::Individu,
            existing.and_then(Individu::id).map(|i| i.to_string()),
            fields,
        )
        .with_seen(existing)
    }

    pub fn assign_entity(individu: &Individu, all: &[Individu]) -> Form {
        let today = Local::now().format(crate::i18n::date_format()).to_string();
        let fields = vec![
            Field::new(
                "entiteId",
                "Entity (id)",
                FieldKind::Open {
                    options: entity_choices(all),
                    numeric: true,
                },
                true,
            )
            .with_value(
                &individu
                    .entite_id()
                    .map(|i| i.to_string())
                    .unwrap_or_default(),
            ),
            Field::new("startDate", "From", FieldKind::Date, true).with_value(&today),
            Field::new("endDate", "To (empty: no end)", FieldKind::Date, false),
        ];
        let mut f = Form::build(
            FormKind::AssignEntity,
            individu.id().map(|i| i.to_string()),
            fields,
        );
        // Today's date is a suggestion, not an edit.
        f.fields[1].initial = String::new();
        f.subject = format!("{} {}", individu.prenom(), individu.nom());
        f
    }

    /// The creation (the record as typed), or the fields changed: the change room writes
    /// them on the record as the server holds it then.
    pub(crate) fn individu_change(&self) -> Option<Change> {
        // The entity goes whole: its id with its name.
        let entite = |f: &Field, v: &str| -> Value {
            let id = ocean_value(&Field {
                input: tui_input::Input::new(v.to_string()),
                ..f.clone()
            });
            if id.is_null() {
                return Value::Null;
            }
            let nom = match &f.kind {
                FieldKind::Open { options, .. } => options
                    .iter()
                    .find(|(i, _)| *i == v.trim())
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            json!({ "id": id, "nom": nom, "suppressionLogique": false })
        };
        if self.record_id.is_some() {
            return self.edit_change(change::Kind::Individu, |f, v| match f.key.as_ref() {
                "entityStart" | "entityEnd" => None,
                "entite.id" => Some(entite(f, v)),
                _ => Some(ocean_value(&Field {
                    input: tui_input::Input::new(v.to_string()),
                    ..f.clone()
                })),
            });
        }
        let mut body = Individu::default();
        body.set("individu.suppressionLogique", Value::Bool(false));
        for f in &self.fields {
            if matches!(f.key.as_ref(), "entityStart" | "entityEnd") || f.value().trim().is_empty()
            {
                continue;
            }
            if f.key == "entite.id" {
                body.0.insert("entite".into(), entite(f, &f.value()));
                continue;
            }
            body.set(&f.key, ocean_value(f));
        }
        // The doc's body repeats the individu inside its user account.
        if let Some(ind) = body.0.get("individu").cloned()
            && body.0.get("utilisateur").is_some_and(Value::is_object)
        {
            body.set("utilisateur.individu", ind);
        }
        Some(Change::create(Create::Individu {
            body,
            start: parse_local_date(&self.val("entityStart")).ok(),
            end: parse_local_date(&self.val("entityEnd")).ok(),
        }))
    }

    /// An assignment to an entity for a period.
    pub(crate) fn assign_change(&self) -> Option<Change> {
        let id = self.record_id.clone()?;
        let a = change::Action::AssignEntity {
            individu: id.parse().ok()?,
            entite: self.val("entiteId").trim().parse().ok()?,
            start: parse_local_date(&self.val("startDate")).ok()?,
            end: parse_local_date(&self.val("endDate")).ok(),
        };
        Some(Change::action(change::Kind::Individu, id, a))
    }
}

impl Item for Individu {
    fn id_text(&self) -> String {
        self.id().map(|i| i.to_string()).unwrap_or_default()
    }
    fn heading(&self) -> String {
        crate::i18n::trf(
            "Individu {} {}",
            &[&safe(&self.prenom()), &safe(&self.nom())],
        )
    }
    fn fields(&self, _: Option<&str>) -> Vec<(&'static str, String)> {
        let i = self;
        let civ = match i.text("individu.idCivilite").as_str() {
            "1" => "MR".to_string(),
            "2" => "MME".to_string(),
            "3" => "MLLE".to_string(),
            _ => String::new(),
        };
        let period = match (
            i.text("periodeEntite.startDate"),
            i.text("periodeEntite.endDate"),
        ) {
            (s, _) if s.is_empty() => String::new(),
            (s, e) if e.is_empty() => crate::i18n::trf("from {} (no end)", &[&show_date(&s)]),
            (s, e) => format!("{} → {}", show_date(&s), show_date(&e)),
        };
        let vehicle = [
            i.text("vehicleFieldsDTO.immatriculation"),
            i.text("vehicleFieldsDTO.marque"),
            i.text("vehicleFieldsDTO.modele"),
        ]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
        vec![
            ("Salutation", civ),
            ("Last name", i.nom()),
            ("First name", i.prenom()),
            ("Matricule", i.matricule()),
            ("Initials", i.text("individu.initialesInd")),
            ("Email", i.text("individu.email")),
            ("Mobile", i.text("individu.gsm")),
            (
                "Entity",
                match i.entite_id() {
                    Some(id) => format!("{} (id {id})", i.entite_nom()),
                    None => String::new(),
                },
            ),
            ("Period", period),
            ("Login", i.login()),
            ("Type", i.text("utilisateur.utilisateurType")),
            (
                "Valid until",
                show_date(&i.text("utilisateur.dateFinValidite")),
            ),
            ("Licence", i.text("propSpecifiqueDTO.numeroPermis")),
            ("Categories", i.text("propSpecifiqueDTO.categoriePermis")),
            (
                "Licence valid to",
                show_date(&i.text("propSpecifiqueDTO.dateValiditePermis")),
            ),
            ("Vehicle", vehicle),
            ("Group", i.text("groupe.descriptionGrp")),
            ("Individu id", self.id_text()),
        ]
    }
    fn json(&self) -> serde_json::Value {
        to_json(self)
    }
    fn problem(&self) -> Option<&str> {
        None
    }
    fn things(&self) -> &'static str {
        "individus"
    }
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str> {
        let Some(id) = self.id() else {
            return Err(tr("This individu has no id: it cannot be deleted"));
        };
        let q = crate::i18n::trf(
            "Delete {}? Ocean removes the individu and its badges.",
            &[&self.label()],
        );
        Ok((q, DeleteOp::Individu(id)))
    }
    /// An individu is kept whole as sent: one without an id is still shown and edited.
    fn unreadable(&self) -> bool {
        false
    }
    fn edit_form(&self, app: &mut App) -> Option<Form> {
        Some(Form::individu(Some(self), &app.lists.individus.items))
    }
}

impl Kind for Individu {
    fn title(_: &App) -> &'static str {
        tr("Individus · Ocean")
    }
    fn new_form(app: &mut App) -> Form {
        Form::individu(None, &app.lists.individus.items)
    }
}

/// Ocean answers a status: the fresh list comes with it and refreshes an open detail.
pub(super) fn saved(app: &mut App, message: String, individus: Vec<Individu>) -> String {
    for d in app.details_mut() {
        if let DetailTarget::Individu(cur) = &mut d.target
            && let Some(fresh) = individus.iter().find(|i| i.id() == cur.id())
        {
            *cur = fresh.clone();
        }
    }
    app.lists.individus.pending = None;
    app.lists.individus.set_items(individus);
    crate::text::sanitize(&message).into_owned()
}

pub(super) fn deleted(app: &mut App, id: i64) -> &'static str {
    app.lists.individus.remove(&id.to_string());
    "individu deleted"
}
