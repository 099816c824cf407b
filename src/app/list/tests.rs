use crate::app::list::FIRST_SLICE_ROWS;
use crate::app::list::ListView;
use crate::app::list::SORT_SLICED_FROM;
use crate::app::list::best_first;
use crate::app::list::filter;
use crate::app::list::match_rows_on;
use crate::app::list::parse_filter;
use crate::rows::Haystacks;
use crate::rows::Prepared;
use crate::rows::Record;
use crate::rows::Rows;
use crate::rows::columns_of_kind;
use crate::rows::fold;
use crate::rows::parse_columns;
use nucleo_matcher::Utf32Str;

use crate::api::model::Equipement;

fn eq(ip: &str, marque: &str) -> Equipement {
    Equipement {
        equipement_id: ip.into(),
        ip: ip.into(),
        marque: marque.into(),
        port: Some(80),
        ..Default::default()
    }
}

#[test]
fn filter_sort_select_and_highlight() {
    let mut l = ListView::<Equipement>::default();
    l.set_items(vec![
        eq("10.2.0.17", "Axis"),
        eq("10.1.0.1", "Hikvision"),
        eq("1.1.1.1", "mmmm"),
    ]);
    l.selected = 2;
    l.filter = "hik".into();
    l.refresh_view();
    assert_eq!(l.len(), 1);
    assert_eq!(l.selected, 0, "selection stays inside the list");
    assert_eq!(l.selected_item().unwrap().ip, "10.1.0.1");
    let h = l.highlights(0);
    assert_eq!(h[2], vec![0, 1, 2]);
    l.filter.clear();
    l.refresh_view();
    l.cycle_sort();
    let ips: Vec<String> = l.view.iter().map(|&i| l.items.cell(i, 0)).collect();
    assert_eq!(ips, ["1.1.1.1", "10.1.0.1", "10.2.0.17"]);
    l.remove("10.1.0.1");
    assert_eq!(l.len(), 2);
    l.last();
    l.scroll_into_view(1);
    assert_eq!(l.offset, 1);
}

/// Rows of varied text: brands, models, sites with accents, digits everywhere.
fn varied(n: usize) -> Vec<Equipement> {
    let brands = ["Hikvision", "Dahua", "Axis", "Cisco", "HID", "ZKTeco"];
    let models = [
        "DS-2CD2143G2-I",
        "NVR4216-16P",
        "P3245-LVE",
        "2960X-24PS-L",
        "inBio460",
    ];
    let sites = [
        "BÉPANDA",
        "AKWA",
        "CITÉ DES PALMIERS",
        "PK14",
        "NGOA-EKELLÉ",
        "BASTOS",
    ];
    (0..n)
        .map(|i| Equipement {
            equipement_id: format!("id-{i}"),
            ip: format!("10.{}.{}.{}", i % 7, (i / 7) % 13, i % 250).into(),
            marque: brands[i % brands.len()].into(),
            modele: models[(i / 3) % models.len()].into(),
            port: Some([554, 80, 8000, 22][i % 4]),
            sources: crate::api::model::Sources(vec![format!(
                "rtsp://10.{}.0.{}:554/",
                i % 5,
                i % 9
            )]),
            client_site: Some(std::sync::Arc::new(crate::api::model::SiteRef {
                name: sites[(i / 2) % sites.len()].into(),
                ..Default::default()
            })),
            ..Default::default()
        })
        .collect()
}

/// The view a list shows for `filter` and `sort` when worked out from scratch.
fn fresh(items: &[Equipement], filter: &str, sort: Option<(usize, bool)>) -> Vec<usize> {
    let mut l = ListView::<Equipement> {
        sort,
        filter: filter.to_string(),
        ..Default::default()
    };
    l.set_items(items.to_vec());
    l.view
}

