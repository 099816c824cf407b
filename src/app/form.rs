//! Forms: typed fields validated as you type with the server's own rules, server 422 errors
//! mapped back onto fields, and nothing typed ever lost.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::borrow::Cow;

use crate::api::maarch::{MODES, MaarchUser, MaarchUserDetails, MaarchUserUpdate, NewMaarchUser};
use crate::api::model::*;
use crate::api::ocean::{Individu, iso_date};
use crate::api::rules::email_problem;
use crate::i18n::{tr, trf};
use crate::protocol::Mutation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldKind {
    Text {
        min: usize,
        max: usize,
    },
    Password {
        min: usize,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    Ip,
    Email,
    /// A Maarch login: 1–128 characters of letters, digits, `_`, `.`, `@`, `-`.
    Login,
    /// A phone number: digits, spaces and `+ - . ( )`.
    Phone,
    /// One value picked from a list; typing searches it.
    Choice {
        options: Vec<(String, String)>,
        selected: Option<usize>,
    },
    /// Comma-separated values sent as a list.
    List,
    /// `ressource:action` items (or `:id`), comma- or space-separated.
    Permissions,
    /// Free text with known values offered (open enums, ids): ←/→ cycles the known ones,
    /// anything typed is kept as is. `numeric`: the text must be an integer.
    Open {
        options: Vec<(String, String)>,
        numeric: bool,
    },
    /// A date (and time) typed as `YYYY-MM-DD[ HH:MM[:SS]]` in local time, or any RFC 3339 value.
    Date,
    /// Toggles over a fixed set (permissions ressource × action).
    Grid {
        cells: Vec<(String, String)>,
        on: Vec<bool>,
        cursor: usize,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    /// The field's name in the request (a dotted path into the body for Ocean).
    pub key: Cow<'static, str>,
    pub label: Cow<'static, str>,
    /// Heading shown above the first field of a section.
    pub section: Cow<'static, str>,
    /// Folded until the user asks for every field.
    pub advanced: bool,
    pub kind: FieldKind,
    pub input: Input,
    pub required: bool,
    pub error: Option<String>,
    /// Value when the form opened, to know what changed.
    pub initial: String,
    pub touched: bool,
    pub reveal: bool,
    /// The value the server's last error was about: that error stays until the value changes.
    pub server_value: Option<String>,
    /// A problem that does not block saving: advice (a rule nobody states), or an odd value
    /// as the server holds it and the user did not change.
    #[serde(default)]
    pub advice: Option<String>,
    /// The kind's limits are the service's own (stated by its doc or its code): breaking them
    /// blocks saving. Otherwise they are advice and the server decides.
    #[serde(default)]
    pub strict: bool,
    /// The server did not send this value: the field starts empty, and saving without typing
    /// one would erase what the server holds (asked first).
    #[serde(default)]
    pub unknown: bool,
}

/// What a field's check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub msg: String,
    /// Blocks saving (when the value is the user's); advice otherwise.
    pub hard: bool,
}

impl Field {
    fn new(key: &'static str, label: &'static str, kind: FieldKind, required: bool) -> Self {
        Field {
            key: Cow::Borrowed(key),
            label: Cow::Borrowed(label),
            section: Cow::Borrowed(""),
            advanced: false,
            kind,
            input: Input::default(),
            required,
            error: None,
            initial: String::new(),
            touched: false,
            reveal: false,
            server_value: None,
            advice: None,
            strict: false,
            unknown: false,
        }
    }

    /// The kind's limits are the service's own: breaking them blocks saving.
    fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// The server did not send this value (see `unknown`).
    fn not_received(mut self, unknown: bool) -> Self {
        self.unknown = unknown;
        self
    }

    fn in_section(mut self, section: &'static str) -> Self {
        self.section = Cow::Borrowed(section);
        self
    }

    fn folded(mut self) -> Self {
        self.advanced = true;
        self
    }

    /// Puts text in the field as if typed (choices pick the option of that value).
    pub fn set_text(&mut self, v: &str) {
        match &mut self.kind {
            FieldKind::Choice { options, selected } => {
                *selected = options.iter().position(|(val, _)| val == v);
            }
            FieldKind::Grid { cells, on, .. } => {
                let wanted: Vec<&str> = v.split(',').map(str::trim).collect();
                for (cell, b) in cells.iter().zip(on.iter_mut()) {
                    *b = wanted.contains(&format!("{}:{}", cell.0, cell.1).as_str());
                }
            }
            _ => self.input = Input::new(v.to_string()),
        }
        self.touched = true;
    }

    fn with_value(mut self, v: &str) -> Self {
        self.input = Input::new(v.to_string());
        if let FieldKind::Choice { options, selected } = &mut self.kind {
            *selected = options.iter().position(|(val, _)| val == v);
            self.input = Input::default();
        }
        self.initial = self.value();
        self
    }

    /// The field's value as text (a choice's value, a grid's `r:a` list).
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice { options, selected } => selected
                .and_then(|i| options.get(i))
                .map(|(v, _)| v.clone())
                .unwrap_or_default(),
            FieldKind::Grid { cells, on, .. } => cells
                .iter()
                .zip(on)
                .filter(|(_, on)| **on)
                .map(|((r, a), _)| format!("{r}:{a}"))
                .collect::<Vec<_>>()
                .join(","),
            _ => self.input.value().to_string(),
        }
    }

    pub fn changed(&self) -> bool {
        self.value() != self.initial
    }

    /// Options of a choice that match what was typed, as `/` matches (accents and case
    /// folded: `bepanda` finds `BÉPANDA OMNISPORT` and `Bépanda`), every word of it somewhere
    /// in the option's label or value.
    pub fn matching_options(&self) -> Vec<usize> {
        let options = match &self.kind {
            FieldKind::Open { options, .. } | FieldKind::Choice { options, .. } => options,
            _ => return Vec::new(),
        };
        let norm = |s: &str| crate::app::list::fold(s).to_lowercase();
        let q = norm(self.input.value().trim());
        let words: Vec<&str> = q.split_whitespace().collect();
        options
            .iter()
            .enumerate()
            .filter(|(_, (v, l))| {
                let text = format!("{} {}", norm(l), norm(v));
                words.iter().all(|w| text.contains(w))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The option typing names: the only one matching. Never one of several (the user picks
    /// among them with ←→).
    pub fn named_option(&self) -> Option<usize> {
        if !matches!(self.kind, FieldKind::Choice { .. }) {
            return None;
        }
        match self.matching_options().as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The client-side check's words, whether they block or advise.
    pub fn validate(&self) -> Option<String> {
        self.problem().map(|p| p.msg)
    }

    /// The client-side check, with the server's wording. What a value cannot be sent as
    /// (not a number, not a date, no option picked, nothing where the field is required)
    /// is hard; limits are hard only when the service states them (`strict`).
    pub fn problem(&self) -> Option<Problem> {
        let v = self.value();
        let t = v.trim();
        let hard = |msg: String| Some(Problem { msg, hard: true });
        let limit = |msg: String| {
            Some(Problem {
                msg,
                hard: self.strict,
            })
        };
        if t.is_empty() {
            return (self.required && !matches!(self.kind, FieldKind::Grid { .. })).then(|| {
                Problem {
                    msg: tr("Field required").to_string(),
                    hard: true,
                }
            });
        }
        match &self.kind {
            FieldKind::Text { min, max } => {
                let n = t.chars().count();
                if n < *min {
                    limit(trf("String should have at least {} characters", &[min]))
                } else if n > *max {
                    limit(trf("String should have at most {} characters", &[max]))
                } else {
                    None
                }
            }
            FieldKind::Password { min } => (v.chars().count() < *min)
                .then(|| trf("String should have at least {} characters", &[min]))
                .and_then(limit),
            FieldKind::Integer { min, max } => match t.parse::<i64>() {
                Err(_) => hard(tr("Input should be a valid integer").into()),
                Ok(n) if n < *min => {
                    limit(trf("Input should be greater than or equal to {}", &[min]))
                }
                Ok(n) if n > *max => limit(trf("Input should be less than or equal to {}", &[max])),
                Ok(_) => None,
            },
            FieldKind::Float { min, max } => match t.replace(',', ".").parse::<f64>() {
                Ok(f) if !f.is_finite() => hard(tr("Input should be a valid number").into()),
                Err(_) => hard(tr("Input should be a valid number").into()),
                Ok(f) if f < *min => {
                    limit(trf("Input should be greater than or equal to {}", &[min]))
                }
                Ok(f) if f > *max => limit(trf("Input should be less than or equal to {}", &[max])),
                Ok(_) => None,
            },
            FieldKind::Ip => t
                .parse::<std::net::IpAddr>()
                .is_err()
                .then(|| tr("value is not a valid IPv4 or IPv6 address").to_string())
                .and_then(limit),
            FieldKind::Email => email_problem(t)
                .map(|r| trf("value is not a valid email address: {}", &[&r]))
                .and_then(limit),
            FieldKind::Choice { selected, .. } => selected
                .is_none()
                .then(|| tr("Pick one of the listed values").to_string())
                .and_then(hard),
            FieldKind::Open { numeric: true, .. } => t
                .parse::<i64>()
                .is_err()
                .then(|| tr("Input should be a valid integer").to_string())
                .and_then(hard),
            FieldKind::Date => parse_local_date(t).err().and_then(hard),
            FieldKind::Login => (!crate::api::rules::valid_login(t))
                .then(|| tr("Letters, digits and _ . @ - only (at most 128)").to_string())
                .and_then(limit),
            // Maarch takes any text ending with a digit; a usual number is only advice.
            FieldKind::Phone if self.strict && !crate::api::rules::maarch_phone_accepted(t) => {
                hard(tr("Not a phone number").into())
            }
            FieldKind::Phone => (!crate::api::rules::valid_phone(t)).then(|| Problem {
                msg: tr("Not a phone number").into(),
                hard: false,
            }),
            // What is not a permission would be dropped silently: refused.
            FieldKind::Permissions => {
                let bad = not_permissions(t);
                (!bad.is_empty())
                    .then(|| trf("Not ressource:action: {}", &[&bad.join(", ")]))
                    .and_then(hard)
            }
            FieldKind::List | FieldKind::Grid { .. } | FieldKind::Open { .. } => None,
        }
    }

    /// Puts the check's result under the field. `editing`: the form edits a record the server
    /// holds, so an unchanged value is the server's: shown with a warning, never refused.
    pub fn recheck(&mut self, editing: bool) {
        let users = !editing || self.changed();
        self.error = None;
        self.advice = None;
        match self.problem() {
            Some(p) if p.hard && users => self.error = Some(p.msg),
            Some(p) if users => self.advice = Some(p.msg),
            Some(p) => self.advice = Some(trf("as the server holds it: {}", &[&p.msg])),
            None => {}
        }
    }
}

/// A typed date: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` (local time) or RFC 3339.
pub fn parse_local_date(t: &str) -> Result<DateTime<FixedOffset>, String> {
    let t = t.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d);
    }
    // ISO, or the day-first style the console shows in French.
    const TIMES: [&str; 5] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ];
    let naive = TIMES
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            ["%Y-%m-%d", "%d/%m/%Y"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .ok_or_else(|| {
            trf(
                "'{}' is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM",
                &[&t],
            )
        })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|d| d.fixed_offset())
        .ok_or_else(|| trf("'{}' does not exist in the local time zone", &[&t]))
}

/// How a date of a record is shown in a form (local time, to the minute).
pub fn show_date(raw: &str) -> String {
    if raw.trim().is_empty() {
        return String::new();
    }
    match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(d) => {
            let l = d.with_timezone(&Local);
            if l.time() == chrono::NaiveTime::MIN {
                l.format(crate::i18n::date_format()).to_string()
            } else {
                l.format(crate::i18n::datetime_format()).to_string()
            }
        }
        // Shown as sent: the user sees (and may fix) what the server holds.
        Err(_) => raw.to_string(),
    }
}

