//! The one background task that does all network I/O. The UI sends it numbered requests and
//! receives numbered events; it never awaits the network itself.

use futures::StreamExt;
use secrecy::SecretString;
use tokio::sync::mpsc;

use crate::api::ApiError;
use crate::api::core::{CoreClient, MAX_PAGE_SIZE};
use crate::api::model::*;
use crate::app::form::Mutation;

/// Pages fetched at once when loading every equipement.
pub const LOAD_ALL_CONCURRENCY: usize = 6;

#[derive(Debug, Clone)]
pub enum DeleteOp {
    Site(String),
    Equipement(String),
    /// Users are deactivated, not deleted.
    User(String),
    Role(String),
}

impl DeleteOp {
    pub fn id(&self) -> &str {
        match self {
            DeleteOp::Site(i) | DeleteOp::Equipement(i) | DeleteOp::User(i) | DeleteOp::Role(i) => {
                i
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum Request {
    Login {
        username: String,
        password: SecretString,
    },
    WhoAmI,
    Sites,
    Users,
    Roles,
    EquipementsPage {
        page: u32,
        size: u32,
    },
    AllEquipements,
    SiteEquipements {
        site_id: String,
        page: u32,
        size: u32,
    },
    Mutate(Mutation),
    Delete(DeleteOp),
}

#[derive(Debug, Clone)]
pub enum Saved {
    Site(Site),
    Equipement(Equipement),
    User(User),
    Role(Role),
}

// Moved once per answer: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Payload {
    LoggedIn(Claims),
    Sites(Vec<SiteSummary>),
    Users(Vec<User>),
    Roles(Vec<Role>),
    EquipementsPage(Page<Equipement>),
    AllEquipements(Vec<Equipement>),
    SiteEquipements {
        site_id: String,
        page: Page<Equipement>,
    },
    Saved(Saved),
    Deleted(DeleteOp),
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    Done {
        id: u64,
        result: Result<Payload, ApiError>,
    },
    Progress {
        id: u64,
        loaded: usize,
        total: usize,
    },
}

pub type RequestTx = mpsc::UnboundedSender<(u64, Request)>;

/// Starts the worker; it ends when the request sender is dropped.
pub fn spawn(core: CoreClient) -> (RequestTx, mpsc::UnboundedReceiver<Event>) {
    let (req_tx, mut req_rx) = mpsc::unbounded_channel::<(u64, Request)>();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some((id, req)) = req_rx.recv().await {
            let core = core.clone();
            let tx = ev_tx.clone();
            // Each request runs on its own: a slow one never holds back the others.
            tokio::spawn(async move {
                let result = handle(&core, id, req, &tx).await;
                let _ = tx.send(Event::Done { id, result });
            });
        }
    });
    (req_tx, ev_rx)
}

async fn handle(
    core: &CoreClient,
    id: u64,
    req: Request,
    tx: &mpsc::UnboundedSender<Event>,
) -> Result<Payload, ApiError> {
    Ok(match req {
        Request::Login { username, password } => {
            core.set_credentials(&username, password).await;
            Payload::LoggedIn(core.login().await?)
        }
        Request::WhoAmI => {
            // Any cheap authenticated call logs in when needed.
            if core.claims().await.is_none() {
                core.login().await?;
            }
            Payload::LoggedIn(core.claims().await.unwrap_or_default())
        }
        Request::Sites => Payload::Sites(core.list_site_summaries().await?),
        Request::Users => Payload::Users(core.list_users().await?),
        Request::Roles => Payload::Roles(core.list_roles().await?),
        Request::EquipementsPage { page, size } => {
            Payload::EquipementsPage(core.list_equipements(page, size).await?)
        }
        Request::AllEquipements => Payload::AllEquipements(load_all(core, id, tx).await?),
        Request::SiteEquipements {
            site_id,
            page,
            size,
        } => {
            let p = core.site_equipements(&site_id, page, size).await?;
            Payload::SiteEquipements { site_id, page: p }
        }
        Request::Mutate(m) => Payload::Saved(match m {
            Mutation::CreateSite(b) => Saved::Site(core.create_site(&b).await?),
            Mutation::UpdateSite(b) => Saved::Site(core.update_site(&b).await?),
            Mutation::CreateEquipement(b) => Saved::Equipement(core.create_equipement(&b).await?),
            Mutation::UpdateEquipement(b) => Saved::Equipement(core.update_equipement(&b).await?),
            Mutation::CreateUser(b) => Saved::User(core.create_user(&b).await?),
            Mutation::UpdateUser(b) => Saved::User(core.update_user(&b).await?),
            Mutation::CreateRole(b) => Saved::Role(core.create_role(&b).await?),
            Mutation::UpdateRole(b) => Saved::Role(core.update_role(&b).await?),
        }),
        Request::Delete(op) => {
            match &op {
                DeleteOp::Site(i) => core.delete_site(i).await?,
                DeleteOp::Equipement(i) => core.delete_equipement(i).await?,
                DeleteOp::User(i) => core.deactivate_user(i).await?,
                DeleteOp::Role(i) => core.delete_role(i).await?,
            }
            Payload::Deleted(op)
        }
    })
}

/// Every equipement: the first page tells the count, the rest come a few at a time.
pub async fn load_all(
    core: &CoreClient,
    id: u64,
    tx: &mpsc::UnboundedSender<Event>,
) -> Result<Vec<Equipement>, ApiError> {
    let first = core.list_equipements(1, MAX_PAGE_SIZE).await?;
    let pages = first.page_count().unwrap_or(1).max(1) as u32;
    let total = first.total.unwrap_or(first.items.len() as u64) as usize;
    let mut out = first.items;
    let _ = tx.send(Event::Progress {
        id,
        loaded: out.len(),
        total,
    });
    let mut rest: Vec<(u32, Vec<Equipement>)> = Vec::with_capacity(pages as usize);
    let mut stream = futures::stream::iter(2..=pages)
        .map(|p| async move {
            core.list_equipements(p, MAX_PAGE_SIZE)
                .await
                .map(|pg| (p, pg.items))
        })
        .buffer_unordered(LOAD_ALL_CONCURRENCY);
    let mut loaded = out.len();
    while let Some(r) = stream.next().await {
        let (p, items) = r?;
        loaded += items.len();
        rest.push((p, items));
        let _ = tx.send(Event::Progress { id, loaded, total });
    }
    rest.sort_by_key(|(p, _)| *p);
    out.reserve(loaded);
    for (_, items) in rest {
        out.extend(items);
    }
    Ok(out)
}
