//! A loaded list of equipements, packed. As records a row took about 460 bytes (the record's
//! own 312, its id and sources on the heap); packed it is its texts one after the other in
//! one buffer and 32 bytes beside them. A record is built for a row when it is asked for
//! (drawn, opened, changed); keys and the plain cells are read from the bytes. Rows of an
//! unusual shape (a timestamp kept as sent, a problem, a probe's Reach) are kept whole.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use compact_str::CompactString;

use super::Record;
use super::store::Rows;
use crate::api::model::{Credential, Equipement, SiteRef, Sources, Timestamp};

/// A row kept whole (`at` indexes `whole`), not packed.
const WHOLE: u8 = 1;
const PORT: u8 = 2;
const TIME: u8 = 4;
const SITE_ID: u8 = 8;
const NO_SITE: u32 = u32::MAX;

/// The texts of a packed row, in this order, each its length (LEB128) and its bytes; then
/// `site_id` when `SITE_ID`, then the number of sources and each source.
const ID: usize = 0;
const IP: usize = 1;
const MARQUE: usize = 2;
const MODELE: usize = 6;

#[derive(Clone, Copy)]
struct Slot {
    at: u32,
    site: u32,
    port: i64,
    secs: i64,
    flags: u8,
}

#[derive(Default, Clone)]
pub struct DenseEquipements {
    bytes: Vec<u8>,
    slots: Vec<Slot>,
    whole: Vec<Equipement>,
    /// The sites the rows carry, each allocation once.
    sites: Vec<Arc<SiteRef>>,
    site_index: HashMap<usize, u32>,
    /// Bytes and whole rows no slot points at any more (taken back past half).
    dead_bytes: usize,
    dead_whole: usize,
}

/// Reads a packed row's texts in order.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn number(&mut self) -> usize {
        let mut n = 0usize;
        let mut shift = 0;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            n |= usize::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        n
    }

    fn text(&mut self) -> &'a str {
        let len = self.number();
        let end = self.at.saturating_add(len).min(self.bytes.len());
        let t = self.bytes.get(self.at..end).unwrap_or_default();
        self.at = end;
        // Written from a `str`: always UTF-8.
        std::str::from_utf8(t).unwrap_or_default()
    }

    fn skip(&mut self, texts: usize) {
        for _ in 0..texts {
            self.text();
        }
    }
}

