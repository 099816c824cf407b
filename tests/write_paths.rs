//! Every write path of the console and the CLI, against every reading of the real services it
//! applies to, with a second administrator changing the record between vigie's read and its
//! write: another field (theirs is kept, the journal holds only vigie's field as the server
//! held it just before and after) or the same field (a conflict, nothing overwritten). Over
//! real HTTP against the reference server playing each reading; checked through the API.
//!
//! Paths: the form, `$EDITOR`, bulk set, move and delete, the import (create and `--update`),
//! undo of an edit, a move and a delete, a role's permissions, a core user, a site; Maarch:
//! the form, bulk group add and remove, entity removal and its undo.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use console_fixtures::{ch, ctrl, key};
use crossterm::event::KeyCode;
use live::*;
use serde_json::json;
use vigie::api::core::CoreClient;
use vigie::api::model::{Equipement, EquipementUpdate, NewEquipement, NewSite};
use vigie::app::{Command, Effect, Outcome, Overlay};
use vigie::server::Like;

/// What the second administrator does between vigie's read and vigie's write.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Theirs {
    /// Changes a field vigie does not change.
    Other,
    /// Changes the field vigie changes.
    Same,
}

const BOTH: [Theirs; 2] = [Theirs::Other, Theirs::Same];

/// A failed case of the table, said with its reading, path and interference.
type Fails = Vec<String>;

fn check(fails: &mut Fails, case: &str, ok: bool, what: String) {
    if !ok {
        fails.push(format!("{case}: {what}"));
    }
}

/// A new site (the first client's, read from either shape) holding one equipement; the
/// equipement's id. Tags keep cases apart on one server.
async fn fresh(api: &CoreClient, tag: &str) -> (String, Equipement) {
    let client_id = api.list_site_summaries().await.unwrap()[0]
        .client_id()
        .unwrap()
        .to_string();
    let site = api
        .create_site(&NewSite {
            client_id,
            name: format!("Site {tag}"),
            longitude: 9.7,
            latitude: 4.05,
            description: "table".into(),
        })
        .await
        .unwrap();
    let n = tag
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    let e = api
        .create_equipement(&NewEquipement {
            ip: format!(
                "10.{}.{}.{}",
                100 + n % 100,
                (n / 100) % 250,
                (n / 25_000) % 250 + 1
            ),
            site_id: site.site_id.clone(),
            marque: "Hikvision".into(),
            sources: vec!["rtsp://cam".into()],
            port: 80,
            username: "admin".into(),
            password: "old-secret".into(),
            description: "camera".into(),
            modele: "DS-2CD".into(),
        })
        .await
        .unwrap();
    (site.site_id, e)
}

/// The equipement as the server holds it (its site's pages, else every page).
async fn now(api: &CoreClient, id: &str) -> Option<(String, Equipement)> {
    for s in api.list_site_summaries().await.unwrap() {
        if let Some(e) = vigie::list::site_equipements(api, &s.site_id)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.equipement_id == id)
        {
            return Some((s.site_id, e));
        }
    }
    None
}

/// The second administrator's change to the equipement.
async fn theirs_on(api: &CoreClient, id: &str, theirs: Theirs, same_field: &str) {
    let mut u = EquipementUpdate {
        equipement_id: id.into(),
        ..Default::default()
    };
    match (theirs, same_field) {
        (Theirs::Other, _) => u.username = Some("their-user".into()),
        (Theirs::Same, "description") => u.description = Some("their-desc".into()),
        (Theirs::Same, "port") => u.port = Some(9090),
        (Theirs::Same, f) => panic!("no interference on {f}"),
    }
    api.update_equipement(&u).await.unwrap();
}

/// The console with `site_id`'s detail open.
async fn detail_of(srv: &common::TestServer, site_id: &str) -> Live {
    let mut live = core_console(srv).await;
    live.app.run_command(Command::OpenSite(site_id.into()));
    live.settle().await;
    live
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

async fn palette(live: &mut Live, text: &str) {
    live.press(ch(':')).await;
    live.type_text(text).await;
    live.press(key(KeyCode::Enter)).await;
}

fn bulk(live: &Live) -> Option<&vigie::app::BulkRun> {
    live.app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Bulk(b) => Some(b.as_ref()),
        _ => None,
    })
}

fn conflict_on(live: &Live, key: &str) -> bool {
    matches!(live.app.overlays.last(), Some(Overlay::Conflict(c)) if c.rows.iter().any(|r| r.key == key))
}

