//! `vigie find TEXT`: one lookup across every profile of the config (or those named): sites,
//! equipements, core users, Maarch users and Ocean individus, matched as `/` matches. Profiles
//! are read a few at a time, each within its own `timeout_secs`; one that fails is named with
//! its error and the others still answer. Reads only, whatever the profile.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::{Global, load_config};
use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, SiteSummary, User};
use crate::api::ocean::Individu;
use crate::app::list::{EXACT, Query, Record};
use crate::change::Clients;
use crate::list::Output;
use crate::protocol::{FOUND_PER_PROFILE, Finder, Found, FoundRecord, ProfileFound};
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

/// The config's profiles searched, from the command line or the console.
pub struct ConfigFinder {
    g: Global,
    /// The profiles named (`--profile A,B`); all when `None`.
    only: Option<Vec<String>>,
}

impl ConfigFinder {
    pub fn new(g: &Global, only: Option<Vec<String>>) -> ConfigFinder {
        ConfigFinder { g: g.clone(), only }
    }
}

impl Finder for ConfigFinder {
    fn find(
        &self,
        text: String,
        own: Option<(String, Clients)>,
    ) -> futures::future::BoxFuture<'static, Vec<ProfileFound>> {
        let (g, only) = (self.g.clone(), self.only.clone());
        Box::pin(async move { find_all(&g, only, &text, own).await })
    }
}