fn put_number(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_text(out: &mut Vec<u8>, t: &str) {
    put_number(out, t.len());
    out.extend_from_slice(t.as_bytes());
}

impl DenseEquipements {
    fn reader(&self, s: &Slot) -> Reader<'_> {
        Reader {
            bytes: &self.bytes,
            at: s.at as usize,
        }
    }

    /// A packed row's text number `n` (below `MODELE`).
    fn text(&self, s: &Slot, n: usize) -> &str {
        let mut r = self.reader(s);
        r.skip(n);
        r.text()
    }

    fn site(&self, s: &Slot) -> Option<&Arc<SiteRef>> {
        self.sites.get(s.site as usize)
    }

    fn slot_of(&mut self, e: Equipement) -> Slot {
        let secs = e.timestamp.as_ref().map(Timestamp::whole_seconds);
        let packable = e.problem.is_none() && e.reach.is_none() && secs != Some(None);
        let at = u32::try_from(self.bytes.len()).ok().filter(|_| packable);
        let Some(at) = at else {
            return self.keep_whole(e);
        };
        // Every field named: one added to `Equipement` must be packed here too.
        let Equipement {
            equipement_id,
            ip,
            marque,
            sources,
            port,
            username,
            password,
            description,
            modele,
            timestamp: _,
            site_id,
            client_site,
            problem: _,
            reach: _,
        } = &e;
        let out = &mut self.bytes;
        for t in [
            equipement_id.as_str(),
            ip,
            marque,
            username,
            &password.0,
            description,
            modele,
        ] {
            put_text(out, t);
        }
        if let Some(s) = site_id {
            put_text(out, s);
        }
        put_number(out, sources.0.len());
        for s in &sources.0 {
            put_text(out, s);
        }
        let flags = port.map_or(0, |_| PORT)
            | secs.map_or(0, |_| TIME)
            | site_id.as_ref().map_or(0, |_| SITE_ID);
        let site = client_site
            .as_ref()
            .map_or(NO_SITE, |s| self.site_number(s));
        Slot {
            at,
            site,
            port: port.unwrap_or_default(),
            secs: secs.flatten().unwrap_or_default(),
            flags,
        }
    }

    /// Where `s` is in `sites` (added when new): the rows of a site share its allocation.
    fn site_number(&mut self, s: &Arc<SiteRef>) -> u32 {
        let next = self.sites.len() as u32;
        let ix = *self
            .site_index
            .entry(Arc::as_ptr(s) as usize)
            .or_insert(next);
        if ix == next {
            self.sites.push(s.clone());
        }
        ix
    }

    fn keep_whole(&mut self, e: Equipement) -> Slot {
        self.whole.push(e);
        Slot {
            at: (self.whole.len() - 1) as u32,
            site: NO_SITE,
            port: 0,
            secs: 0,
            flags: WHOLE,
        }
    }

    fn record(&self, s: &Slot) -> Equipement {
        if s.flags & WHOLE != 0 {
            return self.whole.get(s.at as usize).cloned().unwrap_or_default();
        }
        let mut r = self.reader(s);
        let mut next = || CompactString::from(r.text());
        let (equipement_id, ip, marque) = (next().into_string(), next(), next());
        let (username, password, description, modele) = (next(), next(), next(), next());
        let site_id = (s.flags & SITE_ID != 0).then(|| r.text().to_string());
        let n = r.number();
        let sources = Sources((0..n).map(|_| r.text().to_string()).collect());
        Equipement {
            equipement_id,
            ip,
            marque,
            sources,
            port: (s.flags & PORT != 0).then_some(s.port),
            username,
            password: Credential(password),
            description,
            modele,
            timestamp: (s.flags & TIME != 0)
                .then(|| Timestamp::from_seconds(s.secs))
                .flatten(),
            site_id,
            client_site: self.site(s).cloned(),
            problem: None,
            reach: None,
        }
    }

    /// What row `i` leaves behind when it goes.
    fn forget(&mut self, i: usize) {
        let Some(s) = self.slots.get(i).copied() else {
            return;
        };
        if s.flags & WHOLE != 0 {
            self.dead_whole += 1;
            return;
        }
        let mut r = self.reader(&s);
        r.skip(MODELE + 1 + usize::from(s.flags & SITE_ID != 0));
        let n = r.number();
        r.skip(n);
        self.dead_bytes += r.at - s.at as usize;
    }

    /// Packs the rows again once most of what is held is dead.
    fn compact_if_worth_it(&mut self) {
        let bytes = self.dead_bytes > 64 * 1024 && self.dead_bytes * 2 > self.bytes.len();
        let whole = self.dead_whole > 64 && self.dead_whole * 2 > self.whole.len();
        if bytes || whole {
            let rows: Vec<Equipement> = self.slots.iter().map(|s| self.record(s)).collect();
            *self = Self::from_vec(rows);
        }
    }
}

impl Rows<Equipement> for DenseEquipements {
    fn from_vec(rows: Vec<Equipement>) -> Self {
        let mut d = DenseEquipements::default();
        d.slots.reserve_exact(rows.len());
        for e in rows {
            let s = d.slot_of(e);
            d.slots.push(s);
        }
        d.bytes.shrink_to_fit();
        d.whole.shrink_to_fit();
        d
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn row(&self, i: usize) -> Option<Cow<'_, Equipement>> {
        let s = self.slots.get(i)?;
        if s.flags & WHOLE != 0 {
            return self.whole.get(s.at as usize).map(Cow::Borrowed);
        }
        Some(Cow::Owned(self.record(s)))
    }