#[test]
fn typing_narrowing_and_backspace_agree_with_a_fresh_filter() {
    let items = varied(400);
    for sort in [None, Some((0, false)), Some((2, true))] {
        for typed in [
            "hik", "10.1", "dahua b", "bép", "bep", "!hik", "a$", "^10", "'ds", "pk 14", "cité",
            "x\\ y", "  h", "hikz",
        ] {
            let mut l = ListView::<Equipement> {
                sort,
                ..Default::default()
            };
            l.set_items(items.clone());
            let mut f = String::new();
            for c in typed.chars() {
                f.push(c);
                l.filter = f.clone();
                l.refresh_view();
                assert_eq!(
                    l.view,
                    fresh(&items, &f, sort),
                    "typing {f:?} sort {sort:?}"
                );
            }
            while f.pop().is_some() {
                l.filter = f.clone();
                l.refresh_view();
                assert_eq!(l.view, fresh(&items, &f, sort), "erasing to {f:?}");
            }
        }
    }
}

#[test]
fn haystacks_keep_each_row_through_replacements_removals_and_compaction() {
    fn text(h: &Haystacks, i: usize) -> String {
        match h.get(i).expect("row") {
            Utf32Str::Ascii(b) => String::from_utf8(b.to_vec()).unwrap(),
            Utf32Str::Unicode(c) => c.iter().collect(),
        }
    }
    let mut h = Haystacks::default();
    let mut want: Vec<String> = Vec::new();
    for i in 0..300 {
        let t = if i % 7 == 0 {
            format!("caméra {i} 日本")
        } else {
            format!("10.0.{i}.1 hikvision")
        };
        h.push(&t);
        want.push(t);
    }
    // Enough replacements and removals to compact more than once.
    for round in 0..40 {
        for i in (round % 5..want.len()).step_by(5) {
            let t = format!("row {i} round {round} {}", "x".repeat(round));
            h.set(i, &t);
            want[i] = t;
        }
        let gone = (round * 13) % want.len();
        h.remove(gone);
        want.remove(gone);
        assert_eq!(h.len(), want.len());
        for (i, t) in want.iter().enumerate() {
            assert_eq!(&text(&h, i), t, "row {i} after round {round}");
        }
    }
    let live: usize = want.iter().map(|t| t.chars().count()).sum();
    assert!(
        h.ascii.len() + h.wide.len() <= 2 * live + 4096,
        "dead text is dropped"
    );
    assert!(h.get(want.len()).is_none());
}

#[test]
fn parallel_matching_keeps_item_order() {
    let items = varied(1000);
    let hay: Haystacks = items.iter().collect();
    for p in ["1", "hik", "10.3", "é"] {
        let pattern = parse_filter::<Equipement>(p);
        let one = match_rows_on(&hay, &pattern, None, 0..hay.len(), 1);
        assert!(!one.is_empty(), "{p}");
        let rows: Vec<u32> = one.iter().map(|m| m.0).collect();
        for threads in [2, 3, 7] {
            assert_eq!(
                match_rows_on(&hay, &pattern, None, 0..hay.len(), threads),
                one,
                "{p} on {threads}"
            );
            let narrowed = match_rows_on(&hay, &pattern, Some(&rows), 0..rows.len(), threads);
            assert_eq!(narrowed, one, "{p} on its own matches");
            // Two ranges, one after the other, give the whole.
            let mid = hay.len() / 3;
            let mut parts = match_rows_on(&hay, &pattern, None, 0..mid, threads);
            parts.extend(match_rows_on(&hay, &pattern, None, mid..hay.len(), threads));
            assert_eq!(parts, one, "{p} in two ranges on {threads}");
        }
    }
}

