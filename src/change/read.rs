//! Step 1 and the read after step 3: a record as the server holds it, by the cheapest read
//! its API offers (listed in `docs/api-notes.md`), as JSON the field values are taken from
//! (`values::value_of`) and as the typed record the console shows.

use serde_json::Value;

use super::{Change, Clients, FieldChange, Kind, Saved, value_of};
use crate::api::ApiError;
use crate::api::core::CoreClient;
use crate::api::maarch::{MaarchClient, MaarchUserDetails};
use crate::api::model::{Equipement, Site, SiteSummary};

/// Pages walked at most to find one equipement (a server that never ends its pages).
const MAX_PAGES: u32 = 50_000;
const PAGE: u32 = 100;

pub(super) struct Fresh {
    pub json: Value,
    pub saved: Saved,
    /// An equipement: the site whose list holds it.
    pub site: Option<String>,
}

fn json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or_default()
}

impl From<&SiteSummary> for Site {
    fn from(s: &SiteSummary) -> Site {
        Site {
            site_id: s.site_id.clone(),
            client_id: s.client_id().map(str::to_string),
            name: s.name.clone(),
            longitude: s.longitude,
            latitude: s.latitude,
            description: s.description.clone(),
            timestamp: s.timestamp.clone(),
            client: s.client.clone(),
            equipements: Vec::new(),
        }
    }
}

