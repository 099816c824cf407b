//! Importing equipements (or sites) from a spreadsheet: CSV (UTF-8, BOM or not, `,` or `;`)
//! or the JSON `vigie list -o json` and the console's export write. Every row is checked
//! first with the form's rules, duplicates inside the file and against the server (same
//! IP:port on the same site) are found before anything is sent, and the plan says per row:
//! create, update, skip or error. Running it is safe twice: a row already on the server is
//! skipped (or updated with `--update`, sending only what differs). Passwords are never
//! echoed: no message and no report holds one.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::api::model::{Equipement, NewEquipement, NewSite, SiteSummary};
use crate::change::{Change, Create, FieldChange, Kind};
use crate::rows::fold;

/// Rows read at most (a bigger file is refused before anything is sent).
pub const MAX_ROWS: usize = 200_000;
/// Largest file read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The mask exports write for a password: never imported as one.
pub const MASK: &str = "********";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Equipements,
    Sites,
}

/// What the plan does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Error,
    Create,
    Update,
    Skip,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Skip => "skip",
            Action::Error => "error",
        }
    }
}

/// One row of the file as read: its line (1 = the first data row's line in the file) and
/// its values by field (only the fields the file gives, empty cells left out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub line: usize,
    pub values: BTreeMap<&'static str, String>,
}

/// What is sent for a row, through the change room.
#[derive(Debug, Clone)]
pub enum Send {
    Create(Create),
    /// The fields the file gives that differ from the server's, each with the server's
    /// value as planned (a row changed on the server since is a conflict, not overwritten).
    Edit {
        kind: Kind,
        id: String,
        site: Option<String>,
        fields: Vec<FieldChange>,
    },
}

impl Send {
    /// The change that sends it.
    pub fn change(&self, label: &str) -> Change {
        let c = match self {
            Send::Create(c) => Change::create(c.clone()),
            Send::Edit {
                kind,
                id,
                site,
                fields,
            } => Change::edit(*kind, id.clone(), fields.clone()).on_site(site.clone()),
        };
        c.labelled(label)
    }
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub line: usize,
    pub action: Action,
    /// Why, in words (never a password).
    pub message: String,
    /// The record the row is (when it exists) or becomes.
    pub id: Option<String>,
    /// How the row is named in messages: `10.0.0.5:80 on LOUM`.
    pub label: String,
    pub send: Option<Send>,
}

/// The fields of each kind, by the names a file may give them (English, French, the API's
/// and the exports' headers), accents and case aside.
fn field_of(what: What, header: &str) -> Option<&'static str> {
    let h = fold(header.trim()).to_lowercase().replace([' ', '-'], "_");
    let f = match what {
        What::Equipements => match h.as_str() {
            "ip" | "ip_address" | "adresse_ip" | "adresse" => "ip",
            "port" => "port",
            "marque" | "brand" => "marque",
            "modele" | "model" => "modele",
            "sources" | "source" => "sources",
            "username" | "user" | "utilisateur" | "login" | "identifiant" => "username",
            "password" | "mot_de_passe" | "mdp" => "password",
            "description" => "description",
            "site" | "site_name" | "nom_du_site" => "site",
            // What exports add: read, never sent.
            "created" | "cree_le" | "timestamp" | "id" | "equipement_id" | "site_id"
            | "client_site" | "client" => "-",
            _ => return None,
        },
        What::Sites => match h.as_str() {
            "name" | "nom" => "name",
            "client" | "client_id" | "client_name" | "nom_client" => "client",
            "longitude" | "lon" | "lng" => "longitude",
            "latitude" | "lat" => "latitude",
            "description" => "description",
            "created" | "cree_le" | "timestamp" | "id" | "site_id" | "equipements" | "equip"
            | "equipement_count" | "nb_equipements" => "-",
            _ => return None,
        },
    };
    Some(f)
}

/// Reads a file's rows. An unknown column is an error naming it, before anything else.
pub fn read(what: What, bytes: &[u8]) -> Result<Vec<Row>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 (byte {}): save it as UTF-8 CSV",
            e.valid_up_to()
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().chars().next() {
        Some('[') | Some('{') => read_json(what, text),
        Some(_) => read_csv(what, text),
        None => Err("the file is empty".into()),
    }
}

