//! The tables `vigie list` writes: each kind's headers and cells, as aligned text or CSV,
//! and its JSON.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, SiteSummary};
use crate::api::ocean::Individu;
use crate::i18n::tr;
use crate::rows::Record;
use crate::text::{MASK, sanitize, write_csv_rows};

// Headers are catalogue words, so a list speaks one language: English unless `--lang fr`.

pub(super) fn equipement_headers() -> Vec<&'static str> {
    vec![
        tr("IP"),
        tr("PORT"),
        tr("BRAND"),
        tr("MODEL"),
        tr("SITE"),
        tr("SOURCES"),
        tr("USERNAME"),
        tr("PASSWORD"),
        tr("CREATED"),
        tr("ID"),
    ]
}

/// The list's cells of an equipement, borrowed where the record holds them as shown: a
/// listing makes a hundred thousand of these, and most cells are a field as it is.
pub(super) fn equipement_cells<'a>(
    e: &'a Equipement,
    site: Option<&'a str>,
    show_secrets: bool,
) -> [Cow<'a, str>; 10] {
    let sources = match e.sources.0.as_slice() {
        [] => Cow::Borrowed(""),
        [one] => Cow::Borrowed(one.as_str()),
        _ => Cow::Owned(e.sources.joined()),
    };
    [
        Cow::Borrowed(e.ip.as_str()),
        e.port
            .map(|p| Cow::Owned(p.to_string()))
            .unwrap_or_default(),
        Cow::Borrowed(e.marque.as_str()),
        Cow::Borrowed(e.modele.as_str()),
        Cow::Borrowed(
            site.or_else(|| e.client_site.as_ref().map(|s| s.name.as_str()))
                .unwrap_or_default(),
        ),
        sources,
        Cow::Borrowed(e.username.as_str()),
        Cow::Borrowed(if show_secrets {
            e.password.expose()
        } else {
            e.password.masked()
        }),
        e.timestamp
            .as_ref()
            .map(|t| Cow::Owned(t.short()))
            .unwrap_or_default(),
        Cow::Borrowed(e.equipement_id.as_str()),
    ]
}

/// A table's cell: its text, and the columns it takes (measured when asked, or once and kept
/// beside it: a listing lays out a hundred thousand lines).
pub(super) trait Cell {
    fn text(&self) -> &str;
    fn columns(&self) -> usize {
        cell_width(self.text())
    }
}

impl Cell for String {
    fn text(&self) -> &str {
        self
    }
}

impl Cell for &str {
    fn text(&self) -> &str {
        self
    }
}

/// A cell measured once.
impl Cell for (Cow<'_, str>, usize) {
    fn text(&self) -> &str {
        &self.0
    }
    fn columns(&self) -> usize {
        self.1
    }
}

/// `c`, measured.
pub(super) fn measured(c: Cow<'_, str>) -> (Cow<'_, str>, usize) {
    let w = cell_width(&c);
    (c, w)
}

pub(super) fn grow_widths<C: Cell>(widths: &mut [usize], rows: &[impl AsRef<[C]>]) {
    for r in rows {
        for (i, c) in r.as_ref().iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.columns());
            }
        }
    }
}

/// Columns a cell takes: its length when it is printable ASCII (nearly every cell, and
/// measured a hundred thousand times a listing), else as a terminal draws it.
fn cell_width(c: &str) -> usize {
    if crate::text::printable_ascii(c) {
        c.len()
    } else {
        c.width()
    }
}

/// `n` blanks.
fn pad(s: &mut String, mut n: usize) {
    const BLANKS: &str = "                                ";
    while n > 0 {
        let k = n.min(BLANKS.len());
        s.push_str(&BLANKS[..k]);
        n -= k;
    }
}

/// One line of a table: cells padded to `widths`, two spaces apart, no trailing blanks.
pub(super) fn table_line(
    out: &mut dyn Write,
    widths: &[usize],
    cols: &[impl Cell],
) -> std::io::Result<()> {
    let mut s = String::with_capacity(widths.iter().sum::<usize>() + 2 * widths.len() + 1);
    let mut blanks = 0;
    for (i, cell) in cols.iter().enumerate() {
        let c = cell.text();
        if c.is_empty() {
            blanks += widths.get(i).copied().unwrap_or(0) + 2;
            continue;
        }
        // Blanks go in only before a cell that follows: none trails.
        pad(&mut s, blanks);
        s.push_str(c);
        blanks = widths
            .get(i)
            .copied()
            .unwrap_or(0)
            .saturating_sub(cell.columns())
            + 2;
    }
    let end = s.trim_end().len();
    s.truncate(end);
    s.push('\n');
    out.write_all(s.as_bytes())
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
            tr("ID"),
            tr("LOGIN"),
            tr("FIRSTNAME"),
            tr("LASTNAME"),
            tr("EMAIL"),
            tr("STATUS"),
            tr("MODE"),
        ],
        rows: users.iter().map(Record::cells).collect(),
        json: records_json(users, show_secrets),
    }
}

pub fn individus_table(individus: &[Individu], show_secrets: bool) -> Table {
    Table {
        headers: vec![
            tr("ID"),
            tr("LASTNAME"),
            tr("FIRSTNAME"),
            tr("MATRICULE"),
            tr("MOBILE"),
            tr("ENTITY"),
            tr("LOGIN"),
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
            tr("NAME"),
            tr("CLIENT"),
            tr("LATITUDE"),
            tr("LONGITUDE"),
            tr("EQUIPEMENTS"),
            tr("CREATED"),
            tr("ID"),
        ],
        rows,
        json: to_json(&sites),
    }
}

pub fn equipements_table(items: &[Equipement], site: Option<&str>, show_secrets: bool) -> Table {
    let rows = items
        .iter()
        .map(|e| {
            equipement_cells(e, site, show_secrets)
                .into_iter()
                .map(Cow::into_owned)
                .collect()
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
                    e.password.0 = MASK.into();
                }
                e
            })
            .collect();
        to_json(&masked)
    };
    Table {
        headers: equipement_headers(),
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
        headers: vec![
            tr("MATRICULE"),
            tr("NAME"),
            tr("EMAIL"),
            tr("ROLE"),
            tr("STATUS"),
            tr("ID"),
        ],
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
        headers: vec![
            tr("NAME"),
            tr("DESCRIPTION"),
            tr("PERMISSIONS"),
            tr("GRANTS"),
            tr("ID"),
        ],
        rows,
        json: to_json(&roles),
    }
}

pub(super) fn write_table(out: &mut dyn Write, t: &Table) -> std::io::Result<()> {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize(c).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = t.headers.iter().map(|h| h.width()).collect();
    grow_widths(&mut widths, &cells);
    let head: Vec<String> = t.headers.iter().map(|h| h.to_string()).collect();
    table_line(out, &widths, &head)?;
    for r in &cells {
        table_line(out, &widths, r)?;
    }
    Ok(())
}

/// CSV whose cells neither run in a spreadsheet nor act on a terminal (`text::csv_cell`).
pub fn write_csv(out: &mut dyn Write, t: &Table) -> std::io::Result<()> {
    write_csv_rows(out, t.headers.iter().copied(), t.rows.iter())
}
