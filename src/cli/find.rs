//! `vigie find TEXT`: one lookup across every profile of the config (or those named): sites,
//! equipements, core users, Maarch users and Ocean individus, matched as `/` matches. Profiles
//! are read a few at a time, each within its own `timeout_secs`; one that fails is named with
//! its error and the others still answer. Reads only, whatever the profile.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde::Serialize;

use super::{Global, connect, load_config};
use crate::app::list::{EXACT, Query, Record};
use crate::list::Output;
use crate::text::sanitize;

/// Profiles read at once.
const PROFILES_AT_ONCE: usize = 4;

#[derive(Debug, Args)]
pub struct FindArgs {
    /// What to look for, as `/` matches it: text inside a field (`10.13.0.12`, `bépanda`),
    /// or inside a named column (`site:loum`, `ip:10.13.`). `--profile A,B` limits the
    /// profiles searched.
    pub text: String,
    /// Output format: a table for a person, JSON or CSV for a program.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: Output,
}

/// One record found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub profile: String,
    pub kind: &'static str,
    pub label: String,
    pub site: String,
    /// Every word matched as text (not only as letters in order).
    pub exact: bool,
}

pub(super) async fn run(g: &Global, a: &FindArgs) -> Result<ExitCode, String> {
    crate::i18n::set_lang(g.lang.unwrap_or(crate::i18n::Lang::En));
    let (_, cfg) = load_config(g)?;
    let wanted: Vec<String> = match &g.profile {
        Some(list) => list.split(',').map(|p| p.trim().to_string()).collect(),
        None => cfg.profiles.keys().cloned().collect(),
    };
    if wanted.is_empty() {
        return Err("no profile in the config to search".into());
    }
    if let Some(unknown) = wanted.iter().find(|p| !cfg.profiles.contains_key(*p)) {
        return Err(format!("no profile {}", sanitize(unknown)));
    }
    let jobs = wanted.iter().map(|name| {
        let (g, name, text) = (g.clone(), name.clone(), a.text.clone());
        async move {
            let found = search(&g, &name, &text).await;
            (name, found)
        }
    });
    let results: Vec<(String, Result<Vec<Hit>, String>)> = futures::StreamExt::collect(
        futures::StreamExt::buffered(futures::stream::iter(jobs), PROFILES_AT_ONCE),
    )
    .await;
    write(&mut std::io::stdout().lock(), a.output, &results)
        .map_err(|e| format!("cannot write the output: {e}"))?;
    let failed = results.iter().filter(|r| r.1.is_err()).count();
    let hits: usize = results
        .iter()
        .map(|r| r.1.as_ref().map_or(0, Vec::len))
        .sum();
    Ok(if failed == results.len() {
        ExitCode::from(2)
    } else if hits == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every match in one profile, within its timeout.
async fn search(g: &Global, name: &str, text: &str) -> Result<Vec<Hit>, String> {
    let mut g = g.clone();
    g.profile = Some(name.to_string());
    g.read_only = true;
    let c = connect(&g, None)?;
    let limit = Duration::from_secs(c.profile.timeout_secs.unwrap_or(20).max(1));
    tokio::time::timeout(limit, found(&c, name, text))
        .await
        .map_err(|_| format!("no answer within {} s", limit.as_secs()))?
}

async fn found(c: &super::Connection, profile: &str, text: &str) -> Result<Vec<Hit>, String> {
    let e = |e: crate::api::ApiError| e.to_string();
    let mut out = Vec::new();
    let mut add = |kind: &'static str, label: String, site: String, score: Option<u32>| {
        if let Some(s) = score {
            out.push(Hit {
                profile: profile.to_string(),
                kind,
                label,
                site,
                exact: s >= EXACT,
            });
        }
    };
    if let Ok(core) = c.clients.core() {
        let sites = core.list_sites().await.map_err(e)?;
        let q_site = Query::parse(text, crate::api::model::SiteSummary::columns());
        let q_eq = Query::parse(text, crate::api::model::Equipement::columns());
        for s in &sites {
            let summary = crate::api::model::SiteSummary::from(s);
            add(
                "site",
                summary.label(),
                summary.name.clone(),
                q_site.score_record(&summary),
            );
            let at = std::sync::Arc::new(crate::api::model::SiteRef::from(&summary));
            for eq in &s.equipements {
                let mut eq = eq.clone();
                eq.client_site.get_or_insert_with(|| at.clone());
                add(
                    "equipement",
                    eq.label(),
                    s.name.clone(),
                    q_eq.score_record(&eq),
                );
            }
        }
        let q = Query::parse(text, crate::api::model::User::columns());
        for u in core.list_users().await.map_err(e)? {
            add("user", u.label(), String::new(), q.score_record(&u));
        }
    }
    if let Ok(m) = c.clients.maarch() {
        let q = Query::parse(text, crate::api::maarch::MaarchUser::columns());
        for u in m.list_users().await.map_err(e)? {
            add("maarch user", u.label(), String::new(), q.score_record(&u));
        }
    }
    if let Ok(o) = c.clients.ocean() {
        let q = Query::parse(text, crate::api::ocean::Individu::columns());
        for i in o.list_individus(None).await.map_err(e)? {
            add("individu", i.label(), String::new(), q.score_record(&i));
        }
    }
    // Exact matches first, then the rest, each in the server's order.
    out.sort_by_key(|h| !h.exact);
    Ok(out)
}

type Results = [(String, Result<Vec<Hit>, String>)];

fn write(out: &mut dyn Write, how: Output, results: &Results) -> std::io::Result<()> {
    match how {
        Output::Json => {
            let v: Vec<serde_json::Value> = results
                .iter()
                .map(|(p, r)| match r {
                    Ok(hits) => serde_json::json!({"profile": p, "found": hits}),
                    Err(why) => serde_json::json!({"profile": p, "error": why}),
                })
                .collect();
            let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
            writeln!(out, "{}", crate::text::json_safe(text))
        }
        Output::Csv => {
            writeln!(out, "profile,kind,label,site,error")?;
            for (p, r) in results {
                let cell = |s: &str| crate::text::csv_cell(s).into_owned();
                match r {
                    Ok(hits) => {
                        for h in hits {
                            writeln!(
                                out,
                                "{},{},{},{},",
                                cell(p),
                                cell(h.kind),
                                cell(&h.label),
                                cell(&h.site)
                            )?;
                        }
                    }
                    Err(why) => writeln!(out, "{},,,,{}", cell(p), cell(why))?,
                }
            }
            Ok(())
        }
        Output::Table => {
            for (p, r) in results {
                match r {
                    Ok(hits) if hits.is_empty() => writeln!(out, "{}: nothing found", sanitize(p))?,
                    Ok(hits) => {
                        writeln!(out, "{}:", sanitize(p))?;
                        for h in hits {
                            let site = if h.site.is_empty() || h.kind == "site" {
                                String::new()
                            } else {
                                format!("  ({})", sanitize(&h.site))
                            };
                            writeln!(out, "  {:<12} {}{site}", h.kind, sanitize(&h.label))?;
                        }
                    }
                    Err(why) => writeln!(out, "{}: failed: {}", sanitize(p), sanitize(why))?,
                }
            }
            Ok(())
        }
    }
}
