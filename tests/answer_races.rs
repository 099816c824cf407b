//! Answers that arrive after the user moved on: they land where they were asked, or are
//! dropped and said — never applied to another list, page, record or form.

mod console_fixtures;

use console_fixtures::*;
use crossterm::event::KeyCode;
use vigie::api::model::Claims;
use vigie::app::{App, Overlay};
use vigie::protocol::{Payload, Request};
use vigie::rows::Rows;

fn is_all(r: &Request) -> bool {
    matches!(r, Request::AllEquipements)
}

/// The Equipements tab on page 1 of 3 (150 rows), page 2 fetched ahead and answered.
fn equipements_of_three_pages() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    let reqs = app.take_requests();
    let first = only(&reqs, |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    ok(
        &mut app,
        first,
        Payload::EquipementsPage(page(many_equipements(50), 1, 3, 150)),
    );
    let reqs = app.take_requests();
    let ahead = only(&reqs, |r| {
        matches!(r, Request::EquipementsPage { page: 2, .. })
    });
    let second = many_equipements(100)[50..].to_vec();
    ok(
        &mut app,
        ahead,
        Payload::EquipementsPage(page(second, 2, 3, 150)),
    );
    app.take_requests();
    app
}

/// The Equipements tab shown, then `k` pressed, which waits for every equipement: the
/// console and the id of that load.
fn waiting_for_every_equipement(k: char) -> (App, u64) {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch(k));
    let all = only(&app.take_requests(), is_all);
    (app, all)
}

fn notice(app: &App) -> &str {
    app.status.notice.as_deref().unwrap_or_default()
}

/// `*` on the equipements, then the Sites tab before every page is in: the sites are not
/// marked (a `d` would have offered to delete them all), and the console says why nothing
/// was marked. Back on the equipements, `*` marks them at once.
#[test]
fn marks_waiting_for_every_equipement_never_land_on_another_tab() {
    let (mut app, all) = waiting_for_every_equipement('*');
    app.on_key(ch('1'));
    ok(&mut app, all, Payload::AllEquipements(equipements()));
    assert!(app.lists.sites.marked.is_empty(), "no site marked");
    assert!(app.lists.equipements.marked.is_empty());
    assert!(notice(&app).contains("dropped"), "{}", notice(&app));

    app.on_key(ch('2'));
    app.on_key(ch('*'));
    assert_eq!(app.lists.equipements.marked.len(), equipements().len());
}

/// `F` asked, then a form opened before every page is in: the count does not open over the
/// form being typed in.
#[test]
fn a_count_waiting_for_every_equipement_does_not_open_over_a_form() {
    let (mut app, all) = waiting_for_every_equipement('F');
    app.on_key(ch('n'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(_))));
    ok(&mut app, all, Payload::AllEquipements(equipements()));
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Form(_))),
        "the form stays on top"
    );
    assert!(
        !app.overlays
            .iter()
            .any(|o| matches!(o, Overlay::Frequency(_)))
    );
    assert!(notice(&app).contains("dropped"), "{}", notice(&app));
}

/// `*` then `]` before every page is in: the page asked replaces the load, which stops (the
/// worker is told) and what waited is dropped, said — it does not fire at the next full load.
#[test]
fn a_page_turned_during_a_full_load_stops_it_and_what_waited() {
    let mut app = equipements_of_three_pages();
    app.on_key(ch('*'));
    let all = only(&app.take_requests(), is_all);
    app.on_key(ch(']'));
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::Cancel(id) if *id == all)),
        "{reqs:?}"
    );
    assert!(notice(&app).contains("dropped"), "{}", notice(&app));
    assert_eq!(app.lists.equipements.paging.unwrap().page, 2);
    ok(
        &mut app,
        all,
        Payload::AllEquipements(many_equipements(150)),
    );
    assert!(
        !app.lists.equipements.complete,
        "a stopped load is not applied"
    );

    // The next full load (a filter) marks nothing of its own accord.
    app.on_key(ch('A'));
    let again = only(&app.take_requests(), is_all);
    ok(
        &mut app,
        again,
        Payload::AllEquipements(many_equipements(150)),
    );
    assert!(app.lists.equipements.complete);
    assert!(app.lists.equipements.marked.is_empty());
}

