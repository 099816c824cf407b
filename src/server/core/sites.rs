//! Client sites, as the core lists them (with their client and equipements).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::super::auth::Caller;
use super::super::db::{new_id, now_ts};
use super::super::fastapi::{
    HttpError, HttpResult, PageBody, PathId, Validator, page_params, parse_json, path_uuid,
};
use super::super::{AppState, Body};
use super::{Q, not_found};

pub(super) const EQ_COLS: &str = "e.equipement_id, e.ip, e.marque, e.sources, e.port, e.username, e.password, \
                       e.description, e.modele, e.timestamp";
pub(super) const SITE_COLS: &str =
    "s.site_id, s.client_id, s.name, s.longitude, s.latitude, s.description, s.timestamp";

/// Sites (or the one `only` names) with their client and equipements, as `/client_site/all`
/// shows them.
fn read_sites(
    c: &Connection,
    only: Option<&str>,
    swagger: bool,
) -> HttpResult<Vec<ListedSiteWithEquipements>> {
    let filter = if only.is_some() {
        "WHERE s.site_id = ?1"
    } else {
        ""
    };
    let mut s = c.prepare_cached(&format!(
        "SELECT {SITE_COLS}, c.nom, c.code, c.timestamp FROM sites s
         JOIN clients c ON c.client_id = s.client_id {filter} ORDER BY s.rowid"
    ))?;
    let map = |r: &Row| {
        let mut site = listed_site(r, 0)?;
        if swagger {
            // The swagger's sites name their client inside `client` only.
            site.client_id = None;
        }
        Ok(ListedSiteWithEquipements {
            site,
            timestamp: r.get(6)?,
            client: ListedClient {
                client_id: r.get(1)?,
                nom: r.get(7)?,
                code: r.get(8)?,
                timestamp: r.get(9)?,
            },
            equipements: Vec::new(),
        })
    };
    let mut sites: Vec<ListedSiteWithEquipements> = match only {
        Some(id) => s.query_map([id], map)?.collect::<Result<_, _>>()?,
        None => s.query_map([], map)?.collect::<Result<_, _>>()?,
    };
    let index: std::collections::HashMap<String, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.site.site_id.clone(), i))
        .collect();
    let efilter = if only.is_some() {
        "WHERE e.site_id = ?1"
    } else {
        ""
    };
    let mut e = c.prepare_cached(&format!(
        "SELECT e.site_id, {EQ_COLS} FROM equipements e {efilter} ORDER BY e.rowid"
    ))?;
    let mut rows = match only {
        Some(id) => e.query([id])?,
        None => e.query([])?,
    };
    while let Some(r) = rows.next()? {
        let site_id: String = r.get(0)?;
        if let Some(&i) = index.get(&site_id) {
            sites[i].equipements.push(site_equipement(r, 1)?);
        }
    }
    Ok(sites)
}

/// The one site `site_id` names, as `/client_site/all` shows it.
fn read_site(
    c: &Connection,
    site_id: &str,
    swagger: bool,
) -> HttpResult<ListedSiteWithEquipements> {
    read_sites(c, Some(site_id), swagger)?
        .pop()
        .ok_or_else(|| not_found("Site"))
}

