//! `vigie list`: the quick lookup for scripts and SSH one-liners, through the same client.

use std::io::Write;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::ApiError;
use crate::api::Service;
use crate::api::core::{CoreClient, Paged};
use crate::api::model::{Equipement, SiteRef, SiteSummary};
use crate::change::Clients;
use crate::text::sanitize;

mod tables;
#[cfg(test)]
mod tests;

pub use tables::{
    Table, equipements_table, individus_table, maarch_users_table, roles_table, sites_table,
    users_table, write_csv,
};
use tables::{
    equipement_cells, equipement_headers, grow_widths, measured, table_line, write_table,
};

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
    /// Aligned columns, for a person.
    #[default]
    Table,
    /// Every field of each record, as the service gives it (secrets masked).
    Json,
    /// The table's columns, for spreadsheets and scripts.
    Csv,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    pub resource: Resource,
    /// Only this site (its id, or its whole name, accents and case aside): its equipements,
    /// or the site itself.
    #[arg(long)]
    pub site: Option<String>,
    /// Output format: a table for a person, JSON or CSV for a program.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: Output,
    /// Show equipement passwords instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Candidates named in one error line at most (a one-letter name matches a whole fleet).
const MAX_CANDIDATES: usize = 30;

/// Finds a site by id, or by its whole name with case and accents aside (`bonaberi` is
/// BONABÉRI, as in the console); a name that fits several sites, or only parts of names,
/// is an error naming every candidate.
pub fn find_site<'a>(sites: &'a [SiteSummary], key: &str) -> Result<&'a SiteSummary, String> {
    if let Some(s) = sites
        .iter()
        .find(|s| s.site_id.eq_ignore_ascii_case(key.trim()))
    {
        return Ok(s);
    }
    let norm = |s: &str| crate::rows::fold(s.trim()).to_lowercase();
    let wanted = norm(key);
    let hits: Vec<&SiteSummary> = sites.iter().filter(|s| norm(&s.name) == wanted).collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => {
            // A script names a site whole: a part of a name is suggested, never picked.
            let close: Vec<&SiteSummary> = sites
                .iter()
                .filter(|s| !wanted.is_empty() && norm(&s.name).contains(&wanted))
                .collect();
            if close.is_empty() {
                Err(format!("no site named or numbered '{}'", sanitize(key)))
            } else {
                Err(format!(
                    "no site named '{}' (did you mean: {}?)",
                    sanitize(key),
                    candidates(&close, |s| sanitize(&s.name).into_owned())
                ))
            }
        }
        many => Err(format!(
            "several sites are named '{}': use the id ({})",
            sanitize(key),
            candidates(many, |s| format!(
                "{} {} of {}",
                s.site_id,
                sanitize(&s.name),
                sanitize(&s.client.as_ref().map(|c| c.nom.clone()).unwrap_or_default())
            ))
        )),
    }
}

/// Every candidate, or the first `MAX_CANDIDATES` and how many more.
fn candidates(sites: &[&SiteSummary], say: impl Fn(&SiteSummary) -> String) -> String {
    let mut out: Vec<String> = sites.iter().take(MAX_CANDIDATES).map(|s| say(s)).collect();
    if sites.len() > MAX_CANDIDATES {
        out.push(format!("and {} more", sites.len() - MAX_CANDIDATES));
    }
    out.join(", ")
}

/// Every equipement of a site, all pages.
pub async fn site_equipements(
    core: &CoreClient,
    site_id: &str,
) -> Result<Vec<Equipement>, ApiError> {
    core.all_site_equipements(site_id).await
}

/// Prints the list `a` asks for, from whichever service holds it; a service the profile does
/// not declare is an error naming the section to add.
pub async fn run(clients: &Clients, a: &ListArgs, out: &mut dyn Write) -> Result<(), String> {
    let e = |e: ApiError| e.to_string();
    if a.resource == Resource::Equipements {
        return finish_writing(stream_equipements(clients.core().map_err(e)?, a, out).await);
    }
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
    finish_writing(written.map_err(Written::Io))
}