/// The record `id` of `kind` as the server holds it now; `None`: it is gone. `site`: where
/// an equipement was seen.
pub(super) async fn fresh(
    c: &Clients,
    kind: Kind,
    id: &str,
    site: Option<&str>,
) -> Result<Option<Fresh>, ApiError> {
    Ok(match kind {
        // No route reads one site: the list (not paged) is the cheapest.
        Kind::Site => c
            .core()?
            .list_site_summaries()
            .await?
            .into_iter()
            .find(|s| s.site_id == id)
            .map(|s| Fresh {
                json: json(&s),
                saved: Saved::Site(Site::from(&s)),
                site: None,
            }),
        Kind::Equipement => equipement(c.core()?, id, site).await?,
        Kind::User => match c.core()?.get_user(id).await {
            Ok(u) => Some(Fresh {
                json: json(&u),
                saved: Saved::User(u),
                site: None,
            }),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        // No single-role read.
        Kind::Role => c
            .core()?
            .list_roles()
            .await?
            .into_iter()
            .find(|r| r.role_id == id)
            .map(|r| Fresh {
                json: json(&r),
                saved: Saved::Role(r),
                site: None,
            }),
        // Ocean has no read by id: the list.
        Kind::Individu => {
            let all = c.ocean()?.list_individus(None).await?;
            let found = all
                .iter()
                .find(|i| i.id().map(|n| n.to_string()).as_deref() == Some(id))
                .cloned();
            found.map(|i| Fresh {
                json: Value::Object(i.0.clone()),
                saved: Saved::Individus {
                    message: String::new(),
                    individus: all,
                },
                site: None,
            })
        }
        // Maarch users are suspended, not deleted: there unless the server lost them.
        Kind::MaarchUser => {
            let uid: i64 = id
                .parse()
                .map_err(|_| ApiError::BadRequest(format!("no Maarch user {id}")))?;
            maarch_user(c.maarch()?, uid)
                .await?
                .map(|(d, links)| Fresh {
                    json: maarch_json(&d, links),
                    saved: Saved::MaarchUser(d, String::new()),
                    site: None,
                })
        }
    })
}

/// An equipement: no route reads one. Its site's pages are the smallest set that holds it
/// (their items carry no site: it is the site whose list it was found in); when it is not
/// there (moved, or the site unknown), every page of `/equipements/all`, whose items carry
/// their site.
async fn equipement(
    core: &CoreClient,
    id: &str,
    site: Option<&str>,
) -> Result<Option<Fresh>, ApiError> {
    if let Some(s) = site
        && let Some(e) = find(core, id, Some(s)).await?
    {
        return Ok(Some(e));
    }
    find(core, id, None).await
}

async fn find(core: &CoreClient, id: &str, site: Option<&str>) -> Result<Option<Fresh>, ApiError> {
    let mut page = 1;
    loop {
        let p = match site {
            Some(s) => match core.site_equipements(s, page, PAGE).await {
                Ok(p) => p,
                // The site is gone: so is the equipement from it.
                Err(ApiError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            },
            None => core.list_equipements(page, PAGE).await?,
        };
        if let Some(e) = p.items.iter().find(|e| e.equipement_id == id) {
            let mut e: Equipement = e.clone();
            if let Some(s) = site {
                e.site_id = Some(s.to_string());
            }
            let site = e.site_id().map(str::to_string);
            return Ok(Some(Fresh {
                json: json(&e),
                saved: Saved::Equipement(e),
                site,
            }));
        }
        if p.ends_here(page, u64::from(PAGE))
            || p.page_count().is_some_and(|pc| u64::from(page) >= pc)
        {
            return Ok(None);
        }
        if page >= MAX_PAGES {
            // Not found is no answer here (it would offer a re-creation): an error is.
            return Err(ApiError::BadRequest(
                "too many pages to find the equipement again".into(),
            ));
        }
        page += 1;
    }
}

/// Reads a Maarch user, from its details or, lacking that route, the list (whose users
/// carry no links nor initials and phone: those are unseen). `true`: its links were read.
pub(super) async fn maarch_user(
    m: &MaarchClient,
    uid: i64,
) -> Result<Option<(MaarchUserDetails, bool)>, ApiError> {
    if let Some(d) = m.user_details(uid).await? {
        return Ok(Some((d, true)));
    }
    // Neither in its details nor in the list: not there (an empty user is no record).
    let Some(user) = m.list_users().await?.into_iter().find(|u| u.id == uid) else {
        return Ok(None);
    };
    let d = MaarchUserDetails {
        fetched: true,
        ..MaarchUserDetails::from_list(user)
    };
    Ok(Some((d, false)))
}

/// A Maarch user as the fields read it: its keys, its links when they were read, and what
/// it did not send (`unseen`).
pub(super) fn maarch_json(d: &MaarchUserDetails, links: bool) -> Value {
    let mut v = json(&d.user);
    v["unseen"] = serde_json::json!(d.user.unseen);
    if links {
        v["groups"] = json(&d.groups);
        v["entities"] = json(&d.entities);
    }
    v
}

/// The read after a write whose answer does not show every field sent: for an equipement,
/// the site it was to move to first.
pub(super) async fn after(
    c: &Clients,
    ch: &Change,
    sent: &[&FieldChange],
    fresh: &Fresh,
) -> Result<Option<Fresh>, ApiError> {
    let moved_to = sent
        .iter()
        .find(|f| f.key == "site_id")
        .and_then(|f| f.wanted.as_str().map(str::to_string));
    let site = moved_to.or_else(|| {
        value_of(ch.kind, &fresh.json, "site_id").and_then(|v| v.as_str().map(str::to_string))
    });
    fresh_again(c, ch.kind, &ch.id, site.as_deref(), fresh.site.as_deref()).await
}

async fn fresh_again(
    c: &Clients,
    kind: Kind,
    id: &str,
    site: Option<&str>,
    was: Option<&str>,
) -> Result<Option<Fresh>, ApiError> {
    if kind == Kind::Equipement
        && let Some(s) = site
    {
        if let Some(f) = find(c.core()?, id, Some(s)).await? {
            return Ok(Some(f));
        }
        if let Some(w) = was.filter(|w| *w != s)
            && let Some(f) = find(c.core()?, id, Some(w)).await?
        {
            return Ok(Some(f));
        }
    }
    fresh(c, kind, id, site).await
}