pub(super) fn site_exists(c: &Connection, site_id: &str) -> HttpResult<()> {
    let found: Option<i64> = c
        .query_row("SELECT 1 FROM sites WHERE site_id = ?1", [site_id], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or_else(|| not_found("Site"))
}

fn site_name_taken(c: &Connection, client_id: &str, name: &str, except: &str) -> HttpResult<()> {
    let taken: Option<String> = c
        .query_row(
            "SELECT site_id FROM sites WHERE client_id = ?1 AND name = ?2 AND site_id <> ?3",
            params![client_id, name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(HttpError::Conflict(format!(
            "This client already has a site named '{name}'"
        ))),
        None => Ok(()),
    }
}

pub(super) async fn register_site(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<ListedSiteWithEquipements>> {
    caller.require("client_site", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let client_id = v.req_uuid("client_id");
    let name = v.req_str("name", 1, 200);
    let longitude = v.req_float("longitude", -180.0, 180.0);
    let latitude = v.req_float("latitude", -90.0, 90.0);
    let description = v.opt_str("description", 0, 1000);
    v.finish()?;
    let (client_id, name) = (client_id.unwrap_or_default(), name.unwrap_or_default());
    st.db
        .call(move |c| {
            let found: Option<i64> = c
                .query_row("SELECT 1 FROM clients WHERE client_id = ?1", [&client_id], |r| r.get(0))
                .optional()?;
            found.ok_or_else(|| not_found("Client"))?;
            site_name_taken(c, &client_id, &name, "")?;
            let id = new_id();
            let ts = now_ts();
            c.execute(
                "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    client_id,
                    name,
                    longitude.unwrap_or_default(),
                    latitude.unwrap_or_default(),
                    description.clone().unwrap_or_default(),
                    ts
                ],
            )?;
            // The register answer names its client (as the swagger shows).
            let mut site = read_site(c, &id, false)?;
            site.site.client_id = Some(client_id);
            Ok(Json(site))
        })
        .await
}

/// A site as `/client_site/all` lists it, serialised straight from the rows (at 100,000
/// equipements a `Value` tree of the whole answer took most of a second and hundreds of
/// megabytes). Field order is the answer's.
#[derive(serde::Serialize)]
pub(super) struct ListedSiteWithEquipements {
    #[serde(flatten)]
    site: ListedSite,
    timestamp: String,
    client: ListedClient,
    equipements: Vec<SiteEquipement>,
}

#[derive(serde::Serialize)]
struct ListedClient {
    client_id: String,
    nom: String,
    code: i64,
    timestamp: String,
}

/// An equipement as the core routes answer it (`site_id` aside).
#[derive(serde::Serialize)]
pub(super) struct SiteEquipement {
    equipement_id: String,
    ip: String,
    marque: String,
    sources: Value,
    port: i64,
    username: String,
    password: String,
    description: String,
    modele: String,
    timestamp: String,
}

pub(super) fn site_equipement(r: &Row, base: usize) -> rusqlite::Result<SiteEquipement> {
    let sources: String = r.get(base + 3)?;
    Ok(SiteEquipement {
        equipement_id: r.get(base)?,
        ip: r.get(base + 1)?,
        marque: r.get(base + 2)?,
        sources: serde_json::from_str::<Value>(&sources).unwrap_or_else(|_| json!([])),
        port: r.get(base + 4)?,
        username: r.get(base + 5)?,
        password: r.get(base + 6)?,
        description: r.get(base + 7)?,
        modele: r.get(base + 8)?,
        timestamp: r.get(base + 9)?,
    })
}

/// Every site with every equipement: at 100,000 equipements 31 MB that take 0.4 s to read and
/// write, asked for by every console at start. Kept, as bytes, until a row changes.
pub(super) async fn all_sites(State(st): State<AppState>, caller: Caller) -> HttpResult<Response> {
    caller.require("client_site", "read")?;
    const ROUTE: &str = "/client_site/all";
    // Checked against commits made elsewhere too (another process on the same file).
    let generation = st.db.generation_now();
    let body = match st.db.kept_answer(ROUTE, generation) {
        Some(body) => body,
        None => {
            let swagger = st.cfg.is_like(crate::server::Like::Swagger);
            let body = bytes::Bytes::from(st.db.call(move |c| read_all_sites(c, swagger)).await?);
            st.db.keep_answer(ROUTE, generation, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `/client_site/all`'s answer, serialised.
fn read_all_sites(c: &mut Connection, swagger: bool) -> HttpResult<Vec<u8>> {
    let tx = c.transaction()?;
    let sites = read_sites(&tx, None, swagger)?;
    serde_json::to_vec(&sites).map_err(|e| HttpError::Internal(e.to_string()))
}

pub(super) async fn site_equipements(
    State(st): State<AppState>,
    caller: Caller,
    PathId(site_id): PathId,
    Query(q): Q,
) -> HttpResult<Json<PageBody<SiteEquipement>>> {
    caller.require("client_site", "read")?;
    // FastAPI reports path and query errors together.
    let (sid, pg) = (path_uuid("site_id", &site_id), page_params(&q));
    let (site_id, (page, size)) = match (sid, pg) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(HttpError::Validation(mut a)), Err(HttpError::Validation(b))) => {
            a.extend(b);
            return Err(HttpError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    st.db
        .call(move |c| {
            site_exists(c, &site_id)?;
            let total: i64 = c.query_row(
                "SELECT COUNT(*) FROM equipements WHERE site_id = ?1",
                [&site_id],
                |r| r.get(0),
            )?;
            let mut s = c.prepare_cached(&format!(
                "SELECT {EQ_COLS} FROM equipements e WHERE e.site_id = ?1
                 ORDER BY e.rowid LIMIT ?2 OFFSET ?3"
            ))?;
            let offset = (i64::from(page) - 1) * i64::from(size);
            let items = s
                .query_map(params![site_id, size, offset], |r| site_equipement(r, 0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(PageBody::new(items, total as u64, page, size)))
        })
        .await
}

pub(super) async fn update_site(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<ListedSiteWithEquipements>> {
    caller.require("client_site", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let site_id = v.req_uuid("site_id");
    let name = v.opt_str("name", 1, 200);
    let longitude = v.opt_float("longitude", -180.0, 180.0);
    let latitude = v.opt_float("latitude", -90.0, 90.0);
    let description = v.opt_str("description", 0, 1000);
    v.finish()?;
    let site_id = site_id.unwrap_or_default();
    let swagger = st.cfg.is_like(crate::server::Like::Swagger);
    st.db
        .call(move |c| {
            let client_id: String = c
                .query_row(
                    "SELECT client_id FROM sites WHERE site_id = ?1",
                    [&site_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("Site"))?;
            if let Some(n) = &name {
                site_name_taken(c, &client_id, n, &site_id)?;
            }
            c.execute(
                "UPDATE sites SET name = COALESCE(?1, name), longitude = COALESCE(?2, longitude),
                 latitude = COALESCE(?3, latitude), description = COALESCE(?4, description)
                 WHERE site_id = ?5",
                params![name, longitude, latitude, description, site_id],
            )?;
            Ok(Json(read_site(c, &site_id, swagger)?))
        })
        .await
}

pub(super) async fn delete_site(
    State(st): State<AppState>,
    caller: Caller,
    PathId(site_id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("client_site", "delete")?;
    let site_id = path_uuid("site_id", &site_id)?;
    st.db
        .call(move |c| {
            let name: String = c
                .query_row(
                    "SELECT name FROM sites WHERE site_id = ?1",
                    [&site_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("Site"))?;
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM equipements WHERE site_id = ?1",
                [&site_id],
                |r| r.get(0),
            )?;
            if n > 0 {
                return Err(HttpError::Conflict(format!(
                    "Site '{name}' still holds {n} equipement(s): delete or move them first"
                )));
            }
            c.execute("DELETE FROM sites WHERE site_id = ?1", [&site_id])?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

#[derive(serde::Serialize)]
pub(super) struct ListedSite {
    site_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    name: String,
    longitude: f64,
    latitude: f64,
    description: String,
}

pub(super) fn listed_site(r: &Row, base: usize) -> rusqlite::Result<ListedSite> {
    Ok(ListedSite {
        site_id: r.get(base)?,
        client_id: Some(r.get(base + 1)?),
        name: r.get(base + 2)?,
        longitude: r.get(base + 3)?,
        latitude: r.get(base + 4)?,
        description: r.get(base + 5)?,
    })
}
