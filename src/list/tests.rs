use unicode_width::UnicodeWidthStr;

use super::{EquipementsWriter, Output, Table, find_site, table_line, write_table};
use crate::api::model::{Equipement, SiteSummary};

/// A table line as it was written before (padding after every cell, the line trimmed):
/// the one-allocation line writes the same bytes.
#[test]
fn a_table_line_pads_and_trims_as_before() {
    fn before(widths: &[usize], cols: &[String]) -> String {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cols.len() {
                let w = widths.get(i).copied().unwrap_or(0);
                s.push_str(&" ".repeat(w.saturating_sub(c.width()) + 2));
            }
        }
        format!("{}\n", s.trim_end())
    }
    let widths = [4, 6, 3, 5];
    let rows: &[&[&str]] = &[
        &["a", "bb", "c", "d"],
        &["", "bb", "", ""],
        &["a", "", "", ""],
        &["", "", "", ""],
        &["a ", "Écran", "日本", "x  "],
        &["toolong", "b", "c"],
        &["a", "   ", "c", "  "],
    ];
    // Narrow columns, and columns wider than the blanks written at once.
    for widths in [&widths[..], &[70, 33, 1, 100]] {
        for r in rows {
            let cols: Vec<String> = r.iter().map(|c| c.to_string()).collect();
            let mut out = Vec::new();
            table_line(&mut out, widths, &cols).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                before(widths, &cols),
                "{r:?}"
            );
        }
    }
}

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

/// Accents and case aside, as the console's `:site`; every candidate said.
#[test]
fn finds_sites_whatever_their_accents_and_names_every_candidate() {
    let sites = vec![
        site("a1", "BONABERI 2"),
        site("b2", "BONABÉRI"),
        site("c3", "BÉPANDA"),
        site("d4", "BEPANDA OMNISPORT"),
    ];
    assert_eq!(find_site(&sites, "bonaberi").unwrap().site_id, "b2");
    assert_eq!(find_site(&sites, "Bépanda").unwrap().site_id, "c3");
    assert_eq!(find_site(&sites, "bepanda").unwrap().site_id, "c3");
    let err = find_site(&sites, "bonab").unwrap_err();
    assert!(
        err.contains("BONABERI 2") && err.contains("BONABÉRI"),
        "{err}"
    );
    let err = find_site(&sites, "panda").unwrap_err();
    assert!(
        err.contains("BÉPANDA,") && err.contains("BEPANDA OMNISPORT"),
        "{err}"
    );
    let many: Vec<SiteSummary> = (0..40)
        .map(|i| site(&format!("s{i}"), &format!("AGENCE {i}")))
        .collect();
    let err = find_site(&many, "agence").unwrap_err();
    assert!(
        err.contains("AGENCE 29") && err.contains("and 10 more"),
        "{err}"
    );
}

/// The streamed JSON is the whole-list pretty JSON, byte for byte, DEL, C1 and bidi
/// controls escaped as `text::json_safe` does, passwords masked.
#[test]
fn streamed_json_is_the_pretty_list_with_controls_escaped() {
    let evil = "a\u{7f}b\u{9b}2J\u{202e}gnp \u{1b}[2J \"q\" é";
    // Sites: one shared by rows 0, 2 and 4 (written from the member kept for it), one
    // with hostile text and coordinates, none; row 4 also names its site by id.
    let site = |name: &str, lon| {
        std::sync::Arc::new(crate::api::model::SiteRef {
            site_id: format!("s-{name}"),
            name: name.into(),
            longitude: lon,
            ..Default::default()
        })
    };
    let (loum, odd) = (site("LOUM", Some(9.7)), site(evil, Some(-0.000_1)));
    let sites = [Some(&loum), None, Some(&loum), Some(&odd), Some(&loum)];
    let rows: Vec<Equipement> = (0..5)
        .map(|i| Equipement {
            equipement_id: format!("id-{i}"),
            ip: "10.0.0.1".into(),
            marque: evil.into(),
            description: evil.into(),
            password: crate::api::model::Credential(if i == 1 { "" } else { "s3cret" }.into()),
            client_site: sites[i].cloned(),
            site_id: (i == 4).then(|| "s-LOUM".into()),
            ..Default::default()
        })
        .collect();
    let mut out = Vec::new();
    let mut w = EquipementsWriter::new(&mut out, Output::Json, None, false);
    w.page(rows[..2].to_vec()).unwrap();
    w.page(rows[2..].to_vec()).unwrap();
    w.finish().unwrap();
    let text = String::from_utf8(out).unwrap();
    let masked: Vec<Equipement> = rows
        .iter()
        .cloned()
        .map(|mut e| {
            if !e.password.0.is_empty() {
                e.password.0 = crate::text::MASK.into();
            }
            e
        })
        .collect();
    let whole = crate::text::json_safe(serde_json::to_string_pretty(&masked).unwrap()) + "\n";
    assert_eq!(text, whole);
    assert!(!text.contains(['\u{7f}', '\u{9b}', '\u{202e}', '\u{1b}']));
    assert!(!text.contains("s3cret"));
    let back: Vec<Equipement> = serde_json::from_str(&text).unwrap();
    assert_eq!(back[0].marque, evil);
    let mut empty = Vec::new();
    EquipementsWriter::new(&mut empty, Output::Json, None, false)
        .finish()
        .unwrap();
    assert_eq!(String::from_utf8(empty).unwrap(), "[]\n");
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

/// Every list's headers are the catalogue's words: all English, or all French with
/// `--lang fr` (not MARQUE beside NAME).
#[test]
fn headers_speak_one_language() {
    use crate::i18n::{Lang, has_french, set_thread_lang, tr};
    let tables = || {
        vec![
            super::sites_table(&[]).headers,
            super::equipements_table(&[], None, false).headers,
            super::users_table(&[]).headers,
            super::roles_table(&[]).headers,
            super::individus_table(&[], false).headers,
            super::maarch_users_table(&[], false).headers,
            super::tables::equipement_headers(),
        ]
    };
    set_thread_lang(Some(Lang::En));
    let english = tables();
    set_thread_lang(Some(Lang::Fr));
    let french = tables();
    set_thread_lang(None);
    for (en, fr) in english.iter().zip(&french) {
        for (e, f) in en.iter().zip(fr) {
            assert!(has_french(e), "{e} is not a catalogue word");
            assert_eq!(*f, {
                set_thread_lang(Some(Lang::Fr));
                let f = tr(e);
                set_thread_lang(None);
                f
            });
        }
    }
    assert!(french[1].contains(&"MARQUE") && english[1].contains(&"BRAND"));
}

/// The JSON masks a password as the table and the CSV do.
#[test]
fn json_masks_as_the_table_does() {
    let e = Equipement {
        password: crate::api::model::Credential("s3cret".into()),
        ..Default::default()
    };
    let t = super::equipements_table(std::slice::from_ref(&e), None, false);
    assert_eq!(t.json[0]["password"], e.password.masked());
    assert!(t.rows[0].iter().any(|c| c == e.password.masked()));
    let mut out = Vec::new();
    let mut w = EquipementsWriter::new(&mut out, Output::Json, None, false);
    w.page(vec![e.clone()]).unwrap();
    w.finish().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["password"], e.password.masked());
}