/// What a form creates or edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormKind {
    Site,
    Equipement,
    User,
    Role,
    Individu,
    AssignEntity,
    ChangePassword,
    PasswordReset,
    MaarchUser,
    AddGroup,
    AddEntity,
    ParapheurLink,
    ParapheurCreate,
    /// Where and how to write the current view.
    Export,
    /// Ocean rights: which element type to read (any spelling).
    ElementType,
}

/// A form, as drawn and as kept in a draft (secrets removed first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    pub kind: FormKind,
    /// The record edited; `None` for a creation.
    pub record_id: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    #[serde(skip)]
    pub pending: Option<u64>,
    /// A failure that belongs to no field (network, 403, 409...).
    pub error: Option<String>,
    pub confirm_discard: bool,
    /// Every field shown (folded sections open).
    pub show_advanced: bool,
    /// The Ocean record edited, sent back whole with the changes applied.
    pub original: Option<Individu>,
    /// Who the form acts on, shown in its title (assignments, Maarch links).
    pub subject: String,
    /// The role's permissions as the server sent them: an edit sends this set with the
    /// user's changes, so a permission outside the grid is never dropped.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// A question the save waits on (y goes on, any other key back to the form).
    #[serde(default)]
    pub asking: Option<Ask>,
    /// What the user agreed to for this form.
    #[serde(default)]
    pub agreed: Vec<Ask>,
}

/// What a save asks before going on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    /// The API writes values the server did not send: saving erases them.
    Erase,
    /// The server reads passwords from the URL only (where logs and proxies keep them).
    PasswordsInUrl,
}

/// A permission's cell in the grid: (ressource, action); one known only by its id is a cell
/// of its own (no ressource, the id as action).
fn cell_of(p: &Permission) -> (&String, &String) {
    if p.ressource.is_empty() || p.action.is_empty() {
        (&p.ressource, &p.permission_id)
    } else {
        (&p.ressource, &p.action)
    }
}

