//! Two administrators at once, over real HTTP against the reference server: the console reads
//! an edited record again before sending it. A field another admin changed meanwhile is kept
//! (and said); a field both changed stops the save and the pick is what is saved; a record
//! deleted meanwhile can be re-created from the form. Checked through the API.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use console_fixtures::{ch, ctrl, form, key};
use crossterm::event::KeyCode;
use live::*;
use vigie::api::core::CoreClient;
use vigie::api::model::{SiteSummary, SiteUpdate};
use vigie::app::Overlay;

async fn site(api: &CoreClient, id: &str) -> Option<SiteSummary> {
    api.list_site_summaries()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.site_id == id)
}

/// Another admin sets the description of site `id`.
async fn theirs(api: &CoreClient, id: &str, description: &str) {
    api.update_site(&SiteUpdate {
        site_id: id.into(),
        name: None,
        longitude: None,
        latitude: None,
        description: Some(description.into()),
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disjoint_changes_both_survive() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    let s = live.app.lists.sites.selected_record().unwrap();
    live.press(ch('e')).await;
    live.retype("name", "Renamed by me").await;
    theirs(&api, &s.site_id, "Described by them").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let now = site(&api, &s.site_id).await.unwrap();
    assert_eq!(now.name, "Renamed by me");
    assert_eq!(
        now.description, "Described by them",
        "their change survives"
    );
    let said = live.app.status.notice.clone().unwrap_or_default();
    assert!(
        said.contains("Description"),
        "the user is told what moved: {said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_field_changed_twice_is_asked_and_the_pick_is_saved() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    let s = live.app.lists.sites.selected_record().unwrap();

    // Mine is kept when picked.
    live.press(ch('e')).await;
    live.retype("description", "Mine").await;
    theirs(&api, &s.site_id, "Theirs").await;
    live.press(ctrl('s')).await;
    let Some(Overlay::Conflict(c)) = live.app.overlays.last() else {
        panic!(
            "the save stops on the conflict: {:?}",
            live.app.status.last_error
        );
    };
    assert_eq!(c.rows.len(), 1);
    let r = &c.rows[0];
    assert_eq!(
        (
            r.key.as_str(),
            r.original.as_str(),
            r.theirs.as_str(),
            r.mine.as_str()
        ),
        ("description", s.description.as_str(), "Theirs", "Mine")
    );
    assert_eq!(
        site(&api, &s.site_id).await.unwrap().description,
        "Theirs",
        "nothing sent"
    );
    live.press(key(KeyCode::Enter)).await;
    assert!(
        matches!(live.app.overlays.last(), Some(Overlay::Conflict(_))),
        "no pick, no apply"
    );
    live.press(ch('m')).await;
    live.press(key(KeyCode::Enter)).await;
    assert_eq!(
        form(&live.app).field("description").unwrap().value(),
        "Mine"
    );
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(site(&api, &s.site_id).await.unwrap().description, "Mine");

    // Theirs is kept when picked: nothing of mine is sent.
    live.press(ch('e')).await;
    live.retype("description", "Mine again").await;
    live.retype("name", "Renamed").await;
    theirs(&api, &s.site_id, "Theirs again").await;
    live.press(ctrl('s')).await;
    assert!(matches!(
        live.app.overlays.last(),
        Some(Overlay::Conflict(_))
    ));
    live.press(ch('t')).await;
    live.press(key(KeyCode::Enter)).await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let now = site(&api, &s.site_id).await.unwrap();
    assert_eq!(
        (now.name.as_str(), now.description.as_str()),
        ("Renamed", "Theirs again")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_deleted_meanwhile_is_offered_back() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    live.press(ch('2')).await;
    let e = live.app.lists.equipements.selected_record().unwrap();
    live.press(ch('e')).await;
    live.retype("description", "Typed before the delete").await;
    api.delete_equipement(&e.equipement_id).await.unwrap();
    live.press(ctrl('s')).await;
    assert!(live.has_form(), "not silently lost");
    let f = form(&live.app);
    assert!(f.record_id.is_none(), "offered back as a creation");
    assert!(
        f.error
            .as_deref()
            .unwrap_or_default()
            .contains("Deleted on the server"),
        "{:?}",
        f.error
    );
    live.retype("password", "Typed-Again1").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let all = api.list_equipements(1, 100).await.unwrap().items;
    let mut found = None;
    let mut page = 1;
    let mut items = all;
    loop {
        if let Some(x) = items
            .iter()
            .find(|x| x.description == "Typed before the delete")
        {
            found = Some(x.clone());
            break;
        }
        page += 1;
        items = api.list_equipements(page, 100).await.unwrap().items;
        if items.is_empty() {
            break;
        }
    }
    let back = found.expect("re-created with what was typed");
    assert_eq!(back.ip, e.ip);
    assert_ne!(back.equipement_id, e.equipement_id);
}

/// Ocean's update sends the whole individu: it is built on the individu as the server holds
/// it when saved, so another admin's change to a field the form did not touch survives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_individu_keeps_what_another_admin_changed_meanwhile() {
    use vigie::api::ocean::OceanClient;
    let srv = common::start().await;
    let mut live = ocean_console(&srv).await;
    let i = live
        .app
        .lists
        .individus
        .selected_record()
        .expect("individus listed");
    let id = i.id().unwrap();
    live.press(ch('e')).await;
    live.retype("individu.nomInd", "NOUVEAUNOM").await;

    let other = OceanClient::new(
        &format!("{}/ocean", srv.url()),
        password("admin", "admin-demo"),
        Some(1),
        &common::http_options(),
    )
    .unwrap();
    let find = |all: Vec<vigie::api::ocean::Individu>| {
        all.into_iter().find(|x| x.id() == Some(id)).unwrap()
    };
    let mut theirs = find(other.list_individus(None).await.unwrap());
    theirs.set("individu.gsm", serde_json::json!("0699887766"));
    other.update_individu(&theirs).await.unwrap();

    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let now = find(other.list_individus(None).await.unwrap());
    assert_eq!(now.nom(), "NOUVEAUNOM");
    assert_eq!(
        now.text("individu.gsm"),
        "0699887766",
        "their change survives"
    );
}

/// Maarch's update writes every field: a first name both admins changed is asked, not
/// overwritten; the pick is what Maarch holds after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_field_both_changed_is_asked() {
    use vigie::api::maarch::MaarchUserUpdate;
    let srv = common::start().await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    let uid = live.app.lists.maarch_users.selected_item().unwrap().id;
    live.press(ch('e')).await;
    assert!(live.has_form(), "{:?}", live.app.status.notice);
    live.retype("firstname", "Mine").await;

    let other = maarch_client(&srv);
    let d = other.user_details(uid).await.unwrap().unwrap();
    let u = &d.user;
    other
        .update_user(&MaarchUserUpdate {
            id: uid,
            firstname: "Theirs".into(),
            lastname: u.lastname.clone(),
            initials: u.initials.clone(),
            mail: u.mail.clone(),
            phone: u.phone.clone(),
            mode: Some(u.mode.clone()),
            status: None,
        })
        .await
        .unwrap();

    live.press(ctrl('s')).await;
    let Some(Overlay::Conflict(c)) = live.app.overlays.last() else {
        panic!("asked: {:?}", live.app.status.last_error);
    };
    assert_eq!(c.rows[0].theirs, "Theirs");
    live.press(ch('t')).await;
    live.press(key(KeyCode::Enter)).await;
    live.press(ctrl('s')).await;
    let now = other.user_details(uid).await.unwrap().unwrap();
    assert_eq!(now.user.firstname, "Theirs", "their name kept, as picked");
    assert_eq!(now.user.phone, u.phone, "the phone untouched");
}
