//! The console against the reference server playing each real service's reading (`--like`),
//! over real HTTP, through the worker: a save never loses what the server holds and the
//! console did not receive, records with odd stored values stay editable, and each service's
//! own way of answering is understood. What the server holds is checked through the API or,
//! where the API itself hides it, in its database.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use console_fixtures::{ch, ctrl, form, key};
use crossterm::event::KeyCode;
use live::*;
use vigie::api::maarch::{MaarchAuthMode, MaarchClient};
use vigie::api::ocean::OceanClient;
use vigie::app::form::{Ask, FieldKind, FormKind};
use vigie::app::{Overlay, Session, Tab};
use vigie::protocol::{Request, Service};
use vigie::server::Like;
use vigie::worker::Clients;

/// One column of a Maarch user as the database holds it.
fn maarch_db(srv: &common::TestServer, login: &str, column: &str) -> Option<String> {
    let c = rusqlite::Connection::open(&srv.db_path).unwrap();
    c.query_row(
        &format!("SELECT {column} FROM maarch_users WHERE user_id = ?1"),
        [login],
        |r| r.get(0),
    )
    .unwrap()
}

// ---- Maarch ------------------------------------------------------------------------------

/// Maarch 21.03 leaves the phone out of the details for an admin without
/// `view_personal_data`, and its update writes `phone = body.phone` (empty when absent):
/// the console asks before a save erases it, and keeps it when the user types it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_phone_the_server_hides_is_never_erased_silently() {
    let srv = common::start_with(|c| c.like = vec![Like::Maarch2103]).await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    live.press(ch('e')).await;
    assert!(
        live.has_form(),
        "the edit form opens once the details are read"
    );
    let phone = form(&live.app).field("phone").unwrap();
    assert!(phone.unknown, "the phone was not received");
    assert_eq!(phone.value(), "");

    live.retype("firstname", "Bruno").await;
    live.press(ctrl('s')).await;
    assert_eq!(form(&live.app).asking, Some(Ask::Erase), "asked, not saved");
    assert_eq!(
        maarch_db(&srv, "bwayne", "phone").as_deref(),
        Some("+33120212223")
    );
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruce")
    );

    // Any other key goes back to the form, on the phone, to type it.
    live.press(key(KeyCode::Esc)).await;
    let f = form(&live.app);
    assert_eq!(f.asking, None);
    assert_eq!(f.fields[f.focus].key, "phone");
    live.type_text("+33 1 20 21 22 23").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruno")
    );
    assert_eq!(
        maarch_db(&srv, "bwayne", "phone").as_deref(),
        Some("+33 1 20 21 22 23")
    );

    // Agreeing erases it, as said.
    live.press(ch('e')).await;
    live.retype("lastname", "WAYNE").await;
    live.press(ctrl('s')).await;
    assert_eq!(form(&live.app).asking, Some(Ask::Erase));
    live.press(ch('y')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bwayne", "lastname").as_deref(),
        Some("WAYNE")
    );
    assert_eq!(maarch_db(&srv, "bwayne", "phone").as_deref(), Some(""));
}

/// The same through `$EDITOR`: the JSON shown leaves out the phone the server hid, and saving
/// the edited record asks before erasing it, as the form does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_edit_in_the_editor_never_erases_the_hidden_phone_silently() {
    use vigie::app::Effect;
    let srv = common::start_with(|c| c.like = vec![Like::Maarch2103]).await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    live.press(ch('E')).await;
    let text = live
        .app
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Edit { text, .. } => Some(text),
            _ => None,
        })
        .expect("the editor opens once the details are read");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(v.get("phone").is_none(), "not shown as empty: {text}");
    v["firstname"] = serde_json::json!("Bruno");
    live.app.on_edited(Ok(v.to_string()));
    live.settle().await;
    assert_eq!(form(&live.app).asking, Some(Ask::Erase), "asked, not saved");
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruce")
    );
    live.press(ch('y')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruno")
    );
    assert_eq!(maarch_db(&srv, "bwayne", "phone").as_deref(), Some(""));
}