fn read_csv(what: What, text: &str) -> Result<Vec<Row>, String> {
    let first = text.lines().next().unwrap_or_default();
    // French spreadsheets write `;`.
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| format!("cannot read the header line: {e}"))?
        .clone();
    let mut fields = Vec::new();
    let mut unknown = Vec::new();
    for h in headers.iter() {
        match field_of(what, h) {
            Some(f) => fields.push(f),
            None => unknown.push(crate::text::sanitize(h).into_owned()),
        }
    }
    if !unknown.is_empty() {
        return Err(unknown_columns(what, &unknown));
    }
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("cannot read the file: {e}"))?;
        if rows.len() >= MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows: split the file"));
        }
        let line = rec.position().map_or(rows.len() + 2, |p| p.line() as usize);
        let mut values = BTreeMap::new();
        for (f, v) in fields.iter().zip(rec.iter()) {
            if *f != "-" && !v.trim().is_empty() {
                values.insert(*f, v.to_string());
            }
        }
        if values.is_empty() {
            continue;
        }
        rows.push(Row { line, values });
    }
    Ok(rows)
}

fn unknown_columns(what: What, unknown: &[String]) -> String {
    let known = match what {
        What::Equipements => {
            "ip, port, marque/brand, modele/model, sources, username, password, description, site"
        }
        What::Sites => "name/nom, client, longitude, latitude, description",
    };
    format!(
        "unknown column(s): {} — nothing was sent (known: {known})",
        unknown.join(", ")
    )
}

fn read_json(what: What, text: &str) -> Result<Vec<Row>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let items = match v {
        Value::Array(a) => a,
        // A page as the API answers it.
        Value::Object(mut o) => match o.remove("items") {
            Some(Value::Array(a)) => a,
            _ => return Err("JSON: expected a list of records (or {\"items\": […]})".into()),
        },
        _ => return Err("JSON: expected a list of records".into()),
    };
    if items.len() > MAX_ROWS {
        return Err(format!("more than {MAX_ROWS} rows: split the file"));
    }
    let mut rows = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(o) = item else {
            return Err(format!("record {}: not an object", i + 1));
        };
        let mut values = BTreeMap::new();
        for (k, v) in &o {
            let Some(f) = field_of(what, k) else {
                if !unknown.contains(k) {
                    unknown.push(crate::text::sanitize(k).into_owned());
                }
                continue;
            };
            let text = match (f, v) {
                ("-", _) | (_, Value::Null) => continue,
                (_, Value::String(s)) => s.clone(),
                (_, Value::Number(n)) => n.to_string(),
                (_, Value::Bool(b)) => b.to_string(),
                ("sources", Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
                _ => continue,
            };
            if !text.trim().is_empty() {
                values.insert(f, text);
            }
        }
        // An export names the site inside the record.
        if what == What::Equipements && !values.contains_key("site") {
            let name = o
                .get("client_site")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .or_else(|| o.get("site_id").and_then(Value::as_str));
            if let Some(n) = name {
                values.insert("site", n.to_string());
            }
        }
        if what == What::Sites && !values.contains_key("client") {
            let c = o.get("client_id").and_then(Value::as_str).or_else(|| {
                o.get("client")
                    .and_then(|c| c.get("client_id"))
                    .and_then(Value::as_str)
            });
            if let Some(c) = c {
                values.insert("client", c.to_string());
            }
        }
        rows.push(Row {
            line: i + 1,
            values,
        });
    }
    if !unknown.is_empty() {
        return Err(unknown_columns(what, &unknown));
    }
    Ok(rows)
}

/// `a;b|c` → `[a, b, c]`; an export's `a, b` too when neither `;` nor `|` is there.
pub fn split_sources(s: &str) -> Vec<String> {
    let parts: Vec<&str> = if s.contains(';') || s.contains('|') {
        s.split([';', '|']).collect()
    } else {
        s.split(", ").collect()
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The site a row names: by id, or by name with accents and case aside.
fn site_for<'a>(sites: &'a [SiteSummary], key: &str) -> Result<&'a SiteSummary, String> {
    if let Some(s) = sites.iter().find(|s| s.site_id == key.trim()) {
        return Ok(s);
    }
    let want = fold(key.trim()).to_lowercase();
    let hits: Vec<&SiteSummary> = sites
        .iter()
        .filter(|s| fold(s.name.trim()).to_lowercase() == want)
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no site '{}'", crate::text::sanitize(key))),
        _ => Err(format!(
            "several sites are named '{}': use its id",
            crate::text::sanitize(key)
        )),
    }
}

