//! Equipements read page after page: a route's pages walked, `concurrency` in flight, within
//! the profile's limits.

use super::{CoreClient, MAX_PAGE_SIZE};
use crate::api::model::{Equipement, Page};
use crate::api::{ApiError, Limits};

/// A paged list of equipements: every one, or one site's.
#[derive(Debug, Clone)]
pub enum Paged {
    Equipements,
    Site(String),
}

/// How far a walk is: rows handed over so far and the count announced (capped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walked {
    pub loaded: usize,
    pub total: usize,
}

impl CoreClient {
    /// Every equipement of a site, all pages.
    pub async fn all_site_equipements(&self, site_id: &str) -> Result<Vec<Equipement>, ApiError> {
        self.all_pages(|p| self.site_equipements(site_id, p, MAX_PAGE_SIZE))
            .await
    }

    /// Every page of a paged route (`fetch` asks pages of `MAX_PAGE_SIZE` rows), one after
    /// another. The walk ends at an empty page or one shorter than asked, at the announced
    /// count of pages or rows, whichever comes first; whatever the
    /// server announces, past `max_pages` pages or `max_rows` rows it stops with an error
    /// naming the limit.
    pub async fn all_pages<F, Fut>(&self, mut fetch: F) -> Result<Vec<Equipement>, ApiError>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<Page<Equipement>, ApiError>>,
    {
        let lim = self.limits;
        let mut out = Vec::new();
        let mut page: u32 = 1;
        loop {
            let p = fetch(page).await?;
            let n = p.items.len();
            let last = p.is_last(page, out.len() + n, u64::from(MAX_PAGE_SIZE));
            out.extend(p.items);
            if out.len() > lim.max_rows {
                return Err(too_many_rows(lim));
            }
            if last {
                return Ok(out);
            }
            if page >= lim.max_pages {
                return Err(too_many_pages(lim));
            }
            page += 1;
        }
    }

    /// One page of `route`.
    pub async fn page_of(&self, route: &Paged, page: u32) -> Result<Page<Equipement>, ApiError> {
        match route {
            Paged::Equipements => self.list_equipements(page, MAX_PAGE_SIZE).await,
            Paged::Site(id) => self.site_equipements(id, page, MAX_PAGE_SIZE).await,
        }
    }

    /// Every page of `route`, `concurrency` in flight, each page's rows handed to `each` in
    /// the list's order as soon as the pages before it are in (an error from `each` stops the
    /// walk). What is held is the pages that came early, at most `4 x concurrency`: a list of a
    /// million rows streams through without being kept. The walk ends at an empty or short
    /// page, at the announced count of pages or rows; past the profile's `max_pages` or
    /// `max_rows` it stops with an error naming the limit; pages are asked only as answers come.
    pub async fn walk_pages<F>(
        &self,
        route: Paged,
        concurrency: usize,
        each: F,
    ) -> Result<(), ApiError>
    where
        F: FnMut(Vec<Equipement>, Walked) -> Result<(), ApiError>,
    {
        self.walk_pages_as(route, concurrency, |rows| rows, each)
            .await
    }

    /// `walk_pages`, each page's rows turned by `turn` in the page's own task as soon as they
    /// are decoded (on any core, while other pages are on their way), what it makes handed to
    /// `each` in order: `each` runs between answers, and the longer it takes, the longer the
    /// next requests wait to be sent.
    pub async fn walk_pages_as<U, T, F>(
        &self,
        route: Paged,
        concurrency: usize,
        turn: T,
        mut each: F,
    ) -> Result<(), ApiError>
    where
        U: Send + 'static,
        T: Fn(Vec<Equipement>) -> U + Send + Sync + 'static,
        F: FnMut(U, Walked) -> Result<(), ApiError>,
    {
        let lim = self.limits;
        let turn = std::sync::Arc::new(turn);
        let first = self.page_of(&route, 1).await?;
        // What the server announces, within the limits (a `pages` of 10^10 is no reason to
        // ask); announcing nothing, the list ends at a short or empty page (or `max_pages`).
        let announced = first.page_count();
        let pages = announced
            .unwrap_or(u64::from(lim.max_pages))
            .clamp(1, u64::from(lim.max_pages)) as u32;
        let total = first
            .total
            .unwrap_or(first.items.len() as u64)
            .min(lim.max_rows as u64) as usize;
        let first_is_last = first.is_last(1, first.items.len(), u64::from(MAX_PAGE_SIZE));
        let over_pages = announced.is_none_or(|pc| pc > u64::from(lim.max_pages));
        let mut handed = first.items.len();
        if handed > lim.max_rows {
            return Err(too_many_rows(lim));
        }
        each(
            turn(first.items),
            Walked {
                loaded: handed,
                total,
            },
        )?;
        if first_is_last {
            return Ok(());
        }
        // Early pages wait in `early`; a page is asked only within `ahead` pages of the first
        // one missing, so a slow page keeps a few pages waiting, not the whole list.
        let mut early: std::collections::BTreeMap<u32, (usize, U)> = Default::default();
        let mut next = 2;
        let concurrency = concurrency.max(1);
        let ahead = concurrency as u32 * 4;
        // Each page is its own task, so pages are decoded on every core while others are on
        // their way. Dropped with the walk, the set stops them all.
        let mut in_flight = tokio::task::JoinSet::new();
        let mut to_ask = 2u32;
        // The last page to ask: lowered when a page ends the list early.
        let mut end = pages;
        loop {
            while in_flight.len() < concurrency && to_ask <= end && to_ask < next + ahead {
                let (core, p, route) = (self.clone(), to_ask, route.clone());
                let turn = turn.clone();
                in_flight.spawn(async move {
                    let page = core.page_of(&route, p).await?;
                    let ends = page.ends_here(p, u64::from(MAX_PAGE_SIZE));
                    let n = page.items.len();
                    Ok::<_, ApiError>((p, ends, n, turn(page.items)))
                });
                to_ask += 1;
            }
            let Some(joined) = in_flight.join_next().await else {
                break;
            };
            let (p, ends, n, rows) = joined.map_err(|e| {
                ApiError::Network(format!("a page request ended abnormally: {e}"))
            })??;
            if p > end {
                continue;
            }
            if ends {
                // The list ends here, whatever was announced: no page after it is kept or asked.
                end = p;
            }
            early.insert(p, (n, rows));
            while let Some((n, rows)) = early.remove(&next) {
                handed += n;
                if handed > lim.max_rows {
                    return Err(too_many_rows(lim));
                }
                each(
                    rows,
                    Walked {
                        loaded: handed,
                        total,
                    },
                )?;
                next += 1;
            }
            if next > end {
                break;
            }
        }
        // The list was cut at `max_pages`, not ended by the server.
        if over_pages && end == pages {
            return Err(too_many_pages(lim));
        }
        Ok(())
    }
}

/// The error of a walk past `max_rows`.
pub fn too_many_rows(lim: Limits) -> ApiError {
    ApiError::Config(format!(
        "stopped after {} rows: the server has more than max_rows (profile setting) allows",
        lim.max_rows
    ))
}

/// The error of a walk past `max_pages`.
pub fn too_many_pages(lim: Limits) -> ApiError {
    ApiError::Config(format!(
        "stopped after {} pages: the server announces more than max_pages (profile setting) allows",
        lim.max_pages
    ))
}