/// The one entry journaled holds exactly `field` as the server held it before and after.
fn journaled_only(
    entries: &[vigie::journal::Entry],
    field: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), String> {
    let [e] = entries else {
        return Err(format!("one entry expected: {entries:?}"));
    };
    let b = e.before.clone().unwrap_or_default();
    let a = e.after.clone().unwrap_or_default();
    if b != json!({ field: before }) || a != json!({ field: after }) {
        return Err(format!("journal {b} → {a}"));
    }
    Ok(())
}

/// Opens the equipement's detail from its site's (the only row) and its form.
async fn open_form(live: &mut Live) {
    live.press(key(KeyCode::Enter)).await;
    live.press(ch('e')).await;
    assert!(live.has_form(), "the form: {:?}", live.app.status.notice);
}

/// What every edit of the description must leave: theirs kept or a conflict.
async fn after_description_edit(
    fails: &mut Fails,
    case: &str,
    api: &CoreClient,
    live: &mut Live,
    id: &str,
    theirs: Theirs,
) {
    let (_, e) = now(api, id).await.expect("still there");
    let entries = journal(live);
    match theirs {
        Theirs::Other => {
            check(
                fails,
                case,
                e.description == "mine",
                format!("description {}", e.description),
            );
            check(
                fails,
                case,
                e.username == "their-user",
                format!("their username lost: {}", e.username),
            );
            if let Err(w) = journaled_only(&entries, "description", json!("camera"), json!("mine"))
            {
                fails.push(format!("{case}: {w}"));
            }
            let said = live.app.status.notice.clone().unwrap_or_default();
            check(
                fails,
                case,
                said.contains("Username"),
                format!("theirs not said: {said}"),
            );
            check(
                fails,
                case,
                !said.contains("Site"),
                format!("a site nobody changed is said: {said}"),
            );
        }
        Theirs::Same => {
            check(
                fails,
                case,
                conflict_on(live, "description"),
                format!("no conflict: {:?}", live.app.status.notice),
            );
            check(
                fails,
                case,
                e.description == "their-desc",
                format!("overwritten: {}", e.description),
            );
            check(
                fails,
                case,
                entries.is_empty(),
                format!("journaled: {entries:?}"),
            );
        }
    }
}