#[test]
fn a_filter_over_its_budget_goes_on_slice_by_slice_and_ends_as_a_fresh_one() {
    let items = varied(3 * FIRST_SLICE_ROWS + 100);
    let none = Some(std::time::Duration::ZERO);
    for sort in [None, Some((1, true))] {
        // The views worked out at once, on a list of their own.
        let mut reference = ListView::<Equipement> {
            sort,
            ..Default::default()
        };
        reference.set_items(items.clone());
        let mut fresh = |f: &str| {
            reference.filter = f.into();
            reference.refresh_view();
            reference.view.clone()
        };
        let mut l = ListView::<Equipement> {
            sort,
            ..Default::default()
        };
        l.set_items(items.clone());
        // A zero budget matches one slice a call.
        l.filter = "10.1".into();
        l.refresh_view_within(none);
        assert!(l.filter_pending());
        assert_eq!(l.filter_progress(), Some((FIRST_SLICE_ROWS, items.len())));
        let done: std::collections::HashSet<usize> = fresh("10.1").into_iter().collect();
        assert!(!l.view.is_empty());
        assert!(
            l.view.iter().all(|i| done.contains(i)),
            "partial rows match"
        );
        // A key typed meanwhile narrows from what was found and what was not tried.
        l.filter = "10.1.".into();
        l.refresh_view_within(none);
        assert!(l.filter_pending());
        let mut slices = 1;
        while l.filter_pending() {
            let before = l.view.len();
            l.resume_filter(std::time::Duration::ZERO);
            assert!(l.view.len() >= before, "the view only grows");
            slices += 1;
            assert!(slices < 10, "the filter ends");
        }
        assert_eq!(l.view, fresh("10.1."), "sort {sort:?}");
        // Backspace while a filter runs: the earlier filter's answer, at once. (`!` keeps
        // it from narrowing, so it runs over every row.)
        l.filter = "10.1.!".into();
        l.refresh_view_within(none);
        assert!(l.filter_pending());
        l.filter = "10.1.".into();
        l.refresh_view_within(none);
        assert!(!l.filter_pending());
        assert_eq!(l.view, fresh("10.1."));
        // No budget: done in one call.
        l.filter = "hik".into();
        l.refresh_view();
        assert!(!l.filter_pending());
        assert_eq!(l.view, fresh("hik"));
        // Rows replaced mid-run: the run is dropped and the filter applied to the new rows.
        l.filter = "dahua".into();
        l.refresh_view_within(none);
        assert!(l.filter_pending());
        l.set_items(items[..500].to_vec());
        assert!(!l.filter_pending());
        let mut small = ListView::<Equipement> {
            sort,
            filter: "dahua".into(),
            ..Default::default()
        };
        small.set_items(items[..500].to_vec());
        assert_eq!(l.view, small.view);
    }
}

#[test]
fn accents_are_folded_both_ways_and_highlights_stay_on_the_cells() {
    let items = varied(60);
    let mut l = ListView::<Equipement>::default();
    l.set_items(items);
    let mut seen = Vec::new();
    for f in ["bép", "bep", "BEP", "BÉP", "ngoa-ekelle", "cite des"] {
        l.filter = f.into();
        l.refresh_view();
        assert!(!l.view.is_empty(), "{f}");
        seen.push(l.view.clone());
        let site = l.items.cell(l.view[0], 4);
        let marks = &l.highlights(0)[4];
        assert!(!marks.is_empty(), "{f} marks the site");
        let marked: String = marks.iter().filter_map(|&p| site.chars().nth(p)).collect();
        assert_eq!(
            fold(&marked).to_lowercase(),
            fold(f).to_lowercase().replace(' ', "")
        );
    }
    assert!(
        seen[..4].iter().all(|v| *v == seen[0]),
        "same rows with or without accents"
    );
    // Folded, the haystacks are ASCII: a byte a character.
    assert!(l.haystacks.wide.is_empty());
    assert!((0..l.haystacks.len()).all(|i| matches!(l.haystacks.get(i), Some(Utf32Str::Ascii(_)))));
}

#[test]
fn best_first_is_a_stable_sort_by_descending_score() {
    let m = vec![(0, 5), (1, 9), (2, 5), (3, 0), (4, 9), (5, 7)];
    assert_eq!(best_first(&m), [1, 4, 5, 0, 2, 3]);
    let big = vec![(0, 3 << 21), (1, 1), (2, 3 << 21)];
    assert_eq!(best_first(&big), [0, 2, 1]);
    assert!(best_first(&[]).is_empty());
}