/// A server that shows the phone: a save sends it back as it is, without a question, and the
/// initials (which the list does not give) are kept too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_edit_keeps_the_phone_and_initials_it_read() {
    let srv = common::start().await;
    let c = rusqlite::Connection::open(&srv.db_path).unwrap();
    c.execute(
        "UPDATE maarch_users SET initials = 'BB' WHERE user_id = 'bbain'",
        [],
    )
    .unwrap();
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bbain");
    live.press(ch('e')).await;
    assert!(!form(&live.app).field("phone").unwrap().unknown);
    live.retype("firstname", "Barbra").await;
    live.press(ctrl('s')).await;
    assert!(
        !live.has_form(),
        "saved at once: {:?}",
        live.app.status.last_error
    );
    assert_eq!(
        maarch_db(&srv, "bbain", "phone").as_deref(),
        Some("01 47 24 51 59")
    );
    assert_eq!(maarch_db(&srv, "bbain", "initials").as_deref(), Some("BB"));
    assert_eq!(
        maarch_db(&srv, "bbain", "firstname").as_deref(),
        Some("Barbra")
    );
}

/// A phone another administrator changes while the form is open is not overwritten by the
/// value the form was opened with: only what the user changed is the form's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_save_keeps_what_another_admin_changed_meanwhile() {
    let srv = common::start().await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bbain");
    live.press(ch('e')).await;
    let other = rusqlite::Connection::open(&srv.db_path).unwrap();
    other
        .execute(
            "UPDATE maarch_users SET phone = '01 00 00 00 00' WHERE user_id = 'bbain'",
            [],
        )
        .unwrap();
    live.retype("firstname", "Barbra").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bbain", "phone").as_deref(),
        Some("01 00 00 00 00")
    );
    assert_eq!(
        maarch_db(&srv, "bbain", "firstname").as_deref(),
        Some("Barbra")
    );
}

/// A Maarch user without mail (a web-service account) stays editable: the mail is optional on
/// an update and stays null.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_user_without_mail_is_edited() {
    for like in [vec![], vec![Like::Maarch2103]] {
        let srv = common::start_with(|c| c.like = like.clone()).await;
        let mut live = maarch_console(&srv).await;
        select_maarch(&mut live, "ws_archives");
        live.press(ch('e')).await;
        live.retype("firstname", "Connecteur GED").await;
        live.press(ctrl('s')).await;
        // Asked only where the phone is hidden (21.03); this account has none to lose.
        assert_eq!(
            form_asks(&live),
            like.contains(&Like::Maarch2103),
            "{like:?}"
        );
        if form_asks(&live) {
            live.press(ch('y')).await;
        }
        assert!(
            !live.has_form(),
            "{like:?}: saved: {:?}",
            live.app.status.last_error
        );
        assert_eq!(
            maarch_db(&srv, "ws_archives", "firstname").as_deref(),
            Some("Connecteur GED")
        );
        assert_eq!(maarch_db(&srv, "ws_archives", "mail"), None, "{like:?}");
    }
}

/// A 3-digit phone breaks vigie's idea of a phone number, not Maarch's: the user stays
/// editable, the phone is marked and sent back as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_user_with_a_short_phone_is_edited() {
    let srv = common::start().await;
    let c = rusqlite::Connection::open(&srv.db_path).unwrap();
    c.execute(
        "UPDATE maarch_users SET phone = '123' WHERE user_id = 'jjane'",
        [],
    )
    .unwrap();
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "jjane");
    live.press(ch('e')).await;
    let phone = form(&live.app).field("phone").unwrap().clone();
    assert_eq!(phone.value(), "123");
    assert!(phone.advice.is_some(), "marked");
    assert_eq!(phone.error, None, "not refused");
    live.retype("lastname", "JANE-DOE").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(maarch_db(&srv, "jjane", "phone").as_deref(), Some("123"));
    assert_eq!(
        maarch_db(&srv, "jjane", "lastname").as_deref(),
        Some("JANE-DOE")
    );
}

fn form_asks(live: &Live) -> bool {
    matches!(live.app.overlays.last(), Some(Overlay::Form(f)) if f.asking.is_some())
}

/// A suspended user is made active again through the update's `status`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_maarch_user_is_made_active_again() {
    for like in [vec![], vec![Like::Maarch2103]] {
        suspended_user_made_active(like).await;
    }
}