/// The checked values of an equipement row (the form's rules), or what is wrong. Values
/// are never quoted back when they are secrets.
struct Checked {
    ip: String,
    port: i64,
    marque: String,
    modele: String,
    sources: Vec<String>,
    username: String,
    password: Option<String>,
    description: String,
}

/// What blocks a row is what blocks the form: a required value missing, a value that
/// cannot be sent in its type (a port that is not a number). What no API states (an IP's
/// format, the port's range, lengths) is advice, as in the form: said in the plan, and the
/// server's own refusal decides.
fn check_equipement(r: &Row) -> Result<(Checked, Vec<String>), String> {
    let get = |k: &str| {
        r.values
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut bad = Vec::new();
    let mut advice = Vec::new();
    let ip = get("ip");
    if ip.is_empty() {
        bad.push("ip: required".to_string());
    } else if ip.parse::<std::net::IpAddr>().is_err() {
        advice.push(format!(
            "ip: '{}' does not look like an IP address",
            crate::text::sanitize(&ip)
        ));
    }
    let port = get("port");
    let port_n = port.parse::<i64>().ok();
    if port.is_empty() {
        bad.push("port: required".into());
    } else if port_n.is_none() {
        bad.push(format!(
            "port: '{}' is not a number",
            crate::text::sanitize(&port)
        ));
    } else if !port_n.is_some_and(|p| (1..=65535).contains(&p)) {
        advice.push(format!("port: {port} is outside 1–65535"));
    }
    for (k, label) in [("marque", "marque"), ("modele", "modele")] {
        let n = get(k).chars().count();
        if n == 0 {
            bad.push(format!("{label}: required"));
        } else if n > 100 {
            advice.push(format!("{label}: more than 100 characters"));
        }
    }
    if get("username").chars().count() > 200 {
        advice.push("username: more than 200 characters".into());
    }
    if r.values.get("description").map_or(0, |d| d.chars().count()) > 1000 {
        advice.push("description: more than 1000 characters".into());
    }
    if !bad.is_empty() {
        return Err(bad.join("; "));
    }
    let password = r
        .values
        .get("password")
        .filter(|p| p.as_str() != MASK && !p.chars().all(|c| c == '•' || c == '*'))
        .cloned();
    Ok((
        Checked {
            ip,
            port: port_n.unwrap_or_default(),
            marque: get("marque"),
            modele: get("modele"),
            sources: r
                .values
                .get("sources")
                .map(|s| split_sources(s))
                .unwrap_or_default(),
            username: r.values.get("username").cloned().unwrap_or_default(),
            password,
            description: r.values.get("description").cloned().unwrap_or_default(),
        },
        advice,
    ))
}

/// The plan for equipement rows. `site`: `--site` (it wins over the file's column);
/// `on_server`: each site's equipements as the server holds them now, by site id.
pub fn plan_equipements(
    rows: &[Row],
    site: Option<&SiteSummary>,
    sites: &[SiteSummary],
    on_server: &HashMap<String, Vec<Equipement>>,
    update: bool,
) -> Vec<Planned> {
    let mut seen: HashMap<(String, String, i64), usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let err = |message: String, label: String| Planned {
            line: r.line,
            action: Action::Error,
            message,
            id: None,
            label,
            send: None,
        };
        let target = match (site, r.values.get("site")) {
            (Some(s), _) => Ok(s),
            (None, Some(name)) => site_for(sites, name),
            (None, None) => Err("no site: give --site or a site column".to_string()),
        };
        let (c, advice) = match check_equipement(r) {
            Ok(c) => c,
            Err(why) => {
                let label = r.values.get("ip").cloned().unwrap_or_default();
                out.push(err(why, crate::text::sanitize(&label).into_owned()));
                continue;
            }
        };
        let site = match target {
            Ok(s) => s,
            Err(why) => {
                out.push(err(why, format!("{}:{}", c.ip, c.port)));
                continue;
            }
        };
        let label = format!(
            "{}:{} on {}",
            c.ip,
            c.port,
            crate::text::sanitize(&site.name)
        );
        let key = (site.site_id.clone(), c.ip.clone(), c.port);
        if let Some(first) = seen.get(&key) {
            out.push(err(
                format!("duplicate of line {first} (same IP:port on the site)"),
                label,
            ));
            continue;
        }
        seen.insert(key, r.line);
        let existing = on_server.get(&site.site_id).and_then(|v| {
            v.iter()
                .find(|e| e.ip.trim() == c.ip && e.port == Some(c.port))
        });
        let advice = if advice.is_empty() {
            String::new()
        } else {
            format!("warning: {} (the server decides)", advice.join("; "))
        };
        let Some(e) = existing else {
            out.push(Planned {
                line: r.line,
                action: Action::Create,
                message: advice,
                id: None,
                label,
                send: Some(Send::Create(Create::Equipement(NewEquipement {
                    ip: c.ip,
                    site_id: site.site_id.clone(),
                    marque: c.marque,
                    sources: c.sources,
                    port: c.port,
                    username: c.username,
                    password: c.password.unwrap_or_default(),
                    description: c.description,
                    modele: c.modele,
                }))),
            });
            continue;
        };
        // Already there: only what the file gives and differs is an update, each field
        // with the server's value as read (the change room compares it with the server's
        // value when it sends).
        let mut fields: Vec<FieldChange> = Vec::new();
        let mut diff = |key: &'static str, seen: serde_json::Value, wanted: serde_json::Value| {
            if !crate::change::same(key, &seen, &wanted) {
                fields.push(FieldChange::new(key, Some(seen), wanted));
            }
        };
        use serde_json::json;
        diff("marque", json!(e.marque.as_str()), json!(c.marque));
        diff("modele", json!(e.modele.as_str()), json!(c.modele));
        if r.values.contains_key("sources") {
            diff("sources", json!(e.sources.0), json!(c.sources));
        }
        if r.values.contains_key("username") {
            diff("username", json!(e.username.as_str()), json!(c.username));
        }
        if let Some(p) = &c.password {
            diff("password", json!(e.password.expose()), json!(p));
        }
        if r.values.contains_key("description") {
            diff(
                "description",
                json!(e.description.as_str()),
                json!(c.description),
            );
        }
        let what: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
        let id = Some(e.equipement_id.clone());
        out.push(if what.is_empty() {
            Planned {
                line: r.line,
                action: Action::Skip,
                message: "already on the server, unchanged".into(),
                id,
                label,
                send: None,
            }
        } else if update {
            Planned {
                line: r.line,
                action: Action::Update,
                message: format!("differs: {}", what.join(", ")),
                id,
                label,
                send: Some(Send::Edit {
                    kind: Kind::Equipement,
                    id: e.equipement_id.clone(),
                    site: Some(site.site_id.clone()),
                    fields,
                }),
            }
        } else {
            Planned {
                line: r.line,
                action: Action::Skip,
                message: format!(
                    "already on the server ({} differ: --update sends them)",
                    what.join(", ")
                ),
                id,
                label,
                send: None,
            }
        });
    }
    out
}