#[test]
fn rows_changed_forget_the_filter_steps() {
    let mut l = ListView::<Equipement>::default();
    l.set_items(varied(50));
    l.filter = "hik".into();
    l.refresh_view();
    let before = l.len();
    l.upsert(Equipement {
        equipement_id: "new".into(),
        marque: "Hikvision".into(),
        ..Default::default()
    });
    assert_eq!(l.len(), before + 1);
    l.remove("new");
    assert_eq!(l.len(), before);
    l.filter = "hikv".into();
    l.refresh_view();
    let now: Vec<Equipement> = l.items.records().map(|r| r.into_owned()).collect();
    assert_eq!(l.view, fresh(&now, "hikv", None));
}

/// Every list's columns come from `assets/columns.toml`, one per cell of its rows; a column
/// of an unknown kind is refused with its name.
#[test]
fn every_list_has_its_columns_one_per_cell() {
    fn check<T: Record + Default>() {
        let cols = T::columns();
        assert!(!cols.is_empty(), "{}", T::KIND);
        assert_eq!(cols.len(), T::default().cells().len(), "{}", T::KIND);
    }
    check::<crate::api::model::SiteSummary>();
    check::<Equipement>();
    check::<crate::api::model::User>();
    check::<crate::api::model::Role>();
    check::<crate::api::ocean::Individu>();
    check::<crate::api::maarch::MaarchUser>();
    assert!(Equipement::columns()[1].numeric && !Equipement::columns()[1].grow);
    assert!(
        parse_columns("x = [[\"A\", 3, \"odd\"]]")
            .unwrap_err()
            .contains("x.A")
    );
    assert!(columns_of_kind("nope").is_empty());
}

/// Rows of an answer still streaming in: shown when the list was empty, replaced from their
/// offset (a retry starts over at 0), ignored for another request or over a list already
/// shown (it never shrinks for a moment).
#[test]
fn streamed_rows_show_while_the_answer_comes() {
    let mut l = ListView::<Equipement> {
        pending: Some(7),
        ..Default::default()
    };
    l.streamed(7, 0, vec![eq("10.0.0.1", "a"), eq("10.0.0.2", "b")]);
    assert_eq!(l.len(), 2);
    assert!(l.loading, "still loading");
    l.streamed(7, 2, vec![eq("10.0.0.3", "c")]);
    assert_eq!(l.len(), 3);
    l.streamed(7, 0, vec![eq("10.0.0.1", "a")]);
    assert_eq!(l.len(), 1, "a retry starts over");
    l.streamed(8, 0, vec![eq("10.9.9.9", "z")]);
    assert_eq!(l.len(), 1, "another request's rows");

    let mut shown = ListView::<Equipement>::default();
    shown.set_items(vec![eq("10.0.0.1", "a"), eq("10.0.0.2", "b")]);
    shown.pending = Some(9);
    shown.streamed(9, 0, vec![eq("10.0.0.1", "a")]);
    assert_eq!(shown.len(), 2, "a list shown waits for the whole answer");
}

/// Rows prepared off the console's thread filter exactly as rows set directly.
#[test]
fn prepared_rows_filter_as_set_ones() {
    let rows = vec![
        eq("10.2.0.17", "Axis"),
        eq("10.1.0.1", "Hikvision"),
        eq("1.1.1.1", "Bépa"),
    ];
    let mut a = ListView::<Equipement>::default();
    a.set_items(rows.clone());
    let mut b = ListView::<Equipement>::default();
    b.set_prepared(Prepared::new(rows));
    for f in ["hik", "bep", "10.", ""] {
        a.filter = f.into();
        b.filter = f.into();
        a.refresh_view();
        b.refresh_view();
        assert_eq!(a.view, b.view, "{f}");
    }
}