async fn suspended_user_made_active(like: Vec<Like>) {
    let hidden = like.contains(&Like::Maarch2103);
    let srv = common::start_with(|c| c.like = like).await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "ddaull");
    live.press(ch('e')).await;
    live.focus("status");
    assert_eq!(form(&live.app).field("status").unwrap().value(), "SPD");
    live.press(key(KeyCode::Right)).await;
    assert_eq!(form(&live.app).field("status").unwrap().value(), "OK");
    live.press(ctrl('s')).await;
    assert_eq!(
        form_asks(&live),
        hidden,
        "asked only where the phone is hidden"
    );
    if hidden {
        // ddaull has no phone to lose.
        live.press(ch('y')).await;
    }
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(maarch_db(&srv, "ddaull", "status").as_deref(), Some("OK"));
    let listed = live
        .app
        .lists
        .maarch_users
        .items
        .iter()
        .find(|u| u.user_id == "ddaull")
        .unwrap();
    assert_eq!(listed.status, "OK", "the list shows it");
}

/// Maarch says an existing login in French: the words land under the Login field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_maarch_login_is_said_under_the_login_field() {
    for like in [vec![], vec![Like::Maarch2103]] {
        existing_login_under_its_field(like).await;
    }
}

async fn existing_login_under_its_field(like: Vec<Like>) {
    let srv = common::start_with(|c| c.like = like).await;
    let mut live = maarch_console(&srv).await;
    live.press(ch('n')).await;
    assert_eq!(form(&live.app).kind, FormKind::MaarchUser);
    for (field, text) in [
        ("userId", "bwayne"),
        ("firstname", "Bruce"),
        ("lastname", "Wayne"),
        ("mail", "batman@wcorp.com"),
    ] {
        live.focus(field);
        live.type_text(text).await;
    }
    live.press(ctrl('s')).await;
    let f = form(&live.app);
    assert_eq!(
        f.field("userId").unwrap().error.as_deref(),
        Some("L'identifiant utilisateur existe déjà")
    );
    assert_eq!(f.fields[f.focus].key, "userId");
}

/// An older Maarch answers a creation `{"user": {"id": N}}`: a success, not a failure that a
/// retry would turn into "already exists".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_maarch_creation_answer_is_a_success() {
    let srv = common::start_with(|c| c.like = vec![Like::MaarchOld]).await;
    let mut live = maarch_console(&srv).await;
    live.press(ch('n')).await;
    for (field, text) in [
        ("userId", "ckent"),
        ("firstname", "Clark"),
        ("lastname", "Kent"),
        ("mail", "clark.kent@dailyplanet.com"),
    ] {
        live.focus(field);
        live.type_text(text).await;
    }
    live.press(ctrl('s')).await;
    assert!(
        !live.has_form(),
        "created: {:?}",
        live.app.status.last_error
    );
    assert_eq!(live.app.status.last_error, None);
    assert!(
        live.app
            .lists
            .maarch_users
            .items
            .iter()
            .any(|u| u.user_id == "ckent" && u.id > 0),
        "listed with its id"
    );
}

/// A non-root administrator is shown only the users of its entities: the tab says the list
/// may be partial.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_maarch_users_tab_says_when_the_list_may_be_partial() {
    let srv = common::start().await;
    let live = maarch_console(&srv).await;
    assert!(
        live.app.lists.maarch_partial,
        "admin is a web-service account, not root"
    );

    let root = MaarchClient::new(
        &srv.url(),
        password("superadmin", "superadmin-demo"),
        MaarchAuthMode::Token,
        &common::http_options(),
    )
    .unwrap();
    let session = Session {
        maarch_user: Some("superadmin".into()),
        ..service_session(Service::Maarch)
    };
    let clients = Clients {
        maarch: Some(root),
        ..Default::default()
    };
    let live = Live::start(session, clients, false).await;
    assert!(live.app.lists.maarch_users.loaded_once);
    assert!(
        !live.app.lists.maarch_partial,
        "a root account sees everyone"
    );
}

// ---- core --------------------------------------------------------------------------------

