//! The `/` filter's matching: text inside one cell first, a column named, letters in order
//! ranked after, never across cells.

use crate::api::model::Equipement;
use crate::app::list::best_first;
use crate::app::list::filter;
use crate::app::list::match_rows_on;
use crate::app::list::parse_filter;
use crate::rows::Haystacks;
use crate::rows::Record;

/// An equipement on a site, for the filter's tests.
fn on_site(ip: &str, marque: &str, modele: &str, site: &str) -> Equipement {
    Equipement {
        equipement_id: ip.into(),
        ip: ip.into(),
        marque: marque.into(),
        modele: modele.into(),
        port: Some(554),
        client_site: Some(std::sync::Arc::new(crate::api::model::SiteRef {
            name: site.into(),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// A term is text inside one cell, case- and accent-blind; `column:` names the cell; a
/// term found only as letters in order of one cell ranks after every exact row, and letters
/// scattered over several cells match nothing.
#[test]
fn a_filter_finds_text_inside_a_cell_first_and_never_across_cells() {
    let items = [
        // "l" of a model, "ou" of a site, "m" elsewhere: the old fuzzy match took it.
        on_site("10.1.0.9", "Lumix", "CAM-OU", "MBALMAYO"),
        on_site("10.1.0.1", "Axis", "P3245", "LOUM"),
        on_site("10.2.0.1", "Hikvision", "DS-2CD", "LOUM NORD"),
        on_site("10.1.0.10", "Dahua", "NVR", "BÉPANDA"),
        on_site("10.9.1.0", "Axis", "Q6075", "LOGBESSOU"),
    ];
    let hay: Haystacks = items.iter().collect();
    let shown = |f: &str| -> Vec<(String, bool)> {
        let q = parse_filter::<Equipement>(f);
        let found = match_rows_on(&hay, &q, None, 0..hay.len(), 1);
        best_first(&found)
            .into_iter()
            .map(|i| {
                let exact = found
                    .iter()
                    .any(|m| m.0 as usize == i && m.1 >= filter::EXACT);
                (items[i].ip.to_string(), exact)
            })
            .collect()
    };
    let ips = |v: Vec<(String, bool)>| v.into_iter().map(|x| x.0).collect::<Vec<_>>();
    // LOUM's rows only, the whole cell first; never MBALMAYO's scattered letters.
    assert_eq!(ips(shown("loum")), ["10.1.0.1", "10.2.0.1"]);
    assert_eq!(ips(shown("LOUM")), ips(shown("loum")));
    // Accent-blind both ways.
    assert_eq!(ips(shown("bepanda")), ["10.1.0.10"]);
    assert_eq!(ips(shown("bépanda")), ["10.1.0.10"]);
    // An IP's text, not its digits anywhere (an address or a number is never matched by
    // its scattered characters).
    assert_eq!(ips(shown("10.1.0.1")), ["10.1.0.1", "10.1.0.10"]);
    // A column named: site, ip, brand (or its title as shown).
    assert_eq!(ips(shown("site:loum")), ["10.1.0.1", "10.2.0.1"]);
    assert_eq!(
        ips(shown("ip:10.1.")),
        ["10.1.0.9", "10.1.0.1", "10.1.0.10"]
    );
    assert_eq!(ips(shown("brand:axis site:log")), ["10.9.1.0"]);
    assert_eq!(ips(shown("!axis loum")), ["10.2.0.1"]);
    // Letters in order within one cell: a weaker match, after the exact ones.
    let v = shown("hkvsn");
    assert_eq!(v, [("10.2.0.1".to_string(), false)]);
    let v = shown("axs");
    assert!(v.iter().all(|x| !x.1) && v.len() == 2, "{v:?}");
    // Letters over two cells ("l" of Lumix, "ou" of CAM-OU): nothing.
    assert!(shown("lxou").is_empty());
    // Highlights fall on the text met.
    let q = parse_filter::<Equipement>("loum");
    let pos = q.positions(hay.get(1).unwrap());
    let cells = items[1].cells();
    let site_col = Equipement::columns()
        .iter()
        .position(|c| c.title == "Site")
        .unwrap();
    let start: usize = cells[..site_col]
        .iter()
        .map(|c| c.chars().count() + 1)
        .sum();
    assert_eq!(pos, (start..start + 4).collect::<Vec<_>>());
}