/// Why writing a list stopped.
enum Written {
    Io(std::io::Error),
    Api(ApiError),
    Other(String),
    /// The site kept from an earlier run is not the server's any more.
    Stale,
}

fn finish_writing(written: Result<(), Written>) -> Result<(), String> {
    match written {
        Ok(()) => Ok(()),
        // `vigie list ... | head` closes the pipe: not an error.
        Err(Written::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(Written::Io(e)) => Err(format!("cannot write the output: {e}")),
        Err(Written::Api(e)) => Err(e.to_string()),
        Err(Written::Other(e)) => Err(e),
        Err(Written::Stale) => Err("the site changed while it was listed: run again".into()),
    }
}

/// Pages of equipements in flight while a list is written (as the console loads).
const LIST_CONCURRENCY: usize = 6;

/// `vigie list equipements`: each page written as soon as it and the pages before it are in,
/// so what is held is a few pages, whatever the list's size; a server that fails half way
/// leaves the rows written so far and an error (the exit code says it).
async fn stream_equipements(
    core: &CoreClient,
    a: &ListArgs,
    out: &mut dyn Write,
) -> Result<(), Written> {
    let Some(key) = &a.site else {
        return write_equipements(core, a, out, Paged::Equipements, None).await;
    };
    // The site found in the list an earlier run read less than `KEPT_SITES_FOR` ago: one
    // request instead of the whole sites list (31 MB on a big fleet, seconds over a WAN).
    // Names can change meanwhile and the per-site route does not say which site it lists:
    // hence the short window. A site gone (404), or a first page that names another site
    // (servers that embed it), drops the kept list and the server's is read.
    let kept = core
        .kept_sites()
        .filter(|(_, age)| *age <= KEPT_SITES_FOR)
        .and_then(|(sites, _)| find_site(&sites, key).ok().cloned());
    if let Some(site) = kept {
        match write_equipements(core, a, out, Paged::Site(site.site_id.clone()), Some(&site)).await
        {
            Err(Written::Stale) | Err(Written::Api(ApiError::NotFound(_))) => {
                core.forget_kept_sites()
            }
            done => return done,
        }
    }
    let sites = core.list_site_summaries().await.map_err(Written::Api)?;
    let site = find_site(&sites, key).map_err(Written::Other)?;
    let route = Paged::Site(site.site_id.clone());
    let site = SiteSummary {
        equipement_count: 0,
        ..site.clone()
    };
    drop(sites);
    write_equipements(core, a, out, route, Some(&site)).await
}

/// How old a kept sites list may be to find a site by (a script's loop of lookups).
pub const KEPT_SITES_FOR: std::time::Duration = std::time::Duration::from_secs(300);

/// The pages of `route` written as they come. `site`: the site they are of; when it comes
/// from the kept list, a first page of another site (or another name) is `Written::Stale`,
/// before anything is written.
async fn write_equipements(
    core: &CoreClient,
    a: &ListArgs,
    out: &mut dyn Write,
    route: Paged,
    site: Option<&SiteSummary>,
) -> Result<(), Written> {
    let mut w = EquipementsWriter::new(out, a.output, site.map(|s| s.name.clone()), a.show_secrets);
    // An I/O error or a stale site is kept aside: the walk stops on any error from the closure.
    let mut io: Option<std::io::Error> = None;
    let mut stale = false;
    let mut first = true;
    let walked = core
        .walk_pages(route, LIST_CONCURRENCY, |items, _| {
            if std::mem::take(&mut first)
                && let (Some(want), Some(got)) =
                    (site, items.first().and_then(|e| e.client_site.as_ref()))
                && (got.site_id != want.site_id || got.name.trim() != want.name.trim())
            {
                stale = true;
                return Err(ApiError::Config(String::new()));
            }
            w.page(items).map_err(|e| {
                io = Some(e);
                ApiError::Config(String::new())
            })
        })
        .await;
    if stale {
        return Err(Written::Stale);
    }
    if let Some(e) = io {
        return Err(Written::Io(e));
    }
    if w.rows == 0
        && let Err(e @ ApiError::NotFound(_)) = walked
    {
        // Nothing written yet: the caller may look the site up again.
        return Err(Written::Api(e));
    }
    // What was written stays well-formed (a JSON array closed) even when the walk failed.
    let closed = w.finish().map_err(Written::Io);
    walked.map_err(Written::Api)?;
    closed
}

/// Writes equipements a page at a time in the format asked: the JSON array `-o json` wrote
/// whole before (same bytes), CSV rows, or a table whose columns are sized on the first page
/// (a wider cell later pushes the rest of its line, and the columns grow for the lines after).
pub struct EquipementsWriter<'a> {
    out: &'a mut dyn Write,
    output: Output,
    site: Option<String>,
    show_secrets: bool,
    rows: usize,
    widths: Vec<usize>,
    /// Something was written (CSV's header).
    started: bool,
    buf: Vec<u8>,
    /// JSON of each site met (`-o json`), by the allocation its rows share: a listing writes
    /// the same few dozen sites a hundred thousand times (a sixth of its work, written anew).
    sites_json: std::collections::HashMap<usize, (Arc<SiteRef>, Vec<u8>)>,
}