/// A sort over more rows than one thread keys (keys made on every core) gives the order of
/// the cells compared one after another, ties in item order; `cell` is `cells`' column.
#[test]
fn a_long_list_sorts_as_its_cells_compare() {
    let items: Vec<Equipement> = (0..(filter::PARALLEL_MIN_ROWS as u32 + 500))
        .map(|i| {
            let mut e = eq(
                &format!("10.{}.{}.{}", i % 7, i % 251, i % 13),
                ["Axis", "axis", "Hik"][i as usize % 3],
            );
            e.equipement_id = format!("id-{i}");
            e.port = Some(i64::from(i % 5) * 100);
            e
        })
        .collect();
    for e in items.iter().take(50) {
        let cells = e.cells();
        for (c, cell) in cells.iter().enumerate() {
            assert_eq!(&e.cell(c), cell);
        }
    }
    let mut l = ListView::<Equipement>::default();
    l.set_items(items.clone());
    for col in [0usize, 1, 2] {
        let numeric = Equipement::columns()[col].numeric;
        let mut want: Vec<usize> = (0..items.len()).collect();
        want.sort_by_cached_key(|&i| {
            let cell = items[i].cells()[col].clone();
            let n = if numeric {
                cell.parse::<f64>().ok()
            } else {
                None
            };
            (
                n.map(|f| (f * 1000.0) as i64).unwrap_or(i64::MIN),
                cell.to_lowercase(),
            )
        });
        l.sort = Some((col, false));
        l.refresh_view();
        assert_eq!(l.view, want, "column {col}");
    }
}

/// A list past `SORT_SLICED_FROM` is sorted a slice at a time between keys: while it is
/// made, the rows show as they were (and the selection stays); once made, the view is the
/// same order as a sort at once (ties in item order), in both directions; a change of the
/// rows meanwhile drops the sort under way.
#[test]
fn a_very_long_list_sorts_a_slice_at_a_time() {
    let n = SORT_SLICED_FROM + 3_001;
    let items: Vec<Equipement> = (0..n as u32)
        .map(|i| {
            let mut e = eq(
                &format!("10.{}.{}.{}", i % 7, i % 251, i % 13),
                ["Axis", "axis", "Hik"][i as usize % 3],
            );
            e.equipement_id = format!("id-{i}");
            e.port = Some(i64::from(i % 5) * 100);
            e
        })
        .collect();
    let mut l = ListView::<Equipement>::default();
    l.set_items(items.clone());
    l.selected = 17;
    for col in [0usize, 1, 2] {
        let numeric = Equipement::columns()[col].numeric;
        let mut want: Vec<usize> = (0..items.len()).collect();
        want.sort_by_cached_key(|&i| {
            let cell = items[i].cells()[col].clone();
            let n = if numeric {
                cell.parse::<f64>().ok()
            } else {
                None
            };
            (
                n.map(|f| (f * 1000.0) as i64).unwrap_or(i64::MIN),
                cell.to_lowercase(),
            )
        });
        l.sort = Some((col, false));
        l.refresh_view();
        let selected = l.selected_item().map(|e| e.equipement_id.clone());
        assert!(l.filter_pending(), "column {col}: made between keys");
        assert_eq!(l.view.len(), n, "the rows still show while it is made");
        let mut slices = 0;
        while l.filter_pending() {
            let before = l.sort_progress();
            l.resume_filter(std::time::Duration::from_micros(300));
            slices += 1;
            assert!(l.sort_progress() >= before || !l.filter_pending());
        }
        assert!(slices > 1, "column {col}: in slices ({slices})");
        assert_eq!(l.view, want, "column {col}");
        assert_eq!(
            l.selected_item().map(|e| e.equipement_id.clone()),
            selected,
            "the selection stays on its record"
        );
        // Descending: the order made is kept, reversed at once.
        l.sort = Some((col, true));
        l.refresh_view();
        assert!(!l.filter_pending());
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(l.view, rev, "column {col} descending");
    }
    // New rows drop a sort under way.
    l.sort = Some((3, false));
    l.refresh_view();
    assert!(l.filter_pending());
    l.set_items(items[..100].to_vec());
    l.resume_filter(std::time::Duration::from_millis(50));
    assert!(!l.filter_pending());
    assert_eq!(l.view.len(), 100);
}