/// The plan for site rows: a site is the same when its name (accents and case aside) and
/// client are; `clients`: (client id, name) pairs known.
pub fn plan_sites(
    rows: &[Row],
    sites: &[SiteSummary],
    clients: &[(String, String)],
    update: bool,
) -> Vec<Planned> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        let get = |k: &str| {
            r.values
                .get(k)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let name = get("name");
        let label = crate::text::sanitize(&name).into_owned();
        let err = |message: String| Planned {
            line: r.line,
            action: Action::Error,
            message,
            id: None,
            label: label.clone(),
            send: None,
        };
        let mut bad = Vec::new();
        if name.is_empty() || name.chars().count() > 200 {
            bad.push("name: 1 to 200 characters".to_string());
        }
        let num = |k: &str, lim: f64| -> Result<f64, String> {
            let v = get(k).replace(',', ".");
            match v.parse::<f64>() {
                Ok(x) if x.abs() <= lim => Ok(x),
                _ => Err(format!(
                    "{k}: '{}' is not in ±{lim}",
                    crate::text::sanitize(&v)
                )),
            }
        };
        let lon = num("longitude", 180.0).map_err(|e| bad.push(e)).ok();
        let lat = num("latitude", 90.0).map_err(|e| bad.push(e)).ok();
        let client = get("client");
        let client_id = clients
            .iter()
            .find(|(id, n)| *id == client || fold(n).to_lowercase() == fold(&client).to_lowercase())
            .map(|(id, _)| id.clone());
        if client_id.is_none() {
            bad.push(format!(
                "client: no client '{}'",
                crate::text::sanitize(&client)
            ));
        }
        if !bad.is_empty() {
            out.push(err(bad.join("; ")));
            continue;
        }
        let client_id = client_id.unwrap_or_default();
        let key = (client_id.clone(), fold(&name).to_lowercase());
        if let Some(first) = seen.get(&key) {
            out.push(err(format!(
                "duplicate of line {first} (same name and client)"
            )));
            continue;
        }
        seen.insert(key, r.line);
        let (lon, lat) = (lon.unwrap_or_default(), lat.unwrap_or_default());
        let description = r.values.get("description").cloned().unwrap_or_default();
        // The client read from either shape: `client_id`, or the nested `client` the
        // swagger shows.
        let existing = sites.iter().find(|s| {
            s.client_id() == Some(client_id.as_str())
                && fold(s.name.trim()).to_lowercase() == fold(&name).to_lowercase()
        });
        let Some(s) = existing else {
            out.push(Planned {
                line: r.line,
                action: Action::Create,
                message: String::new(),
                id: None,
                label,
                send: Some(Send::Create(Create::Site(NewSite {
                    client_id,
                    name,
                    longitude: lon,
                    latitude: lat,
                    description,
                }))),
            });
            continue;
        };
        let mut fields: Vec<FieldChange> = Vec::new();
        let mut what = Vec::new();
        if s.longitude != Some(lon) {
            fields.push(FieldChange::new(
                "longitude",
                Some(serde_json::json!(s.longitude)),
                serde_json::json!(lon),
            ));
            what.push("longitude");
        }
        if s.latitude != Some(lat) {
            fields.push(FieldChange::new(
                "latitude",
                Some(serde_json::json!(s.latitude)),
                serde_json::json!(lat),
            ));
            what.push("latitude");
        }
        if r.values.contains_key("description") && s.description != description {
            fields.push(FieldChange::new(
                "description",
                Some(serde_json::json!(s.description)),
                serde_json::json!(description),
            ));
            what.push("description");
        }
        let id = Some(s.site_id.clone());
        let (action, message, send) = match (what.is_empty(), update) {
            (true, _) => (
                Action::Skip,
                "already on the server, unchanged".into(),
                None,
            ),
            (false, true) => (
                Action::Update,
                format!("differs: {}", what.join(", ")),
                Some(Send::Edit {
                    kind: Kind::Site,
                    id: s.site_id.clone(),
                    site: None,
                    fields,
                }),
            ),
            (false, false) => (
                Action::Skip,
                format!(
                    "already on the server ({} differ: --update sends them)",
                    what.join(", ")
                ),
                None,
            ),
        };
        out.push(Planned {
            line: r.line,
            action,
            message,
            id,
            label,
            send,
        });
    }
    out
}