/// `r` (or a watch) reads the page shown again: the selected record stays selected, so the
/// next `e`, `d` or Enter acts on the row the admin chose. Another page starts at its top.
#[test]
fn reading_the_same_page_again_keeps_the_selected_record() {
    let mut app = equipements_of_three_pages();
    for _ in 0..3 {
        app.on_key(ch('j'));
    }
    let chosen = app
        .lists
        .equipements
        .selected_record()
        .unwrap()
        .equipement_id;
    app.on_key(ch('r'));
    let reqs = app.take_requests();
    let again = only(&reqs, |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    // The server's answer, in another order.
    let mut rows = many_equipements(50);
    rows.reverse();
    ok(
        &mut app,
        again,
        Payload::EquipementsPage(page(rows, 1, 3, 150)),
    );
    assert_eq!(
        app.lists
            .equipements
            .selected_record()
            .unwrap()
            .equipement_id,
        chosen
    );
    app.on_key(ch(']'));
    for (id, r) in app.take_requests() {
        if matches!(r, Request::EquipementsPage { page: 2, .. }) {
            let rows = many_equipements(100)[50..].to_vec();
            ok(
                &mut app,
                id,
                Payload::EquipementsPage(page(rows, 2, 3, 150)),
            );
        }
    }
    assert_eq!(app.lists.equipements.paging.unwrap().page, 2);
    assert_eq!(
        app.lists.equipements.selected, 0,
        "another page starts at its top"
    );
}

/// `*` in a site's detail of several pages, then `]`: the marks do not land on the one page
/// shown; the console says the wait is dropped.
#[test]
fn a_site_page_turned_while_every_page_is_read_drops_what_waited() {
    let all = many_equipements(120);
    let mut app = loum_of_three_pages(loaded("admin"), &all);
    app.on_key(ch('*'));
    only(&app.take_requests(), |r| {
        matches!(r, Request::AllSiteEquipements(_))
    });
    app.on_key(ch(']'));
    let reqs = app.take_requests();
    let second = only(&reqs, |r| {
        matches!(r, Request::SiteEquipements { page: 2, .. })
    });
    assert!(notice(&app).contains("dropped"), "{}", notice(&app));
    ok(&mut app, second, loum_page(all[50..100].to_vec(), 2, 3));
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the site's detail");
    };
    assert!(d.equipements.marked.is_empty(), "page 2 was not marked");
}

/// `e` on a Maarch user whose details are still on their way, then Esc and `n`: when the
/// details land, the new user's form being typed in stays on top — user 9's edit form does
/// not open over it (it is as deep in the screens as the detail was).
#[test]
fn a_maarch_edit_read_after_the_user_moved_on_opens_nothing() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    app.take_requests();
    app.on_key(ch('e'));
    let read = only(&app.take_requests(), |r| {
        matches!(r, Request::MaarchDetails(9))
    });
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('n'));
    typed(&mut app, "abc");
    ok(&mut app, read, Payload::MaarchDetails(9, maarch_details(9)));
    let f = form(&app);
    assert_eq!(f.record_id, None, "the new user's form stays on top");
    assert_eq!(app.overlays.len(), 1);
    assert!(f.fields.iter().any(|x| x.value() == "abc"), "typing kept");

    // Still on that detail: the edit form opens.
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    app.take_requests();
    app.on_key(ch('e'));
    let read = only(&app.take_requests(), |r| {
        matches!(r, Request::MaarchDetails(9))
    });
    ok(&mut app, read, Payload::MaarchDetails(9, maarch_details(9)));
    assert_eq!(form(&app).record_id.as_deref(), Some("9"));
}

/// `u` on a Maarch edit reads the user first; when that read is dropped (the user went to
/// another tab), the old values are not kept for later: a plain `e` on the same user then
/// opens the form as the server holds it, not reverted.
#[test]
fn a_maarch_undo_whose_read_was_dropped_leaves_nothing_for_a_later_edit() {
    let mut app = maarch_tab_of(loaded("admin"));
    let kind = vigie::app::kinds::ListKind::MaarchUsers.name();
    let e = vigie::journal::Entry::now("maarch", kind, "21", vigie::journal::Op::Update)
        .with_states(
            Some(serde_json::json!({"firstname": "Bruno"})),
            Some(serde_json::json!({"firstname": "Bruce"})),
        );
    app.journal.push(e);
    app.on_key(ch('u'));
    let read = only(&app.take_requests(), |r| {
        matches!(r, Request::MaarchDetails(21))
    });
    app.on_key(ch('1'));
    app.on_key(ch('3'));
    assert!(app.take_requests().is_empty());
    ok(
        &mut app,
        read,
        Payload::MaarchDetails(21, maarch_details(21)),
    );
    assert!(app.overlays.is_empty(), "the user moved on: nothing opens");

    app.on_key(ch('g'));
    while app.lists.maarch_users.selected_item().map(|u| u.id) != Some(21) {
        app.on_key(ch('j'));
    }
    app.on_key(ch('e'));
    let read = only(&app.take_requests(), |r| {
        matches!(r, Request::MaarchDetails(21))
    });
    ok(
        &mut app,
        read,
        Payload::MaarchDetails(21, maarch_details(21)),
    );
    let f = form(&app);
    assert_eq!(f.record_id.as_deref(), Some("21"));
    assert_eq!(f.undoes, None, "a plain edit, not an undo");
    assert_eq!(f.field("firstname").unwrap().value(), "Bruce");
}