    fn row_key(&self, i: usize) -> Option<Cow<'_, str>> {
        let s = self.slots.get(i)?;
        if s.flags & WHOLE != 0 {
            return self.whole.get(s.at as usize).map(Record::key);
        }
        Some(Cow::Borrowed(self.text(s, ID)))
    }

    fn cell(&self, i: usize, col: usize) -> String {
        let Some(s) = self.slots.get(i) else {
            return String::new();
        };
        // The plain text columns, read where they lie (a sort asks a million of them).
        match (s.flags & WHOLE == 0, col) {
            (true, 0) => self.text(s, IP).to_string(),
            (true, 2) => self.text(s, MARQUE).to_string(),
            (true, 3) => self.text(s, MODELE).to_string(),
            (true, 4) => self.site(s).map(|s| s.name.clone()).unwrap_or_default(),
            _ => self.row(i).map(|r| r.cell(col)).unwrap_or_default(),
        }
    }

    fn odd(&self, i: usize) -> bool {
        self.get_whole(i).is_some_and(|e| e.problem.is_some())
    }

    fn local(&self, i: usize) -> bool {
        self.get_whole(i).is_some_and(|e| e.reach.is_some())
    }

    fn replace(&mut self, i: usize, row: Equipement) {
        if i < self.slots.len() {
            self.forget(i);
            self.slots[i] = self.slot_of(row);
            self.compact_if_worth_it();
        }
    }

    fn push_row(&mut self, row: Equipement) {
        let s = self.slot_of(row);
        self.slots.push(s);
    }

    fn remove_row(&mut self, i: usize) {
        if i < self.slots.len() {
            self.forget(i);
            self.slots.remove(i);
            self.compact_if_worth_it();
        }
    }

    fn truncate_rows(&mut self, len: usize) {
        for i in len..self.slots.len() {
            self.forget(i);
        }
        self.slots.truncate(len);
        self.compact_if_worth_it();
    }

    fn append(&mut self, mut other: Self) {
        let base = self.bytes.len();
        // Past 4 GiB of texts (offsets are `u32`) the rows go one by one, kept whole.
        if u32::try_from(base + other.bytes.len()).is_err() {
            for i in 0..other.slots.len() {
                let row = other.row(i).map(Cow::into_owned).unwrap_or_default();
                self.push_row(row);
            }
            return;
        }
        self.bytes.extend_from_slice(&other.bytes);
        self.dead_bytes += other.dead_bytes;
        // Each of `other`'s sites as this list numbers it (added when new).
        let sites: Vec<u32> = other.sites.iter().map(|s| self.site_number(s)).collect();
        self.slots.reserve(other.slots.len());
        for mut s in other.slots.drain(..) {
            if s.flags & WHOLE != 0 {
                let row = other.whole.get_mut(s.at as usize).map(std::mem::take);
                self.whole.push(row.unwrap_or_default());
                s.at = (self.whole.len() - 1) as u32;
            } else {
                s.at += base as u32;
                s.site = sites.get(s.site as usize).copied().unwrap_or(NO_SITE);
            }
            self.slots.push(s);
        }
    }

    fn reserve_like(&mut self, sample: &Self, rows: usize) {
        let n = sample.slots.len();
        super::room_for(&mut self.bytes, sample.bytes.len(), n, rows);
        super::room_for(&mut self.slots, n, n, rows);
    }
}

impl DenseEquipements {
    /// Row `i` when it is kept whole (only those can be odd or hold a Reach).
    fn get_whole(&self, i: usize) -> Option<&Equipement> {
        let s = self.slots.get(i).filter(|s| s.flags & WHOLE != 0)?;
        self.whole.get(s.at as usize)
    }
}

#[cfg(test)]
#[path = "dense_tests.rs"]
mod tests;
