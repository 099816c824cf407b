//! `vigie list`: the quick lookup for scripts and SSH one-liners, through the same client.

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::ApiError;
use crate::api::core::{CoreClient, MAX_PAGE_SIZE};
use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, SiteSummary};
use crate::api::ocean::Individu;
use crate::app::list::Record;
use crate::protocol::Service;
use crate::text::{sanitize, write_csv_rows};
use crate::worker::Clients;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Resource {
    Sites,
    Equipements,
    /// Core users.
    Users,
    Roles,
    /// Maarch Courrier users (the profile's `maarch` section).
    MaarchUsers,
    /// Ocean individus (the profile's `ocean` section).
    Individus,
}

impl Resource {
    /// The service holding the list.
    pub fn service(self) -> Service {
        match self {
            Resource::MaarchUsers => Service::Maarch,
            Resource::Individus => Service::Ocean,
            _ => Service::Core,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum Output {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    pub resource: Resource,
    /// Only this site (name or id): its equipements, or the site itself.
    #[arg(long)]
    pub site: Option<String>,
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: Output,
    /// Show equipement passwords instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Finds a site by id, or by name (case-insensitive); an ambiguous name is an error that
/// lists the candidates.
pub fn find_site<'a>(sites: &'a [SiteSummary], key: &str) -> Result<&'a SiteSummary, String> {
    if let Some(s) = sites
        .iter()
        .find(|s| s.site_id.eq_ignore_ascii_case(key.trim()))
    {
        return Ok(s);
    }
    let wanted = key.trim().to_lowercase();
    let hits: Vec<&SiteSummary> = sites
        .iter()
        .filter(|s| s.name.trim().to_lowercase() == wanted)
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => {
            let close: Vec<String> = sites
                .iter()
                .filter(|s| s.name.to_lowercase().contains(&wanted))
                .take(5)
                .map(|s| sanitize(&s.name).into_owned())
                .collect();
            if close.is_empty() {
                Err(format!("no site named or numbered '{}'", sanitize(key)))
            } else {
                Err(format!(
                    "no site named '{}' (did you mean: {}?)",
                    sanitize(key),
                    close.join(", ")
                ))
            }
        }
        many => Err(format!(
            "several sites are named '{}': use the id ({})",
            sanitize(key),
            many.iter()
                .map(|s| format!(
                    "{} of {}",
                    s.site_id,
                    sanitize(&s.client.as_ref().map(|c| c.nom.clone()).unwrap_or_default())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Every equipement of a site, all pages.
pub async fn site_equipements(
    core: &CoreClient,
    site_id: &str,
) -> Result<Vec<Equipement>, ApiError> {
    core.all_pages(|p| core.site_equipements(site_id, p, MAX_PAGE_SIZE))
        .await
}

/// Prints the list `a` asks for, from whichever service holds it; a service the profile does
/// not declare is an error naming the section to add.
pub async fn run(clients: &Clients, a: &ListArgs, out: &mut dyn Write) -> Result<(), String> {
    let e = |e: ApiError| e.to_string();
    let table = match a.resource {
        Resource::MaarchUsers => {
            let users = clients.maarch().map_err(e)?.list_users().await.map_err(e)?;
            maarch_users_table(&users, a.show_secrets)
        }
        Resource::Individus => {
            let ocean = clients.ocean().map_err(e)?;
            individus_table(
                &ocean.list_individus(None).await.map_err(e)?,
                a.show_secrets,
            )
        }
        _ => core_table(clients.core().map_err(e)?, a).await?,
    };
    let written = match a.output {
        Output::Table => write_table(out, &table),
        // Exact data, but no control a terminal would act on (C1 and bidi escaped too).
        Output::Json => serde_json::to_string_pretty(&table.json)
            .map_err(std::io::Error::other)
            .and_then(|j| writeln!(out, "{}", crate::text::json_safe(j))),
        Output::Csv => write_csv(out, &table),
    };
    match written {
        Ok(()) => Ok(()),
        // `vigie list ... | head` closes the pipe: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write the output: {e}")),
    }
}

async fn core_table(core: &CoreClient, a: &ListArgs) -> Result<Table, String> {
    let e = |e: ApiError| e.to_string();
    Ok(match a.resource {
        Resource::Sites => {
            let mut sites = core.list_site_summaries().await.map_err(e)?;
            if let Some(key) = &a.site {
                let one = find_site(&sites, key)?.clone();
                sites = vec![one];
            }
            sites_table(&sites)
        }
        Resource::Equipements => {
            let (items, site_name) = match &a.site {
                Some(key) => {
                    let sites = core.list_site_summaries().await.map_err(e)?;
                    let site = find_site(&sites, key)?;
                    (
                        site_equipements(core, &site.site_id).await.map_err(e)?,
                        Some(site.name.clone()),
                    )
                }
                None => (
                    core.all_pages(|p| core.list_equipements(p, MAX_PAGE_SIZE))
                        .await
                        .map_err(e)?,
                    None,
                ),
            };
            equipements_table(&items, site_name.as_deref(), a.show_secrets)
        }
        Resource::Users => users_table(&core.list_users().await.map_err(e)?),
        Resource::Roles => roles_table(&core.list_roles().await.map_err(e)?),
        Resource::MaarchUsers | Resource::Individus => unreachable!("not a core list"),
    })
}

/// JSON of records, their secret-looking keys masked unless asked.
fn records_json<T: Serialize>(items: &[T], show_secrets: bool) -> serde_json::Value {
    let mut v = to_json(&items);
    if !show_secrets {
        crate::text::mask_secrets(&mut v);
    }
    v
}

pub fn maarch_users_table(users: &[MaarchUser], show_secrets: bool) -> Table {
    Table {
        headers: vec![
            "ID",
            "LOGIN",
            "FIRSTNAME",
            "LASTNAME",
            "EMAIL",
            "STATUS",
            "MODE",
        ],
        rows: users.iter().map(Record::cells).collect(),
        json: records_json(users, show_secrets),
    }
}

pub fn individus_table(individus: &[Individu], show_secrets: bool) -> Table {
    Table {
        headers: vec![
            "ID",
            "LASTNAME",
            "FIRSTNAME",
            "MATRICULE",
            "MOBILE",
            "ENTITY",
            "LOGIN",
        ],
        rows: individus.iter().map(Record::cells).collect(),
        json: records_json(individus, show_secrets),
    }
}

pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    pub json: serde_json::Value,
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The console's cells of a record, and its id last (scripts need it).
fn with_id(mut cells: Vec<String>, id: &str) -> Vec<String> {
    cells.push(id.to_string());
    cells
}

pub fn sites_table(sites: &[SiteSummary]) -> Table {
    let rows = sites
        .iter()
        .map(|s| with_id(s.cells(), &s.site_id))
        .collect();
    Table {
        headers: vec![
            "NAME",
            "CLIENT",
            "LATITUDE",
            "LONGITUDE",
            "EQUIPEMENTS",
            "CREATED",
            "ID",
        ],
        rows,
        json: to_json(&sites),
    }
}

pub fn equipements_table(items: &[Equipement], site: Option<&str>, show_secrets: bool) -> Table {
    let rows = items
        .iter()
        .map(|e| {
            vec![
                e.ip.to_string(),
                e.port.map(|p| p.to_string()).unwrap_or_default(),
                e.marque.to_string(),
                e.modele.to_string(),
                site.map(str::to_string)
                    .or_else(|| e.client_site.as_ref().map(|s| s.name.clone()))
                    .unwrap_or_default(),
                e.sources.joined(),
                e.username.to_string(),
                if show_secrets {
                    e.password.expose().to_string()
                } else {
                    e.password.masked().to_string()
                },
                e.timestamp.as_ref().map(|t| t.short()).unwrap_or_default(),
                e.equipement_id.clone(),
            ]
        })
        .collect();
    let json = if show_secrets {
        to_json(&items)
    } else {
        let masked: Vec<Equipement> = items
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if !e.password.0.is_empty() {
                    e.password.0 = "********".into();
                }
                e
            })
            .collect();
        to_json(&masked)
    };
    Table {
        headers: vec![
            "IP", "PORT", "MARQUE", "MODELE", "SITE", "SOURCES", "USERNAME", "PASSWORD", "CREATED",
            "ID",
        ],
        rows,
        json,
    }
}

pub fn users_table(users: &[crate::api::model::User]) -> Table {
    let rows = users
        .iter()
        .map(|u| with_id(u.cells(), &u.user_id))
        .collect();
    Table {
        headers: vec!["MATRICULE", "NOM", "EMAIL", "ROLE", "STATUS", "ID"],
        rows,
        json: to_json(&users),
    }
}

pub fn roles_table(roles: &[crate::api::model::Role]) -> Table {
    let rows = roles
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.description.clone(),
                r.permissions.len().to_string(),
                r.permissions
                    .iter()
                    .map(|p| p.key())
                    .collect::<Vec<_>>()
                    .join(" "),
                r.role_id.clone(),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "DESCRIPTION", "PERMISSIONS", "GRANTS", "ID"],
        rows,
        json: to_json(&roles),
    }
}

fn write_table(out: &mut dyn Write, t: &Table) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = t.headers.iter().map(|h| h.width()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.width());
            }
        }
    }
    let line = |out: &mut dyn Write, cols: &[String]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cols.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(c.width()) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    let head: Vec<String> = t.headers.iter().map(|h| h.to_string()).collect();
    line(out, &head)?;
    for r in &cells {
        line(out, r)?;
    }
    Ok(())
}

