//! The plan of a file's rows: each checked with the form's rules and matched with what the
//! server holds.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Action, MASK, Planned, Row, Send, split_sources};
use crate::api::model::{Equipement, NewEquipement, NewSite, SiteSummary};
use crate::change::{Create, FieldChange, Kind};
use crate::rows::fold;

/// The site a row names: by id, or by name with accents and case aside.
pub(super) fn site_for<'a>(sites: &'a [SiteSummary], key: &str) -> Result<&'a SiteSummary, String> {
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
pub(super) struct Checked {
    ip: String,
    port: i64,
    marque: String,
    modele: String,
    sources: Vec<String>,
    username: String,
    pub(super) password: Option<String>,
    description: String,
}

/// What blocks a row is what blocks the form: a required value missing, a value that
/// cannot be sent in its type (a port that is not a number). What no API states (an IP's
/// format, the port's range, lengths) is advice, as in the form: said in the plan, and the
/// server's own refusal decides.
pub(super) fn check_equipement(r: &Row) -> Result<(Checked, Vec<String>), String> {
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
        out.push(plan_equipement(
            r, site, sites, on_server, update, &mut seen,
        ));
    }
    out
}

/// The plan for one equipement row; `seen`: the first line of each (site, IP, port) so far.
fn plan_equipement(
    r: &Row,
    site: Option<&SiteSummary>,
    sites: &[SiteSummary],
    on_server: &HashMap<String, Vec<Equipement>>,
    update: bool,
    seen: &mut HashMap<(String, String, i64), usize>,
) -> Planned {
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
            return err(why, crate::text::sanitize(&label).into_owned());
        }
    };
    let site = match target {
        Ok(s) => s,
        Err(why) => return err(why, format!("{}:{}", c.ip, c.port)),
    };
    let label = format!(
        "{}:{} on {}",
        c.ip,
        c.port,
        crate::text::sanitize(&site.name)
    );
    let key = (site.site_id.clone(), c.ip.clone(), c.port);
    if let Some(first) = seen.get(&key) {
        return err(
            format!("duplicate of line {first} (same IP:port on the site)"),
            label,
        );
    }
    seen.insert(key, r.line);
    let existing = on_server.get(&site.site_id).and_then(|v| {
        v.iter()
            .find(|e| e.ip.trim() == c.ip && e.port == Some(c.port))
    });
    let Some(e) = existing else {
        let advice = if advice.is_empty() {
            String::new()
        } else {
            format!("warning: {} (the server decides)", advice.join("; "))
        };
        return Planned {
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
        };
    };
    let fields = equipement_changes(r, &c, e);
    already_there(
        r.line,
        label,
        (
            Kind::Equipement,
            &e.equipement_id,
            Some(site.site_id.clone()),
        ),
        fields,
        update,
    )
}

/// Already there: only what the file gives and differs is an update, each field with the
/// server's value as read (the change room compares it with the server's value when it
/// sends).
fn equipement_changes(r: &Row, c: &Checked, e: &Equipement) -> Vec<FieldChange> {
    let mut fields: Vec<FieldChange> = Vec::new();
    let mut diff = |key: &'static str, seen: Value, wanted: Value| {
        if !crate::change::same(key, &seen, &wanted) {
            fields.push(FieldChange::new(key, Some(seen), wanted));
        }
    };
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
    fields
}

/// A row already on the server: skipped when nothing differs, updated with `--update`,
/// else skipped saying what differs. `record`: its kind, id and site.
fn already_there(
    line: usize,
    label: String,
    record: (Kind, &str, Option<String>),
    fields: Vec<FieldChange>,
    update: bool,
) -> Planned {
    let (kind, id, site) = record;
    let what: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    let (action, message) = match (what.is_empty(), update) {
        (true, _) => (Action::Skip, "already on the server, unchanged".to_string()),
        (false, true) => (Action::Update, format!("differs: {}", what.join(", "))),
        (false, false) => (
            Action::Skip,
            format!(
                "already on the server ({} differ: --update sends them)",
                what.join(", ")
            ),
        ),
    };
    let send = (action == Action::Update).then(|| Send::Edit {
        kind,
        id: id.to_string(),
        site,
        fields,
    });
    Planned {
        line,
        action,
        message,
        id: Some(id.to_string()),
        label,
        send,
    }
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
        out.push(plan_site(r, sites, clients, update, &mut seen));
    }
    out
}

/// The plan for one site row; `seen`: the first line of each (client, name) so far.
fn plan_site(
    r: &Row,
    sites: &[SiteSummary],
    clients: &[(String, String)],
    update: bool,
    seen: &mut HashMap<(String, String), usize>,
) -> Planned {
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
        return err(bad.join("; "));
    }
    let client_id = client_id.unwrap_or_default();
    let key = (client_id.clone(), fold(&name).to_lowercase());
    if let Some(first) = seen.get(&key) {
        return err(format!("duplicate of line {first} (same name and client)"));
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
        return Planned {
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
        };
    };
    let fields = site_changes(r, s, (lon, lat), &description);
    already_there(
        r.line,
        label,
        (Kind::Site, &s.site_id, None),
        fields,
        update,
    )
}

/// What differs from the site on the server: its position, and its description when the
/// file gives one.
fn site_changes(
    r: &Row,
    s: &SiteSummary,
    (lon, lat): (f64, f64),
    description: &str,
) -> Vec<FieldChange> {
    let mut fields: Vec<FieldChange> = Vec::new();
    if s.longitude != Some(lon) {
        fields.push(FieldChange::new(
            "longitude",
            Some(json!(s.longitude)),
            json!(lon),
        ));
    }
    if s.latitude != Some(lat) {
        fields.push(FieldChange::new(
            "latitude",
            Some(json!(s.latitude)),
            json!(lat),
        ));
    }
    if r.values.contains_key("description") && s.description != description {
        fields.push(FieldChange::new(
            "description",
            Some(json!(s.description)),
            json!(description),
        ));
    }
    fields
}

/// Counts by action, for the summary line.
pub fn counts(plan: &[Planned]) -> BTreeMap<Action, usize> {
    let mut c = BTreeMap::new();
    for p in plan {
        *c.entry(p.action).or_default() += 1;
    }
    c
}