/// The name the Users list shows for the core user `user_id`.
fn listed_nom(app: &App, user_id: &str) -> Option<String> {
    let u = app.lists.users.items.iter().find(|u| u.user_id == user_id);
    u.map(|u| u.nom.clone())
}

/// `e` on the user `old` shown, a key typed, saved, and the save answered: the user is
/// now named "Nom Nouveau".
fn rename_user(app: &mut App, old: &vigie::api::model::User) {
    app.on_key(ch('e'));
    typed(app, "9");
    app.on_key(ctrl('s'));
    let save = only(&app.take_requests(), is_change);
    let new = vigie::api::model::User {
        nom: "Nom Nouveau".into(),
        ..old.clone()
    };
    ok(app, save, applied(vigie::protocol::Saved::User(new)));
}

/// A core user's detail reads the user afresh when it opens; an edit saved before that read
/// answers is newer than it: the read does not put the old name back in the list or the
/// detail.
#[test]
fn a_user_read_sent_before_a_save_landed_does_not_undo_it_on_screen() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    let old = app.lists.users.selected_record().unwrap();
    app.on_key(key(KeyCode::Enter));
    let read = only(&app.take_requests(), |r| matches!(r, Request::User(_)));
    rename_user(&mut app, &old);
    ok(&mut app, read, Payload::User(old.clone()));
    assert_eq!(
        listed_nom(&app, &old.user_id).as_deref(),
        Some("Nom Nouveau")
    );
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the user's detail");
    };
    assert!(
        d.target.label().contains("Nom Nouveau"),
        "{}",
        d.target.label()
    );

    // A read sent after the save is the server's word: it lands.
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('r'));
    for (id, r) in app.take_requests() {
        if matches!(r, Request::Users) {
            ok(&mut app, id, Payload::Users(users()));
        }
    }
    assert_eq!(listed_nom(&app, &old.user_id), Some(old.nom.clone()));
}

/// A list read sent before changes landed (`r`, or a watch, then a save and a delete while
/// it is on its way): the saved record stays as the save left it and the deleted one does
/// not come back; the next read is the server's word again.
#[test]
fn a_list_read_sent_before_changes_landed_keeps_them() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    let old = app.lists.users.selected_record().unwrap();
    app.on_key(ch('r'));
    let read = only(&app.take_requests(), |r| matches!(r, Request::Users));
    rename_user(&mut app, &old);
    ok(&mut app, read, Payload::Users(users()));
    let nom = |app: &App| listed_nom(app, &old.user_id);
    assert_eq!(nom(&app).as_deref(), Some("Nom Nouveau"));
    assert_eq!(app.lists.users.len(), users().len());

    app.on_key(ch('1'));
    let gone = app.lists.sites.selected_record().unwrap();
    app.on_key(ch('r'));
    let read = only(&app.take_requests(), |r| matches!(r, Request::Sites));
    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let reqs = app.take_requests();
    let del = only(&reqs, is_change);
    let c = change_in(&reqs, del);
    let o = deleted_as_asked(&app, &c);
    ok(&mut app, del, Payload::Changed(Box::new(o)));
    ok(&mut app, read, Payload::Sites(sites()));
    assert!(
        !app.lists
            .sites
            .items
            .iter()
            .any(|s| s.site_id == gone.site_id),
        "the deleted site does not come back"
    );

    app.on_key(ch('3'));
    app.on_key(ch('r'));
    let read = only(&app.take_requests(), |r| matches!(r, Request::Users));
    ok(&mut app, read, Payload::Users(users()));
    assert_eq!(nom(&app), Some(old.nom.clone()), "a later read lands");
}

