//! A form's field: its kind, its value as typed and as received, and what is wrong with it.

use chrono::TimeZone;

use crate::api::rules::email_problem;
use crate::app::form::not_permissions;
use crate::i18n::tr;
use crate::i18n::trf;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono::Local;
use chrono::NaiveDate;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use tui_input::Input;

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
    pub(crate) fn new(
        key: &'static str,
        label: &'static str,
        kind: FieldKind,
        required: bool,
    ) -> Self {
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
    pub(crate) fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// The server did not send this value (see `unknown`).
    pub(crate) fn not_received(mut self, unknown: bool) -> Self {
        self.unknown = unknown;
        self
    }

    pub(crate) fn in_section(mut self, section: &'static str) -> Self {
        self.section = Cow::Borrowed(section);
        self
    }

    pub(crate) fn folded(mut self) -> Self {
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

    /// The server's value becomes the one the form started from (so it is not sent back);
    /// `show`: the field shows it too. `false` when a choice does not offer that value.
    pub(crate) fn rebase(&mut self, theirs: &str, show: bool) -> bool {
        if show {
            let touched = self.touched;
            self.set_text(theirs);
            self.touched = touched;
            if self.value() != theirs {
                return false;
            }
        }
        self.initial = theirs.to_string();
        true
    }

    pub(crate) fn with_value(mut self, v: &str) -> Self {
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
