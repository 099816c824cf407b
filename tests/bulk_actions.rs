//! Bulk actions on marked rows, over real HTTP against the reference server: a move of 60
//! equipements between two sites, a credential change with one row made to fail, a big
//! delete confirmed by typing its count and stopped with Esc. Checked through the API.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use console_fixtures::{ch, key};
use crossterm::event::KeyCode;
use live::*;
use vigie::api::core::CoreClient;
use vigie::api::model::{Equipement, NewEquipement, NewSite};
use vigie::app::{Command, Effect, Outcome, Overlay, Phase};
use vigie::rows::Rows;

/// A new site of the demo's first client with `n` equipements (10.77.<k>.<i>:80).
async fn site_with(api: &CoreClient, name: &str, k: u8, n: usize) -> String {
    let client_id = api.list_site_summaries().await.unwrap()[0]
        .client_id
        .clone()
        .unwrap_or_default();
    let site = api
        .create_site(&NewSite {
            client_id,
            name: name.into(),
            longitude: 9.7,
            latitude: 4.05,
            description: "bulk test".into(),
        })
        .await
        .unwrap();
    for i in 0..n {
        api.create_equipement(&NewEquipement {
            ip: format!("10.77.{k}.{}", i + 1),
            site_id: site.site_id.clone(),
            marque: "Hikvision".into(),
            sources: vec!["rtsp://cam".into()],
            port: 80,
            username: "admin".into(),
            password: "old-secret".into(),
            description: format!("camera {i}"),
            modele: "DS-2CD".into(),
        })
        .await
        .unwrap();
    }
    site.site_id
}

async fn on_site(api: &CoreClient, site_id: &str) -> Vec<Equipement> {
    vigie::list::site_equipements(api, site_id).await.unwrap()
}

/// The console with `site_id`'s detail open (its first page read).
async fn detail_of(srv: &common::TestServer, site_id: &str) -> Live {
    let mut live = core_console(srv).await;
    live.app.run_command(Command::OpenSite(site_id.into()));
    live.settle().await;
    live
}

fn marked_in_detail(live: &Live) -> usize {
    live.app
        .overlays
        .iter()
        .rev()
        .find_map(|o| match o {
            Overlay::Detail(d) => Some(d.equipements.marked.len()),
            _ => None,
        })
        .unwrap_or(0)
}

fn bulk(live: &Live) -> &vigie::app::BulkRun {
    match live.app.overlays.last() {
        Some(Overlay::Bulk(b)) => b,
        _ => panic!("no bulk screen on top"),
    }
}

async fn palette(live: &mut Live, text: &str) {
    live.press(ch(':')).await;
    live.type_text(text).await;
    live.press(key(KeyCode::Enter)).await;
}