/// A row's searchable text is its cells folded a character at a time; printable ASCII cells
/// take a shorter way there (copied, lower-cased in place), which must give the same text.
#[test]
fn ascii_cells_fold_as_every_other_cell_does() {
    let ascii: String = (0x20u8..0x7f).map(char::from).collect();
    let e = Equipement {
        ip: ascii.as_str().into(),
        marque: "HIKVISION Caméra".into(),
        modele: "DS-2CD\u{1b}[2J".into(),
        username: "ADMIN".into(),
        ..Default::default()
    };
    let slow = |e: &Equipement| {
        e.cells()
            .iter()
            .map(|cell| {
                crate::rows::folded(cell)
                    .map(crate::rows::searchable)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(&crate::rows::CELL_SEP.to_string())
    };
    let mut text = String::new();
    crate::rows::haystack(&e, &mut text);
    assert_eq!(text, slow(&e));
    assert!(text.contains(&ascii.to_ascii_lowercase()));
    // An equipement hands its cells in parts (borrowed, sources one by one): the same text
    // as its cells, for rows of every shape.
    let shapes = [
        Equipement {
            sources: crate::api::model::Sources(vec!["a".into(), "É b".into(), String::new()]),
            timestamp: Some(crate::api::model::Timestamp::parse("2025-10-19T14:23:43")),
            reach: Some("up 2 ms".into()),
            port: Some(-7),
            ..e.clone()
        },
        Equipement::default(),
        Equipement {
            timestamp: Some(crate::api::model::Timestamp::parse("hier")),
            port: Some(i64::MIN),
            ..Default::default()
        },
    ];
    for r in shapes.iter().chain(&varied(30)) {
        text.clear();
        crate::rows::haystack(r, &mut text);
        assert_eq!(text, slow(r), "{r:?}");
        assert_eq!(
            text.matches(crate::rows::CELL_SEP).count(),
            r.cells().len() - 1
        );
    }
}

/// A load prepares its rows a page at a time as they come: the same rows, the same
/// searchable text and the same filtered view as rows prepared at once.
#[test]
fn rows_prepared_page_by_page_are_rows_prepared_at_once() {
    let items = varied(250);
    let whole = Prepared::new(items.clone());
    let mut paged = Prepared::default();
    for page in items.chunks(100) {
        paged.extend(page.to_vec());
    }
    // As a load does it: each page prepared on its own, then appended.
    let mut appended = Prepared::default();
    for page in items.chunks(100) {
        appended.append(Prepared::page(page.to_vec()), items.len());
    }
    let text =
        |p: &Prepared<Equipement>, i| p.haystacks.get(i).map(|h| h.chars().collect::<String>());
    assert_eq!(appended.items.len(), items.len());
    for (i, r) in items.iter().enumerate() {
        assert_eq!(appended.items.row(i).as_deref(), Some(r));
        assert_eq!(text(&appended, i), text(&whole, i));
    }
    assert_eq!(paged.items.len(), items.len());
    for (i, r) in items.iter().enumerate() {
        assert_eq!(paged.items.row(i).as_deref(), Some(r));
        assert_eq!(text(&paged, i), text(&whole, i));
        assert!(text(&paged, i).is_some_and(|t| !t.is_empty()));
    }
    let mut l = ListView::<Equipement> {
        filter: "hikv".into(),
        ..Default::default()
    };
    l.set_prepared(paged);
    assert!(!l.view.is_empty());
    assert_eq!(l.view, fresh(&items, "hikv", None));
}
