//! The one background task that does all network I/O. The UI sends it numbered requests and
//! receives numbered events; it never awaits the network itself.

use tokio::sync::mpsc;

use crate::api::ApiError;
use crate::api::core::{CoreClient, Paged};
use crate::api::maarch::{MaarchClient, MaarchUser, MaarchUserDetails};
use crate::api::model::*;
use crate::api::ocean::OceanClient;
use crate::i18n::{tr, trf};
use crate::protocol::*;

/// One client per configured service.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    pub core: Option<CoreClient>,
    pub ocean: Option<OceanClient>,
    pub maarch: Option<MaarchClient>,
}

fn missing(s: Service) -> ApiError {
    ApiError::Config(trf(
        "{} is not configured for this profile (no [profiles.<name>.{}] section)",
        &[&s.name(), &s.section()],
    ))
}

impl Clients {
    pub fn core(&self) -> Result<&CoreClient, ApiError> {
        self.core.as_ref().ok_or_else(|| missing(Service::Core))
    }
    pub fn ocean(&self) -> Result<&OceanClient, ApiError> {
        self.ocean.as_ref().ok_or_else(|| missing(Service::Ocean))
    }
    pub fn maarch(&self) -> Result<&MaarchClient, ApiError> {
        self.maarch.as_ref().ok_or_else(|| missing(Service::Maarch))
    }
}

/// Pages fetched at once when loading every equipement.
pub const LOAD_ALL_CONCURRENCY: usize = 6;

pub type RequestTx = mpsc::UnboundedSender<(u64, Request)>;

/// Starts the worker; it ends when the request sender is dropped.
pub fn spawn(clients: Clients) -> (RequestTx, mpsc::UnboundedReceiver<Event>) {
    let (req_tx, mut req_rx) = mpsc::unbounded_channel::<(u64, Request)>();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut running: std::collections::HashMap<u64, tokio::task::AbortHandle> =
            Default::default();
        while let Some((id, req)) = req_rx.recv().await {
            running.retain(|_, h| !h.is_finished());
            if let Request::Cancel(which) = req {
                // Dropped mid-way: its page tasks go with it.
                if let Some(h) = running.remove(&which) {
                    h.abort();
                }
                continue;
            }
            let clients = clients.clone();
            let tx = ev_tx.clone();
            // Each request runs on its own: a slow one never holds back the others.
            let task = tokio::spawn(async move {
                let result = handle(&clients, id, req, &tx).await;
                let _ = tx.send(Event::Done { id, result });
            });
            running.insert(id, task.abort_handle());
        }
    });
    (req_tx, ev_rx)
}