fn journal(live: &mut Live) -> Vec<vigie::journal::Entry> {
    live.app
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Journal(e) => Some(*e),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_equipements_move_to_another_site() {
    let srv = common::start().await;
    let api = srv.admin();
    let from = site_with(&api, "Bulk Départ", 1, 60).await;
    let to = site_with(&api, "Bulk Arrivée", 2, 0).await;
    let mut live = detail_of(&srv, &from).await;
    // `*` in a site of two pages reads every page, then marks every row.
    live.press(ch('*')).await;
    assert_eq!(marked_in_detail(&live), 60);
    // The site typed without its accent, in lower case.
    palette(&mut live, "move bulk arrivee").await;
    assert_eq!(bulk(&live).phase, Phase::Ask);
    assert!(
        bulk(&live).question.contains("60") && bulk(&live).question.contains("Bulk Arrivée"),
        "{}",
        bulk(&live).question
    );
    assert!(on_site(&api, &to).await.is_empty(), "nothing sent before y");
    live.press(ch('y')).await;
    let b = bulk(&live);
    assert_eq!(b.phase, Phase::Finished);
    assert_eq!((b.done(), b.failed()), (60, 0));
    assert_eq!(on_site(&api, &to).await.len(), 60, "all moved");
    assert!(on_site(&api, &from).await.is_empty());
    let moved = on_site(&api, &to).await;
    assert!(
        moved
            .iter()
            .all(|e| e.password.expose() == "old-secret" && e.description.starts_with("camera")),
        "a move sends the site only: nothing else changed"
    );
    assert_eq!(marked_in_detail(&live), 0, "done rows are unmarked");
    let entries = journal(&mut live);
    assert_eq!(entries.len(), 60, "every change journaled");
    assert!(entries.iter().all(|e| e.op == vigie::journal::Op::Update));
    // The results close; the source site's detail no longer lists them.
    live.press(key(KeyCode::Esc)).await;
    let Some(Overlay::Detail(d)) = live.app.overlays.last() else {
        panic!("the detail stays under the results");
    };
    assert!(d.equipements.items.is_empty(), "moved away from this site");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_change_goes_on_past_a_failed_row_which_stays_marked() {
    let srv = common::start().await;
    let api = srv.admin();
    let site = site_with(&api, "Bulk Creds", 3, 5).await;
    let mut live = detail_of(&srv, &site).await;
    live.press(ch('*')).await;
    assert_eq!(marked_in_detail(&live), 5);
    // Another admin deletes one of them meanwhile: its update fails.
    let gone = on_site(&api, &site).await[2].equipement_id.clone();
    api.delete_equipement(&gone).await.unwrap();
    palette(&mut live, "set username=ops password=N3w s3cret").await;
    let q = bulk(&live).question.clone();
    assert!(q.contains("username=ops") && !q.contains("N3w"), "{q}");
    live.press(ch('y')).await;
    let b = bulk(&live);
    assert_eq!((b.done(), b.failed()), (4, 1));
    let failed = b
        .jobs
        .iter()
        .zip(&b.outcomes)
        .find(|(_, o)| matches!(o, Outcome::Failed(_)))
        .unwrap();
    assert_eq!(failed.0.key, gone);
    let Outcome::Failed(words) = failed.1 else {
        unreachable!()
    };
    assert!(!words.is_empty(), "the server's words are kept");
    for e in on_site(&api, &site).await {
        assert_eq!(e.username, "ops");
        assert_eq!(e.password.expose(), "N3w s3cret");
        assert!(e.description.starts_with("camera"), "untouched");
        assert_eq!(e.port, Some(80), "untouched");
    }
    live.press(key(KeyCode::Esc)).await;
    let Some(Overlay::Detail(d)) = live.app.overlays.last() else {
        panic!("detail");
    };
    assert_eq!(
        d.equipements.marked.keys().collect::<Vec<_>>(),
        vec![&gone],
        "only the failed row stays marked"
    );
    let entries = journal(&mut live);
    assert_eq!(entries.len(), 4);
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        !text.contains("N3w s3cret") && !text.contains("old-secret"),
        "no password in the journal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_delete_is_typed_and_esc_stops_it_after_the_request_in_flight() {
    let srv = common::start().await;
    let api = srv.admin();
    let site = site_with(&api, "Bulk Delete", 4, 12).await;
    let mut live = detail_of(&srv, &site).await;
    live.press(ch('*')).await;
    live.press(ch('d')).await;
    assert!(bulk(&live).typed.is_some(), "12 > 10: the count is typed");
    live.press(ch('y')).await;
    live.press(key(KeyCode::Enter)).await;
    assert_eq!(bulk(&live).phase, Phase::Ask, "y is not the count");
    assert!(bulk(&live).error.is_some(), "told what to type");
    assert_eq!(on_site(&api, &site).await.len(), 12);
    live.press(key(KeyCode::Backspace)).await;
    live.type_text("12").await;
    // Enter starts the run; one answer lands (the next row is then in flight), then Esc.
    live.app.on_key(key(KeyCode::Enter));
    live.answer_one().await;
    live.app.on_key(key(KeyCode::Esc));
    live.settle().await;
    let b = bulk(&live);
    assert_eq!(b.phase, Phase::Finished);
    assert_eq!(b.done(), 2, "the one in flight when Esc came finished");
    assert_eq!(
        on_site(&api, &site).await.len(),
        10,
        "nothing after the stop"
    );
    live.press(key(KeyCode::Esc)).await;
    assert_eq!(marked_in_detail(&live), 10, "the rows not sent stay marked");
}

/// A core that takes no `site_id` in its update (`--like core-no-move`) answers the
/// equipements where they were: the run says "not moved" for each, nothing is counted as
/// moved and every row stays marked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_cannot_move_equipements_is_never_taken_as_having_moved_them() {
    let srv = common::start_with(|c| c.like.push(vigie::server::Like::CoreNoMove)).await;
    let api = srv.admin();
    let from = site_with(&api, "Bulk Stay", 5, 3).await;
    let to = site_with(&api, "Bulk Elsewhere", 6, 0).await;
    let mut live = detail_of(&srv, &from).await;
    live.press(ch('*')).await;
    palette(&mut live, "move bulk elsewhere").await;
    live.press(ch('y')).await;
    let b = bulk(&live);
    assert_eq!((b.done(), b.failed()), (0, 3));
    assert!(
        b.outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Failed(w) if w.contains("not moved")))
    );
    assert_eq!(on_site(&api, &from).await.len(), 3);
    assert!(on_site(&api, &to).await.is_empty());
    assert!(
        journal(&mut live).is_empty(),
        "nothing journaled as changed"
    );
    live.press(key(KeyCode::Esc)).await;
    assert_eq!(marked_in_detail(&live), 3, "still marked");
}