/// An element of `-o json`'s array, appended to `out`.
fn write_element(e: &Equipement, out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, ElementFormatter::new());
    e.serialize(&mut ser).map_err(std::io::Error::other)
}

/// How `ElementFormatter` closes an element's object.
const ELEMENT_END: &[u8] = b"\n  }";

/// An element's JSON without its site, then with it: what its site adds (`,` and the
/// `client_site` member, the last one written), or `None` if the two do not line up so.
fn site_member(bare: &Equipement, site: &Arc<SiteRef>) -> std::io::Result<Option<Vec<u8>>> {
    let (mut without, mut with) = (Vec::new(), Vec::new());
    write_element(bare, &mut without)?;
    let whole = Equipement {
        client_site: Some(site.clone()),
        ..bare.clone()
    };
    write_element(&whole, &mut with)?;
    let keep = without.len().saturating_sub(ELEMENT_END.len());
    Ok((without.ends_with(ELEMENT_END)
        && with.ends_with(ELEMENT_END)
        && with.starts_with(&without[..keep]))
    .then(|| with[keep..with.len() - ELEMENT_END.len()].to_vec()))
}

impl<'a> EquipementsWriter<'a> {
    pub fn new(
        out: &'a mut dyn Write,
        output: Output,
        site: Option<String>,
        show_secrets: bool,
    ) -> Self {
        EquipementsWriter {
            out,
            output,
            site,
            show_secrets,
            rows: 0,
            widths: Vec::new(),
            started: false,
            buf: Vec::new(),
            sites_json: Default::default(),
        }
    }

