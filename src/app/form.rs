//! Forms: typed fields validated as you type with the server's own rules, server 422 errors
//! mapped back onto fields, and nothing typed ever lost.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::api::model::*;
use crate::server::fastapi::email_problem;

#[derive(Debug, Clone, PartialEq)]
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
    /// One value picked from a list; typing searches it.
    Choice {
        options: Vec<(String, String)>,
        selected: Option<usize>,
    },
    /// Comma-separated values sent as a list.
    List,
    /// Toggles over a fixed set (permissions ressource × action).
    Grid {
        cells: Vec<(String, String)>,
        on: Vec<bool>,
        cursor: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
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
}

impl Field {
    fn new(key: &'static str, label: &'static str, kind: FieldKind, required: bool) -> Self {
        Field {
            key,
            label,
            kind,
            input: Input::default(),
            required,
            error: None,
            initial: String::new(),
            touched: false,
            reveal: false,
            server_value: None,
        }
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

    /// Options of a choice that match what was typed.
    pub fn matching_options(&self) -> Vec<usize> {
        match &self.kind {
            FieldKind::Choice { options, .. } => {
                let q = self.input.value().trim().to_lowercase();
                options
                    .iter()
                    .enumerate()
                    .filter(|(_, (v, l))| {
                        q.is_empty() || l.to_lowercase().contains(&q) || v.to_lowercase() == q
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The client-side check, with the server's rules and wording.
    pub fn validate(&self) -> Option<String> {
        let v = self.value();
        let t = v.trim();
        if t.is_empty() {
            return (self.required && !matches!(self.kind, FieldKind::Grid { .. }))
                .then(|| "Field required".to_string());
        }
        match &self.kind {
            FieldKind::Text { min, max } => {
                let n = t.chars().count();
                if n < *min {
                    Some(format!("String should have at least {min} characters"))
                } else if n > *max {
                    Some(format!("String should have at most {max} characters"))
                } else {
                    None
                }
            }
            FieldKind::Password { min } => (v.chars().count() < *min)
                .then(|| format!("String should have at least {min} characters")),
            FieldKind::Integer { min, max } => match t.parse::<i64>() {
                Err(_) => Some("Input should be a valid integer".into()),
                Ok(n) if n < *min => {
                    Some(format!("Input should be greater than or equal to {min}"))
                }
                Ok(n) if n > *max => Some(format!("Input should be less than or equal to {max}")),
                Ok(_) => None,
            },
            FieldKind::Float { min, max } => match t.replace(',', ".").parse::<f64>() {
                Ok(f) if !f.is_finite() => Some("Input should be a valid number".into()),
                Err(_) => Some("Input should be a valid number".into()),
                Ok(f) if f < *min => {
                    Some(format!("Input should be greater than or equal to {min}"))
                }
                Ok(f) if f > *max => Some(format!("Input should be less than or equal to {max}")),
                Ok(_) => None,
            },
            FieldKind::Ip => t
                .parse::<std::net::IpAddr>()
                .is_err()
                .then(|| "value is not a valid IPv4 or IPv6 address".into()),
            FieldKind::Email => {
                email_problem(t).map(|r| format!("value is not a valid email address: {r}"))
            }
            FieldKind::Choice { selected, .. } => selected
                .is_none()
                .then(|| "Pick one of the listed values".into()),
            FieldKind::List | FieldKind::Grid { .. } => None,
        }
    }
}

/// What a form creates or edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Site,
    Equipement,
    User,
    Role,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    /// The record edited; `None` for a creation.
    pub record_id: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub pending: Option<u64>,
    /// A failure that belongs to no field (network, 403, 409...).
    pub error: Option<String>,
    pub confirm_discard: bool,
}

/// A request a saved form turns into.
#[derive(Debug, Clone)]
pub enum Mutation {
    CreateSite(NewSite),
    UpdateSite(SiteUpdate),
    CreateEquipement(NewEquipement),
    UpdateEquipement(EquipementUpdate),
    CreateUser(NewUser),
    UpdateUser(UserUpdate),
    CreateRole(NewRole),
    UpdateRole(RoleUpdate),
}

pub fn permission_cells() -> Vec<(String, String)> {
    let mut v = Vec::new();
    for r in crate::server::core::RESSOURCES {
        for a in crate::server::core::ACTIONS {
            v.push((r.to_string(), a.to_string()));
        }
    }
    v
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

impl Form {
    pub fn title(&self) -> String {
        let what = match self.kind {
            FormKind::Site => "site",
            FormKind::Equipement => "equipement",
            FormKind::User => "user",
            FormKind::Role => "role",
        };
        match self.record_id {
            Some(_) => format!("Edit {what}"),
            None => format!("New {what}"),
        }
    }

    fn build(kind: FormKind, record_id: Option<String>, fields: Vec<Field>) -> Form {
        Form {
            kind,
            record_id,
            fields,
            focus: 0,
            pending: None,
            error: None,
            confirm_discard: false,
        }
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
            Field::new("email", "Email", FieldKind::Email, true).with_value(&e.email),
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

    pub fn role(existing: Option<&Role>) -> Form {
        let e = existing.cloned().unwrap_or_default();
        let cells = permission_cells();
        let on = cells
            .iter()
            .map(|(r, a)| {
                e.permissions
                    .iter()
                    .any(|p| &p.ressource == r && &p.action == a)
            })
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
        ];
        Form::build(FormKind::Role, existing.map(|r| r.role_id.clone()), fields)
    }

    pub fn dirty(&self) -> bool {
        self.fields.iter().any(Field::changed)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn val(&self, key: &str) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// The value when it changed (edit forms send only what changed).
    fn changed(&self, key: &str) -> Option<String> {
        self.field(key).filter(|f| f.changed()).map(Field::value)
    }

    /// Handles a key inside the form; returns true when it was used.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let n = self.fields.len();
        if n == 0 {
            return false;
        }
        match key.code {
            KeyCode::Tab | KeyCode::Down => {
                self.leave_field();
                self.focus = (self.focus + 1) % n;
                return true;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.leave_field();
                self.focus = (self.focus + n - 1) % n;
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
                    // Typing searches; the first match is picked.
                    let m = f.matching_options();
                    if let FieldKind::Choice { selected, .. } = &mut f.kind {
                        *selected = m.first().copied();
                    }
                }
            }
        }
        f.touched = true;
        f.error = f.validate();
        true
    }

    fn leave_field(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.touched
        {
            let local = f.validate();
            if local.is_some() || f.server_value.as_deref() != Some(f.value().as_str()) {
                f.error = local;
            }
        }
    }

    /// Checks every field; focuses the first wrong one.
    pub fn validate_all(&mut self) -> bool {
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            f.touched = true;
            f.error = f.validate();
            if f.error.is_some() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
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
                let perms: Vec<PermissionRef> = self
                    .val("permissions")
                    .split(',')
                    .filter_map(|p| p.split_once(':'))
                    .map(|(r, a)| PermissionRef {
                        ressource: r.into(),
                        action: a.into(),
                    })
                    .collect();
                match id {
                    None => Mutation::CreateRole(NewRole {
                        name: self.val("name").trim().to_string(),
                        description: self.val("description"),
                        permissions: perms,
                    }),
                    Some(role_id) => Mutation::UpdateRole(RoleUpdate {
                        role_id,
                        name: self.changed("name").map(|s| s.trim().to_string()),
                        description: self.changed("description"),
                        permissions: self.changed("permissions").map(|_| perms),
                    }),
                }
            }
        })
    }

    /// The form without its secrets (for drafts).
    pub fn without_secrets(&self) -> Form {
        let mut f = self.clone();
        for field in &mut f.fields {
            if matches!(field.kind, FieldKind::Password { .. }) {
                field.input = Input::default();
            }
        }
        f
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
        typed(&mut f, "10.0.0.");
        assert!(f.fields[1].error.as_deref().unwrap().contains("IPv4"));
        typed(&mut f, "1");
        assert_eq!(f.fields[1].error, None);
        f.focus = 2;
        typed(&mut f, "70000");
        assert!(f.fields[2].error.as_deref().unwrap().contains("65535"));
        assert!(!f.validate_all());
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