/// Marked Maarch users join a group in one run (`:set group+=ELU`), each change journaled
/// as a link (so `u` can remove it), then leave it through the `S` form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marked_maarch_users_join_then_leave_a_group() {
    let srv = common::start().await;
    let mut live = maarch_console(&srv).await;
    let api = maarch_client(&srv);
    let logins = ["bwayne", "ccordy"];
    for login in logins {
        select_maarch(&mut live, login);
        live.press(key(KeyCode::Char(' '))).await;
    }
    let ids: Vec<i64> = live
        .app
        .lists
        .maarch_users
        .marked_rows()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids.len(), 2);
    let in_elu =
        |d: vigie::api::maarch::MaarchUserDetails| d.groups.iter().any(|g| g.group_id == "ELU");
    for id in &ids {
        assert!(!in_elu(api.user_details(*id).await.unwrap().unwrap()));
    }
    palette(&mut live, "set group+=ELU").await;
    live.press(ch('y')).await;
    assert_eq!((bulk(&live).done(), bulk(&live).failed()), (2, 0));
    for id in &ids {
        assert!(
            in_elu(api.user_details(*id).await.unwrap().unwrap()),
            "joined"
        );
    }
    let entries = journal(&mut live);
    assert_eq!(entries.len(), 2);
    // The link as the server held it just before (none) and after (with its role).
    assert!(
        entries.iter().all(|e| {
            e.before.as_ref().is_some_and(|b| b["group:ELU"].is_null())
                && e.after.as_ref().is_some_and(|a| a["group:ELU"].is_object())
        }),
        "{entries:?}"
    );
    live.press(key(KeyCode::Esc)).await;
    // Marked again, removed through the form (the catalogue read first).
    for login in logins {
        select_maarch(&mut live, login);
        live.press(key(KeyCode::Char(' '))).await;
    }
    live.press(ch('S')).await;
    if !matches!(live.app.overlays.last(), Some(Overlay::Form(_))) {
        live.press(ch('S')).await;
    }
    let Some(Overlay::Form(f)) = live.app.overlays.last_mut() else {
        panic!("the links form: {:?}", live.app.status.notice);
    };
    f.fields[0].set_text("remove");
    f.fields[1].set_text("ELU");
    live.press(console_fixtures::ctrl('s')).await;
    live.press(ch('y')).await;
    assert_eq!(bulk(&live).done(), 2, "{:?}", bulk(&live).outcomes);
    for id in &ids {
        assert!(
            !in_elu(api.user_details(*id).await.unwrap().unwrap()),
            "left"
        );
    }
    assert!(journal(&mut live).iter().all(|e| {
        e.before
            .as_ref()
            .is_some_and(|b| b["group:ELU"].is_object())
            && e.after.as_ref().is_some_and(|a| a["group:ELU"].is_null())
    }));
}

