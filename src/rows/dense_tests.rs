use std::sync::Arc;

use super::DenseEquipements;
use crate::api::model::{Credential, Equipement, SiteRef, Sources, Timestamp};
use crate::rows::{Record, Rows};

fn site(name: &str) -> Arc<SiteRef> {
    Arc::new(SiteRef {
        site_id: format!("id-{name}"),
        name: name.into(),
        ..Default::default()
    })
}

/// A row as the demo sends them: every text, a site, a canonical timestamp.
fn ordinary(n: usize, s: &Arc<SiteRef>) -> Equipement {
    Equipement {
        equipement_id: format!("2832456c-f5a0-48fd-a146-{n:012}"),
        ip: format!("10.16.0.{}", n % 250).into(),
        marque: "HPE Aruba".into(),
        sources: Sources(vec!["snmp".into(), "syslog".into()]),
        port: Some(22),
        username: "netadmin".into(),
        password: Credential("Vg-41ae-491".into()),
        description: format!("Switch baie 2 {n}").into(),
        modele: "2530-24G-PoE+".into(),
        timestamp: Some(Timestamp::parse("2025-10-19T14:23:43")),
        client_site: Some(s.clone()),
        ..Default::default()
    }
}

/// Rows of every shape a server can send, the odd ones among them.
fn assorted() -> Vec<Equipement> {
    let (a, b) = (site("LOUM"), site("BÉPANDA"));
    let long = "é".repeat(20_000);
    let mut rows: Vec<Equipement> = (0..5).map(|n| ordinary(n, &a)).collect();
    rows.push(Equipement::default());
    rows.push(Equipement {
        equipement_id: "not-a-uuid \u{1b}[2J".into(),
        ip: "\u{202e}10.0.0.1".into(),
        sources: Sources(vec![String::new(), long.clone(), "rtsp://x".into()]),
        port: Some(-7),
        description: long.as_str().into(),
        site_id: Some("SITE-9".into()),
        client_site: Some(b.clone()),
        timestamp: Some(Timestamp::parse("2025-08-22T16:38:51.250")),
        ..ordinary(9, &b)
    });
    rows.push(Equipement {
        site_id: Some(String::new()),
        sources: Sources(Vec::new()),
        port: Some(i64::MIN),
        timestamp: Some(Timestamp::parse("hier")),
        client_site: None,
        ..ordinary(10, &a)
    });
    rows.push(Equipement {
        problem: Some("not an equipement: {\"password\":\"•••\"}".into()),
        ..Default::default()
    });
    rows.push(Equipement {
        reach: Some("up 2 ms".into()),
        ..ordinary(11, &b)
    });
    rows.push(Equipement {
        timestamp: Some(Timestamp::parse("2025-08-22T16:38:51+02:00")),
        port: None,
        ..ordinary(12, &b)
    });
    rows
}

/// Everything a list asks of its rows, asked of `d` and of the records it should hold.
fn same(d: &DenseEquipements, rows: &[Equipement]) {
    assert_eq!(d.len(), rows.len());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(d.row(i).as_deref(), Some(r), "row {i}");
        assert_eq!(d.row_key(i).as_deref(), Some(r.key().as_ref()), "key {i}");
        assert_eq!(d.cells(i), r.cells(), "cells {i}");
        for col in 0..9 {
            assert_eq!(d.cell(i, col), r.cell(col), "row {i} col {col}");
        }
        assert_eq!(d.odd(i), r.problem.is_some(), "odd {i}");
        assert_eq!(d.local(i), r.reach.is_some(), "local {i}");
        assert_eq!(
            d.position_of(&r.equipement_id),
            rows.iter().position(|x| x.equipement_id == r.equipement_id)
        );
    }
    assert!(d.row(rows.len()).is_none() && d.row_key(rows.len()).is_none());
}

#[test]
fn every_row_comes_back_as_it_was_packed() {
    let rows = assorted();
    let d = DenseEquipements::from_vec(rows.clone());
    same(&d, &rows);
    // Rows of one site share its allocation, packed or not.
    let (x, y) = (d.row(0).unwrap(), d.row(1).unwrap());
    assert!(Arc::ptr_eq(
        x.client_site.as_ref().unwrap(),
        y.client_site.as_ref().unwrap()
    ));
}