/// Form, `$EDITOR`, bulk set, bulk move, bulk delete, import update and create, undo of an
/// edit: every core path against one reading.
async fn core_table(like: &[Like]) -> Fails {
    let srv = common::start_with(|c| c.like = like.to_vec()).await;
    let api = srv.admin();
    let them = srv.admin();
    let name = format!("{like:?}");
    let moves = !like
        .iter()
        .any(|l| matches!(l, Like::Swagger | Like::CoreNoMove));
    let mut fails = Fails::new();

    for theirs in BOTH {
        // The form.
        let case = format!("{name} form {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let mut live = detail_of(&srv, &site).await;
        open_form(&mut live).await;
        live.retype("description", "mine").await;
        theirs_on(&them, &e.equipement_id, theirs, "description").await;
        journal(&mut live);
        live.press(ctrl('s')).await;
        after_description_edit(&mut fails, &case, &api, &mut live, &e.equipement_id, theirs).await;

        // `$EDITOR`: the record as JSON, its description edited.
        let case = format!("{name} $EDITOR {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let mut live = detail_of(&srv, &site).await;
        live.press(key(KeyCode::Enter)).await;
        live.press(ch('E')).await;
        let text = live
            .app
            .take_effects()
            .into_iter()
            .find_map(|f| match f {
                Effect::Edit { text, .. } => Some(text),
                _ => None,
            })
            .expect("the editor asked");
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["description"] = json!("mine");
        theirs_on(&them, &e.equipement_id, theirs, "description").await;
        live.app.on_edited(Ok(v.to_string()));
        live.settle().await;
        after_description_edit(&mut fails, &case, &api, &mut live, &e.equipement_id, theirs).await;

        // Bulk set: the row as read is each field's "before".
        let case = format!("{name} bulk set {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let mut live = detail_of(&srv, &site).await;
        live.press(key(KeyCode::Char(' '))).await;
        theirs_on(&them, &e.equipement_id, theirs, "description").await;
        journal(&mut live);
        palette(&mut live, "set description=mine").await;
        live.press(ch('y')).await;
        let (_, got) = now(&api, &e.equipement_id).await.unwrap();
        let entries = journal(&mut live);
        let outcome = bulk(&live).map(|b| b.outcomes[0].clone());
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    got.description == "mine" && got.username == "their-user",
                    format!("{got:?}"),
                );
                if let Err(w) =
                    journaled_only(&entries, "description", json!("camera"), json!("mine"))
                {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    got.description == "their-desc",
                    format!("overwritten: {got:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    matches!(&outcome, Some(Outcome::Failed(w)) if w.contains("changed on the server")),
                    format!("{outcome:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
            }
        }

        // Bulk move to another site.
        let case = format!("{name} bulk move {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let (to, _) = fresh(&api, &format!("{case} to")).await;
        let to_name = format!("Site {case} to");
        let mut live = detail_of(&srv, &site).await;
        live.press(key(KeyCode::Char(' '))).await;
        let third = if theirs == Theirs::Same && moves {
            // They move it elsewhere meanwhile.
            let (third, _) = fresh(&api, &format!("{case} third")).await;
            them.update_equipement(&EquipementUpdate {
                equipement_id: e.equipement_id.clone(),
                site_id: Some(third.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
            Some(third)
        } else {
            theirs_on(&them, &e.equipement_id, Theirs::Other, "").await;
            None
        };
        journal(&mut live);
        palette(&mut live, &format!("move {to_name}")).await;
        live.press(ch('y')).await;
        let (on, got) = now(&api, &e.equipement_id).await.unwrap();
        let entries = journal(&mut live);
        let outcome = bulk(&live).map(|b| b.outcomes[0].clone());
        match (&third, moves) {
            (Some(third), _) => {
                check(
                    &mut fails,
                    &case,
                    &on == third,
                    format!("moved over theirs: on {on}"),
                );
                check(
                    &mut fails,
                    &case,
                    matches!(&outcome, Some(Outcome::Failed(_))),
                    format!("{outcome:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
            }
            (None, true) => {
                check(
                    &mut fails,
                    &case,
                    on == to && got.username == "their-user",
                    format!("on {on}: {got:?}"),
                );
                if let Err(w) = journaled_only(&entries, "site_id", json!(site), json!(to)) {
                    fails.push(format!("{case}: {w}"));
                }
            }
            (None, false) => {
                // The server ignores a move: said, never "done", nothing journaled.
                check(&mut fails, &case, on == site, format!("on {on}"));
                check(
                    &mut fails,
                    &case,
                    matches!(&outcome, Some(Outcome::Failed(w)) if w.contains("not moved")),
                    format!("{outcome:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
            }
        }

        // Bulk delete: the journal keeps what the server held just before (theirs included);
        // a record they deleted first is "already gone".
        let case = format!("{name} bulk delete {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let mut live = detail_of(&srv, &site).await;
        live.press(key(KeyCode::Char(' '))).await;
        match theirs {
            Theirs::Other => theirs_on(&them, &e.equipement_id, Theirs::Other, "").await,
            Theirs::Same => them.delete_equipement(&e.equipement_id).await.unwrap(),
        }
        journal(&mut live);
        live.press(ch('d')).await;
        live.press(ch('y')).await;
        let entries = journal(&mut live);
        check(
            &mut fails,
            &case,
            now(&api, &e.equipement_id).await.is_none(),
            "still there".into(),
        );
        match theirs {
            Theirs::Other => check(
                &mut fails,
                &case,
                entries.len() == 1
                    && entries[0]
                        .before
                        .as_ref()
                        .is_some_and(|b| b["username"] == "their-user"),
                format!("journal before is not the server's: {entries:?}"),
            ),
            Theirs::Same => check(
                &mut fails,
                &case,
                entries.is_empty(),
                format!("journaled: {entries:?}"),
            ),
        }

        // Import --update: planned, then they change the record, then sent.
        let case = format!("{name} import update {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rows.csv");
        std::fs::write(
            &file,
            format!(
                "ip;port;marque;modele;description\n{};80;Hikvision;DS-2CD;mine\n",
                e.ip
            ),
        )
        .unwrap();
        let plan = vigie::import::plan_file(
            &api,
            vigie::import::What::Equipements,
            &file,
            Some(&site),
            true,
        )
        .await
        .unwrap();
        check(
            &mut fails,
            &case,
            plan[0].action == vigie::import::Action::Update,
            format!("{:?}", plan[0].action),
        );
        theirs_on(&them, &e.equipement_id, theirs, "description").await;
        let clients = vigie::change::Clients {
            core: Some(api.clone()),
            ..Default::default()
        };
        let done = vigie::import::run_plan(&clients, &plan, 1, "admin", None, |_, _| {}).await;
        let (_, got) = now(&api, &e.equipement_id).await.unwrap();
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    done[0].result == "ok",
                    format!("{:?}", done[0]),
                );
                check(
                    &mut fails,
                    &case,
                    got.description == "mine" && got.username == "their-user",
                    format!("{got:?}"),
                );
                let entries: Vec<_> = done.iter().filter_map(|d| d.entry.clone()).collect();
                if let Err(w) =
                    journaled_only(&entries, "description", json!("camera"), json!("mine"))
                {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    done[0].result == "failed",
                    format!("{:?}", done[0]),
                );
                check(
                    &mut fails,
                    &case,
                    got.description == "their-desc",
                    format!("overwritten: {got:?}"),
                );
            }
        }

        // Import create: they create the same IP:port meanwhile (Same): the server's refusal
        // is the row's, never a duplicate.
        let case = format!("{name} import create {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let ip = e.ip.replacen("10.", "11.", 1);
        std::fs::write(&file, format!("ip;port;marque;modele\n{ip};554;Axis;Q1\n")).unwrap();
        let plan = vigie::import::plan_file(
            &api,
            vigie::import::What::Equipements,
            &file,
            Some(&site),
            false,
        )
        .await
        .unwrap();
        if theirs == Theirs::Same {
            them.create_equipement(&NewEquipement {
                ip: ip.clone(),
                site_id: site.clone(),
                marque: "Axis".into(),
                port: 554,
                modele: "Q1".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        let done = vigie::import::run_plan(&clients, &plan, 1, "admin", None, |_, _| {}).await;
        let same_ip = vigie::list::site_equipements(&api, &site)
            .await
            .unwrap()
            .iter()
            .filter(|x| x.ip == ip)
            .count();
        check(
            &mut fails,
            &case,
            same_ip == 1,
            format!("{same_ip} rows at {ip}"),
        );
        let expect = if theirs == Theirs::Same {
            "failed"
        } else {
            "ok"
        };
        check(
            &mut fails,
            &case,
            done[0].result == expect,
            format!("{:?}", done[0]),
        );

        // Undo of vigie's edit: they change something since (Other: kept; Same: a conflict).
        let case = format!("{name} undo edit {theirs:?}");
        let (site, e) = fresh(&api, &case).await;
        let mut live = detail_of(&srv, &site).await;
        open_form(&mut live).await;
        live.retype("description", "mine").await;
        live.press(ctrl('s')).await;
        live.press(key(KeyCode::Esc)).await;
        match theirs {
            Theirs::Other => theirs_on(&them, &e.equipement_id, Theirs::Other, "").await,
            Theirs::Same => theirs_on(&them, &e.equipement_id, Theirs::Same, "description").await,
        }
        journal(&mut live);
        palette(&mut live, "undo").await;
        check(
            &mut fails,
            &case,
            live.has_form(),
            format!("no undo form: {:?}", live.app.status.notice),
        );
        live.press(ctrl('s')).await;
        let (_, got) = now(&api, &e.equipement_id).await.unwrap();
        let entries = journal(&mut live);
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    got.description == "camera",
                    format!("not undone: {got:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    got.username == "their-user",
                    format!("their username reverted: {got:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.len() == 1 && entries[0].undoes.is_some(),
                    format!("{entries:?}"),
                );
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    conflict_on(&live, "description"),
                    format!("silently reverted? {:?}", live.app.status.notice),
                );
                check(
                    &mut fails,
                    &case,
                    got.description == "their-desc",
                    format!("reverted over theirs: {got:?}"),
                );
            }
        }
    }

    // Undo of a bulk move (where the server moves): they change a field since; back it goes.
    if moves {
        let case = format!("{name} undo move");
        let (site, e) = fresh(&api, &case).await;
        fresh(&api, &format!("{case} to")).await;
        let mut live = detail_of(&srv, &site).await;
        live.press(key(KeyCode::Char(' '))).await;
        palette(&mut live, &format!("move Site {case} to")).await;
        live.press(ch('y')).await;
        live.press(key(KeyCode::Esc)).await;
        theirs_on(&them, &e.equipement_id, Theirs::Other, "").await;
        // The moved record is in the other site's detail: open it to undo there.
        let (on, _) = now(&api, &e.equipement_id).await.unwrap();
        live.app.run_command(Command::OpenSite(on));
        live.settle().await;
        palette(&mut live, "undo").await;
        live.press(ctrl('s')).await;
        let (back, got) = now(&api, &e.equipement_id).await.unwrap();
        check(
            &mut fails,
            &case,
            back == site,
            format!("not moved back: {back}"),
        );
        check(
            &mut fails,
            &case,
            got.username == "their-user",
            format!("{got:?}"),
        );
    }

    // Undo of a delete: re-created from the journal (the password asked), a new id.
    let case = format!("{name} undo delete");
    let (site, e) = fresh(&api, &case).await;
    let mut live = detail_of(&srv, &site).await;
    live.press(key(KeyCode::Char(' '))).await;
    live.press(ch('d')).await;
    live.press(ch('y')).await;
    live.press(key(KeyCode::Esc)).await;
    palette(&mut live, "undo").await;
    check(
        &mut fails,
        &case,
        live.has_form(),
        format!("{:?}", live.app.status.notice),
    );
    if live.has_form() {
        live.retype("password", "typed-again").await;
        live.press(ctrl('s')).await;
        let back = vigie::list::site_equipements(&api, &site).await.unwrap();
        check(
            &mut fails,
            &case,
            back.len() == 1 && back[0].ip == e.ip && back[0].description == "camera",
            format!("{back:?}"),
        );
    }
    fails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_paths_on_the_reference_reading() {
    let fails = core_table(&[]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_paths_on_the_swagger_to_the_letter() {
    let fails = core_table(&[Like::Swagger]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_paths_on_a_core_that_cannot_move() {
    let fails = core_table(&[Like::CoreNoMove]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_paths_on_a_core_with_more_permissions() {
    let fails = core_table(&[Like::CoreMorePermissions]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// Selects the row of list `l` whose key is `id`.
macro_rules! select {
    ($l:expr, $id:expr) => {{
        let l = &mut $l;
        l.selected = l
            .view
            .iter()
            .position(|&i| vigie::app::list::Record::key(&l.items[i]) == $id)
            .expect("the row is listed");
    }};
}

/// A role's permissions, a core user, a site: their forms against one reading.
async fn records_table(like: &[Like]) -> Fails {
    use vigie::api::model::{NewRole, NewUser, PermissionRef, RoleUpdate, SiteUpdate, UserUpdate};
    let srv = common::start_with(|c| c.like = like.to_vec()).await;
    let api = srv.admin();
    let them = srv.admin();
    let name = format!("{like:?}");
    let mut fails = Fails::new();
    let perm = |r: &str, a: &str| PermissionRef {
        ressource: r.into(),
        action: a.into(),
        ..Default::default()
    };
    let perms_of = |role: &vigie::api::model::Role| {
        let mut v: Vec<String> = role.permissions.iter().map(|p| p.key()).collect();
        v.sort();
        v
    };
    for (n, theirs) in BOTH.into_iter().enumerate() {
        // A role: vigie switches users:create off; they add roles:read (Other) or switch
        // users:create off too (Same: nothing left to send, nothing lost).
        let case = format!("{name} role {theirs:?}");
        let role = api
            .create_role(&NewRole {
                name: format!("table-{n}-{}", like.len()),
                description: "table".into(),
                permissions: vec![perm("users", "read"), perm("users", "create")],
            })
            .await
            .unwrap();
        let mut live = core_console(&srv).await;
        live.press(ch('4')).await;
        select!(live.app.lists.roles, role.role_id.as_str());
        live.press(ch('e')).await;
        live.grid_cursor_on("users", "create");
        live.press(ch(' ')).await;
        match theirs {
            Theirs::Other => {
                them.add_permissions(&role.role_id, &[perm("roles", "read")])
                    .await
                    .unwrap();
            }
            Theirs::Same => {
                them.update_role(&RoleUpdate {
                    role_id: role.role_id.clone(),
                    permissions: Some(vec![perm("users", "read")]),
                    ..Default::default()
                })
                .await
                .unwrap();
            }
        }
        journal(&mut live);
        live.press(ctrl('s')).await;
        let now = api
            .list_roles()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.role_id == role.role_id)
            .unwrap();
        let entries = journal(&mut live);
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    perms_of(&now) == ["roles:read", "users:read"],
                    format!("{:?}", perms_of(&now)),
                );
                if let Err(w) =
                    journaled_only(&entries, "perm:users:create", json!(true), json!(false))
                {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    perms_of(&now) == ["users:read"],
                    format!("{:?}", perms_of(&now)),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    !live.has_form(),
                    format!("{:?}", live.app.status.last_error),
                );
            }
        }

        // A core user: vigie renames; they change the e-mail (Other) or the name (Same).
        let case = format!("{name} user {theirs:?}");
        let lecteur = api
            .list_roles()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "lecteur")
            .unwrap();
        let k = 7000 + n as i64 * 10 + like.len() as i64;
        let user = api
            .create_user(&NewUser {
                matricule: k,
                nom: format!("User {k}"),
                email: format!("u{k}@vigie.local"),
                password: "password-1".into(),
                role_id: lecteur.role_id.clone(),
            })
            .await
            .unwrap();
        let mut live = core_console(&srv).await;
        live.press(ch('3')).await;
        select!(live.app.lists.users, user.user_id.as_str());
        live.press(ch('e')).await;
        live.retype("nom", "Mine").await;
        let mut u = UserUpdate {
            user_id: user.user_id.clone(),
            ..Default::default()
        };
        match theirs {
            Theirs::Other => u.email = Some(format!("their{k}@vigie.local")),
            Theirs::Same => u.nom = Some("Theirs".into()),
        }
        them.update_user(&u).await.unwrap();
        journal(&mut live);
        live.press(ctrl('s')).await;
        let got = api.get_user(&user.user_id).await.unwrap();
        let entries = journal(&mut live);
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    got.nom == "Mine" && got.email.starts_with("their"),
                    format!("{got:?}"),
                );
                if let Err(w) =
                    journaled_only(&entries, "nom", json!(format!("User {k}")), json!("Mine"))
                {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    conflict_on(&live, "nom"),
                    format!("{:?}", live.app.status.notice),
                );
                check(&mut fails, &case, got.nom == "Theirs", format!("{got:?}"));
            }
        }

        // A site: vigie renames; they change the description (Other) or the name (Same).
        let case = format!("{name} site {theirs:?}");
        let (site, _) = fresh(&api, &case).await;
        let mut live = core_console(&srv).await;
        select!(live.app.lists.sites, site.as_str());
        live.press(ch('e')).await;
        live.retype("name", &format!("Mine {case}")).await;
        let mut u = SiteUpdate {
            site_id: site.clone(),
            ..Default::default()
        };
        match theirs {
            Theirs::Other => u.description = Some("theirs".into()),
            Theirs::Same => u.name = Some(format!("Theirs {case}")),
        }
        them.update_site(&u).await.unwrap();
        journal(&mut live);
        live.press(ctrl('s')).await;
        let got = api
            .list_site_summaries()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.site_id == site)
            .unwrap();
        let entries = journal(&mut live);
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    got.name.starts_with("Mine") && got.description == "theirs",
                    format!("{got:?}"),
                );
                if let Err(w) = journaled_only(
                    &entries,
                    "name",
                    json!(format!("Site {case}")),
                    json!(format!("Mine {case}")),
                ) {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    conflict_on(&live, "name"),
                    format!("{:?}", live.app.status.notice),
                );
                check(
                    &mut fails,
                    &case,
                    got.name.starts_with("Theirs"),
                    format!("{got:?}"),
                );
            }
        }
    }
    fails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_users_and_sites_on_every_core_reading() {
    let mut fails = Fails::new();
    for like in [
        vec![],
        vec![Like::Swagger],
        vec![Like::CoreNoMove],
        vec![Like::CoreMorePermissions],
    ] {
        fails.extend(records_table(&like).await);
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// Another administrator's Maarch change: the whole user read, one field changed, written.
async fn maarch_theirs(m: &vigie::api::maarch::MaarchClient, uid: i64, field: &str, v: &str) {
    let d = m.user_details(uid).await.unwrap().unwrap();
    let u = &d.user;
    let mut up = vigie::api::maarch::MaarchUserUpdate {
        id: uid,
        firstname: u.firstname.clone(),
        lastname: u.lastname.clone(),
        initials: u.initials.clone(),
        mail: u.mail.clone(),
        phone: u.phone.clone(),
        mode: Some(u.mode.clone()),
        status: None,
    };
    match field {
        "firstname" => up.firstname = v.into(),
        _ => up.lastname = v.into(),
    }
    m.update_user(&up).await.unwrap();
}

/// Maarch: the form, bulk group add and remove, an entity removed and undone, a removal of
/// a group the user never had.
async fn maarch_table(like: &[Like]) -> Fails {
    let srv = common::start_with(|c| c.like = like.to_vec()).await;
    let them = maarch_client(&srv);
    let name = format!("{like:?}");
    let mut fails = Fails::new();
    let groups = |d: &vigie::api::maarch::MaarchUserDetails| {
        d.groups
            .iter()
            .map(|g| g.group_id.clone())
            .collect::<Vec<_>>()
    };
    for theirs in BOTH {
        // The form: vigie changes the first name; they the last (Other) or the first (Same).
        let case = format!("{name} maarch form {theirs:?}");
        let mut live = maarch_console(&srv).await;
        select_maarch(&mut live, "bwayne");
        let uid = live.app.lists.maarch_users.selected_item().unwrap().id;
        let before = them.user_details(uid).await.unwrap().unwrap();
        live.press(ch('e')).await;
        live.retype("firstname", "Mine").await;
        match theirs {
            Theirs::Other => maarch_theirs(&them, uid, "lastname", "Theirs").await,
            Theirs::Same => maarch_theirs(&them, uid, "firstname", "Theirs").await,
        }
        journal(&mut live);
        live.press(ctrl('s')).await;
        if matches!(live.app.overlays.last(), Some(Overlay::Form(f)) if f.asking.is_some()) {
            // 21.03 hides the phone: saving would erase it, asked first.
            live.press(ch('y')).await;
        }
        let got = them.user_details(uid).await.unwrap().unwrap().user;
        let entries = journal(&mut live);
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    got.firstname == "Mine" && got.lastname == "Theirs",
                    format!("{got:?}"),
                );
                if let Err(w) = journaled_only(
                    &entries,
                    "firstname",
                    json!(before.user.firstname),
                    json!("Mine"),
                ) {
                    fails.push(format!("{case}: {w}"));
                }
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    conflict_on(&live, "firstname"),
                    format!("{:?}", live.app.status.notice),
                );
                check(
                    &mut fails,
                    &case,
                    got.firstname == "Theirs",
                    format!("{got:?}"),
                );
            }
        }
        // Put the names back for the next case.
        maarch_theirs(&them, uid, "firstname", &before.user.firstname).await;
        maarch_theirs(&them, uid, "lastname", &before.user.lastname).await;

        // Bulk group add: they add the same group first (Same: already a member, nothing
        // sent, nothing journaled) or change a name (Other: added, their name kept).
        let case = format!("{name} maarch group add {theirs:?}");
        let mut live = maarch_console(&srv).await;
        select_maarch(&mut live, "bwayne");
        live.press(key(KeyCode::Char(' '))).await;
        match theirs {
            Theirs::Other => maarch_theirs(&them, uid, "lastname", "Theirs").await,
            Theirs::Same => {
                them.add_group(uid, "ELU").await.unwrap();
            }
        }
        journal(&mut live);
        palette(&mut live, "set group+=ELU").await;
        live.press(ch('y')).await;
        let d = them.user_details(uid).await.unwrap().unwrap();
        let entries = journal(&mut live);
        let outcome = bulk(&live).map(|b| b.outcomes[0].clone());
        check(
            &mut fails,
            &case,
            groups(&d).contains(&"ELU".to_string()),
            format!("{:?}", groups(&d)),
        );
        match theirs {
            Theirs::Other => {
                check(
                    &mut fails,
                    &case,
                    d.user.lastname == "Theirs",
                    format!("{:?}", d.user),
                );
                check(
                    &mut fails,
                    &case,
                    entries.len() == 1,
                    format!("{entries:?}"),
                );
            }
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    matches!(&outcome, Some(Outcome::Skipped(_))),
                    format!("{outcome:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
            }
        }
        maarch_theirs(&them, uid, "lastname", &before.user.lastname).await;

        // Bulk group remove: they remove it first (Same: not a member, not "done").
        let case = format!("{name} maarch group remove {theirs:?}");
        let mut live = maarch_console(&srv).await;
        select_maarch(&mut live, "bwayne");
        live.press(key(KeyCode::Char(' '))).await;
        if theirs == Theirs::Same {
            them.remove_group(uid, "ELU").await.unwrap();
        }
        journal(&mut live);
        palette(&mut live, "set group-=ELU").await;
        live.press(ch('y')).await;
        let d = them.user_details(uid).await.unwrap().unwrap();
        let entries = journal(&mut live);
        let outcome = bulk(&live).map(|b| b.outcomes[0].clone());
        check(
            &mut fails,
            &case,
            !groups(&d).contains(&"ELU".to_string()),
            format!("{:?}", groups(&d)),
        );
        match theirs {
            Theirs::Other => check(
                &mut fails,
                &case,
                entries.len() == 1,
                format!("{entries:?}"),
            ),
            Theirs::Same => {
                check(
                    &mut fails,
                    &case,
                    matches!(&outcome, Some(Outcome::Skipped(w)) if w.contains("not a member")),
                    format!("{outcome:?}"),
                );
                check(
                    &mut fails,
                    &case,
                    entries.is_empty(),
                    format!("journaled: {entries:?}"),
                );
            }
        }
    }

    // An entity with a role, primary: removed, then undone — back with its role and flag;
    // a name they changed in between is kept.
    let case = format!("{name} maarch entity undo");
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    let uid = live.app.lists.maarch_users.selected_item().unwrap().id;
    let d = them.user_details(uid).await.unwrap().unwrap();
    let entity = if d.entities.iter().any(|e| e.entity_id == "PJS") {
        "PJS"
    } else {
        them.add_entity_as(uid, "PJS", Some("chef de pôle"))
            .await
            .unwrap();
        "PJS"
    };
    them.set_entity_role(uid, entity, "chef de pôle")
        .await
        .unwrap();
    them.set_primary_entity(uid, entity).await.unwrap();
    live.press(key(KeyCode::Enter)).await;
    let at = match live.app.overlays.last() {
        Some(Overlay::Detail(det)) => match &det.target {
            vigie::app::DetailTarget::MaarchUser(u) => {
                u.groups.len()
                    + u.entities
                        .iter()
                        .position(|e| e.entity_id == entity)
                        .unwrap()
            }
            _ => panic!("not a Maarch user"),
        },
        _ => panic!("no detail"),
    };
    for _ in 0..at {
        live.press(ch('j')).await;
    }
    live.press(ch('x')).await;
    live.press(ch('y')).await;
    let gone = them.user_details(uid).await.unwrap().unwrap();
    check(
        &mut fails,
        &case,
        !gone.entities.iter().any(|e| e.entity_id == entity),
        "not removed".into(),
    );
    maarch_theirs(&them, uid, "lastname", "Theirs").await;
    palette(&mut live, "undo").await;
    live.press(ch('y')).await;
    let back = them.user_details(uid).await.unwrap().unwrap();
    let e = back.entities.iter().find(|e| e.entity_id == entity);
    check(
        &mut fails,
        &case,
        e.is_some_and(|e| e.user_role.as_deref() == Some("chef de pôle") && e.is_primary()),
        format!("not back as it was: {e:?}"),
    );
    check(
        &mut fails,
        &case,
        back.user.lastname == "Theirs",
        format!("{:?}", back.user),
    );

    // A group the user never had: the server answers 200 with the current list; vigie says
    // "not a member", journals nothing, and `u` adds nothing.
    let case = format!("{name} maarch never had it");
    let mut live = maarch_console(&srv).await;
    select_maarch(&mut live, "bwayne");
    let had = groups(&them.user_details(uid).await.unwrap().unwrap());
    check(
        &mut fails,
        &case,
        !had.contains(&"COURRIER".to_string()),
        format!("{had:?}"),
    );
    live.press(key(KeyCode::Char(' '))).await;
    journal(&mut live);
    palette(&mut live, "set group-=COURRIER").await;
    live.press(ch('y')).await;
    let outcome = bulk(&live).map(|b| b.outcomes[0].clone());
    check(
        &mut fails,
        &case,
        matches!(&outcome, Some(Outcome::Skipped(w)) if w.contains("not a member")),
        format!("{outcome:?}"),
    );
    check(
        &mut fails,
        &case,
        journal(&mut live).is_empty(),
        "journaled".into(),
    );
    live.press(key(KeyCode::Esc)).await;
    palette(&mut live, "undo").await;
    if matches!(live.app.overlays.last(), Some(Overlay::Confirm(_))) {
        live.press(ch('y')).await;
    }
    let after = groups(&them.user_details(uid).await.unwrap().unwrap());
    check(
        &mut fails,
        &case,
        !after.contains(&"COURRIER".to_string()),
        format!("undo invented a link: {after:?}"),
    );
    fails
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maarch_paths_on_the_reference_reading() {
    let fails = maarch_table(&[]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maarch_paths_on_maarch_21_03() {
    let fails = maarch_table(&[Like::Maarch2103]).await;
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}