    pub fn page(&mut self, items: Vec<Equipement>) -> std::io::Result<()> {
        let first = !self.started && self.widths.is_empty();
        match self.output {
            Output::Json => {
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                for mut e in items {
                    buf.extend_from_slice(if self.rows == 0 { b"[\n  " } else { b",\n  " });
                    if !self.show_secrets && !e.password.0.is_empty() {
                        e.password.0 = crate::text::MASK.into();
                    }
                    // The site's member is written from the one kept for its allocation.
                    let site = e.client_site.take();
                    let member = match &site {
                        Some(site) => self.site_member(&e, site)?,
                        None => None,
                    };
                    if member.is_none() {
                        e.client_site = site.clone();
                    }
                    let start = buf.len();
                    write_element(&e, &mut buf)?;
                    match member {
                        Some(member) if buf.ends_with(ELEMENT_END) => {
                            buf.truncate(buf.len() - ELEMENT_END.len());
                            buf.extend_from_slice(member);
                            buf.extend_from_slice(ELEMENT_END);
                        }
                        // Not laid out as the member expects: the row written whole.
                        Some(_) => {
                            buf.truncate(start);
                            e.client_site = site;
                            write_element(&e, &mut buf)?;
                        }
                        None => {}
                    }
                    self.rows += 1;
                }
                self.out.write_all(&buf)?;
                self.buf = buf;
            }
            Output::Csv => {
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                let mut w = csv::Writer::from_writer(buf);
                let io = |e: csv::Error| std::io::Error::other(e.to_string());
                if first {
                    w.write_record(
                        equipement_headers()
                            .iter()
                            .map(|h| crate::text::csv_cell(h).into_owned()),
                    )
                    .map_err(io)?;
                }
                for e in &items {
                    let cells = equipement_cells(e, self.site.as_deref(), self.show_secrets);
                    let cells = cells.each_ref().map(|c| crate::text::csv_cell(c));
                    w.write_record(cells.iter().map(|c| c.as_bytes()))
                        .map_err(io)?;
                    self.rows += 1;
                }
                let bytes = w
                    .into_inner()
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                self.out.write_all(&bytes)?;
                self.buf = bytes;
                self.started = true;
            }
            Output::Table => {
                let cells: Vec<_> = items
                    .iter()
                    .map(|e| {
                        equipement_cells(e, self.site.as_deref(), self.show_secrets).map(|c| {
                            measured(match sanitize(&c) {
                                std::borrow::Cow::Borrowed(_) => c,
                                std::borrow::Cow::Owned(o) => std::borrow::Cow::Owned(o),
                            })
                        })
                    })
                    .collect();
                // A page's lines in one write: stdout flushes at every newline otherwise.
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                if self.widths.is_empty() {
                    let headers = equipement_headers();
                    self.widths = headers.iter().map(|h| h.width()).collect();
                    grow_widths(&mut self.widths, &cells);
                    table_line(&mut buf, &self.widths, &headers)?;
                }
                for r in &cells {
                    table_line(&mut buf, &self.widths, r)?;
                    self.rows += 1;
                }
                self.out.write_all(&buf)?;
                self.buf = buf;
                grow_widths(&mut self.widths, &cells);
            }
        }
        self.out.flush()
    }

    /// The JSON `site` adds to `bare` (a row without its site), made once per site.
    fn site_member(
        &mut self,
        bare: &Equipement,
        site: &Arc<SiteRef>,
    ) -> std::io::Result<Option<&[u8]>> {
        let key = Arc::as_ptr(site) as usize;
        if !self.sites_json.contains_key(&key) {
            let Some(member) = site_member(bare, site)? else {
                return Ok(None);
            };
            if self.sites_json.len() >= 4096 {
                self.sites_json.clear();
            }
            // The Arc kept keeps the address from being another site's.
            self.sites_json.insert(key, (site.clone(), member));
        }
        Ok(self.sites_json.get(&key).map(|(_, m)| m.as_slice()))
    }

    /// Ends the output (an empty list is still a header, or `[]`).
    pub fn finish(mut self) -> std::io::Result<()> {
        match self.output {
            Output::Json if self.rows == 0 => writeln!(self.out, "[]")?,
            Output::Json => self.out.write_all(b"\n]\n")?,
            _ if self.rows == 0 && self.widths.is_empty() && !self.started => {
                self.page(Vec::new())?
            }
            _ => {}
        }
        self.out.flush()
    }
}

/// serde_json's own pretty layout, one level in (an element of the array `-o json` writes),
/// serialised straight into the output; strings are escaped as they are written
/// (`text::json_safe`'s characters: DEL, C1, bidi controls), so no second pass.
struct ElementFormatter(serde_json::ser::PrettyFormatter<'static>);

impl ElementFormatter {
    fn new() -> Self {
        let mut f = serde_json::ser::PrettyFormatter::new();
        // Opening an array on nothing moves the layout one level in.
        let _ = serde_json::ser::Formatter::begin_array(&mut f, &mut std::io::sink());
        ElementFormatter(f)
    }
}

impl serde_json::ser::Formatter for ElementFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // The escaping is `json_safe`'s own, applied to this piece of a string.
        w.write_all(crate::text::json_safe_str(fragment).as_bytes())
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
        Resource::Equipements => unreachable!("streamed"),
        Resource::Users => users_table(&core.list_users().await.map_err(e)?),
        Resource::Roles => roles_table(&core.list_roles().await.map_err(e)?),
        Resource::MaarchUsers | Resource::Individus => unreachable!("not a core list"),
    })
}
