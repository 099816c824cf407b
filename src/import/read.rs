//! Reading a file's rows: CSV or JSON, each column known by any of its names.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{MAX_ROWS, Row, What};
use crate::rows::fold;

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