pub(super) async fn run(g: &Global, a: &FindArgs) -> Result<ExitCode, String> {
    crate::i18n::set_lang(g.lang.unwrap_or(crate::i18n::Lang::En));
    let (_, cfg) = load_config(g)?;
    let only: Option<Vec<String>> = g
        .profile
        .as_ref()
        .map(|list| list.split(',').map(|p| p.trim().to_string()).collect());
    if cfg.profiles.is_empty() {
        return Err("no profile in the config to search".into());
    }
    if let Some(unknown) = only
        .iter()
        .flatten()
        .find(|p| !cfg.profiles.contains_key(*p))
    {
        return Err(format!("no profile {}", sanitize(unknown)));
    }
    let results = find_all(g, only, &a.text, None).await;
    write(&mut std::io::stdout().lock(), a.output, &results)
        .map_err(|e| format!("cannot write the output: {e}"))?;
    for r in &results {
        if let (Ok((_, more)), Output::Csv) = (&r.found, a.output)
            && *more > 0
        {
            eprintln!(
                "vigie: {}: {more} more not listed: narrow the search",
                sanitize(&r.profile)
            );
        }
    }
    let failed = results.iter().filter(|r| r.found.is_err()).count();
    let hits: usize = results
        .iter()
        .map(|r| r.found.as_ref().map_or(0, |f| f.0.len()))
        .sum();
    Ok(if failed == results.len() {
        ExitCode::from(2)
    } else if hits == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every profile wanted (all of the config's, `own` included even when the config does not
/// name it), a few at a time, in the config's order.
async fn find_all(
    g: &Global,
    only: Option<Vec<String>>,
    text: &str,
    own: Option<(String, Clients)>,
) -> Vec<ProfileFound> {
    let cfg = match load_config(g) {
        Ok((_, cfg)) => cfg,
        // The console's own profile can still be searched.
        Err(e) if own.is_none() => {
            return vec![ProfileFound {
                profile: "(config)".into(),
                found: Err(e),
            }];
        }
        Err(_) => Default::default(),
    };
    let mut wanted: Vec<String> = only.unwrap_or_else(|| cfg.profiles.keys().cloned().collect());
    if let Some((name, _)) = &own
        && !wanted.contains(name)
    {
        wanted.insert(0, name.clone());
    }
    let cfg = &cfg;
    let own = &own;
    let jobs = wanted.into_iter().map(|name| async move {
        let found = search(cfg, &name, text, own).await;
        ProfileFound {
            profile: name,
            found,
        }
    });
    futures::StreamExt::collect(futures::StreamExt::buffered(
        futures::stream::iter(jobs),
        PROFILES_AT_ONCE,
    ))
    .await
}

/// Every match in one profile, within its timeout; never a prompt, never a write.
async fn search(
    cfg: &crate::config::Config,
    name: &str,
    text: &str,
    own: &Option<(String, Clients)>,
) -> Result<(Vec<Found>, usize), String> {
    let profile = cfg.profiles.get(name);
    let secs = profile.and_then(|p| p.timeout_secs).unwrap_or(20).max(1);
    let clients = match own {
        Some((own, clients)) if own == name => clients.clone(),
        _ => {
            let (name, profile) = cfg.profile(Some(name)).map_err(|e| e.to_string())?;
            super::connect::profile_clients(&profile, &name, |_| false)?.0
        }
    };
    let limit = Duration::from_secs(secs);
    tokio::time::timeout(limit, found(&clients, name, text))
        .await
        .map_err(|_| crate::i18n::trf("no answer within {} s", &[&limit.as_secs()]))?
}

/// What a profile holds that matches, exact matches first, at most `FOUND_PER_PROFILE`
/// kept (of each kind of match) and the rest counted.
async fn found(c: &Clients, profile: &str, text: &str) -> Result<(Vec<Found>, usize), String> {
    let e = |e: crate::api::ApiError| e.to_string();
    let (mut exact, mut loose, mut more) = (Vec::new(), Vec::new(), 0usize);
    let mut add =
        |label: String, site: String, score: Option<u32>, record: &dyn Fn() -> FoundRecord| {
            let Some(s) = score else { return };
            let into = if s >= EXACT { &mut exact } else { &mut loose };
            if into.len() >= FOUND_PER_PROFILE {
                more += 1;
                return;
            }
            let record = record();
            into.push(Found {
                profile: profile.to_string(),
                kind: kind_of(&record),
                label,
                site,
                exact: s >= EXACT,
                record,
            });
        };
    if let Some(core) = &c.core {
        let sites = core.list_sites().await.map_err(e)?;
        let q_site = Query::parse(text, SiteSummary::columns());
        let q_eq = Query::parse(text, Equipement::columns());
        for s in &sites {
            let summary = SiteSummary::from(s);
            let score = q_site.score_record(&summary);
            add(summary.label(), summary.name.clone(), score, &|| {
                FoundRecord::Site(summary.clone())
            });
            let at = std::sync::Arc::new(crate::api::model::SiteRef::from(&summary));
            for eq in &s.equipements {
                let mut eq = eq.clone();
                eq.client_site.get_or_insert_with(|| at.clone());
                let score = q_eq.score_record(&eq);
                add(eq.label(), s.name.clone(), score, &|| {
                    FoundRecord::Equipement(eq.clone())
                });
            }
        }
        let q = Query::parse(text, User::columns());
        for u in core.list_users().await.map_err(e)? {
            add(u.label(), String::new(), q.score_record(&u), &|| {
                FoundRecord::User(u.clone())
            });
        }
    }
    if let Some(m) = &c.maarch {
        let q = Query::parse(text, MaarchUser::columns());
        for u in m.list_users().await.map_err(e)? {
            add(u.label(), String::new(), q.score_record(&u), &|| {
                FoundRecord::MaarchUser(u.clone())
            });
        }
    }
    if let Some(o) = &c.ocean {
        let q = Query::parse(text, Individu::columns());
        for i in o.list_individus(None).await.map_err(e)? {
            add(i.label(), String::new(), q.score_record(&i), &|| {
                FoundRecord::Individu(i.clone())
            });
        }
    }
    exact.append(&mut loose);
    Ok((exact, more))
}

/// The kind a record is, as the output names it.
fn kind_of(r: &FoundRecord) -> &'static str {
    match r {
        FoundRecord::Site(_) => "site",
        FoundRecord::Equipement(_) => "equipement",
        FoundRecord::User(_) => "user",
        FoundRecord::MaarchUser(_) => "maarch user",
        FoundRecord::Individu(_) => "individu",
    }
}

type Results = [ProfileFound];

fn write(out: &mut dyn Write, how: Output, results: &Results) -> std::io::Result<()> {
    match how {
        Output::Json => {
            let v: Vec<serde_json::Value> = results
                .iter()
                .map(|r| match &r.found {
                    Ok((hits, more)) => {
                        serde_json::json!({"profile": r.profile, "found": hits, "more": more})
                    }
                    Err(why) => serde_json::json!({"profile": r.profile, "error": why}),
                })
                .collect();
            let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
            writeln!(out, "{}", crate::text::json_safe(text))
        }
        Output::Csv => {
            writeln!(out, "profile,kind,label,site,error")?;
            for r in results {
                let cell = |s: &str| crate::text::csv_cell(s).into_owned();
                let p = &r.profile;
                match &r.found {
                    Ok((hits, _)) => {
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
            for r in results {
                let p = &r.profile;
                match &r.found {
                    Ok((hits, _)) if hits.is_empty() => {
                        writeln!(out, "{}: nothing found", sanitize(p))?
                    }
                    Ok((hits, more)) => {
                        writeln!(out, "{}:", sanitize(p))?;
                        for h in hits {
                            let site = if h.site.is_empty() || h.kind == "site" {
                                String::new()
                            } else {
                                format!("  ({})", sanitize(&h.site))
                            };
                            writeln!(out, "  {:<12} {}{site}", h.kind, sanitize(&h.label))?;
                        }
                        if *more > 0 {
                            writeln!(out, "  … {more} more not listed: narrow the search")?;
                        }
                    }
                    Err(why) => writeln!(out, "{}: failed: {}", sanitize(p), sanitize(why))?,
                }
            }
            Ok(())
        }
    }
}