/// A page read ahead before `r` answers after it: it is not kept, so `]` shows page 2 as the
/// server has it after the refresh, not as it was before.
#[test]
fn a_page_read_ahead_before_a_refresh_is_not_shown_after_it() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    let first = only(&app.take_requests(), |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    let rows = many_equipements(150);
    let page_of = |n: u64| {
        page(
            rows[(n as usize - 1) * 50..n as usize * 50].to_vec(),
            n,
            3,
            150,
        )
    };
    ok(&mut app, first, Payload::EquipementsPage(page_of(1)));
    let old_ahead = only(&app.take_requests(), |r| {
        matches!(r, Request::EquipementsPage { page: 2, .. })
    });
    app.on_key(ch('r'));
    let again = only(&app.take_requests(), |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    // Before the refresh: page 2 held the rows of page 3 (say).
    ok(
        &mut app,
        old_ahead,
        Payload::EquipementsPage(page(rows[100..].to_vec(), 2, 3, 150)),
    );
    ok(&mut app, again, Payload::EquipementsPage(page_of(1)));
    let ahead = only(&app.take_requests(), |r| {
        matches!(r, Request::EquipementsPage { page: 2, .. })
    });
    ok(&mut app, ahead, Payload::EquipementsPage(page_of(2)));
    app.on_key(ch(']'));
    let first_ip = app.lists.equipements.items.cell(0, 0);
    assert_eq!(
        first_ip,
        rows[50].ip.to_string(),
        "page 2 as read after the refresh"
    );
}

/// The import form's plan fails while a window is open over it: the form stops
/// "saving" all the same, says why, and takes keys again.
#[test]
fn an_import_plan_failing_under_another_window_frees_its_form() {
    let mut app = site_detail();
    app.on_key(ch('I'));
    let start = form(&app).field("path").unwrap().value().to_string();
    for _ in start.chars() {
        app.on_key(key(KeyCode::Backspace));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("unique-file.csv"), "ip\n").unwrap();
    let path = format!("{}/uni", dir.path().display());
    typed(&mut app, &path);
    app.on_key(key(KeyCode::Enter));
    let plan = only(&app.take_requests(), |r| {
        matches!(r, Request::PlanImport { .. })
    });
    // Tab completes nothing while the plan is on its way.
    app.on_key(key(KeyCode::Tab));
    assert_eq!(form(&app).field("path").unwrap().value(), path);
    // A window over it (the help stands for any: a login asked again, a question).
    app.overlays.push(Overlay::Help(Default::default()));
    fail(
        &mut app,
        plan,
        vigie::api::ApiError::BadRequest("no such file".into()),
    );
    app.on_key(key(KeyCode::Esc));
    let f = form(&app);
    assert_eq!(f.pending, None, "the form is not left saving");
    assert!(
        f.error
            .as_deref()
            .unwrap_or_default()
            .contains("no such file")
    );
    typed(&mut app, "v");
    assert_eq!(
        form(&app).field("path").unwrap().value(),
        format!("{path}v")
    );
}

/// The start's "who am I" failing while the user's own login is on its way is said in the
/// login window, but the login's success still closes it.
#[test]
fn a_login_answered_after_another_failure_still_closes_its_window() {
    let mut app = App::new(session("admin"));
    app.start(true);
    let reqs = app.take_requests();
    let who = only(&reqs, |r| matches!(r, Request::WhoAmI));
    let sites = only(&reqs, |r| matches!(r, Request::Sites));
    fail(
        &mut app,
        sites,
        vigie::api::ApiError::Unauthorized("token expired".into()),
    );
    assert!(matches!(app.overlays.last(), Some(Overlay::Login(_))));
    if let Some(Overlay::Login(l)) = app.overlays.last()
        && l.focus == 0
    {
        typed(&mut app, "admin@vigie.local");
        app.on_key(key(KeyCode::Enter));
    }
    typed(&mut app, "admin-demo");
    app.on_key(key(KeyCode::Enter));
    let login = only(&app.take_requests(), |r| matches!(r, Request::Login { .. }));
    fail(
        &mut app,
        who,
        vigie::api::ApiError::Unauthorized("token expired".into()),
    );
    assert!(matches!(app.overlays.last(), Some(Overlay::Login(_))));
    ok(
        &mut app,
        login,
        Payload::LoggedIn(Claims {
            sub: "1000".into(),
            email: "admin@vigie.local".into(),
            role_name: "admin".into(),
            ..Default::default()
        }),
    );
    assert!(
        !app.overlays.iter().any(|o| matches!(o, Overlay::Login(_))),
        "the login window closed"
    );
}

/// `P` on a site of several pages reads it whole first; if an equipement's detail was opened
/// over the site meanwhile, the probe does not run on that detail: it is dropped, said.
#[test]
fn a_probe_waiting_for_a_site_does_not_run_on_the_detail_opened_over_it() {
    let mut app = loaded("admin");
    app.prefs.probe = vigie::probe::Settings::new(&["10.0.0.0/8".into()], None, Some(300)).unwrap();
    let all = many_equipements(120);
    let mut app = loum_of_three_pages(app, &all);
    app.on_key(ch('P'));
    let whole = only(&app.take_requests(), |r| {
        matches!(r, Request::AllSiteEquipements(_))
    });
    app.on_key(key(KeyCode::Enter));
    assert_eq!(
        app.overlays.len(),
        2,
        "an equipement's detail over the site"
    );
    app.take_requests();
    ok(&mut app, whole, loum_page(all.clone(), 1, 1));
    let reqs = app.take_requests();
    assert!(
        !reqs.iter().any(|(_, r)| matches!(r, Request::Probe { .. })),
        "{reqs:?}"
    );
    assert!(notice(&app).contains("P there"), "{}", notice(&app));
}

/// A Maarch user read again (`r`) before a group added to them landed: the read answering
/// after does not take the new group off the detail.
#[test]
fn a_maarch_read_sent_before_a_link_landed_does_not_undo_it_on_screen() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    app.on_key(ch('r'));
    let read = only(&app.take_requests(), |r| {
        matches!(r, Request::MaarchDetails(9))
    });
    app.on_key(ch('g'));
    typed(&mut app, "elu");
    app.on_key(ctrl('s'));
    let save = only(&app.take_requests(), is_change);
    let mut after = maarch_details(9).unwrap();
    after.groups.push(
        serde_json::from_value(serde_json::json!({"group_id": "ELU", "group_desc": "Elu"}))
            .unwrap(),
    );
    ok(
        &mut app,
        save,
        applied(vigie::protocol::Saved::MaarchUser(
            after,
            "bboule added to group ELU".into(),
        )),
    );
    ok(&mut app, read, Payload::MaarchDetails(9, maarch_details(9)));
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the user's detail");
    };
    let vigie::app::DetailTarget::MaarchUser(u) = &d.target else {
        panic!("a Maarch user");
    };
    assert_eq!(u.groups.len(), 2, "the new group stays");
}