/// Counts by action, for the summary line.
pub fn counts(plan: &[Planned]) -> BTreeMap<Action, usize> {
    let mut c = BTreeMap::new();
    for p in plan {
        *c.entry(p.action).or_default() += 1;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_semicolon_csv_with_bom_and_an_unknown_column() {
        let text = "\u{feff}adresse IP;Port;Marque;Modèle;Sources;Mot de passe\n10.0.0.1;80;Axis;P1;a;b|c;s3cret\n";
        let rows = read(What::Equipements, text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].values["ip"], "10.0.0.1");
        assert_eq!(rows[0].values["modele"], "P1");
        let bad = "ip;port;couleur\n1.1.1.1;80;rouge\n";
        let e = read(What::Equipements, bad.as_bytes()).unwrap_err();
        assert!(
            e.contains("couleur") && e.contains("nothing was sent"),
            "{e}"
        );
    }

    #[test]
    fn rows_are_checked_and_a_password_is_never_quoted() {
        let row = |pairs: &[(&'static str, &str)]| Row {
            line: 2,
            values: pairs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        };
        let e = check_equipement(&row(&[
            ("ip", "10.0.0.999"),
            ("port", "x"),
            ("password", "hunter2"),
        ]))
        .err()
        .unwrap();
        assert!(e.contains("port") && e.contains("marque"), "{e}");
        assert!(!e.contains("hunter2"));
        // What no API states is advice, as in the form: the server decides.
        let (_, advice) = check_equipement(&row(&[
            ("ip", "camera-12"),
            ("port", "99999"),
            ("marque", "Axis"),
            ("modele", "Q"),
        ]))
        .unwrap();
        assert!(
            advice.iter().any(|a| a.contains("ip")) && advice.iter().any(|a| a.contains("port")),
            "{advice:?}"
        );
        let (ok, _) = check_equipement(&row(&[
            ("ip", "10.0.0.9"),
            ("port", "554"),
            ("marque", "Axis"),
            ("modele", "Q"),
            ("password", MASK),
        ]))
        .unwrap();
        assert_eq!(ok.password, None, "an export's mask is no password");
        assert_eq!(split_sources("a; b|c"), ["a", "b", "c"]);
        assert_eq!(
            split_sources("rtsp://x, http://y"),
            ["rtsp://x", "http://y"]
        );
    }
}

/// `vigie import`'s options.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub what: What,
    /// A CSV (`,` or `;`, UTF-8) or the JSON `vigie list -o json` writes.
    pub file: std::path::PathBuf,
    /// The site every row goes to (name or id; wins over a `site` column).
    #[arg(long)]
    pub site: Option<String>,
    /// Print the plan (row, action, message) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rows already on the server are updated (only what differs is sent) instead of skipped.
    #[arg(long)]
    pub update: bool,
    /// Write a CSV report: row, action, id, result, message.
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
    /// Requests in flight at once (1–16).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

/// What became of a planned row once run.
#[derive(Debug, Clone)]
pub struct Done {
    pub id: Option<String>,
    /// `ok`, `failed`, `skipped` (skip), `not sent` (error).
    pub result: &'static str,
    pub message: String,
    /// What the change room journals for it.
    pub entry: Option<crate::journal::Entry>,
}

/// Reads the file and builds the plan against the server as it is now.
pub async fn plan(
    core: &crate::api::core::CoreClient,
    a: &ImportArgs,
) -> Result<Vec<Planned>, String> {
    plan_file(core, a.what, &a.file, a.site.as_deref(), a.update).await
}

/// The plan of a file: `site` (name or id) wins over the file's site column.
pub async fn plan_file(
    core: &crate::api::core::CoreClient,
    what: What,
    file: &std::path::Path,
    site: Option<&str>,
    update: bool,
) -> Result<Vec<Planned>, String> {
    let e = |e: crate::api::ApiError| e.to_string();
    let meta =
        std::fs::metadata(file).map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} is over {} MB: split it",
            file.display(),
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let bytes =
        std::fs::read(file).map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    let rows = read(what, &bytes)?;
    let sites = core.list_site_summaries().await.map_err(e)?;
    Ok(match what {
        What::Equipements => {
            let site = match site {
                Some(k) => Some(site_for(&sites, k)?.clone()),
                None => None,
            };
            // Each site the file names, read once.
            let mut ids: Vec<String> = match &site {
                Some(s) => vec![s.site_id.clone()],
                None => rows
                    .iter()
                    .filter_map(|r| r.values.get("site"))
                    .filter_map(|k| site_for(&sites, k).ok())
                    .map(|s| s.site_id.clone())
                    .collect(),
            };
            ids.sort();
            ids.dedup();
            let mut on_server = HashMap::new();
            for id in ids {
                let items = core.all_site_equipements(&id).await.map_err(e)?;
                on_server.insert(id, items);
            }
            plan_equipements(&rows, site.as_ref(), &sites, &on_server, update)
        }
        What::Sites => {
            let mut clients: Vec<(String, String)> = sites
                .iter()
                .filter_map(|s| {
                    let id = s.client_id()?.to_string();
                    let nom = s.client.as_ref().map(|c| c.nom.clone()).unwrap_or_default();
                    Some((id, nom))
                })
                .collect();
            clients.sort();
            clients.dedup();
            plan_sites(&rows, &sites, &clients, update)
        }
    })
}

