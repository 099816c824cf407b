//! The individus routes. Each individu is kept as the whole JSON body it was sent with (unknown
//! keys included), beside the columns the server needs to look it up.

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::super::AppState;
use super::super::db::is_unique_violation;
use super::dates::{AFFECTATION_PATTERN, ISO_PATTERN, format_iso, parse_affectation, parse_iso};
use super::{Caller, OceanBody, OceanError, OceanResult, Params, with_db};

const CRITERIA: [&str; 5] = [
    "WITHOUT_USER",
    "WITH_USER",
    "WITH_ENTITE",
    "WITH_GSM",
    "WITH_VEHICLE",
];

/// A JSON value as an error message quotes it: strings in single quotes, the rest as JSON.
fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

fn bad_date(path: &str, v: &Value, pattern: &str) -> OceanError {
    OceanError::bad_request(format!(
        "{path}: {} is not a date (expected {pattern})",
        quoted(v)
    ))
}

fn not_found(id: i64) -> OceanError {
    OceanError::bad_request(format!("Individu {id} introuvable"))
}

/// An id: a JSON number or a numeric string; `null`, `""` or absent is none.
fn id_at(v: Option<&Value>, path: &str) -> OceanResult<Option<i64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| not_a_number(path, v)),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| not_a_number(path, v)),
        Some(_) => Err(not_a_number(path, v)),
    }
}

fn not_a_number(path: &str, v: Option<&Value>) -> OceanError {
    OceanError::bad_request(format!(
        "{path}: {} is not a number",
        quoted(v.unwrap_or(&Value::Null))
    ))
}

/// An optional string field of an object.
fn str_at<'a>(obj: &'a Value, key: &str, path: &str) -> OceanResult<Option<&'a str>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(OceanError::bad_request(format!("{path}: must be a string"))),
    }
}

/// A string field that holds something once trimmed.
fn filled<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Whether a key names a date: `dateFCO`, `dateFinValidite`, `startDate`, ...
fn is_date_key(k: &str) -> bool {
    k.starts_with("date") || k.ends_with("Date")
}

/// Every date anywhere in the body must be [`ISO_PATTERN`], `null` or `""`.
fn check_dates(v: &Value, path: &str) -> OceanResult<()> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) => m.iter().try_for_each(|(k, v)| {
            if is_date_key(k) {
                match v {
                    Value::Null => Ok(()),
                    Value::String(s) if s.is_empty() || parse_iso(s).is_some() => Ok(()),
                    other => Err(bad_date(&join(k), other, ISO_PATTERN)),
                }
            } else {
                check_dates(v, &join(k))
            }
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, it)| check_dates(it, &format!("{path}[{i}]"))),
        _ => Ok(()),
    }
}

fn check_civilite(individu: &Value, path: &str) -> OceanResult<()> {
    match individu.get("idCivilite") {
        None | Some(Value::Null) => Ok(()),
        Some(v) if v.as_i64().is_some_and(|n| (0..=3).contains(&n)) => Ok(()),
        Some(v) => Err(OceanError::bad_request(format!(
            "{path}.idCivilite: {} is not one of 0 (unset), 1 (MR), 2 (MME), 3 (MLLE)",
            quoted(v)
        ))),
    }
}

/// What the server reads from a create/update body, once the body is known to be valid.
#[derive(Debug)]
pub(super) struct Checked {
    id: Option<i64>,
    nom: String,
    prenom: String,
    matricule: Option<String>,
    entite: Option<i64>,
}