/// `I` in a site's detail: the file's plan (errors first), Enter creates the rows, each
/// journaled in one batch; `u` then deletes the whole import after one question.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i_imports_a_file_into_the_site_and_u_takes_the_whole_import_back() {
    let srv = common::start().await;
    let api = srv.admin();
    let site = site_with(&api, "Import Site", 7, 1).await; // 10.77.7.1:80 is there
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.csv");
    std::fs::write(
        &file,
        "ip;port;marque;modele;mot de passe\n\
         10.77.7.1;80;Hikvision;DS-2CD;x\n\
         10.88.0.1;554;Axis;Q1;s3cret-1\n\
         10.88.0.2;554;Axis;Q1;s3cret-2\n\
         10.88.0.999;554;Axis;Q1;\n\
         10.88.0.4;;Axis;Q1;\n\
         10.88.0.3;554;Axis;Q1;\n",
    )
    .unwrap();
    let mut live = detail_of(&srv, &site).await;
    live.press(ch('I')).await;
    live.retype("path", file.to_str().unwrap()).await;
    live.press(key(KeyCode::Enter)).await;
    let b = bulk(&live);
    // A port missing blocks its row, as in the form; an IP that is not one is advice, as in
    // the form: the server's refusal decides.
    assert!(
        b.question.contains("4 to create")
            && b.question.contains("1 already there")
            && b.question.contains("1 errors"),
        "{}",
        b.question
    );
    assert!(matches!(b.outcomes[0], Outcome::Failed(_)), "errors first");
    assert_eq!(on_site(&api, &site).await.len(), 1, "nothing sent before y");
    live.press(ch('y')).await;
    assert_eq!((bulk(&live).done(), bulk(&live).failed()), (3, 2));
    let refused = bulk(&live)
        .jobs
        .iter()
        .zip(&bulk(&live).outcomes)
        .find(|(j, _)| j.label.contains("10.88.0.999"))
        .map(|(_, o)| o.clone());
    assert!(
        matches!(&refused, Some(Outcome::Failed(w)) if w.contains("ip")),
        "the server's own refusal: {refused:?}"
    );
    let now = on_site(&api, &site).await;
    assert_eq!(now.len(), 4);
    assert_eq!(
        now.iter()
            .find(|e| e.ip == "10.88.0.2")
            .map(|e| e.password.expose().to_string()),
        Some("s3cret-2".into())
    );
    let entries = journal(&mut live);
    assert_eq!(entries.len(), 3);
    let batch = entries[0].batch.expect("one batch");
    assert!(entries.iter().all(|e| e.batch == Some(batch)));
    assert!(!serde_json::to_string(&entries).unwrap().contains("s3cret"));
    live.press(key(KeyCode::Esc)).await;
    // u: the whole import, one question.
    live.press(key(KeyCode::Esc)).await;
    live.press(ch('u')).await;
    let q = bulk(&live).question.clone();
    assert!(q.contains("Undo the import of 3"), "{q}");
    live.press(ch('y')).await;
    assert_eq!(bulk(&live).done(), 3);
    let left = on_site(&api, &site).await;
    assert_eq!(left.len(), 1, "back to what was there");
    assert_eq!(left[0].ip, "10.77.7.1");
    let undos = journal(&mut live);
    assert_eq!(undos.len(), 3);
    assert!(undos.iter().all(|e| e.undoes.is_some()));
}