/// The save `save` of the equipement `old` answered: its model is now "Saved-Model".
fn land_saved_model(app: &mut App, save: u64, old: &vigie::api::model::Equipement) {
    let new = vigie::api::model::Equipement {
        modele: "Saved-Model".into(),
        ..old.clone()
    };
    ok(app, save, applied(vigie::protocol::Saved::Equipement(new)));
}

/// In the form on top, Tab until the field `key` has the focus, then types `text` and saves:
/// the change request's id.
fn edit_and_save(app: &mut App, key_name: &str, text: &str) -> u64 {
    for _ in 0..20 {
        let f = form(app);
        if f.fields[f.focus].key == key_name {
            break;
        }
        app.on_key(key(KeyCode::Tab));
    }
    typed(app, text);
    app.on_key(ctrl('s'));
    only(&app.take_requests(), is_change)
}

/// `*` waiting for every equipement, then the help opened over the list: the
/// marks land all the same (nothing changed what they are about).
#[test]
fn marks_waiting_for_every_equipement_land_under_the_help() {
    let (mut app, all) = waiting_for_every_equipement('*');
    app.on_key(ch('?'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Help(_))));
    ok(&mut app, all, Payload::AllEquipements(equipements()));
    assert_eq!(app.lists.equipements.marked.len(), equipements().len());
}

/// `:dups` from a site's detail loads every equipement, then opens its window over the
/// detail it was asked from.
#[test]
fn dups_asked_from_a_detail_opens_once_every_equipement_is_in() {
    let mut app = site_detail();
    app.on_key(ch(':'));
    typed(&mut app, "dups");
    app.on_key(key(KeyCode::Enter));
    let all = only(&app.take_requests(), is_all);
    assert_eq!(app.overlays.len(), 1, "the site's detail");
    ok(&mut app, all, Payload::AllEquipements(equipements()));
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Frequency(_))),
        "{}",
        notice(&app)
    );
}

