//! Undo and the journal, over real HTTP against the reference server: each change the console
//! makes is journaled without its secrets, and `u` walks back through it — a deleted record
//! comes back (asking for the password the journal never kept), an edit is reverted, a
//! creation is deleted. What the server holds is checked through the API.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use console_fixtures::{ch, ctrl, form};
use live::*;
use vigie::api::core::CoreClient;
use vigie::api::model::Equipement;
use vigie::app::{Effect, Overlay};
use vigie::journal::Op;

async fn equipement(api: &CoreClient, id: &str) -> Option<Equipement> {
    let mut page = 1;
    loop {
        let p = api.list_equipements(page, 100).await.unwrap();
        if let Some(e) = p.items.iter().find(|e| e.equipement_id == id) {
            return Some(e.clone());
        }
        if p.items.is_empty() || u64::from(page) >= p.page_count().unwrap_or(1) {
            return None;
        }
        page += 1;
    }
}

/// The journal file as the runtime writes it from the console's effects.
fn journal_file(live: &mut Live, dir: &std::path::Path) -> String {
    let path = dir.join("journal.jsonl");
    for e in live.app.take_effects() {
        if let Effect::Journal(entry) = e {
            vigie::journal::append(&path, &entry).unwrap();
        }
    }
    std::fs::read_to_string(&path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_equipement_comes_back_with_u_but_its_password() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    live.press(ch('2')).await;
    let e = live
        .app
        .lists
        .equipements
        .selected_record()
        .expect("equipements listed");
    let secret = e.password.expose().to_string();
    assert!(!secret.is_empty(), "the demo equipement has a password");

    live.press(ch('d')).await;
    live.press(ch('y')).await;
    assert!(
        equipement(&api, &e.equipement_id).await.is_none(),
        "deleted on the server"
    );
    let deleted = live
        .app
        .journal
        .last()
        .cloned()
        .expect("the delete is journaled");
    assert_eq!(deleted.op, Op::Delete);
    assert_eq!(deleted.kind, "equipements");
    assert_eq!(deleted.id, e.equipement_id);

    // `u`: the creation form, filled with what the equipement was, asks for the password.
    live.press(ch('u')).await;
    let f = form(&live.app);
    assert!(f.record_id.is_none(), "a creation");
    assert_eq!(f.field("ip").unwrap().value(), e.ip.to_string());
    assert_eq!(f.field("username").unwrap().value(), e.username.to_string());
    assert_eq!(f.field("password").unwrap().value(), "", "never kept");
    assert_eq!(f.fields[f.focus].key, "password", "the password is asked");
    live.press(ctrl('s')).await;
    assert!(live.has_form(), "no save without the password");
    live.type_text("N3w-Secret!").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);

    let again = live.app.journal.last().cloned().unwrap();
    assert_eq!((again.op, again.undoes), (Op::Create, Some(deleted.seq)));
    assert_ne!(again.id, e.equipement_id, "a new id");
    let back = equipement(&api, &again.id)
        .await
        .expect("re-created on the server");
    assert_eq!(back.ip, e.ip);
    assert_eq!(back.port, e.port);
    assert_eq!(back.marque, e.marque);
    assert_eq!(back.modele, e.modele);
    assert_eq!(back.sources, e.sources);
    assert_eq!(back.username, e.username);
    assert_eq!(back.description, e.description);
    assert_eq!(back.site_id(), e.site_id());
    assert_eq!(back.password.expose(), "N3w-Secret!");
    let said = live.app.status.notice.clone().unwrap_or_default();
    assert!(
        said.contains("Re-created") && said.contains(&again.id),
        "the re-creation and its new id are said: {said}"
    );

    // Both changes are undone or undos: nothing left.
    live.press(ch('u')).await;
    assert!(
        live.app
            .status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("Nothing to undo"),
        "{:?}",
        live.app.status.notice
    );

    // The journal as written holds neither password, nor the demo logins' passwords.
    let dir = tempfile::tempdir().unwrap();
    let text = journal_file(&mut live, dir.path());
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(&e.ip.to_string()));
    for s in [secret.as_str(), "N3w-Secret!", "admin-demo"] {
        assert!(!text.contains(s), "{s} in the journal: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_reverts_an_edit_then_deletes_a_creation() {
    let srv = common::start().await;
    let api = srv.admin();
    let mut live = core_console(&srv).await;
    let site = live
        .app
        .lists
        .sites
        .selected_record()
        .expect("sites listed");

    // An edit, then `u`: the form comes back with the old description; saving sends it.
    live.press(ch('e')).await;
    live.retype("description", "Changed, to be undone").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let now = |api: CoreClient, id: String| async move {
        api.list_site_summaries()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.site_id == id)
    };
    let changed = now(api.clone(), site.site_id.clone()).await.unwrap();
    assert_eq!(changed.description, "Changed, to be undone");
    let edit = live.app.journal.last().cloned().unwrap();
    assert_eq!(edit.op, Op::Update);

    live.press(ch('u')).await;
    assert_eq!(
        form(&live.app).field("description").unwrap().value(),
        site.description
    );
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let reverted = now(api.clone(), site.site_id.clone()).await.unwrap();
    assert_eq!(reverted.description, site.description);
    assert_eq!(reverted.name, site.name);
    assert_eq!(live.app.journal.last().unwrap().undoes, Some(edit.seq));

    // A creation, then `u`: asked, then deleted on the server.
    live.press(ch('n')).await;
    let Some(Overlay::Form(f)) = live.app.overlays.last_mut() else {
        panic!("no form");
    };
    for (k, v) in [
        ("name", "Undo test site"),
        ("latitude", "4.05"),
        ("longitude", "9.7"),
    ] {
        f.fields
            .iter_mut()
            .find(|x| x.key == k)
            .unwrap()
            .set_text(v);
    }
    let client = site.client_id().unwrap_or_default().to_string();
    f.fields
        .iter_mut()
        .find(|x| x.key == "client_id")
        .unwrap()
        .set_text(&client);
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let created = live.app.journal.last().cloned().unwrap();
    assert_eq!(created.op, Op::Create);
    assert!(now(api.clone(), created.id.clone()).await.is_some());

    live.press(ch('u')).await;
    let Some(Overlay::Confirm(c)) = live.app.overlays.last() else {
        panic!("the undo asks first: {:?}", live.app.status.notice);
    };
    assert!(c.message.contains("Undo test site"), "{}", c.message);
    live.press(ch('y')).await;
    assert!(
        now(api.clone(), created.id.clone()).await.is_none(),
        "deleted"
    );
    assert_eq!(live.app.journal.last().unwrap().undoes, Some(created.seq));
}