#[test]
fn rows_replaced_removed_and_added_stay_right_through_compaction() {
    let mut rows = assorted();
    let mut d = DenseEquipements::from_vec(rows.clone());
    let b = site("BONABERI");
    // Enough replacements that the dead bytes outweigh the live ones many times over.
    for n in 0..3_000 {
        let i = n % rows.len();
        let r = if n % 7 == 0 {
            Equipement {
                reach: Some(format!("probe {n}").into()),
                ..ordinary(n, &b)
            }
        } else {
            ordinary(n, &b)
        };
        rows[i] = r.clone();
        d.replace(i, r);
    }
    same(&d, &rows);
    assert!(
        d.bytes.len() < 64 * 1024 + 4 * 1024,
        "compacted: {}",
        d.bytes.len()
    );
    rows.remove(3);
    d.remove_row(3);
    let extra = ordinary(99, &b);
    rows.push(extra.clone());
    d.push_row(extra);
    same(&d, &rows);
    rows.truncate(4);
    d.truncate_rows(4);
    same(&d, &rows);
    // Out of range: nothing happens.
    d.replace(100, Equipement::default());
    d.remove_row(100);
    same(&d, &rows);
}

#[test]
fn an_ordinary_row_packs_into_its_texts_and_32_bytes() {
    let s = site("NDOGBONG");
    let rows: Vec<Equipement> = (0..1_000).map(|n| ordinary(n, &s)).collect();
    let d = DenseEquipements::from_vec(rows);
    assert!(d.whole.is_empty(), "every ordinary row packed");
    let per_row = (d.bytes.len() + d.slots.len() * std::mem::size_of_val(&d.slots[0])) / 1_000;
    // As a record: 312 bytes inline, and its id and sources on the heap. Packed: its 124
    // bytes of text with their lengths, and its slot.
    assert_eq!(std::mem::size_of_val(&d.slots[0]), 32);
    assert!(per_row <= 160, "{per_row} bytes a row");
    assert_eq!(d.sites.len(), 1);
}

/// A load packs each page on its own and adds it after the rows before: the same rows as
/// packed at once, whatever the pages hold (rows kept whole, sites met in several pages as
/// other allocations of the same site, pages after rows were replaced).
#[test]
fn pages_packed_apart_and_appended_are_the_rows_packed_at_once() {
    let mut rows = assorted();
    // The same site as another allocation, as another thread's decoder makes it.
    let again = site("LOUM");
    rows.extend((20..25).map(|n| ordinary(n, &again)));
    rows.extend(assorted());
    let mut d = DenseEquipements::default();
    d.reserve_like(&DenseEquipements::from_vec(rows[..3].to_vec()), rows.len());
    for page in rows.chunks(4) {
        d.append(DenseEquipements::from_vec(page.to_vec()));
    }
    same(&d, &rows);
    // Each allocation of a site held once: the three of LOUM (BÉPANDA's rows are kept whole).
    assert_eq!(d.sites.len(), 3);
    // Rows replaced, then more pages: their dead bytes counted, the rows still right.
    let b = site("BONABERI");
    for (i, r) in rows.iter_mut().enumerate() {
        *r = ordinary(100 + i, &b);
        d.replace(i, r.clone());
    }
    let more = assorted();
    d.append(DenseEquipements::from_vec(more.clone()));
    rows.extend(more);
    same(&d, &rows);
    // Reserving from a first page of huge rows for a huge announced count is capped.
    let mut big = DenseEquipements::default();
    big.reserve_like(&DenseEquipements::from_vec(assorted()), 1 << 40);
    assert!(
        big.bytes.capacity() <= 256 << 20,
        "{}",
        big.bytes.capacity()
    );
}

/// Room for a load is made once, from its first page: pages of somewhat longer rows after it
/// still fit, so the buffer is never doubled (and held twice) near the end.
#[test]
fn a_load_of_rows_a_little_longer_than_its_first_page_fits_the_room_made() {
    let s = site("NDOGBONG");
    let page = |from: usize, extra: usize| -> DenseEquipements {
        let rows = (from..from + 100).map(|n| Equipement {
            description: format!("{}{}", "d".repeat(extra), n).into(),
            ..ordinary(n, &s)
        });
        DenseEquipements::from_vec(rows.collect())
    };
    let first = page(0, 0);
    let mut d = DenseEquipements::default();
    d.reserve_like(&first, 10_000);
    d.append(first);
    let at = d.bytes.as_ptr();
    // Rows 20% longer than the first page's, to the count announced.
    for p in 1..100 {
        d.append(page(p * 100, 30));
    }
    assert_eq!(d.len(), 10_000);
    assert_eq!(d.bytes.as_ptr(), at, "the buffer was moved");
}
