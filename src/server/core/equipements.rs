//! Equipements: register, the paged list, update, delete.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::json;

use super::super::auth::Caller;
use super::super::db::{new_id, now_ts};
use super::super::fastapi::{
    HttpError, HttpResult, PageBody, PathId, Validator, page_params, parse_json, path_uuid,
};
use super::super::{AppState, Body};
use super::sites::{
    EQ_COLS, ListedSite, SITE_COLS, SiteEquipement, listed_site, site_equipement, site_exists,
};
use super::{Q, not_found};

/// An equipement as its create and update routes answer it: with its `site_id`.
#[derive(serde::Serialize)]
pub(super) struct EquipementWithSite {
    #[serde(flatten)]
    equipement: SiteEquipement,
    site_id: String,
}

fn load_equipement(c: &Connection, id: &str) -> HttpResult<EquipementWithSite> {
    c.query_row(
        &format!("SELECT {EQ_COLS}, e.site_id FROM equipements e WHERE e.equipement_id = ?1"),
        [id],
        |r| {
            Ok(EquipementWithSite {
                equipement: site_equipement(r, 0)?,
                site_id: r.get(10)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| not_found("Equipement"))
}

fn ip_port_taken(
    c: &Connection,
    site_id: &str,
    ip: &str,
    port: i64,
    except: &str,
) -> HttpResult<()> {
    let taken: Option<String> = c
        .query_row(
            "SELECT equipement_id FROM equipements
             WHERE site_id = ?1 AND ip = ?2 AND port = ?3 AND equipement_id <> ?4",
            params![site_id, ip, port, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(HttpError::Conflict(format!(
            "An equipement at {ip}:{port} already exists on this site"
        ))),
        None => Ok(()),
    }
}

pub(super) async fn register_equipement(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<EquipementWithSite>> {
    caller.require("equipements", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let ip = v.req_ip("ip");
    let site_id = v.req_uuid("site_id");
    let marque = v.req_str("marque", 1, 100);
    let sources = v.str_list("sources", false);
    let port = v.req_int("port", 1, 65535);
    let username = v.opt_str("username", 0, 200);
    let password = v.opt_str("password", 0, 200);
    let description = v.opt_str("description", 0, 1000);
    let modele = v.req_str("modele", 1, 100);
    v.finish()?;
    let (ip, site_id, port) = (
        ip.unwrap_or_default(),
        site_id.unwrap_or_default(),
        port.unwrap_or_default(),
    );
    st.db
        .call(move |c| {
            site_exists(c, &site_id)?;
            ip_port_taken(c, &site_id, &ip, port, "")?;
            let id = new_id();
            c.execute(
                "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username,
                 password, description, modele, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                params![
                    id,
                    site_id,
                    ip,
                    marque.unwrap_or_default(),
                    json!(sources.unwrap_or_default()).to_string(),
                    port,
                    username.unwrap_or_default(),
                    password.unwrap_or_default(),
                    description.unwrap_or_default(),
                    modele.unwrap_or_default(),
                    now_ts()
                ],
            )?;
            Ok(Json(load_equipement(c, &id)?))
        })
        .await
}

/// An equipement as `/equipements/all` lists it: with its site.
#[derive(serde::Serialize)]
pub(super) struct ListedEquipement {
    #[serde(flatten)]
    equipement: SiteEquipement,
    client_site: ListedSite,
}

fn listed_equipement(r: &Row) -> rusqlite::Result<ListedEquipement> {
    Ok(ListedEquipement {
        equipement: site_equipement(r, 0)?,
        client_site: listed_site(r, 10)?,
    })
}

pub(super) async fn all_equipements(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Q,
) -> HttpResult<Json<PageBody<ListedEquipement>>> {
    caller.require("equipements", "read")?;
    let (page, size) = page_params(&q)?;
    let db = st.db.clone();
    st.db
        .call(move |c| {
            // One snapshot for the count, the rowid range and the rows.
            let tx = c.transaction()?;
            let offset = (i64::from(page) - 1) * i64::from(size);
            let (total, bounds) = db.equipement_page(&tx, offset, i64::from(size))?;
            let items = match bounds {
                Some((first, last)) => {
                    let mut s = tx.prepare_cached(&format!(
                        "SELECT {EQ_COLS}, {SITE_COLS} FROM equipements e
                         JOIN sites s ON s.site_id = e.site_id
                         WHERE e.rowid BETWEEN ?1 AND ?2 ORDER BY e.rowid"
                    ))?;
                    s.query_map(params![first, last], listed_equipement)?
                        .collect::<Result<Vec<_>, _>>()?
                }
                None => Vec::new(),
            };
            Ok(Json(PageBody::new(items, total as u64, page, size)))
        })
        .await
}

pub(super) async fn update_equipement(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<EquipementWithSite>> {
    caller.require("equipements", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let id = v.req_uuid("equipement_id");
    let ip = v.opt_ip("ip");
    let site_id = if st.cfg.is_like(crate::server::Like::CoreNoMove)
        || st.cfg.is_like(crate::server::Like::Swagger)
    {
        None
    } else {
        v.opt_uuid("site_id")
    };
    let marque = v.opt_str("marque", 1, 100);
    let sources = v.str_list("sources", false);
    let port = v.opt_int("port", 1, 65535);
    let username = v.opt_str("username", 0, 200);
    let password = v.opt_str("password", 0, 200);
    let description = v.opt_str("description", 0, 1000);
    let modele = v.opt_str("modele", 1, 100);
    v.finish()?;
    let id = id.unwrap_or_default();
    st.db
        .call(move |c| {
            let (cur_site, cur_ip, cur_port): (String, String, i64) = c
                .query_row(
                    "SELECT site_id, ip, port FROM equipements WHERE equipement_id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| not_found("Equipement"))?;
            if let Some(s) = &site_id {
                site_exists(c, s)?;
            }
            ip_port_taken(
                c,
                site_id.as_deref().unwrap_or(&cur_site),
                ip.as_deref().unwrap_or(&cur_ip),
                port.unwrap_or(cur_port),
                &id,
            )?;
            c.execute(
                "UPDATE equipements SET ip = COALESCE(?1, ip), site_id = COALESCE(?2, site_id),
                 marque = COALESCE(?3, marque), sources = COALESCE(?4, sources),
                 port = COALESCE(?5, port), username = COALESCE(?6, username),
                 password = COALESCE(?7, password), description = COALESCE(?8, description),
                 modele = COALESCE(?9, modele) WHERE equipement_id = ?10",
                params![
                    ip,
                    site_id,
                    marque,
                    sources.map(|s| json!(s).to_string()),
                    port,
                    username,
                    password,
                    description,
                    modele,
                    id
                ],
            )?;
            Ok(Json(load_equipement(c, &id)?))
        })
        .await
}

pub(super) async fn delete_equipement(
    State(st): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("equipements", "delete")?;
    let id = path_uuid("equipement_id", &id)?;
    st.db
        .call(move |c| {
            let n = c.execute("DELETE FROM equipements WHERE equipement_id = ?1", [&id])?;
            if n == 0 {
                return Err(not_found("Equipement"));
            }
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