pub(super) fn check(body: &Value) -> OceanResult<Checked> {
    if !body.is_object() {
        return Err(OceanError::bad_request("The body must be a JSON object"));
    }
    for key in [
        "individu",
        "entite",
        "utilisateur",
        "groupe",
        "propSpecifiqueDTO",
        "vehicleFieldsDTO",
    ] {
        match body.get(key) {
            None | Some(Value::Null | Value::Object(_)) => {}
            Some(_) => return Err(OceanError::bad_request(format!("{key}: must be an object"))),
        }
    }
    if !matches!(
        body.get("fonctionnalites"),
        None | Some(Value::Null | Value::Array(_))
    ) {
        return Err(OceanError::bad_request("fonctionnalites: must be an array"));
    }
    let individu = body
        .get("individu")
        .filter(|v| v.is_object())
        .ok_or_else(|| OceanError::bad_request("individu: must not be null"))?;
    let required = |key: &str| -> OceanResult<String> {
        let path = format!("individu.{key}");
        str_at(individu, key, &path)?
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| OceanError::bad_request(format!("{path}: must not be blank")))
    };
    let (nom, prenom) = (required("nomInd")?, required("prenomInd")?);
    let matricule = str_at(individu, "matriculeInd", "individu.matriculeInd")?
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    check_civilite(individu, "individu")?;
    // No address format is stated: an address is any text (a real Ocean stores `email`).
    str_at(individu, "email", "individu.email")?;
    if let Some(u) = body.get("utilisateur").filter(|u| u.is_object()) {
        str_at(u, "loginUti", "utilisateur.loginUti")?;
        str_at(u, "emailUti", "utilisateur.emailUti")?;
        if let Some(i) = u.get("individu").filter(|i| i.is_object()) {
            check_civilite(i, "utilisateur.individu")?;
        }
    }
    check_dates(body, "")?;
    Ok(Checked {
        id: id_at(individu.get("id"), "individu.id")?,
        nom,
        prenom,
        matricule,
        entite: id_at(body.get("entite").and_then(|e| e.get("id")), "entite.id")?,
    })
}

/// The name of an entity of `customer`; `field` is where its id was read.
fn entity_name(c: &Connection, customer: i64, id: i64, field: &str) -> OceanResult<String> {
    c.query_row(
        "SELECT nom FROM ocean_entites WHERE id = ?1 AND customer_id = ?2",
        params![id, customer],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| OceanError::bad_request(format!("{field}: entité {id} introuvable")))
}

fn object<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    v.get_mut(key).and_then(Value::as_object_mut)
}

/// Writes the server's ids into a body: the individu's (twice), the entity's as a number and
/// its name when the body has none.
fn stamp(body: &mut Value, id: i64, entite: Option<(i64, &str)>) {
    if let Some(i) = object(body, "individu") {
        i.insert("id".into(), json!(id));
    }
    if let Some(i) = object(body, "utilisateur").and_then(|u| u.get_mut("individu")) {
        if let Some(i) = i.as_object_mut() {
            i.insert("id".into(), json!(id));
        }
    }
    if let (Some((eid, nom)), Some(e)) = (entite, object(body, "entite")) {
        e.insert("id".into(), json!(eid));
        if e.get("nom")
            .and_then(Value::as_str)
            .is_none_or(|n| n.trim().is_empty())
        {
            e.insert("nom".into(), json!(nom));
        }
    }
}

fn matricule_taken(e: rusqlite::Error, matricule: Option<&str>) -> OceanError {
    if is_unique_violation(&e) {
        OceanError::bad_request(format!(
            "individu.matriculeInd: le matricule {} est déjà utilisé",
            matricule.unwrap_or_default()
        ))
    } else {
        e.into()
    }
}

/// Stores a new individu of `customer` (the body already checked); answers its id.
pub(super) fn insert(
    c: &mut Connection,
    customer: i64,
    mut body: Value,
    checked: &Checked,
) -> OceanResult<i64> {
    let tx = c.transaction()?;
    let entite = match checked.entite {
        Some(id) => Some((id, entity_name(&tx, customer, id, "entite.id")?)),
        None => None,
    };
    tx.execute(
        "INSERT INTO ocean_individus(customer_id, nom, prenom, matricule, body)
         VALUES (?1, ?2, ?3, ?4, '{}')",
        params![customer, checked.nom, checked.prenom, checked.matricule],
    )
    .map_err(|e| matricule_taken(e, checked.matricule.as_deref()))?;
    let id = tx.last_insert_rowid();
    stamp(
        &mut body,
        id,
        entite.as_ref().map(|(i, n)| (*i, n.as_str())),
    );
    tx.execute(
        "UPDATE ocean_individus SET body = ?1 WHERE id = ?2",
        params![body.to_string(), id],
    )?;
    tx.commit()?;
    Ok(id)
}