/// A Maarch group added by mistake: `u` removes it (asked first), checked through the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_removes_a_maarch_group_added_by_mistake() {
    use crossterm::event::KeyCode;
    let srv = common::start().await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    let uid = live.app.lists.maarch_users.selected_item().unwrap().id;
    let api = maarch_client(&srv);
    let groups = |d: vigie::api::maarch::MaarchUserDetails| {
        d.groups.into_iter().map(|g| g.group_id).collect::<Vec<_>>()
    };
    assert!(!groups(api.user_details(uid).await.unwrap().unwrap()).contains(&"ELU".into()));

    live.press(console_fixtures::key(KeyCode::Enter)).await;
    live.press(ch('g')).await;
    let Some(Overlay::Form(f)) = live.app.overlays.last_mut() else {
        panic!("the group picker: {:?}", live.app.status.notice);
    };
    f.fields[0].set_text("ELU");
    live.press(ctrl('s')).await;
    assert!(groups(api.user_details(uid).await.unwrap().unwrap()).contains(&"ELU".into()));
    let added = live.app.journal.last().cloned().unwrap();
    // The link as the server held it before (none) and after (with its role).
    assert_eq!(added.before, Some(serde_json::json!({"group:ELU": null})));
    assert_eq!(
        added.after,
        Some(serde_json::json!({"group:ELU": {"role": ""}}))
    );

    live.press(console_fixtures::key(KeyCode::Esc)).await;
    live.press(ch('u')).await;
    let Some(Overlay::Confirm(c)) = live.app.overlays.last() else {
        panic!("asked first: {:?}", live.app.status.notice);
    };
    assert!(c.message.contains("ELU"), "{}", c.message);
    live.press(ch('y')).await;
    assert!(!groups(api.user_details(uid).await.unwrap().unwrap()).contains(&"ELU".into()));
    assert_eq!(live.app.journal.last().unwrap().undoes, Some(added.seq));
}

/// A Maarch user's edit is reverted by `u`: the user's details are read, the form opens with
/// the old first name, the phone (never part of the edit) untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_reverts_a_maarch_edit() {
    let srv = common::start().await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    let uid = live.app.lists.maarch_users.selected_item().unwrap().id;
    let api = maarch_client(&srv);
    let was = api.user_details(uid).await.unwrap().unwrap().user;
    live.press(ch('e')).await;
    live.retype("firstname", "Oops").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        api.user_details(uid).await.unwrap().unwrap().user.firstname,
        "Oops"
    );

    live.press(ch('u')).await;
    assert!(
        live.has_form(),
        "the form opens once the details are read: {:?}",
        live.app.status.notice
    );
    assert_eq!(
        form(&live.app).field("firstname").unwrap().value(),
        was.firstname
    );
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let now = api.user_details(uid).await.unwrap().unwrap().user;
    assert_eq!(now.firstname, was.firstname);
    assert_eq!(now.phone, was.phone);
    assert_eq!(now.lastname, was.lastname);
}