/// CSV whose cells neither run in a spreadsheet nor act on a terminal (`text::csv_cell`).
pub fn write_csv(out: &mut dyn Write, t: &Table) -> std::io::Result<()> {
    write_csv_rows(out, t.headers.iter().copied(), t.rows.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, name: &str) -> SiteSummary {
        SiteSummary {
            site_id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn finds_sites_by_name_or_id() {
        let sites = vec![site("a1", "LOUM"), site("b2", "YASSA"), site("c3", "Yassa")];
        assert_eq!(find_site(&sites, "loum").unwrap().site_id, "a1");
        assert_eq!(find_site(&sites, "B2").unwrap().site_id, "b2");
        assert!(find_site(&sites, "yassa").unwrap_err().contains("several"));
        assert!(
            find_site(&sites, "LOU")
                .unwrap_err()
                .contains("did you mean: LOUM")
        );
    }

    #[test]
    fn table_aligns_wide_text_and_strips_escapes() {
        let t = Table {
            headers: vec!["A", "B"],
            rows: vec![
                vec!["東京".into(), "x".into()],
                vec!["\u{1b}[2Jab".into(), "y".into()],
            ],
            json: serde_json::Value::Null,
        };
        let mut buf = Vec::new();
        write_table(&mut buf, &t).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(!s.contains('\u{1b}'));
        let cols: Vec<usize> = s
            .lines()
            .map(|l| {
                let i = l.rfind(' ').unwrap();
                l[..=i].width()
            })
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{s}");
    }
}