fn load(c: &Connection, customer: i64, id: i64) -> OceanResult<Value> {
    let text: String = c
        .query_row(
            "SELECT body FROM ocean_individus WHERE id = ?1 AND customer_id = ?2",
            params![id, customer],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| not_found(id))?;
    serde_json::from_str(&text).map_err(OceanError::internal)
}

fn save(c: &Connection, id: i64, body: &Value, checked: &Checked) -> OceanResult<()> {
    c.execute(
        "UPDATE ocean_individus SET nom = ?1, prenom = ?2, matricule = ?3, body = ?4 WHERE id = ?5",
        params![
            checked.nom,
            checked.prenom,
            checked.matricule,
            body.to_string(),
            id
        ],
    )
    .map_err(|e| matricule_taken(e, checked.matricule.as_deref()))?;
    Ok(())
}

fn answer(id: i64, done: &str) -> Json<Value> {
    Json(json!([{ "oceanStatus": "SUCCESS", "message": format!("Individu {id} {done}") }]))
}

fn matches(body: &Value, criteria: &str) -> bool {
    let has_user = body
        .get("utilisateur")
        .is_some_and(|u| filled(u, "loginUti").is_some());
    match criteria {
        "WITHOUT_USER" => !has_user,
        "WITH_USER" => has_user,
        "WITH_ENTITE" => body
            .get("entite")
            .and_then(|e| id_at(e.get("id"), "").ok().flatten())
            .is_some(),
        "WITH_GSM" => body
            .get("individu")
            .is_some_and(|i| filled(i, "gsm").is_some()),
        "WITH_VEHICLE" => body
            .get("vehicleFieldsDTO")
            .is_some_and(|v| filled(v, "immatriculation").is_some()),
        _ => true,
    }
}

/// `POST individus/list?customerId=&criteria=`.
pub async fn list(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> OceanResult<Json<Value>> {
    let params = Params::new(query);
    let customer = caller.customer(&params)?;
    let criteria = params
        .get("criteria")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            CRITERIA.iter().find(|k| **k == c).copied().ok_or_else(|| {
                OceanError::bad_request(format!(
                    "criteria: '{c}' is not one of {}",
                    CRITERIA.join(", ")
                ))
            })
        })
        .transpose()?;
    with_db(&st, move |c| {
        let mut s = c.prepare_cached(
            "SELECT id, body FROM ocean_individus WHERE customer_id = ?1 ORDER BY id",
        )?;
        let rows = s
            .query_map([customer], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, text) in rows {
            let mut body: Value = serde_json::from_str(&text).map_err(OceanError::internal)?;
            if criteria.is_none_or(|k| matches(&body, k)) {
                stamp(&mut body, id, None);
                out.push(body);
            }
        }
        Ok(Json(Value::Array(out)))
    })
    .await
}

/// An optional ISO date of the query string.
fn iso_param(params: &Params, name: &str) -> OceanResult<Option<DateTime<FixedOffset>>> {
    date_param(params, name, parse_iso, ISO_PATTERN)
}

/// An optional date of the query string, in the format `parse` reads.
fn date_param(
    params: &Params,
    name: &str,
    parse: fn(&str) -> Option<DateTime<FixedOffset>>,
    pattern: &str,
) -> OceanResult<Option<DateTime<FixedOffset>>> {
    let Some(v) = params.get(name).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    parse(v).map(Some).ok_or_else(|| {
        let mut e = bad_date(name, &json!(v), pattern);
        // A raw `+` of the zone reads as a space in a query string.
        let plus = v.rfind(' ').map(|i| format!("{}+{}", &v[..i], &v[i + 1..]));
        if plus.is_some_and(|p| parse(&p).is_some()) {
            e.message
                .push_str("; a '+' in a query string must be sent as %2B");
        }
        e
    })
}

fn period(start: Option<&DateTime<FixedOffset>>, end: Option<&DateTime<FixedOffset>>) -> Value {
    json!({ "startDate": start.map(format_iso), "endDate": end.map(format_iso) })
}

