//! `vigie find TEXT`: one lookup across every profile of the config (or those named): sites,
//! equipements, core users, Maarch users and Ocean individus, matched as `/` matches. Profiles
//! are read a few at a time, each within its own `timeout_secs`; one that fails is named with
//! its error and the others still answer. Reads only, whatever the profile.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::{Global, load_config};
use crate::app::Collect;
use crate::change::Clients;
use crate::list::Output;
use crate::protocol::{Finder, Found, FoundRecord, Own, Parts, ProfileFound};
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
        own: Option<Own>,
    ) -> futures::future::BoxFuture<'static, Vec<ProfileFound>> {
        let (g, only) = (self.g.clone(), self.only.clone());
        Box::pin(async move {
            let cfg = load_config(&g).map(|(_, cfg)| cfg);
            find_all(cfg, only, &text, own).await
        })
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
    let results = find_all(Ok(cfg), only, &a.text, None).await;
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
    cfg: Result<crate::config::Config, String>,
    only: Option<Vec<String>>,
    text: &str,
    own: Option<Own>,
) -> Vec<ProfileFound> {
    let cfg = match cfg {
        Ok(cfg) => cfg,
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
    if let Some(o) = &own
        && !wanted.contains(&o.name)
    {
        wanted.insert(0, o.name.clone());
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
    own: &Option<Own>,
) -> Result<(Vec<Found>, usize), String> {
    let profile = cfg.profiles.get(name);
    let secs = profile.and_then(|p| p.timeout_secs).unwrap_or(20).max(1);
    // A profile that names no password is logged in by a prompt only, which a lookup never
    // shows: its refusal says so.
    let mut prompt_only = false;
    let (clients, skip) = match own {
        Some(o) if o.name == name => (o.clients.clone(), o.kept),
        _ => {
            let (name, profile) = cfg.profile(Some(name)).map_err(|e| e.to_string())?;
            prompt_only = [&profile.core, &profile.ocean, &profile.maarch]
                .into_iter()
                .flatten()
                .any(|s| s.username.is_some() && !s.names_a_secret());
            let clients = super::connect::profile_clients(&profile, &name, |_| false)?.0;
            (clients, Parts::default())
        }
    };
    let limit = Duration::from_secs(secs);
    match tokio::time::timeout(limit, found(&clients, name, text, skip)).await {
        Err(_) => Err(crate::i18n::trf(
            "no answer within {} s",
            &[&limit.as_secs()],
        )),
        Ok(Err(e @ crate::api::ApiError::Unauthorized(_))) if prompt_only => Err(crate::i18n::trf(
            "{} — this profile names no password (password_env, password_command, the keyring): `:profile {}` logs in",
            &[&e, &name],
        )),
        Ok(r) => r.map_err(|e| e.to_string()),
    }
}

/// What a profile holds that matches, exact matches first (`Collect`); the parts `skip`
/// names are the console's to search in the lists it holds.
async fn found(
    c: &Clients,
    profile: &str,
    text: &str,
    skip: Parts,
) -> Result<(Vec<Found>, usize), crate::api::ApiError> {
    let mut out = Collect::new(profile);
    if let Some(core) = &c.core {
        if !skip.sites {
            out.sites(text, core.list_sites().await?);
        }
        if !skip.users {
            let users = core.list_users().await?;
            out.records(
                text,
                &users,
                |_| String::new(),
                |u| FoundRecord::User(u.clone()),
            );
        }
    }
    if let Some(m) = c.maarch.as_ref().filter(|_| !skip.maarch) {
        let users = m.list_users().await?;
        out.records(
            text,
            &users,
            |_| String::new(),
            |u| FoundRecord::MaarchUser(u.clone()),
        );
    }
    if let Some(o) = c.ocean.as_ref().filter(|_| !skip.individus) {
        let individus = o.list_individus(None).await?;
        out.records(
            text,
            &individus,
            |_| String::new(),
            |i| FoundRecord::Individu(i.clone()),
        );
    }
    Ok(out.finish())
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

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::{Parts, found};
    use crate::api::Credentials;
    use crate::api::core::CoreClient;
    use crate::change::Clients;
    use crate::server::{SeedMode, ServerConfig};

    /// The parts the console searched in its own lists are not read again: with the sites
    /// kept, the profile's search asks no sites list and finds no site or equipement.
    #[tokio::test]
    async fn the_parts_the_console_kept_are_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = ServerConfig::new(dir.path().join("find.db"));
        cfg.seed = SeedMode::Demo;
        cfg.seed_size = 10;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = crate::server::start(cfg, listener).await.unwrap();
        let auth = Credentials::Password {
            username: "admin@vigie.local".into(),
            password: "admin-demo".to_string().into(),
        };
        let core = CoreClient::new(&server.url(), auth, &Default::default()).unwrap();
        let clients = Clients {
            core: Some(core),
            ..Default::default()
        };
        let kinds = |parts| {
            let clients = clients.clone();
            async move {
                let (hits, _) = found(&clients, "p", "loum", parts).await.unwrap();
                hits.iter().map(|h| h.kind).collect::<Vec<_>>()
            }
        };
        assert!(kinds(Parts::default()).await.contains(&"site"));
        let kept = Parts {
            sites: true,
            ..Default::default()
        };
        let left = kinds(kept).await;
        assert!(
            !left.contains(&"site") && !left.contains(&"equipement"),
            "{left:?}"
        );
        server.stop().await;
    }
}