async fn handle(
    c: &Clients,
    id: u64,
    req: Request,
    tx: &mpsc::UnboundedSender<Event>,
) -> Result<Payload, ApiError> {
    Ok(match req {
        Request::Login {
            service,
            username,
            password,
        } => match service {
            Service::Core => {
                let core = c.core()?;
                core.set_credentials(&username, password).await;
                Payload::LoggedIn(core.login().await?)
            }
            Service::Ocean => {
                let o = c.ocean()?;
                o.set_credentials(&username, password).await;
                o.login().await?;
                Payload::ServiceLoggedIn(service, username)
            }
            Service::Maarch => {
                let m = c.maarch()?;
                m.set_credentials(&username, password).await;
                // Basic auth has no login route: a cheap read proves the password.
                match m.auth_mode() {
                    crate::api::maarch::MaarchAuthMode::Token => m.login().await?,
                    crate::api::maarch::MaarchAuthMode::Basic => {
                        m.list_users().await?;
                    }
                }
                Payload::ServiceLoggedIn(service, username)
            }
        },
        Request::WhoAmI => {
            let core = c.core()?;
            // Any cheap authenticated call logs in when needed.
            if core.claims().await.is_none() {
                core.login().await?;
            }
            Payload::LoggedIn(core.claims().await.unwrap_or_default())
        }
        Request::Sites => {
            let watch = |offset: usize, rows: &[SiteSummary]| {
                let _ = tx.send(Event::Sites {
                    id,
                    offset,
                    rows: rows.to_vec(),
                });
            };
            Payload::Sites(c.core()?.list_site_summaries_watched(&watch).await?)
        }
        Request::Users => Payload::Users(c.core()?.list_users().await?),
        Request::User(id) => Payload::User(c.core()?.get_user(&id).await?),
        Request::Roles => Payload::Roles(c.core()?.list_roles().await?),
        Request::EquipementsPage { page, size } => {
            Payload::EquipementsPage(c.core()?.list_equipements(page, size).await?)
        }
        Request::AllEquipements => {
            let rows = load_all(c.core()?, id, tx).await?;
            // Built here, the searchable text of a million rows does not stop the console.
            let prepared =
                tokio::task::spawn_blocking(move || crate::app::list::Prepared::new(rows))
                    .await
                    .map_err(|e| ApiError::Network(format!("preparing the rows failed: {e}")))?;
            Payload::AllEquipementsPrepared(Box::new(prepared))
        }
        Request::SiteEquipements {
            site_id,
            page,
            size,
        } => {
            let p = c.core()?.site_equipements(&site_id, page, size).await?;
            Payload::SiteEquipements { site_id, page: p }
        }
        Request::PlanImport { path, site_id } => {
            let core = c.core()?;
            let plan = crate::import::plan_file(
                core,
                crate::import::What::Equipements,
                &path,
                Some(&site_id),
                false,
            )
            .await
            .map_err(ApiError::Config)?;
            Payload::ImportPlan(plan)
        }
        Request::AllSiteEquipements(site_id) => {
            let items = crate::list::site_equipements(c.core()?, &site_id).await?;
            let n = items.len() as u64;
            let page = Page {
                items,
                total: Some(n),
                page: Some(1),
                size: Some(n.max(1)),
                pages: Some(1),
            };
            Payload::SiteEquipements { site_id, page }
        }
        Request::Fresh { kind, id, site } => Payload::Fresh(fresh(c, &kind, &id, site).await?),
        Request::Mutate(m) => Payload::Saved(mutate(c, m).await?),
        Request::Delete(op) => {
            match &op {
                DeleteOp::Site(i) => c.core()?.delete_site(i).await?,
                DeleteOp::Equipement(i) => c.core()?.delete_equipement(i).await?,
                DeleteOp::User(i) => c.core()?.deactivate_user(i).await?,
                DeleteOp::Role(i) => c.core()?.delete_role(i).await?,
                DeleteOp::Individu(i) => c.ocean()?.delete_individu(*i).await?,
                DeleteOp::MaarchGroup { user, group } => {
                    c.maarch()?.remove_group(*user, group).await?
                }
                DeleteOp::MaarchEntity { user, entity } => {
                    c.maarch()?.remove_entity(*user, entity).await?
                }
                DeleteOp::ParapheurLink(user) => c.maarch()?.unlink_parapheur(*user).await?,
            }
            Payload::Deleted(op)
        }
        Request::Individus => Payload::Individus(c.ocean()?.list_individus(None).await?),
        Request::MaarchUsers => Payload::MaarchUsers(c.maarch()?.list_users().await?),
        Request::MaarchDetails(uid) => {
            Payload::MaarchDetails(uid, c.maarch()?.user_details(uid).await?)
        }
        Request::MaarchCatalogue => {
            let m = c.maarch()?;
            let (groups, entities) = futures::try_join!(m.groups(), m.entities())?;
            Payload::MaarchCatalogue {
                groups: groups
                    .into_iter()
                    .map(|g| (g.group_id, g.group_desc))
                    .collect(),
                entities: entities
                    .into_iter()
                    .map(|e| (e.entity_id, e.entity_label))
                    .collect(),
            }
        }
        Request::ParapheurStatus(uid) => match c.maarch()?.parapheur_status(uid).await {
            Ok(login) => Payload::ParapheurStatus(uid, login),
            // Maarch's way of saying "not linked".
            Err(ApiError::BadRequest(m)) if m.contains("does not have Maarch Parapheur") => {
                Payload::ParapheurStatus(uid, String::new())
            }
            Err(e) => return Err(e),
        },
        Request::Functionalities(t) => {
            let f = c.ocean()?.functionalities(&t).await?;
            Payload::Functionalities(t, f)
        }
        Request::Outbox => Payload::Outbox(c.ocean()?.outbox().await?),
        Request::Cancel(_) => return Err(ApiError::Config("nothing to cancel".into())),
    })
}