/// `POST individus/create?customerId=&entityStart=&entityEnd=`.
pub async fn create(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: OceanBody,
) -> OceanResult<Json<Value>> {
    caller.require_write("individus/create")?;
    let params = Params::new(query);
    let customer = caller.customer(&params)?;
    let start = iso_param(&params, "entityStart")?;
    let end = iso_param(&params, "entityEnd")?;
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        return Err(OceanError::bad_request("entityEnd is before entityStart"));
    }
    let mut body = body.object()?;
    let checked = check(&body)?;
    if checked.entite.is_some() && (start.is_some() || end.is_some()) {
        body["periodeEntite"] = period(start.as_ref(), end.as_ref());
    }
    let id = with_db(&st, move |c| insert(c, customer, body, &checked)).await?;
    Ok(answer(id, "créé"))
}

/// `POST individus/update?customerId=`: the whole body replaces the stored one.
pub async fn update(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: OceanBody,
) -> OceanResult<Json<Value>> {
    caller.require_write("individus/update")?;
    let customer = caller.customer(&Params::new(query))?;
    let mut body = body.object()?;
    let checked = check(&body)?;
    let id = checked
        .id
        .ok_or_else(|| OceanError::bad_request("individu.id: must not be blank"))?;
    with_db(&st, move |c| {
        let tx = c.transaction()?;
        let old = load(&tx, customer, id)?;
        let entite = match checked.entite {
            Some(eid) => Some((eid, entity_name(&tx, customer, eid, "entite.id")?)),
            None => None,
        };
        // A body that leaves the assignment out keeps it while the entity stays the same.
        let same_entite = old
            .get("entite")
            .and_then(|e| id_at(e.get("id"), "").ok().flatten())
            == checked.entite;
        if body.get("periodeEntite").is_none()
            && same_entite
            && let Some(p) = old.get("periodeEntite")
        {
            body["periodeEntite"] = p.clone();
        }
        stamp(
            &mut body,
            id,
            entite.as_ref().map(|(i, n)| (*i, n.as_str())),
        );
        save(&tx, id, &body, &checked)?;
        tx.commit()?;
        Ok(())
    })
    .await?;
    Ok(answer(id, "modifié"))
}

/// `POST individus/delete?individuId=&customerId=`; the doc's other parameters are ignored.
pub async fn delete(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> OceanResult<Json<Value>> {
    caller.require_write("individus/delete")?;
    let params = Params::new(query);
    let customer = caller.customer(&params)?;
    let id = params.req_int("individuId")?;
    with_db(&st, move |c| {
        let n = c.execute(
            "DELETE FROM ocean_individus WHERE id = ?1 AND customer_id = ?2",
            params![id, customer],
        )?;
        if n == 0 {
            return Err(not_found(id));
        }
        Ok(Json(json!(true)))
    })
    .await
}

/// `POST individus/affectation-entite/add?individuId=&entiteId=&startDate=&endDate=`.
pub async fn affectation(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> OceanResult<Json<Value>> {
    caller.require_write("individus/affectation-entite/add")?;
    let params = Params::new(query);
    let customer = caller.customer(&params)?;
    let id = params.req_int("individuId")?;
    let entite = params.req_int("entiteId")?;
    let start = date_param(&params, "startDate", parse_affectation, AFFECTATION_PATTERN)?
        .ok_or_else(|| OceanError::bad_request("startDate is required"))?;
    let end = date_param(&params, "endDate", parse_affectation, AFFECTATION_PATTERN)?;
    if end.is_some_and(|e| e < start) {
        return Err(OceanError::bad_request("endDate is before startDate"));
    }
    with_db(&st, move |c| {
        let tx = c.transaction()?;
        let nom = entity_name(&tx, customer, entite, "entiteId")?;
        let mut body = load(&tx, customer, id)?;
        let checked = check(&body)?;
        body["entite"] = json!({ "id": entite, "nom": nom, "suppressionLogique": false });
        body["periodeEntite"] = period(Some(&start), end.as_ref());
        save(&tx, id, &body, &checked)?;
        tx.commit()?;
        Ok(Json(json!({ "headers": {}, "body": true, "status": "OK" })))
    })
    .await
}

#[cfg(test)]
mod tests;