/// The grid's cells: every permission given, once, grouped by ressource (the core's usual
/// ressources and actions first, then the others alphabetically).
pub fn permission_cells<'a>(perms: impl Iterator<Item = &'a Permission>) -> Vec<(String, String)> {
    const RESSOURCES: [&str; 4] = ["users", "roles", "client_site", "equipements"];
    const ACTIONS: [&str; 4] = ["read", "create", "update", "delete"];
    fn rank<'s>(known: &[&str], s: &'s str) -> (usize, &'s str) {
        (known.iter().position(|k| *k == s).unwrap_or(known.len()), s)
    }
    let mut cells: Vec<(String, String)> = Vec::new();
    for p in perms {
        let (r, a) = cell_of(p);
        if a.is_empty() || cells.iter().any(|(x, y)| x == r && y == a) {
            continue;
        }
        cells.push((r.clone(), a.clone()));
    }
    cells.sort_by(|(r1, a1), (r2, a2)| {
        rank(&RESSOURCES, r1)
            .cmp(&rank(&RESSOURCES, r2))
            .then(rank(&ACTIONS, a1).cmp(&rank(&ACTIONS, a2)))
    });
    cells
}

/// `ressource:action` items typed in a list (commas or spaces between them); `:id` names a
/// permission by its id.
fn typed_permissions(s: &str) -> Vec<(String, String)> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|x| x.trim().split_once(':'))
        .filter(|(_, a)| !a.trim().is_empty())
        .map(|(r, a)| (r.trim().to_string(), a.trim().to_string()))
        .collect()
}

/// The items of a typed permission list that are not `ressource:action` (nor `:id`).
fn not_permissions(s: &str) -> Vec<&str> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .filter(|x| x.split_once(':').is_none_or(|(_, a)| a.trim().is_empty()))
        .collect()
}

fn parse_float(s: &str) -> f64 {
    s.trim().replace(',', ".").parse().unwrap_or_default()
}

