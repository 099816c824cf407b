//! `vigie import`: the plan built against the server as it is now, run through the change
//! room, and reported.

use std::collections::HashMap;

use super::planner::site_for;
use super::{Action, MAX_FILE_BYTES, Planned, What, plan_equipements, plan_sites, read};
use crate::change::Change;

/// `vigie import`'s options.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    pub what: What,
    /// A CSV (`,` or `;`, UTF-8) or the JSON `vigie list -o json` writes.
    pub file: std::path::PathBuf,
    /// The site every row goes to (name or id; wins over a `site` column).
    #[arg(long)]
    pub site: Option<String>,
    /// Print the plan (row, action, message) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Rows already on the server are updated (only what differs is sent) instead of skipped.
    #[arg(long)]
    pub update: bool,
    /// Write a CSV report: row, action, id, result, message.
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
    /// Requests in flight at once (1 to 16).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
}

/// What became of a planned row once run.
#[derive(Debug, Clone)]
pub struct Done {
    pub id: Option<String>,
    /// `ok`, `failed`, `skipped` (skip), `not sent` (error).
    pub result: &'static str,
    pub message: String,
    /// What the change room journals for it.
    pub entry: Option<crate::journal::Entry>,
}

/// Reads the file and builds the plan against the server as it is now.
pub async fn plan(
    core: &crate::api::core::CoreClient,
    a: &ImportArgs,
) -> Result<Vec<Planned>, String> {
    plan_file(core, a.what, &a.file, a.site.as_deref(), a.update).await
}

/// The plan of a file: `site` (name or id) wins over the file's site column.
pub async fn plan_file(
    core: &crate::api::core::CoreClient,
    what: What,
    file: &std::path::Path,
    site: Option<&str>,
    update: bool,
) -> Result<Vec<Planned>, String> {
    let e = |e: crate::api::ApiError| e.to_string();
    let meta =
        std::fs::metadata(file).map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} is over {} MB: split it",
            file.display(),
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let bytes =
        std::fs::read(file).map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    let rows = read(what, &bytes)?;
    let sites = core.list_site_summaries().await.map_err(e)?;
    Ok(match what {
        What::Equipements => {
            let site = match site {
                Some(k) => Some(site_for(&sites, k)?.clone()),
                None => None,
            };
            // Each site the file names, read once.
            let mut ids: Vec<String> = match &site {
                Some(s) => vec![s.site_id.clone()],
                None => rows
                    .iter()
                    .filter_map(|r| r.values.get("site"))
                    .filter_map(|k| site_for(&sites, k).ok())
                    .map(|s| s.site_id.clone())
                    .collect(),
            };
            ids.sort();
            ids.dedup();
            let mut on_server = HashMap::new();
            for id in ids {
                let items = core.all_site_equipements(&id).await.map_err(e)?;
                on_server.insert(id, items);
            }
            plan_equipements(&rows, site.as_ref(), &sites, &on_server, update)
        }
        What::Sites => {
            let mut clients: Vec<(String, String)> = sites
                .iter()
                .filter_map(|s| {
                    let id = s.client_id()?.to_string();
                    let nom = s.client.as_ref().map(|c| c.nom.clone()).unwrap_or_default();
                    Some((id, nom))
                })
                .collect();
            clients.sort();
            clients.dedup();
            plan_sites(&rows, &sites, &clients, update)
        }
    })
}

/// Sends the plan's rows through the change room, `concurrency` at a time; a create is
/// never retried. `progress` is called after each answer with (done, to send). `who`
/// and `batch` go to each row's journal entry.
pub async fn run_plan(
    clients: &crate::change::Clients,
    plan: &[Planned],
    concurrency: usize,
    who: &str,
    batch: Option<u64>,
    mut progress: impl FnMut(usize, usize),
) -> Vec<Done> {
    use futures::StreamExt;
    let mut out: Vec<Done> = plan
        .iter()
        .map(|p| Done {
            id: p.id.clone(),
            result: match p.action {
                Action::Error => "not sent",
                _ => "skipped",
            },
            message: p.message.clone(),
            entry: None,
        })
        .collect();
    let todo: Vec<(usize, Change)> = plan
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let mut c = p.send.as_ref()?.change(&p.label);
            c.who = who.to_string();
            c.batch = batch;
            Some((i, c))
        })
        .collect();
    let total = todo.len();
    let mut answers = futures::stream::iter(
        todo.into_iter()
            .map(|(i, c)| async move { (i, crate::change::execute(clients, c).await) }),
    )
    .buffer_unordered(concurrency.clamp(1, 16));
    let mut n = 0;
    while let Some((i, r)) = answers.next().await {
        n += 1;
        out[i] = done(&plan[i], r);
        progress(n, total);
    }
    out
}

/// What a row's change did, for the report and the exit code.
fn done(p: &Planned, r: Result<crate::change::Outcome, crate::api::ApiError>) -> Done {
    use crate::change::Verdict;
    let failed = |message: String| Done {
        id: p.id.clone(),
        result: "failed",
        message: crate::text::sanitize(&message).into_owned(),
        entry: None,
    };
    let o = match r {
        Ok(o) => o,
        Err(e) => return failed(e.to_string()),
    };
    let id = (!o.id.is_empty()).then(|| o.id.clone()).or(p.id.clone());
    match &o.verdict {
        Verdict::Conflict(c) => {
            let keys: Vec<&str> = c.iter().map(|x| x.key.as_str()).collect();
            failed(format!(
                "changed on the server since the plan was made ({}): not sent, run it again",
                keys.join(", ")
            ))
        }
        Verdict::Gone => failed("deleted on the server since the plan was made".into()),
        Verdict::Unchanged => Done {
            id,
            result: "ok",
            message: "already so on the server".into(),
            entry: None,
        },
        Verdict::Applied => {
            let missed = crate::change::not_applied_words(&o, |k| k.to_string());
            Done {
                id,
                result: if missed.is_some() { "failed" } else { "ok" },
                message: crate::text::sanitize(&missed.unwrap_or_else(|| p.message.clone()))
                    .into_owned(),
                entry: o.entry,
            }
        }
    }
}

/// The report: a line per row (row, action, id, result, message), formulas and controls
/// neutralised, no password anywhere.
pub fn report(plan: &[Planned], done: Option<&[Done]>) -> Vec<u8> {
    let mut buf = Vec::new();
    let rows: Vec<Vec<String>> = plan
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let d = done.and_then(|d| d.get(i));
            vec![
                p.line.to_string(),
                p.action.name().to_string(),
                d.and_then(|d| d.id.clone())
                    .or(p.id.clone())
                    .unwrap_or_default(),
                d.map_or("planned", |d| d.result).to_string(),
                format!(
                    "{}{}{}",
                    p.label,
                    if p.label.is_empty() { "" } else { ": " },
                    d.map_or(p.message.as_str(), |d| d.message.as_str())
                ),
            ]
        })
        .collect();
    let _ = crate::text::write_csv_rows(
        &mut buf,
        ["row", "action", "id", "result", "message"].into_iter(),
        rows.iter(),
    );
    buf
}