/// A real core's role may hold permissions the reference catalogue lacks: the grid shows
/// them, a toggle keeps them, and an addition alone goes through `add_permissions`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_keeps_the_permissions_outside_the_usual_grid() {
    let srv = common::start_with(|c| c.like = vec![Like::CoreMorePermissions]).await;
    let mut live = core_console(&srv).await;
    live.press(ch('4')).await;
    assert_eq!(live.app.tab, Tab::Roles);
    let pos = live
        .app
        .lists
        .roles
        .view
        .iter()
        .position(|&i| live.app.lists.roles.items[i].name == "technicien")
        .unwrap();
    live.app.lists.roles.selected = pos;
    live.press(ch('e')).await;
    let f = form(&live.app);
    let Some(FieldKind::Grid { cells, on, .. }) = f.field("permissions").map(|x| &x.kind) else {
        panic!("no grid");
    };
    let at = |r: &str, a: &str| cells.iter().position(|(x, y)| x == r && y == a);
    let export = at("reports", "export").expect("reports:export in the grid");
    assert!(on[export], "held");
    assert!(
        at("audit", "read").is_none(),
        "no role holds it: not a cell"
    );
    let users_read = at("users", "read").unwrap();
    assert!(on[users_read]);

    // Switch users:read off: the whole set is sent, reports:export in it.
    live.grid_cursor_on("users", "read");
    live.press(ch(' ')).await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let tech = technicien(&srv).await;
    assert!(tech.contains(&"reports:export".to_string()), "{tech:?}");
    assert!(!tech.contains(&"users:read".to_string()), "{tech:?}");

    // Only additions: `add_permissions`, nothing resent; a typed one is added too.
    live.press(ch('e')).await;
    live.focus("permissions_add");
    live.type_text("audit:read").await;
    live.app.on_key(ctrl('s'));
    let reqs = live.app.net.outbox.clone();
    let [(_, Request::Change(c))] = reqs.as_slice() else {
        panic!("{reqs:?}");
    };
    // Only the permission added is a field: the change room sends `add_permissions`.
    assert_eq!(c.fields().len(), 1, "{c:?}");
    assert_eq!(c.wanted("perm:audit:read"), Some(&serde_json::json!(true)));
    let tech_now = live
        .app
        .lists
        .roles
        .items
        .iter()
        .find(|r| r.name == "technicien")
        .unwrap();
    let sent: Vec<&vigie::change::FieldChange> = c.fields().iter().collect();
    let (update, add) = vigie::change::role_update(tech_now, &sent).unwrap();
    assert_eq!(update.permissions, None, "nothing removed: no set sent");
    assert_eq!(add.len(), 1);
    assert_eq!(
        (add[0].ressource.as_str(), add[0].action.as_str()),
        ("audit", "read")
    );
    live.settle().await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let tech = technicien(&srv).await;
    for p in ["reports:export", "audit:read"] {
        assert!(tech.contains(&p.to_string()), "{p} in {tech:?}");
    }
}

/// A permission another administrator adds while the form is open survives a removal: the
/// set sent is the server's at the time of the save with only the user's changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_removal_keeps_what_another_admin_added_meanwhile() {
    let srv = common::start().await;
    let mut live = core_console(&srv).await;
    live.press(ch('4')).await;
    let pos = live
        .app
        .lists
        .roles
        .view
        .iter()
        .position(|&i| live.app.lists.roles.items[i].name == "technicien")
        .unwrap();
    live.app.lists.roles.selected = pos;
    live.press(ch('e')).await;
    // Meanwhile, another administrator grants roles:create.
    let role_id = vigie::server::seed::role_id("technicien").unwrap();
    srv.admin()
        .add_permissions(
            role_id,
            &[vigie::api::model::PermissionRef::from(
                &vigie::api::model::Permission::new("roles", "create"),
            )],
        )
        .await
        .unwrap();
    // This one switches users:read off.
    live.grid_cursor_on("users", "read");
    live.press(ch(' ')).await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let tech = technicien(&srv).await;
    assert!(tech.contains(&"roles:create".to_string()), "kept: {tech:?}");
    assert!(
        !tech.contains(&"users:read".to_string()),
        "removed: {tech:?}"
    );
}

async fn technicien(srv: &common::TestServer) -> Vec<String> {
    let roles = srv.admin().list_roles().await.unwrap();
    roles
        .into_iter()
        .find(|r| r.name == "technicien")
        .unwrap()
        .permissions
        .iter()
        .map(|p| p.key())
        .collect()
}