fn list_values(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
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
fn ocean_value(f: &Field) -> Value {
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

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl Form {
    pub fn title(&self) -> String {
        let t = self.base_title();
        if self.subject.is_empty() {
            t
        } else {
            format!("{t} · {}", self.subject)
        }
    }

    fn base_title(&self) -> String {
        let new = self.record_id.is_none();
        tr(match self.kind {
            FormKind::Site if new => "New site",
            FormKind::Site => "Edit site",
            FormKind::Equipement if new => "New equipement",
            FormKind::Equipement => "Edit equipement",
            FormKind::User if new => "New user",
            FormKind::User => "Edit user",
            FormKind::Role if new => "New role",
            FormKind::Role => "Edit role",
            FormKind::Individu if new => "New individu",
            FormKind::Individu => "Edit individu",
            FormKind::MaarchUser if new => "New Maarch user",
            FormKind::MaarchUser => "Edit Maarch user",
            FormKind::AssignEntity => "Assign to an entity",
            FormKind::ChangePassword => "Change my Ocean password",
            FormKind::PasswordReset => "Request a password reset",
            FormKind::AddGroup => "Add to a group",
            FormKind::AddEntity => "Add to an entity",
            FormKind::ParapheurLink => "Link to a Maarch Parapheur user",
            FormKind::ParapheurCreate => "Create in Maarch Parapheur",
            FormKind::Export => "Export the current view",
            FormKind::ElementType => "Rights of an element type",
        })
        .to_string()
    }

    fn build(kind: FormKind, record_id: Option<String>, fields: Vec<Field>) -> Form {
        let mut f = Form::built(kind, record_id, fields);
        if f.edits_record() {
            // Odd values the server holds are marked from the start, never refused.
            for field in &mut f.fields {
                field.recheck(true);
            }
        }
        f
    }

    fn built(kind: FormKind, record_id: Option<String>, fields: Vec<Field>) -> Form {
        Form {
            kind,
            record_id,
            fields,
            focus: 0,
            pending: None,
            error: None,
            confirm_discard: false,
            show_advanced: false,
            original: None,
            subject: String::new(),
            permissions: Vec::new(),
            asking: None,
            agreed: Vec::new(),
        }
    }

    /// The form edits a record the server holds (its unchanged values are the server's).
    pub fn edits_record(&self) -> bool {
        self.record_id.is_some()
            && matches!(
                self.kind,
                FormKind::Site
                    | FormKind::Equipement
                    | FormKind::User
                    | FormKind::Role
                    | FormKind::Individu
                    | FormKind::MaarchUser
            )
    }

    /// Fields whose value the server did not send, left as they are: saving erases them.
    pub fn unkept(&self) -> Vec<&Field> {
        self.fields
            .iter()
            .filter(|f| f.unknown && !f.changed())
            .collect()
    }

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
        Form::build(FormKind::Site, existing.map(|s| s.site_id.clone()), fields)
    }

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
    }

    /// `roles`: (role_id, name) pairs.
    pub fn user(existing: Option<&User>, roles: Vec<(String, String)>) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let editing = existing.is_some();
        let fields = vec![
            Field::new(
                "matricule",
                "Matricule",
                FieldKind::Integer {
                    min: 1,
                    max: i64::from(i32::MAX),
                },
                true,
            )
            .with_value(&e.matricule.map(|m| m.to_string()).unwrap_or_default()),
            Field::new("nom", "Name", FieldKind::Text { min: 1, max: 200 }, true)
                .with_value(&e.nom),
            // The schema's `user@example.com`: pydantic's EmailStr, the service's own rule.
            Field::new("email", "Email", FieldKind::Email, true)
                .strict()
                .with_value(&e.email),
            // On edit, an empty password means "unchanged".
            Field::new(
                "password",
                "Password",
                FieldKind::Password { min: 8 },
                !editing,
            ),
            Field::new(
                "role_id",
                "Role",
                FieldKind::Choice {
                    options: roles,
                    selected: None,
                },
                true,
            )
            .with_value(&e.role_id),
        ];
        Form::build(FormKind::User, existing.map(|u| u.user_id.clone()), fields)
    }

    /// `catalogue`: the permissions the server reports (every role's): the grid's rows and
    /// columns. The role's own permissions are always in it, whatever they are.
    pub fn role(existing: Option<&Role>, catalogue: &[Permission]) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let cells = permission_cells(catalogue.iter().chain(&e.permissions));
        let on = cells
            .iter()
            .map(|(r, a)| e.permissions.iter().any(|p| cell_of(p) == (r, a)))
            .collect();
        let mut grid = Field::new(
            "permissions",
            "Permissions",
            FieldKind::Grid {
                cells,
                on,
                cursor: 0,
            },
            false,
        );
        grid.initial = grid.value();
        let fields = vec![
            Field::new("name", "Name", FieldKind::Text { min: 1, max: 100 }, true)
                .with_value(&e.name),
            Field::new(
                "description",
                "Description",
                FieldKind::Text { min: 0, max: 500 },
                false,
            )
            .with_value(&e.description),
            grid,
            Field::new(
                "permissions_add",
                "More (ressource:action, …)",
                FieldKind::Permissions,
                false,
            ),
        ];
        let mut f = Form::build(FormKind::Role, existing.map(|r| r.role_id.clone()), fields);
        f.permissions = e.permissions;
        f
    }

    /// An individu: the fields filled first are shown, the rest folded. `all` gives the open
    /// enums' values seen elsewhere and the entities offered.
    pub fn individu(existing: Option<&Individu>, all: &[Individu]) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let seen = |path: &str, known: &[&str]| -> Vec<(String, String)> {
            let mut v: Vec<String> = known.iter().map(|s| s.to_string()).collect();
            for i in all {
                let t = i.text(path);
                if !t.is_empty() && !v.contains(&t) {
                    v.push(t);
                }
            }
            v.into_iter().map(|x| (x.clone(), x)).collect()
        };
        let text = |key: &'static str, label: &'static str, max: usize| {
            Field::new(key, label, FieldKind::Text { min: 0, max }, false).with_value(&e.text(key))
        };
        let date = |key: &'static str, label: &'static str| {
            Field::new(key, label, FieldKind::Date, false).with_value(&show_date(&e.text(key)))
        };
        let num = |key: &'static str, label: &'static str| {
            Field::new(
                key,
                label,
                FieldKind::Open {
                    options: Vec::new(),
                    numeric: true,
                },
                false,
            )
            .with_value(&e.text(key))
        };
        let open = |key: &'static str, label: &'static str, known: &[&str]| {
            Field::new(
                key,
                label,
                FieldKind::Open {
                    options: seen(key, known),
                    numeric: false,
                },
                false,
            )
            .with_value(&e.text(key))
        };
        let civilites = vec![
            ("0".to_string(), "—".to_string()),
            ("1".into(), "MR".into()),
            ("2".into(), "MME".into()),
            ("3".into(), "MLLE".into()),
        ];
        let entites = entity_choices(all);
        let fonctionnalites = e
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
        let mut fields = vec![
            Field::new(
                "individu.idCivilite",
                "Salutation",
                FieldKind::Open {
                    options: civilites,
                    numeric: true,
                },
                false,
            )
            .with_value(&e.text("individu.idCivilite"))
            .in_section("Individu"),
            Field::new(
                "individu.nomInd",
                "Last name",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.nom()),
            Field::new(
                "individu.prenomInd",
                "First name",
                FieldKind::Text { min: 1, max: 100 },
                true,
            )
            .with_value(&e.prenom()),
            text("individu.matriculeInd", "Matricule", 50),
            text("individu.initialesInd", "Initials", 10),
            Field::new("individu.email", "Email", FieldKind::Email, false)
                .with_value(&e.text("individu.email")),
            Field::new("individu.gsm", "Mobile", FieldKind::Phone, false)
                .with_value(&e.text("individu.gsm")),
            Field::new(
                "entite.id",
                "Entity (id)",
                FieldKind::Open {
                    options: entites,
                    numeric: true,
                },
                false,
            )
            .with_value(&e.entite_id().map(|i| i.to_string()).unwrap_or_default())
            .in_section("Entity"),
        ];
        if existing.is_none() {
            fields.push(Field::new("entityStart", "From", FieldKind::Date, false));
            fields.push(Field::new("entityEnd", "Until", FieldKind::Date, false));
        }
        fields.extend([
            text("utilisateur.loginUti", "Login", 100).in_section("User account"),
            text("utilisateur.nomUti", "Last name", 100),
            text("utilisateur.prenomUti", "First name", 100),
            Field::new("utilisateur.emailUti", "Email", FieldKind::Email, false)
                .with_value(&e.text("utilisateur.emailUti")),
            open("utilisateur.utilisateurType", "Type", &["CLASSIC"]),
            date("utilisateur.dateFinValidite", "Valid until"),
            text("propSpecifiqueDTO.numeroPermis", "Licence number", 50)
                .in_section("Driving licence"),
            Field::new(
                "propSpecifiqueDTO.categoriePermis",
                "Categories (A, B…)",
                FieldKind::List,
                false,
            )
            .with_value(&e.text("propSpecifiqueDTO.categoriePermis")),
            date("propSpecifiqueDTO.dateDelivrancePermis", "Issued on"),
            date("propSpecifiqueDTO.dateValiditePermis", "Valid to"),
            text("propSpecifiqueDTO.lieuDelivrancePermis", "Issued at", 100),
            num("propSpecifiqueDTO.nationalitePermis", "Nationality (code)"),
        ]);
        let folded = vec![
            text("propSpecifiqueDTO.adresse", "Address", 200).in_section("Address"),
            text("propSpecifiqueDTO.numeroVoieAdresse", "Street number", 20),
            text("propSpecifiqueDTO.complementAdresse", "Address line 2", 200),
            text("propSpecifiqueDTO.codePostal", "Postcode", 20),
            text("propSpecifiqueDTO.ville", "City", 100),
            num("propSpecifiqueDTO.pays", "Country (code)"),
            date("propSpecifiqueDTO.dateNaissanceConducteur", "Born on").in_section("Driver"),
            text(
                "propSpecifiqueDTO.lieuNaissanceConducteur",
                "Birthplace",
                100,
            ),
            date("propSpecifiqueDTO.dateFCO", "FCO date"),
            date("propSpecifiqueDTO.dateVisiteMedicale", "Medical check"),
            num("propSpecifiqueDTO.objectifHebdo", "Weekly target"),
            num("propSpecifiqueDTO.objectifMensuel", "Monthly target"),
            open("propSpecifiqueDTO.typeObjet", "Object type", &["CLIENT"]),
            text("groupe.descriptionGrp", "Group", 200).in_section("Group and rights"),
            Field::new(
                "fonctionnalites",
                "Functionalities (ids)",
                FieldKind::List,
                false,
            )
            .with_value(&fonctionnalites),
            text("vehicleFieldsDTO.immatriculation", "Registration", 20).in_section("Vehicle"),
            text("vehicleFieldsDTO.marque", "Brand", 100),
            text("vehicleFieldsDTO.modele", "Model", 100),
            text("vehicleFieldsDTO.couleur", "Colour", 50),
            text("vehicleFieldsDTO.numeroSerie", "Serial number", 50),
            text("vehicleFieldsDTO.numeroParc", "Fleet number", 50),
            num("vehicleFieldsDTO.numeroEmbarque", "On-board number"),
            open("vehicleFieldsDTO.typeMotorisation", "Engine", &["MONO"]),
            open("vehicleFieldsDTO.categorie", "Category", &["UNDEFINED"]),
            open(
                "vehicleFieldsDTO.odirectMode",
                "ODirect mode",
                &["ODIRECT_UNIVERSEL"],
            ),
            text("vehicleFieldsDTO.description", "Description", 500),
        ];
        fields.extend(folded.into_iter().map(Field::folded));
        let mut f = Form::build(
            FormKind::Individu,
            existing.and_then(Individu::id).map(|i| i.to_string()),
            fields,
        );
        f.original = existing.cloned();
        f
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

    pub fn change_password() -> Form {
        let pw = |k, l, min| Field::new(k, l, FieldKind::Password { min }, true);
        Form::build(
            FormKind::ChangePassword,
            None,
            vec![
                pw("actualPassword", "Current password", 1),
                pw("newPassword", "New password", 8),
                pw("newPasswordConfirmed", "New password again", 8),
            ],
        )
    }

    pub fn password_reset(login: &str) -> Form {
        Form::build(
            FormKind::PasswordReset,
            None,
            vec![
                Field::new("login", "Login", FieldKind::Text { min: 1, max: 200 }, true)
                    .with_value(login),
                Field::new(
                    "url",
                    "Link in the mail (optional)",
                    FieldKind::Text { min: 0, max: 500 },
                    false,
                ),
            ],
        )
    }

    /// A Maarch user: `existing` as read (its unseen keys start empty and are asked about
    /// before a save would erase them).
    pub fn maarch_user(existing: Option<&MaarchUserDetails>) -> Form {
        let d = existing.cloned().unwrap_or_default();
        let e = &d.user;
        let editing = existing.is_some();
        let mut fields = Vec::new();
        if !editing {
            fields.push(Field::new("userId", "Login", FieldKind::Login, true).strict());
        }
        let modes = MODES
            .iter()
            .map(|m| (m.to_string(), m.to_string()))
            .collect();
        let mode = if e.mode.is_empty() {
            "standard"
        } else {
            &e.mode
        };
        // Maarch's own limits (firstname and lastname 1–255, initials 32, mail and phone as it
        // checks them): strict. The mail is optional on an update.
        fields.extend([
            Field::new(
                "firstname",
                "First name",
                FieldKind::Text { min: 1, max: 255 },
                true,
            )
            .strict()
            .not_received(d.is_unseen("firstname"))
            .with_value(&e.firstname),
            Field::new(
                "lastname",
                "Last name",
                FieldKind::Text { min: 1, max: 255 },
                true,
            )
            .strict()
            .not_received(d.is_unseen("lastname"))
            .with_value(&e.lastname),
            Field::new(
                "initials",
                "Initials",
                FieldKind::Text { min: 0, max: 32 },
                false,
            )
            .strict()
            .not_received(d.is_unseen("initials"))
            .with_value(e.initials.as_deref().unwrap_or_default()),
            // Maarch checks the mail with PHP's FILTER_VALIDATE_EMAIL, not ours: advice.
            Field::new("mail", "Email", FieldKind::Email, !editing)
                .not_received(d.is_unseen("mail"))
                .with_value(e.mail.as_deref().unwrap_or_default()),
            Field::new("phone", "Phone", FieldKind::Phone, false)
                .strict()
                .not_received(d.is_unseen("phone"))
                .with_value(e.phone.as_deref().unwrap_or_default()),
            Field::new(
                "mode",
                "Mode",
                FieldKind::Choice {
                    options: modes,
                    selected: None,
                },
                true,
            )
            .with_value(mode),
        ]);
        // A suspended or absent user can be made active again (Maarch takes `status: OK`).
        if editing && !e.status.is_empty() && e.status != "OK" {
            let options = vec![
                (e.status.clone(), tr(e.status_label()).to_string()),
                ("OK".to_string(), tr("active").to_string()),
            ];
            fields.push(
                Field::new(
                    "status",
                    "Status",
                    FieldKind::Choice {
                        options,
                        selected: None,
                    },
                    true,
                )
                .with_value(&e.status),
            );
        }
        Form::build(
            FormKind::MaarchUser,
            existing.map(|d| d.user.id.to_string()),
            fields,
        )
    }

    /// Adds a group (`entity == false`) or an entity to a Maarch user.
    pub fn maarch_link(user: &MaarchUser, entity: bool, options: Vec<(String, String)>) -> Form {
        let (kind, key, label) = if entity {
            (FormKind::AddEntity, "entityId", "Entity")
        } else {
            (FormKind::AddGroup, "groupId", "Group")
        };
        let options = options
            .into_iter()
            .map(|(id, label)| {
                let l = format!("{id} — {label}");
                (id, l)
            })
            .collect();
        let mut f = Form::build(
            kind,
            Some(user.id.to_string()),
            vec![Field::new(
                key,
                label,
                FieldKind::Choice {
                    options,
                    selected: None,
                },
                true,
            )],
        );
        f.subject = user.user_id.clone();
        f
    }

    pub fn parapheur_link(user: &MaarchUser) -> Form {
        let mut f = Form::build(
            FormKind::ParapheurLink,
            Some(user.id.to_string()),
            vec![Field::new(
                "maarchParapheurUserId",
                "Maarch Parapheur user id",
                FieldKind::Integer {
                    min: 1,
                    max: i64::MAX,
                },
                true,
            )],
        );
        f.subject = user.user_id.clone();
        f
    }

    pub fn parapheur_create(user: &MaarchUser) -> Form {
        let mut f = Form::build(
            FormKind::ParapheurCreate,
            Some(user.id.to_string()),
            vec![
                // Maarch checks only that a login is given.
                Field::new("login", "Login in Maarch Parapheur", FieldKind::Login, true)
                    .with_value(&user.user_id),
            ],
        );
        // The suggested login is ready to send as is.
        f.fields[0].initial = String::new();
        f.subject = user.user_id.clone();
        f
    }

    /// Export: the file to write and its format (the extension follows the format).
    pub fn export(path: &str) -> Form {
        let formats = vec![
            ("csv".to_string(), "CSV".to_string()),
            ("json".to_string(), "JSON".to_string()),
        ];
        let mut f = Form::build(
            FormKind::Export,
            None,
            vec![
                Field::new("path", "File", FieldKind::Text { min: 1, max: 4096 }, true)
                    .with_value(path),
                Field::new(
                    "format",
                    "Format",
                    FieldKind::Choice {
                        options: formats,
                        selected: None,
                    },
                    true,
                )
                .with_value("csv"),
            ],
        );
        // Ready to go as offered: Enter on the last field writes it.
        f.fields[0].initial = String::new();
        f
    }

    /// Which Ocean element type to read: the known ones offered, any other typed.
    pub fn element_type(current: &str) -> Form {
        let options = crate::api::ocean::ELEMENT_TYPES
            .iter()
            .map(|t| (t.to_string(), t.to_string()))
            .collect();
        let mut f = Form::build(
            FormKind::ElementType,
            None,
            vec![
                Field::new(
                    "elementType",
                    "Element type",
                    FieldKind::Open {
                        options,
                        numeric: false,
                    },
                    true,
                )
                .with_value(current),
            ],
        );
        // Enter reads it as offered.
        f.fields[0].initial = String::new();
        f
    }

    pub fn dirty(&self) -> bool {
        self.fields.iter().any(Field::changed)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// A field's value as text (empty when there is no such field).
    pub fn val(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// The value when it changed (edit forms send only what changed).
    fn changed(&self, key: &str) -> Option<String> {
        self.field(key).filter(|f| f.changed()).map(Field::value)
    }

    /// A role form's permissions: (the whole set wanted, those of it the role lacks, those
    /// it holds that go). The set is what the server sent with the user's changes: the grid's
    /// cells switched off are removed, those switched on and the typed ones added; nothing
    /// else is touched.
    pub fn role_permissions(&self) -> (Vec<Permission>, Vec<Permission>, Vec<Permission>) {
        let grid = self.field("permissions").map(|f| &f.kind);
        let Some(FieldKind::Grid { cells, on, .. }) = grid else {
            return (self.permissions.clone(), Vec::new(), Vec::new());
        };
        let is_on = |p: &Permission| {
            let (r, a) = cell_of(p);
            !cells
                .iter()
                .zip(on)
                .any(|((cr, ca), o)| cr == r && ca == a && !*o)
        };
        let (mut wanted, removed): (Vec<Permission>, Vec<Permission>) =
            self.permissions.iter().cloned().partition(|p| is_on(p));
        let mut added = Vec::new();
        let switched_on = cells
            .iter()
            .zip(on)
            .filter(|(_, o)| **o)
            .map(|(c, _)| c.clone());
        for (r, a) in switched_on.chain(typed_permissions(&self.val("permissions_add"))) {
            if !wanted.iter().any(|p| cell_of(p) == (&r, &a)) {
                let p = if r.is_empty() {
                    Permission {
                        permission_id: a,
                        ..Default::default()
                    }
                } else {
                    Permission::new(&r, &a)
                };
                wanted.push(p.clone());
                added.push(p);
            }
        }
        (wanted, added, removed)
    }

    /// A role form set from a whole list of permissions (`$EDITOR`): the grid's cells on for
    /// those listed, off for the others; those without a cell go to the typed field.
    pub fn set_permissions(&mut self, perms: &[Permission]) {
        let mut extra = Vec::new();
        if let Some(FieldKind::Grid { cells, on, .. }) = self
            .fields
            .iter_mut()
            .find(|f| f.key == "permissions")
            .map(|f| &mut f.kind)
        {
            for (cell, o) in cells.iter().zip(on.iter_mut()) {
                *o = perms.iter().any(|p| cell_of(p) == (&cell.0, &cell.1));
            }
            for p in perms {
                let (r, a) = cell_of(p);
                if !a.is_empty() && !cells.iter().any(|c| (&c.0, &c.1) == (r, a)) {
                    extra.push(format!("{r}:{a}"));
                }
            }
        }
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "permissions") {
            f.touched = true;
        }
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == "permissions_add") {
            f.set_text(&extra.join(", "));
        }
    }

    /// Handles a key inside the form; returns true when it was used.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let n = self.fields.len();
        if n == 0 {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let editing = self.edits_record();
        match key.code {
            KeyCode::Tab | KeyCode::Down => {
                self.leave_field();
                self.step(1);
                return true;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.leave_field();
                self.step(-1);
                return true;
            }
            KeyCode::Char('o') if ctrl && (self.folded_count() > 0 || self.show_advanced) => {
                self.show_advanced = !self.show_advanced;
                if !self.visible(self.focus) {
                    self.step(-1);
                }
                return true;
            }
            _ => {}
        }
        let f = &mut self.fields[self.focus];
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('r') {
            f.reveal = !f.reveal;
            return true;
        }
        let mut choice_matches = None;
        if matches!(f.kind, FieldKind::Choice { .. }) {
            choice_matches = Some(f.matching_options());
        }
        match &mut f.kind {
            FieldKind::Grid { cells, on, cursor } => match key.code {
                KeyCode::Left => *cursor = cursor.saturating_sub(1),
                KeyCode::Right => *cursor = (*cursor + 1).min(cells.len().saturating_sub(1)),
                KeyCode::Char(' ') | KeyCode::Enter => {
                    if let Some(b) = on.get_mut(*cursor) {
                        *b = !*b;
                    }
                }
                KeyCode::Char('a') => {
                    let all = on.iter().all(|b| *b);
                    on.iter_mut().for_each(|b| *b = !all);
                }
                _ => return false,
            },
            FieldKind::Open { options, .. }
                if matches!(key.code, KeyCode::Left | KeyCode::Right) && !options.is_empty() =>
            {
                let cur = f.input.value().to_string();
                let pos = options.iter().position(|(v, _)| *v == cur);
                let len = options.len();
                let next = match (pos, key.code) {
                    (None, _) => 0,
                    (Some(p), KeyCode::Right) => (p + 1) % len,
                    (Some(p), _) => (p + len - 1) % len,
                };
                f.input = Input::new(options[next].0.clone());
            }
            FieldKind::Choice { selected, .. }
                if matches!(key.code, KeyCode::Left | KeyCode::Right) =>
            {
                let m = choice_matches.unwrap_or_default();
                if !m.is_empty() {
                    let pos = selected.and_then(|s| m.iter().position(|&i| i == s));
                    let next = match (pos, key.code) {
                        (None, _) => 0,
                        (Some(p), KeyCode::Right) => (p + 1) % m.len(),
                        (Some(p), _) => (p + m.len() - 1) % m.len(),
                    };
                    *selected = Some(m[next]);
                }
            }
            _ => {
                let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) else {
                    return false;
                };
                f.input.handle(req);
                f.touched = true;
                if matches!(f.kind, FieldKind::Choice { .. }) {
                    // Typing searches; an option is picked only when the typing names one
                    // (several candidates: ←→ chooses, none is taken for the user).
                    let named = f.named_option();
                    if let FieldKind::Choice { selected, .. } = &mut f.kind {
                        *selected = named;
                    }
                }
            }
        }
        f.touched = true;
        f.recheck(editing);
        true
    }

    /// Whether a field is shown (folded sections hide theirs).
    pub fn visible(&self, i: usize) -> bool {
        self.fields
            .get(i)
            .is_some_and(|f| self.show_advanced || !f.advanced)
    }

    /// Whether no shown field comes after field `i`.
    pub fn is_last_visible(&self, i: usize) -> bool {
        !(i + 1..self.fields.len()).any(|j| self.visible(j))
    }

    /// Whether a field hides what is typed (the reveal key applies).
    pub fn has_secret(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f.kind, FieldKind::Password { .. }))
    }

    /// Fields hidden while folded.
    pub fn folded_count(&self) -> usize {
        self.fields.iter().filter(|f| f.advanced).count()
    }

    /// Moves the focus to the next (or previous) shown field.
    fn step(&mut self, dir: isize) {
        let n = self.fields.len() as isize;
        let mut i = self.focus as isize;
        for _ in 0..n {
            i = (i + dir).rem_euclid(n);
            if self.visible(i as usize) {
                self.focus = i as usize;
                return;
            }
        }
    }

    fn leave_field(&mut self) {
        let editing = self.edits_record();
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.touched
        {
            // The server's word on this very value stays, unless the local check refuses it.
            let server = f.error.clone();
            f.recheck(editing);
            if f.error.is_none() && f.server_value.as_deref() == Some(f.value().as_str()) {
                f.error = server;
            }
        }
    }

    /// Checks every field; focuses the first wrong one.
    pub fn validate_all(&mut self) -> bool {
        let mut first_bad = None;
        let editing = self.edits_record();
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.touched = true;
            f.recheck(editing);
            if f.error.is_some() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if self.kind == FormKind::ChangePassword
            && self.val("newPassword") != self.val("newPasswordConfirmed")
            && let Some(i) = self
                .fields
                .iter()
                .position(|f| f.key == "newPasswordConfirmed")
        {
            self.fields[i].error = Some(tr("The two new passwords differ").into());
            first_bad.get_or_insert(i);
        }
        if let Some(i) = first_bad {
            self.focus = i;
            if !self.visible(i) {
                self.show_advanced = true;
            }
        }
        first_bad.is_none()
    }

    /// Puts a server's field errors under the fields; returns the ones that matched none.
    pub fn apply_server_errors(&mut self, errors: &[crate::api::FieldError]) -> Vec<String> {
        let mut unmatched = Vec::new();
        let mut first = None;
        for e in errors {
            match self.fields.iter().position(|f| f.key == e.field) {
                Some(i) => {
                    self.fields[i].error = Some(e.msg.clone());
                    self.fields[i].server_value = Some(self.fields[i].value());
                    first.get_or_insert(i);
                }
                None => unmatched.push(if e.field.is_empty() {
                    e.msg.clone()
                } else {
                    format!("{}: {}", e.field, e.msg)
                }),
            }
        }
        if let Some(i) = first {
            self.focus = i;
            if !self.visible(i) {
                self.show_advanced = true;
            }
        }
        unmatched
    }

    /// The request this form sends, once it validates.
    pub fn mutation(&self) -> Option<Mutation> {
        let id = self.record_id.clone();
        Some(match (self.kind, id) {
            (FormKind::Site, None) => Mutation::CreateSite(NewSite {
                client_id: self.val("client_id"),
                name: self.val("name").trim().to_string(),
                longitude: parse_float(&self.val("longitude")),
                latitude: parse_float(&self.val("latitude")),
                description: self.val("description"),
            }),
            (FormKind::Site, Some(site_id)) => Mutation::UpdateSite(SiteUpdate {
                site_id,
                name: self.changed("name").map(|s| s.trim().to_string()),
                longitude: self.changed("longitude").map(|s| parse_float(&s)),
                latitude: self.changed("latitude").map(|s| parse_float(&s)),
                description: self.changed("description"),
            }),
            (FormKind::Equipement, None) => Mutation::CreateEquipement(NewEquipement {
                ip: self.val("ip").trim().to_string(),
                site_id: self.val("site_id"),
                marque: self.val("marque").trim().to_string(),
                sources: list_values(&self.val("sources")),
                port: self.val("port").trim().parse().unwrap_or_default(),
                username: self.val("username"),
                password: self.val("password"),
                description: self.val("description"),
                modele: self.val("modele").trim().to_string(),
            }),
            (FormKind::Equipement, Some(equipement_id)) => {
                Mutation::UpdateEquipement(EquipementUpdate {
                    equipement_id,
                    ip: self.changed("ip").map(|s| s.trim().to_string()),
                    site_id: self.changed("site_id"),
                    marque: self.changed("marque").map(|s| s.trim().to_string()),
                    sources: self.changed("sources").map(|s| list_values(&s)),
                    port: self.changed("port").and_then(|s| s.trim().parse().ok()),
                    username: self.changed("username"),
                    password: self.changed("password"),
                    description: self.changed("description"),
                    modele: self.changed("modele").map(|s| s.trim().to_string()),
                })
            }
            (FormKind::User, None) => Mutation::CreateUser(NewUser {
                matricule: self.val("matricule").trim().parse().unwrap_or_default(),
                nom: self.val("nom").trim().to_string(),
                email: self.val("email").trim().to_string(),
                password: self.val("password"),
                role_id: self.val("role_id"),
            }),
            (FormKind::User, Some(user_id)) => Mutation::UpdateUser(UserUpdate {
                user_id,
                matricule: self
                    .changed("matricule")
                    .and_then(|s| s.trim().parse().ok()),
                nom: self.changed("nom").map(|s| s.trim().to_string()),
                email: self.changed("email").map(|s| s.trim().to_string()),
                password: self.changed("password").filter(|p| !p.is_empty()),
                role_id: self.changed("role_id"),
            }),
            (FormKind::Role, id) => {
                let (wanted, added, removed) = self.role_permissions();
                let refs = |l: &[Permission]| l.iter().map(PermissionRef::from).collect();
                match id {
                    None => Mutation::CreateRole(NewRole {
                        name: self.val("name").trim().to_string(),
                        description: self.val("description"),
                        permissions: refs(&wanted),
                    }),
                    // Only additions: `add_permissions` touches nothing else. A removal sends
                    // the whole set (see `Mutation::UpdateRole`); the one known here stands in
                    // until the worker reads the server's.
                    Some(role_id) => Mutation::UpdateRole {
                        update: RoleUpdate {
                            role_id,
                            name: self.changed("name").map(|s| s.trim().to_string()),
                            description: self.changed("description"),
                            permissions: (!removed.is_empty()).then(|| refs(&wanted)),
                        },
                        add: refs(&added),
                        remove: refs(&removed),
                    },
                }
            }
            (FormKind::Individu, id) => {
                let creating = id.is_none();
                let mut body = self.original.clone().unwrap_or_else(|| {
                    let mut b = Individu::default();
                    b.set("individu.suppressionLogique", Value::Bool(false));
                    b
                });
                for f in &self.fields {
                    if matches!(f.key.as_ref(), "entityStart" | "entityEnd") {
                        continue;
                    }
                    let send = if creating {
                        !f.value().trim().is_empty()
                    } else {
                        f.changed()
                    };
                    if !send {
                        continue;
                    }
                    let v = ocean_value(f);
                    if f.key == "entite.id" {
                        let nom = match &f.kind {
                            FieldKind::Open { options, .. } => options
                                .iter()
                                .find(|(i, _)| *i == f.value().trim())
                                .map(|(_, n)| n.clone())
                                .unwrap_or_default(),
                            _ => String::new(),
                        };
                        if v.is_null() {
                            body.0.remove("entite");
                        } else {
                            body.0.insert(
                                "entite".into(),
                                json!({ "id": v, "nom": nom, "suppressionLogique": false }),
                            );
                        }
                        continue;
                    }
                    body.set(&f.key, v);
                }
                // The doc's body repeats the individu inside its user account.
                if let Some(ind) = body.0.get("individu").cloned()
                    && body.0.get("utilisateur").is_some_and(Value::is_object)
                {
                    body.set("utilisateur.individu", ind);
                }
                match id {
                    None => Mutation::CreateIndividu {
                        body,
                        start: parse_local_date(&self.val("entityStart")).ok(),
                        end: parse_local_date(&self.val("entityEnd")).ok(),
                    },
                    Some(_) => Mutation::UpdateIndividu(body),
                }
            }
            (FormKind::AssignEntity, id) => Mutation::AssignEntity {
                individu: id?.parse().ok()?,
                entite: self.val("entiteId").trim().parse().ok()?,
                start: parse_local_date(&self.val("startDate")).ok()?,
                end: parse_local_date(&self.val("endDate")).ok(),
            },
            (FormKind::ChangePassword, _) => Mutation::ChangePassword {
                actual: SecretString::from(self.val("actualPassword")),
                new: SecretString::from(self.val("newPassword")),
                confirmed: SecretString::from(self.val("newPasswordConfirmed")),
                in_url: self.agreed.contains(&Ask::PasswordsInUrl),
            },
            (FormKind::PasswordReset, _) => Mutation::PasswordReset {
                login: self.val("login").trim().to_string(),
                url: opt(self.val("url")),
            },
            (FormKind::MaarchUser, None) => Mutation::CreateMaarchUser(NewMaarchUser {
                user_id: self.val("userId").trim().to_string(),
                firstname: self.val("firstname").trim().to_string(),
                lastname: self.val("lastname").trim().to_string(),
                initials: opt(self.val("initials")),
                mail: self.val("mail").trim().to_string(),
                phone: opt(self.val("phone")),
                mode: opt(self.val("mode")),
            }),
            // The route writes the whole user: every known value goes back as it is; an
            // unseen one only when typed (the erasure was agreed before, see `unkept`).
            (FormKind::MaarchUser, Some(id)) => {
                // A changed value trimmed; an unchanged one exactly as received; an unseen one
                // only when typed.
                let known = |k: &str| {
                    let f = self.field(k)?;
                    match (f.changed(), f.unknown) {
                        (true, _) => Some(f.value().trim().to_string()),
                        (false, false) => Some(f.initial.clone()),
                        (false, true) => None,
                    }
                };
                let update = MaarchUserUpdate {
                    id: id.parse().ok()?,
                    firstname: known("firstname").unwrap_or_default(),
                    lastname: known("lastname").unwrap_or_default(),
                    initials: known("initials").filter(|s| !s.is_empty()),
                    mail: known("mail").filter(|s| !s.is_empty()),
                    phone: known("phone"),
                    mode: self.changed("mode"),
                    status: self.changed("status"),
                };
                let changed = crate::api::maarch::WRITTEN_KEYS
                    .iter()
                    .filter(|k| self.field(k).is_some_and(Field::changed))
                    .map(|k| k.to_string())
                    .collect();
                Mutation::UpdateMaarchUser { update, changed }
            }
            (FormKind::AddGroup, id) => Mutation::AddGroup {
                user: id?.parse().ok()?,
                group: self.val("groupId"),
            },
            (FormKind::AddEntity, id) => Mutation::AddEntity {
                user: id?.parse().ok()?,
                entity: self.val("entityId"),
            },
            (FormKind::ParapheurLink, id) => Mutation::LinkParapheur {
                user: id?.parse().ok()?,
                parapheur_id: self.val("maarchParapheurUserId").trim().parse().ok()?,
            },
            (FormKind::Export | FormKind::ElementType, _) => return None,
            (FormKind::ParapheurCreate, id) => Mutation::CreateInParapheur {
                user: id?.parse().ok()?,
                login: self.val("login").trim().to_string(),
            },
        })
    }

    /// The form without its secrets (for drafts), nor the answers it was given: a question
    /// answered in one session is asked again in the next.
    pub fn without_secrets(&self) -> Form {
        let mut f = self.clone();
        f.asking = None;
        f.agreed.clear();
        for field in &mut f.fields {
            if matches!(field.kind, FieldKind::Password { .. }) {
                field.input = Input::default();
                field.initial = String::new();
                field.server_value = None;
            }
        }
        f.pending = None;
        f
    }

    /// Worth keeping as a draft: something typed that is not only secrets.
    pub fn draftable(&self) -> bool {
        self.kind != FormKind::ChangePassword && self.dirty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn typed(f: &mut Form, s: &str) {
        for c in s.chars() {
            f.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn validates_as_you_type_and_maps_server_errors() {
        let mut f = Form::equipement(None, vec![("s1".into(), "LOUM".into())], None);
        f.focus = 1;
        // No document says the ip is an address nor the port under 65536: advice, not refusal.
        typed(&mut f, "10.0.0.");
        assert!(f.fields[1].advice.as_deref().unwrap().contains("IPv4"));
        assert_eq!(f.fields[1].error, None);
        typed(&mut f, "1");
        assert_eq!(f.fields[1].advice, None);
        f.focus = 2;
        typed(&mut f, "70000");
        assert!(f.fields[2].advice.as_deref().unwrap().contains("65535"));
        assert_eq!(f.fields[2].error, None);
        // What cannot be sent at all (no brand, a port that is not a number) blocks.
        assert!(!f.validate_all());
        assert_eq!(
            f.field("marque").unwrap().error.as_deref(),
            Some("Field required")
        );
        f.focus = 2;
        typed(&mut f, "x");
        assert!(f.fields[2].error.as_deref().unwrap().contains("integer"));
        f.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        let rest = f.apply_server_errors(&[
            crate::api::FieldError::new("marque", "String should have at least 1 character"),
            crate::api::FieldError::new("zzz", "odd"),
        ]);
        assert_eq!(rest, vec!["zzz: odd"]);
        // Moving on keeps the server's word until the value changes.
        f.apply_server_errors(&[crate::api::FieldError::new(
            "ip",
            "already used on this site",
        )]);
        assert_eq!(f.focus, 1);
        f.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(
            f.fields[1].error.as_deref(),
            Some("already used on this site")
        );
        f.focus = 1;
        typed(&mut f, "0");
        assert_eq!(
            f.fields[1].error, None,
            "an edit replaces it with the local check"
        );
        assert_eq!(
            f.field("marque").unwrap().error.as_deref(),
            Some("String should have at least 1 character")
        );
        assert_eq!(
            f.field("ip").unwrap().value(),
            "10.0.0.10",
            "typed text kept"
        );
    }

    #[test]
    fn choice_searches_and_edit_sends_only_changes() {
        let sites = vec![("a".into(), "LOUM".into()), ("b".into(), "YASSA".into())];
        let mut f = Form::equipement(None, sites.clone(), None);
        typed(&mut f, "yas");
        assert_eq!(f.field("site_id").unwrap().value(), "b");
        let e = Equipement {
            equipement_id: "e1".into(),
            ip: "1.1.1.1".into(),
            port: Some(100),
            site_id: Some("a".into()),
            marque: "m".into(),
            modele: "x".into(),
            ..Default::default()
        };
        let mut f = Form::equipement(Some(&e), sites, None);
        assert!(!f.dirty());
        f.focus = 2;
        f.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        typed(&mut f, "1");
        match f.mutation().unwrap() {
            Mutation::UpdateEquipement(u) => {
                assert_eq!(u.port, Some(101));
                assert_eq!(u.ip, None);
                assert_eq!(u.site_id, None);
            }
            m => panic!("{m:?}"),
        }
        assert!(
            f.without_secrets()
                .field("password")
                .unwrap()
                .value()
                .is_empty()
        );
    }
}
