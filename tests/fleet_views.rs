//! Looking across the fleet, over real HTTP against the reference server: `F` counts a
//! column's values as the API has them, Enter keeps one value; `:dups` finds an IP planted
//! on two sites; the equipement form warns (without refusing) about an `ip:port` in use.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use std::collections::HashMap;

use console_fixtures::{ch, ctrl, key};
use crossterm::event::KeyCode;
use live::*;
use vigie::api::model::NewEquipement;
use vigie::app::{Overlay, Tab};
use vigie::rows::Rows;

fn frequency(live: &Live) -> &vigie::app::Frequency {
    match live.app.overlays.last() {
        Some(Overlay::Frequency(f)) => f,
        _ => panic!("no frequency screen on top"),
    }
}

async fn palette(live: &mut Live, text: &str) {
    live.press(ch(':')).await;
    live.type_text(text).await;
    live.press(key(KeyCode::Enter)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f_counts_brands_as_the_api_has_them_and_enter_keeps_one() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    live.press(ch('2')).await;
    assert_eq!(live.app.tab, Tab::Equipements);
    // The Brand column (IP, Port, Brand…).
    live.press(ch('l')).await;
    live.press(ch('l')).await;
    live.press(ch('F')).await;
    assert!(live.app.lists.equipements.complete, "every page read first");
    let all = api
        .all_pages(|p| api.list_equipements(p, 100))
        .await
        .unwrap();
    let mut want: HashMap<String, usize> = HashMap::new();
    for e in &all {
        *want.entry(e.marque.to_string()).or_default() += 1;
    }
    let f = frequency(&live);
    assert_eq!(f.total, all.len());
    let got: HashMap<String, usize> = f.rows.iter().cloned().collect();
    assert_eq!(got, want, "counts equal the API's");
    assert!(
        f.rows.windows(2).all(|w| w[0].1 >= w[1].1),
        "most frequent first"
    );
    let (brand, n) = f.rows[0].clone();
    live.press(key(KeyCode::Enter)).await;
    assert_eq!(live.app.lists.equipements.view.len(), n);
    assert!(
        live.app.lists.equipements.view.iter().all(|&i| live
            .app
            .lists
            .equipements
            .items
            .cell(i, 2)
            == *brand)
    );
    live.press(key(KeyCode::Esc)).await;
    assert_eq!(
        live.app.lists.equipements.view.len(),
        all.len(),
        "Esc shows all"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dups_finds_an_ip_planted_on_two_sites_and_the_form_warns_about_it() {
    let srv = common::start().await;
    let api = srv.admin();
    let sites = api.list_site_summaries().await.unwrap();
    let (a, b) = (&sites[0], &sites[1]);
    for site in [a, b] {
        api.create_equipement(&NewEquipement {
            ip: "10.99.9.9".into(),
            site_id: site.site_id.clone(),
            marque: "Axis".into(),
            sources: vec![],
            port: 554,
            username: String::new(),
            password: String::new(),
            description: String::new(),
            modele: "Q1615".into(),
        })
        .await
        .unwrap();
    }
    let mut live = core_console(&srv).await;
    palette(&mut live, "dups").await;
    let f = frequency(&live);
    let i = f
        .rows
        .iter()
        .position(|(ip, _)| ip == "10.99.9.9")
        .expect("the planted duplicate is listed");
    assert_eq!(f.rows[i].1, 2);
    let note = &f.notes[i];
    assert!(
        note.contains(&a.name) && note.contains(&b.name) && note.contains("same IP:port"),
        "{note}"
    );
    // Enter shows the two.
    live.app.on_key(key(KeyCode::Down));
    if let Some(Overlay::Frequency(f)) = live.app.overlays.last_mut() {
        f.selected = i;
    }
    live.press(key(KeyCode::Enter)).await;
    assert_eq!(live.app.lists.equipements.view.len(), 2);
    live.press(key(KeyCode::Esc)).await;

    // A third one typed in the form, on a third site: warned once, saved on the second
    // Ctrl-S (on the same site the server itself refuses it: its word decides).
    live.app
        .run_command(vigie::app::Command::OpenSite(sites[2].site_id.clone()));
    live.settle().await;
    live.press(ch('n')).await;
    live.retype("ip", "10.99.9.9").await;
    live.retype("port", "554").await;
    live.retype("marque", "Axis").await;
    live.retype("modele", "Q1615").await;
    let before = api
        .all_pages(|p| api.list_equipements(p, 100))
        .await
        .unwrap()
        .len();
    live.press(ctrl('s')).await;
    assert!(live.has_form(), "warned, not saved");
    let said = live.app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Form(f) => f.error.clone(),
        _ => None,
    });
    assert!(
        said.as_deref()
            .unwrap_or_default()
            .contains("10.99.9.9:554 is already used"),
        "{said:?}"
    );
    assert_eq!(
        api.all_pages(|p| api.list_equipements(p, 100))
            .await
            .unwrap()
            .len(),
        before,
        "nothing sent on the warning"
    );
    live.press(ctrl('s')).await;
    assert!(
        !live.has_form(),
        "saved anyway: {:?}",
        live.app.status.last_error
    );
    assert_eq!(
        api.all_pages(|p| api.list_equipements(p, 100))
            .await
            .unwrap()
            .len(),
        before + 1
    );
}