/// Sends the plan's rows through the change room, `concurrency` at a time; a create is
/// never retried. `progress` is called after each answer with (done, to send). `who`
/// and `batch` go to each row's journal entry.
pub async fn run_plan(
    clients: &crate::change::Clients,
    plan: &[Planned],
    concurrency: usize,
    who: &str,
    batch: Option<u64>,
    mut progress: impl FnMut(usize, usize),
) -> Vec<Done> {
    use futures::StreamExt;
    let mut out: Vec<Done> = plan
        .iter()
        .map(|p| Done {
            id: p.id.clone(),
            result: match p.action {
                Action::Error => "not sent",
                _ => "skipped",
            },
            message: p.message.clone(),
            entry: None,
        })
        .collect();
    let todo: Vec<(usize, Change)> = plan
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let mut c = p.send.as_ref()?.change(&p.label);
            c.who = who.to_string();
            c.batch = batch;
            Some((i, c))
        })
        .collect();
    let total = todo.len();
    let mut answers = futures::stream::iter(
        todo.into_iter()
            .map(|(i, c)| async move { (i, crate::change::execute(clients, c).await) }),
    )
    .buffer_unordered(concurrency.clamp(1, 16));
    let mut n = 0;
    while let Some((i, r)) = answers.next().await {
        n += 1;
        out[i] = done(&plan[i], r);
        progress(n, total);
    }
    out
}