/// A user's detail is read again with `GET /users/{user_id}`: the list may be old.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_core_user_detail_is_read_again_from_the_server() {
    let srv = common::start().await;
    let mut live = core_console(&srv).await;
    live.press(ch('3')).await;
    let pos = live
        .app
        .lists
        .users
        .view
        .iter()
        .position(|&i| live.app.lists.users.items[i].email == "tech@vigie.local")
        .unwrap();
    live.app.lists.users.selected = pos;
    let id = live.app.lists.users.items[live.app.lists.users.view[pos]]
        .user_id
        .clone();
    // Someone else renames the user meanwhile.
    let update = vigie::api::model::UserUpdate {
        user_id: id.clone(),
        nom: Some("Technicienne Renommée".into()),
        ..Default::default()
    };
    srv.admin().update_user(&update).await.unwrap();
    live.press(key(KeyCode::Enter)).await;
    let Some(Overlay::Detail(d)) = live.app.overlays.last() else {
        panic!("no detail");
    };
    let vigie::app::DetailTarget::User(u) = &d.target else {
        panic!("not a user");
    };
    assert_eq!(u.nom, "Technicienne Renommée");
}

/// What no document states is advice: an odd ip is sent, and the server's own refusal lands
/// under the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unstated_rules_advise_and_the_server_decides() {
    let srv = common::start().await;
    let mut live = core_console(&srv).await;
    live.press(ch('2')).await;
    live.press(ch('n')).await;
    live.type_text("LOUM").await;
    for (field, text) in [
        ("ip", "10.0.0.300"),
        ("port", "8080"),
        ("marque", "Axis"),
        ("modele", "M3106"),
    ] {
        live.focus(field);
        live.type_text(text).await;
    }
    let ip = form(&live.app).field("ip").unwrap();
    assert!(ip.advice.is_some() && ip.error.is_none());
    live.press(ctrl('s')).await;
    let f = form(&live.app);
    let ip = f.field("ip").unwrap();
    assert!(
        ip.error.as_deref().is_some_and(|e| e.contains("IP")),
        "the server's refusal under the field: {ip:?}"
    );
    assert_eq!(ip.value(), "10.0.0.300", "nothing typed lost");
}

// ---- Ocean -------------------------------------------------------------------------------

/// An individu whose stored address is not one (`email`) can still be renamed: the check is
/// for what the user changes; the odd value is shown with a warning and sent back as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_individu_with_an_odd_stored_address_is_renamed() {
    let srv = common::start().await;
    let c = rusqlite::Connection::open(&srv.db_path).unwrap();
    let id: i64 = c
        .query_row(
            "SELECT id FROM ocean_individus WHERE customer_id = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE ocean_individus SET body = json_set(body, '$.individu.email', 'email') WHERE id = ?1",
        [id],
    )
    .unwrap();
    let mut live = ocean_console(&srv).await;
    assert_eq!(live.app.tab, Tab::Individus);
    let l = &mut live.app.lists.individus;
    l.selected = l
        .view
        .iter()
        .position(|&i| l.items[i].id() == Some(id))
        .unwrap();
    live.press(ch('e')).await;
    let email = form(&live.app).field("individu.email").unwrap().clone();
    assert_eq!(email.value(), "email");
    assert!(
        email
            .advice
            .as_deref()
            .is_some_and(|a| a.contains("as the server holds it")),
        "marked: {email:?}"
    );
    assert_eq!(email.error, None, "not refused");
    live.retype("individu.nomInd", "RENOMMÉ").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    let ocean = OceanClient::new(
        &format!("{}/ocean", srv.url()),
        password("admin", "admin-demo"),
        Some(1),
        &common::http_options(),
    )
    .unwrap();
    let back = ocean
        .list_individus(None)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id() == Some(id))
        .unwrap();
    assert_eq!(back.nom(), "RENOMMÉ");
    assert_eq!(back.text("individu.email"), "email", "the odd value kept");
}

