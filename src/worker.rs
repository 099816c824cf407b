//! The one background task that does all network I/O. The UI sends it numbered requests and
//! receives numbered events; it never awaits the network itself.

use secrecy::SecretString;
use tokio::sync::mpsc;

use crate::api::ApiError;
use crate::api::core::{CoreClient, Paged};
use crate::api::maarch::MaarchClient;
use crate::api::model::*;
use crate::protocol::*;

pub use crate::change::Clients;

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
        } => login(c, service, username, password).await?,
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
        Request::AllEquipements => all_equipements(c.core()?, id, tx).await?,
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
        Request::AllSiteEquipements(site_id) => all_site_equipements(c.core()?, site_id).await?,
        // The one write path: nothing else here sends a mutation.
        Request::Change(ch) => Payload::Changed(Box::new(crate::change::execute(c, *ch).await?)),
        Request::Individus => Payload::Individus(c.ocean()?.list_individus(None).await?),
        Request::MaarchUsers => Payload::MaarchUsers(c.maarch()?.list_users().await?),
        Request::MaarchDetails(uid) => {
            Payload::MaarchDetails(uid, c.maarch()?.user_details(uid).await?)
        }
        Request::MaarchCatalogue => maarch_catalogue(c.maarch()?).await?,
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
        Request::Probe { targets, settings } => {
            let states = crate::probe::run(&targets, &settings).await;
            Payload::Probed(targets, states)
        }
        Request::Find {
            text,
            own,
            kept,
            finder,
        } => {
            let own = Own {
                name: own,
                clients: c.clone(),
                kept,
            };
            Payload::Found(finder.0.find(text, Some(own)).await)
        }
        Request::Cancel(_) => return Err(ApiError::Config("nothing to cancel".into())),
    })
}

/// A login to `service` as `username`.
async fn login(
    c: &Clients,
    service: Service,
    username: String,
    password: SecretString,
) -> Result<Payload, ApiError> {
    Ok(match service {
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
    })
}

/// Every equipement, made searchable off the console's thread.
async fn all_equipements(
    core: &CoreClient,
    id: u64,
    tx: &mpsc::UnboundedSender<Event>,
) -> Result<Payload, ApiError> {
    // Each page made searchable and packed in its own task as it comes, then added to the
    // rows before it: the console never waits for a million rows' text, a load never holds
    // them all as records, and the requests are not held up while a page is packed.
    let mut prepared = crate::rows::Prepared::default();
    walk_all(
        core,
        id,
        tx,
        LOAD_ALL_CONCURRENCY,
        crate::rows::Prepared::page,
        |page, w| prepared.append(page, w.total),
    )
    .await?;
    Ok(Payload::AllEquipementsPrepared(Box::new(prepared)))
}

/// Every equipement of a site, as one page.
async fn all_site_equipements(core: &CoreClient, site_id: String) -> Result<Payload, ApiError> {
    let items = core.all_site_equipements(&site_id).await?;
    let n = items.len() as u64;
    let page = Page {
        items,
        total: Some(n),
        page: Some(1),
        size: Some(n.max(1)),
        pages: Some(1),
    };
    Ok(Payload::SiteEquipements { site_id, page })
}

/// Maarch's groups and entities, for the pickers: (id, label) pairs.
async fn maarch_catalogue(m: &MaarchClient) -> Result<Payload, ApiError> {
    let (groups, entities) = futures::try_join!(m.groups(), m.entities())?;
    Ok(Payload::MaarchCatalogue {
        groups: groups
            .into_iter()
            .map(|g| (g.group_id, g.group_desc))
            .collect(),
        entities: entities
            .into_iter()
            .map(|e| (e.entity_id, e.entity_label))
            .collect(),
    })
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
    walk_all(
        core,
        id,
        tx,
        concurrency,
        |rows| rows,
        |items, w| {
            if out.is_empty() {
                // The rows are held once, in a list of the announced size (capped: what a server
                // announces cannot make the console reserve gigabytes).
                out.reserve_exact(w.total.min(10_000_000).max(items.len()));
            }
            out.extend(items);
        },
    )
    .await?;
    Ok(out)
}

/// Every equipement's page turned by `turn` in its own task, handed to `each` in order, the
/// console told how far it is.
async fn walk_all<U: Send + 'static>(
    core: &CoreClient,
    id: u64,
    tx: &mpsc::UnboundedSender<Event>,
    concurrency: usize,
    turn: impl Fn(Vec<Equipement>) -> U + Send + Sync + 'static,
    mut each: impl FnMut(U, crate::api::core::Walked),
) -> Result<(), ApiError> {
    core.walk_pages_as(Paged::Equipements, concurrency, turn, |items, w| {
        each(items, w);
        let _ = tx.send(Event::Progress {
            id,
            loaded: w.loaded,
            total: w.total,
        });
        Ok(())
    })
    .await
}