/// What a row's change did, for the report and the exit code.
fn done(p: &Planned, r: Result<crate::change::Outcome, crate::api::ApiError>) -> Done {
    use crate::change::Verdict;
    let failed = |message: String| Done {
        id: p.id.clone(),
        result: "failed",
        message: crate::text::sanitize(&message).into_owned(),
        entry: None,
    };
    let o = match r {
        Ok(o) => o,
        Err(e) => return failed(e.to_string()),
    };
    let id = (!o.id.is_empty()).then(|| o.id.clone()).or(p.id.clone());
    match &o.verdict {
        Verdict::Conflict(c) => {
            let keys: Vec<&str> = c.iter().map(|x| x.key.as_str()).collect();
            failed(format!(
                "changed on the server since the plan was made ({}): not sent, run it again",
                keys.join(", ")
            ))
        }
        Verdict::Gone => failed("deleted on the server since the plan was made".into()),
        Verdict::Unchanged => Done {
            id,
            result: "ok",
            message: "already so on the server".into(),
            entry: None,
        },
        Verdict::Applied => {
            let missed = crate::change::not_applied_words(&o, |k| k.to_string());
            Done {
                id,
                result: if missed.is_some() { "failed" } else { "ok" },
                message: crate::text::sanitize(&missed.unwrap_or_else(|| p.message.clone()))
                    .into_owned(),
                entry: o.entry,
            }
        }
    }
}

/// The report: a line per row (row, action, id, result, message), formulas and controls
/// neutralised, no password anywhere.
pub fn report(plan: &[Planned], done: Option<&[Done]>) -> Vec<u8> {
    let mut buf = Vec::new();
    let rows: Vec<Vec<String>> = plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let d = done.and_then(|d| d.get(i));
            vec![
                p.line.to_string(),
                p.action.name().to_string(),
                d.and_then(|d| d.id.clone())
                    .or(p.id.clone())
                    .unwrap_or_default(),
                d.map_or("planned", |d| d.result).to_string(),
                format!(
                    "{}{}{}",
                    p.label,
                    if p.label.is_empty() { "" } else { ": " },
                    d.map_or(p.message.as_str(), |d| d.message.as_str())
                ),
            ]
        })
        .collect();
    let _ = crate::text::write_csv_rows(
        &mut buf,
        ["row", "action", "id", "result", "message"].into_iter(),
        rows.iter(),
    );
    buf
}