/// `changePassword`: a JSON body first; a server that reads the query only is asked about
/// before the passwords go into a URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ocean_password_change_with_each_reading() {
    for (like, asks) in [
        (vec![], false),
        (vec![Like::OceanBody], false),
        (vec![Like::OceanQuery], true),
    ] {
        let srv = common::start_with(|c| c.like = like.clone()).await;
        let mut live = ocean_console(&srv).await;
        live.press(ch('@')).await;
        live.press(ch('p')).await;
        assert_eq!(form(&live.app).kind, FormKind::ChangePassword);
        for (field, text) in [
            ("actualPassword", "admin-demo"),
            ("newPassword", "nouveau-secret-1"),
            ("newPasswordConfirmed", "nouveau-secret-1"),
        ] {
            live.focus(field);
            live.type_text(text).await;
        }
        live.press(ctrl('s')).await;
        if asks {
            assert_eq!(
                form(&live.app).asking,
                Some(Ask::PasswordsInUrl),
                "{like:?}: asked first"
            );
            live.press(ch('y')).await;
        }
        assert!(
            !live.has_form(),
            "{like:?}: changed: {:?}",
            live.app.status.last_error
        );
        let fresh = OceanClient::new(
            &format!("{}/ocean", srv.url()),
            password("admin", "nouveau-secret-1"),
            Some(1),
            &common::http_options(),
        )
        .unwrap();
        fresh.login().await.expect("the new password works");
    }
}

/// Rights by element type in any of Ocean's spellings, and a type typed by the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ocean_element_types_in_any_spelling() {
    let srv = common::start().await;
    let ocean = OceanClient::new(
        &format!("{}/ocean", srv.url()),
        password("admin", "admin-demo"),
        Some(1),
        &common::http_options(),
    )
    .unwrap();
    let onglets = ocean.functionalities("ONGLET").await.unwrap();
    assert!(!onglets.is_empty());
    for spelling in ["Onglets", "onglet", " ONGLETS "] {
        assert_eq!(
            ocean.functionalities(spelling).await.unwrap(),
            onglets,
            "{spelling}"
        );
    }
    assert_eq!(
        ocean.functionalities("WsAction").await.unwrap(),
        ocean.functionalities("WS").await.unwrap()
    );

    let mut live = ocean_console(&srv).await;
    live.press(ch('@')).await;
    live.press(ch('t')).await;
    assert_eq!(form(&live.app).kind, FormKind::ElementType);
    live.retype("elementType", "Onglets").await;
    live.press(key(KeyCode::Enter)).await;
    let Some(Overlay::Account(a)) = live.app.overlays.last() else {
        panic!("back on the account screen");
    };
    assert_eq!(a.types[a.element_type], "Onglets");
    assert_eq!(a.functionalities, onglets);
}

/// `u` on a Maarch 21.03 edit (the phone hidden from this admin): the revert form gets the old
/// first name back, but the phone it never received is neither put back nor erased silently:
/// saving asks, as any edit does, and the database keeps it until agreed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_maarch_edit_never_erases_the_hidden_phone_silently() {
    let srv = common::start_with(|c| c.like = vec![Like::Maarch2103]).await;
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    live.press(ch('e')).await;
    live.retype("firstname", "Bruno").await;
    live.press(ctrl('s')).await;
    assert_eq!(form(&live.app).asking, Some(Ask::Erase));
    live.press(key(KeyCode::Esc)).await;
    live.type_text("+33120212223").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruno")
    );

    live.press(ch('u')).await;
    assert!(live.has_form(), "{:?}", live.app.status.notice);
    let f = form(&live.app);
    assert_eq!(f.field("firstname").unwrap().value(), "Bruce");
    assert!(f.field("phone").unwrap().unknown, "still not received");
    live.press(ctrl('s')).await;
    assert_eq!(form(&live.app).asking, Some(Ask::Erase), "asked, not saved");
    assert_eq!(
        maarch_db(&srv, "bwayne", "phone").as_deref(),
        Some("+33120212223")
    );
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruno")
    );
    live.press(key(KeyCode::Esc)).await;
    live.type_text("+33120212223").await;
    live.press(ctrl('s')).await;
    assert!(!live.has_form(), "saved: {:?}", live.app.status.last_error);
    assert_eq!(
        maarch_db(&srv, "bwayne", "firstname").as_deref(),
        Some("Bruce")
    );
    assert_eq!(
        maarch_db(&srv, "bwayne", "phone").as_deref(),
        Some("+33120212223")
    );
}