/// Every equipement being read while one of them is edited and saved: the load, sent
/// before the save landed, does not put the old row back.
#[test]
fn a_full_load_sent_before_a_save_landed_keeps_the_saved_row() {
    let mut app = equipements_of_three_pages();
    app.on_key(ch('A'));
    let all = only(&app.take_requests(), is_all);
    let old = app.lists.equipements.selected_record().unwrap();
    app.on_key(ch('e'));
    let save = edit_and_save(&mut app, "modele", "-X");
    land_saved_model(&mut app, save, &old);
    ok(
        &mut app,
        all,
        Payload::AllEquipements(many_equipements(150)),
    );
    assert!(app.lists.equipements.complete);
    let i = app
        .lists
        .equipements
        .items
        .position_of(&old.equipement_id)
        .unwrap();
    let row = app.lists.equipements.items.row(i).unwrap();
    assert_eq!(row.modele.as_str(), "Saved-Model");
}

/// A page read while the console shows another one, after a save to a row of the page read:
/// the console holds no copy of that row, so the row stays as read — it is not taken for
/// deleted.
#[test]
fn a_page_read_keeps_a_saved_row_the_console_does_not_hold() {
    let mut app = equipements_of_three_pages();
    let old = app.lists.equipements.selected_record().unwrap();
    app.on_key(ch('e'));
    let save = edit_and_save(&mut app, "modele", "-X");
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('y'));
    app.on_key(ch(']'));
    app.on_key(ch('['));
    let back = only(&app.take_requests(), |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    land_saved_model(&mut app, save, &old);
    ok(
        &mut app,
        back,
        Payload::EquipementsPage(page(many_equipements(50), 1, 3, 150)),
    );
    assert_eq!(app.lists.equipements.len(), 50, "no row taken for deleted");
}

/// The Maarch users list read again while a user's edit lands: the read sent before does
/// not put the old user back.
#[test]
fn a_maarch_list_read_sent_before_a_save_landed_keeps_the_saved_user() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(ch('r'));
    let read = only(&app.take_requests(), |r| matches!(r, Request::MaarchUsers));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let det = only(&reqs, |r| matches!(r, Request::MaarchDetails(9)));
    ok(&mut app, det, Payload::MaarchDetails(9, maarch_details(9)));
    app.on_key(ch('e'));
    let save = edit_and_save(&mut app, "lastname", "X");
    let mut after = maarch_details(9).unwrap();
    after.user.lastname = "SAVED".into();
    ok(
        &mut app,
        save,
        applied(vigie::protocol::Saved::MaarchUser(
            after,
            "bboule changed".into(),
        )),
    );
    ok(&mut app, read, Payload::MaarchUsers(maarch_users()));
    let u = app
        .lists
        .maarch_users
        .items
        .iter()
        .find(|u| u.id == 9)
        .unwrap();
    assert_eq!(u.lastname, "SAVED");
}

/// A site's every-page read (`*`) sent before a save to one of its equipements landed:
/// the site's rows keep the saved one.
#[test]
fn a_site_read_sent_before_a_save_landed_keeps_the_saved_row() {
    let all: Vec<_> = many_equipements(120)
        .into_iter()
        .map(|e| vigie::api::model::Equipement {
            site_id: Some(LOUM_ID.into()),
            client_site: None,
            ..e
        })
        .collect();
    let mut app = loum_of_three_pages(loaded("admin"), &all);
    app.on_key(ch('*'));
    let whole = only(&app.take_requests(), |r| {
        matches!(r, Request::AllSiteEquipements(_))
    });
    app.on_key(key(KeyCode::Enter));
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("an equipement's detail");
    };
    let vigie::app::DetailTarget::Equipement(old) = d.target.clone() else {
        panic!("an equipement");
    };
    app.on_key(ch('e'));
    let save = edit_and_save(&mut app, "modele", "-X");
    land_saved_model(&mut app, save, &old);
    while app.overlays.len() > 1 {
        app.on_key(key(KeyCode::Esc));
    }
    ok(&mut app, whole, loum_page(all.clone(), 1, 1));
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the site's detail");
    };
    let rows = &d.equipements.items;
    let i = rows.position_of(&old.equipement_id).unwrap();
    assert_eq!(rows.row(i).unwrap().modele.as_str(), "Saved-Model");
}