/// Reads a Maarch user back after a change, from its details or, lacking that route, the list.
async fn maarch_user(m: &MaarchClient, uid: i64) -> Result<MaarchUserDetails, ApiError> {
    if let Some(d) = m.user_details(uid).await? {
        return Ok(d);
    }
    let user = m
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.id == uid)
        .unwrap_or(MaarchUser {
            id: uid,
            ..Default::default()
        });
    Ok(MaarchUserDetails {
        fetched: true,
        ..MaarchUserDetails::from_list(user)
    })
}

/// A record as the server holds it now, by the cheapest read its API offers; `None` when it
/// is gone.
async fn fresh(
    c: &Clients,
    kind: &str,
    id: &str,
    site: Option<String>,
) -> Result<Option<serde_json::Value>, ApiError> {
    fn json<T: serde::Serialize>(t: Option<T>) -> Option<serde_json::Value> {
        t.and_then(|t| serde_json::to_value(t).ok())
    }
    Ok(match kind {
        "sites" => json(
            c.core()?
                .list_site_summaries()
                .await?
                .into_iter()
                .find(|s| s.site_id == id),
        ),
        "equipements" => {
            // No route reads one equipement: its site's pages, else every page.
            let core = c.core()?;
            let mut page = 1;
            loop {
                let p = match &site {
                    Some(s) => core.site_equipements(s, page, 100).await?,
                    None => core.list_equipements(page, 100).await?,
                };
                if let Some(e) = p.items.iter().find(|e| e.equipement_id == id) {
                    break json(Some(e));
                }
                if p.items.is_empty() || u64::from(page) >= p.page_count().unwrap_or(1) {
                    break None;
                }
                if page >= 50_000 {
                    // A server that never ends its pages: not found is no answer (it would
                    // offer a re-creation), an error is.
                    return Err(ApiError::BadRequest(
                        "too many pages to find the equipement again".into(),
                    ));
                }
                page += 1;
            }
        }
        "users" => match c.core()?.get_user(id).await {
            Ok(u) => json(Some(u)),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        "roles" => json(
            c.core()?
                .list_roles()
                .await?
                .into_iter()
                .find(|r| r.role_id == id),
        ),
        "individus" => json(
            c.ocean()?
                .list_individus(None)
                .await?
                .into_iter()
                .find(|i| i.id().map(|n| n.to_string()).as_deref() == Some(id)),
        ),
        "maarch_users" => {
            // Maarch users are suspended, not deleted: always there. What the server did not
            // send is said, so it is not compared.
            let uid: i64 = id
                .parse()
                .map_err(|_| ApiError::BadRequest(format!("no Maarch user {id}")))?;
            let d = maarch_user(c.maarch()?, uid).await?;
            let mut v = serde_json::to_value(&d.user).unwrap_or_default();
            v["unseen"] = serde_json::json!(d.user.unseen);
            Some(v)
        }
        other => return Err(ApiError::BadRequest(format!("no read for {other}"))),
    })
}

async fn mutate(c: &Clients, m: Mutation) -> Result<Saved, ApiError> {
    Ok(match m {
        Mutation::CreateSite(b) => Saved::Site(c.core()?.create_site(&b).await?),
        Mutation::UpdateSite(b) => Saved::Site(c.core()?.update_site(&b).await?),
        Mutation::CreateEquipement(b) => Saved::Equipement(c.core()?.create_equipement(&b).await?),
        Mutation::UpdateEquipement(b) => Saved::Equipement(c.core()?.update_equipement(&b).await?),
        Mutation::CreateUser(b) => Saved::User(c.core()?.create_user(&b).await?),
        Mutation::UpdateUser(b) => Saved::User(c.core()?.update_user(&b).await?),
        Mutation::CreateRole(b) => Saved::Role(c.core()?.create_role(&b).await?),
        Mutation::UpdateRole {
            mut update,
            add,
            remove,
        } => {
            let core = c.core()?;
            if !remove.is_empty() {
                // The set replaces the role's: built on the role as the server holds it now,
                // so a permission added meanwhile by someone else is not removed.
                let fresh = core
                    .list_roles()
                    .await?
                    .into_iter()
                    .find(|r| r.role_id == update.role_id)
                    .ok_or_else(|| ApiError::NotFound(tr("Role not found").into()))?;
                let mut set: Vec<PermissionRef> = fresh
                    .permissions
                    .iter()
                    .map(PermissionRef::from)
                    .filter(|p| !remove.contains(p))
                    .collect();
                for a in &add {
                    if !set.contains(a) {
                        set.push(a.clone());
                    }
                }
                update.permissions = Some(set);
            }
            let changes = update.name.is_some()
                || update.description.is_some()
                || update.permissions.is_some();
            let mut role = None;
            if changes || add.is_empty() {
                role = Some(core.update_role(&update).await?);
            }
            if !add.is_empty() && remove.is_empty() {
                role = Some(core.add_permissions(&update.role_id, &add).await?);
            }
            Saved::Role(role.unwrap_or_default())
        }
        Mutation::CreateIndividu { body, start, end } => {
            let o = c.ocean()?;
            let st = o
                .create_individu(&body, start.as_ref(), end.as_ref())
                .await?;
            Saved::Individus {
                message: status_words(&st, tr("Individu created")),
                individus: o.list_individus(None).await?,
            }
        }
        Mutation::UpdateIndividu(body) => {
            let o = c.ocean()?;
            let st = o.update_individu(&body).await?;
            Saved::Individus {
                message: status_words(&st, tr("Individu saved")),
                individus: o.list_individus(None).await?,
            }
        }
        Mutation::AssignEntity {
            individu,
            entite,
            start,
            end,
        } => {
            let o = c.ocean()?;
            o.assign_entity(individu, entite, &start, end.as_ref())
                .await?;
            let message = trf("Individu {} assigned to entity {}", &[&individu, &entite]);
            Saved::Individus {
                message,
                individus: o.list_individus(None).await?,
            }
        }
        Mutation::ChangePassword {
            actual,
            new,
            confirmed,
            in_url,
        } => {
            c.ocean()?
                .change_password_in(&actual, &new, &confirmed, in_url)
                .await?;
            Saved::Account(tr("Password changed").into())
        }
        Mutation::PasswordReset { login, url } => {
            c.ocean()?
                .request_password_reset(&login, url.as_deref())
                .await?;
            Saved::Account(trf("Reset requested for {}", &[&login]))
        }
        Mutation::CreateMaarchUser(u) => {
            let m = c.maarch()?;
            let uid = m.create_user(&u).await?;
            Saved::MaarchUser(
                maarch_user(m, uid).await?,
                trf("Maarch user {} created (id {})", &[&u.user_id, &uid]),
            )
        }
        Mutation::UpdateMaarchUser {
            mut update,
            changed,
        } => {
            let m = c.maarch()?;
            // The route writes every key: what the user did not change is taken as the server
            // holds it now (someone may have changed it since the form opened); a key it does
            // not show keeps what the form knew, or stays out where the erasure was agreed.
            if let Some(fresh) = m.user_details(update.id).await? {
                let u = &fresh.user;
                let take = |k: &str| !changed.iter().any(|c| c == k) && !fresh.is_unseen(k);
                if take("firstname") {
                    update.firstname = u.firstname.clone();
                }
                if take("lastname") {
                    update.lastname = u.lastname.clone();
                }
                if take("initials") {
                    update.initials = u.initials.clone();
                }
                if take("mail") {
                    update.mail = u.mail.clone();
                }
                if take("phone") {
                    update.phone = Some(u.phone.clone().unwrap_or_default());
                }
            }
            let u = update;
            m.update_user(&u).await?;
            let d = maarch_user(m, u.id).await?;
            let what = trf("Saved Maarch user {}", &[&d.user.user_id]);
            Saved::MaarchUser(d, what)
        }
        Mutation::AddGroup { user, group } => {
            let m = c.maarch()?;
            m.add_group(user, &group).await?;
            let d = maarch_user(m, user).await?;
            let what = trf("{} added to group {}", &[&d.user.user_id, &group]);
            Saved::MaarchUser(d, what)
        }
        Mutation::AddEntity { user, entity } => {
            let m = c.maarch()?;
            m.add_entity(user, &entity).await?;
            let d = maarch_user(m, user).await?;
            let what = trf("{} added to entity {}", &[&d.user.user_id, &entity]);
            Saved::MaarchUser(d, what)
        }
        Mutation::LinkParapheur { user, parapheur_id } => {
            let m = c.maarch()?;
            m.link_parapheur(user, parapheur_id).await?;
            let d = maarch_user(m, user).await?;
            let what = trf(
                "{} linked to Maarch Parapheur user {}",
                &[&d.user.user_id, &parapheur_id],
            );
            Saved::MaarchUser(d, what)
        }
        Mutation::CreateInParapheur { user, login } => {
            let m = c.maarch()?;
            let id = m.create_in_parapheur(user, &login).await?;
            let d = maarch_user(m, user).await?;
            let what = trf(
                "{} created in Maarch Parapheur (id {}) and linked",
                &[&login, &id],
            );
            Saved::MaarchUser(d, what)
        }
    })
}

/// Ocean's own words for a create/update, or ours when it said nothing.
fn status_words(st: &[crate::api::ocean::OceanStatus], fallback: &str) -> String {
    let words: Vec<String> = st
        .iter()
        .filter(|s| !s.message.is_empty() || !s.ocean_status.is_empty())
        .map(|s| {
            if s.message.is_empty() {
                s.ocean_status.clone()
            } else {
                s.message.clone()
            }
        })
        .collect();
    if words.is_empty() {
        fallback.to_string()
    } else {
        words.join("; ")
    }
}

/// Every equipement: the first page tells the count, the rest come a few at a time.
pub async fn load_all(
    core: &CoreClient,
    id: u64,
    tx: &mpsc::UnboundedSender<Event>,
) -> Result<Vec<Equipement>, ApiError> {
    load_all_with(core, id, tx, LOAD_ALL_CONCURRENCY).await
}

/// `load_all` with `concurrency` pages in flight (1: one after another); the walk and its
/// limits are `CoreClient::walk_pages`'.
pub async fn load_all_with(
    core: &CoreClient,
    id: u64,
    tx: &mpsc::UnboundedSender<Event>,
    concurrency: usize,
) -> Result<Vec<Equipement>, ApiError> {
    let mut out: Vec<Equipement> = Vec::new();
    core.walk_pages(Paged::Equipements, concurrency, |items, w| {
        if out.is_empty() {
            // The rows are held once, in a list of the announced size (capped: what a server
            // announces cannot make the console reserve gigabytes).
            out.reserve_exact(w.total.min(10_000_000).max(items.len()));
        }
        out.extend(items);
        let _ = tx.send(Event::Progress {
            id,
            loaded: w.loaded,
            total: w.total,
        });
        Ok(())
    })
    .await?;
    Ok(out)
}
