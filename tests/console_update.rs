//! The console's update logic without a terminal: keys and fake worker answers in, state and
//! numbered requests out.

mod console_fixtures;

use console_fixtures::*;
use crossterm::event::KeyCode;
use vigie::api::model::*;
use vigie::api::{ApiError, FieldError};
use vigie::app::form::FormKind;
use vigie::app::{App, Command, DetailTarget, Overlay, Tab};
use vigie::change::{Create, Outcome};
use vigie::protocol::{Event, Payload, Request};
use vigie::rows::Rows;

/// Whether `r` deletes the record `id`.
fn deletes(r: &Request, id: Option<&str>) -> bool {
    matches!(r, Request::Change(c) if matches!(c.op, vigie::change::Op::Delete)
        && id.is_none_or(|i| c.id == i))
}

fn is_page(r: &Request, n: u32) -> bool {
    matches!(r, Request::EquipementsPage { page, size: 50 } if *page == n)
}

fn detail(app: &App) -> &vigie::app::Detail {
    match app.overlays.last() {
        Some(Overlay::Detail(d)) => d,
        _ => panic!("no detail on top"),
    }
}

fn names(app: &App) -> Vec<String> {
    app.lists
        .sites
        .view
        .iter()
        .map(|&i| app.lists.sites.items[i].name.clone())
        .collect()
}

fn ips(app: &App) -> Vec<String> {
    app.lists
        .equipements
        .view
        .iter()
        .map(|&i| app.lists.equipements.items.cell(i, 0))
        .collect()
}

#[test]
fn start_logged_in_asks_who_am_i_then_sites() {
    let mut app = App::new(session("admin"));
    app.start(true);
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert!(matches!(reqs[0].1, Request::WhoAmI));
    assert!(matches!(reqs[1].1, Request::Sites));
    assert_ne!(reqs[0].0, reqs[1].0, "every request has its own id");
    assert!(app.overlays.is_empty());
    assert!(app.lists.sites.loading && app.busy());
    assert!(
        app.take_requests().is_empty(),
        "take_requests drains the outbox"
    );

    ok(&mut app, reqs[1].0, Payload::Sites(sites()));
    assert_eq!(names(&app), ["BONABERI 2", "LOUM", "YASSA"]);
    assert!(!app.lists.sites.loading);
    ok(
        &mut app,
        reqs[0].0,
        Payload::LoggedIn(Claims {
            email: "tech@vigie.local".into(),
            role_name: "technicien".into(),
            ..Default::default()
        }),
    );
    assert_eq!(app.session.user.as_deref(), Some("tech@vigie.local"));
    assert_eq!(app.session.role.as_deref(), Some("technicien"));
    assert!(!app.busy());
    assert!(app.take_requests().is_empty());
}

#[test]
fn start_logged_out_shows_login_and_sends_nothing() {
    let mut app = App::new(session("admin"));
    app.start(false);
    assert!(app.take_requests().is_empty());
    assert!(matches!(app.overlays.last(), Some(Overlay::Login(_))));
}

#[test]
fn tabs_load_once() {
    let mut app = loaded("admin");
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.tab, Tab::Equipements);
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 1);
    assert!(is_page(&reqs[0].1, 1), "{reqs:?}");

    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.tab, Tab::Users);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::Users)]), "{reqs:?}");

    app.on_key(ch('4'));
    assert_eq!(app.tab, Tab::Roles);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::Roles)]), "{reqs:?}");

    // Back to a tab whose answer is still on its way: no second request.
    app.on_key(ch('2'));
    assert_eq!(app.tab, Tab::Equipements);
    assert!(app.take_requests().is_empty());

    // Once answered, visiting every tab again by number and by Tab/Shift-Tab asks nothing.
    let mut again = loaded("admin");
    for k in ['2', '3', '4', '5'] {
        again.on_key(ch(k));
    }
    serve(&mut again);
    assert_eq!(again.lists.users.len(), 3);
    assert_eq!(again.lists.roles.len(), 2);
    assert_eq!(again.lists.equipements.len(), 4);
    for k in [
        ch('1'),
        ch('2'),
        ch('3'),
        ch('4'),
        ch('5'),
        key(KeyCode::Tab),
    ] {
        again.on_key(k);
        assert!(
            again.take_requests().is_empty(),
            "tab {:?} loaded twice",
            again.tab
        );
    }
    assert_eq!(again.tab, Tab::Sites, "Tab wraps from Individus to Sites");
    again.on_key(key(KeyCode::BackTab));
    assert_eq!(
        again.tab,
        Tab::Individus,
        "Shift-Tab wraps back to Individus"
    );
    assert!(again.take_requests().is_empty());
}

#[test]
fn jkgg_move_inside_the_list() {
    let mut app = loaded("admin");
    assert_eq!(app.lists.sites.selected, 0);
    app.on_key(ch('k'));
    assert_eq!(app.lists.sites.selected, 0, "k at the top stays");
    app.on_key(ch('j'));
    app.on_key(ch('j'));
    assert_eq!(app.lists.sites.selected, 2);
    app.on_key(ch('j'));
    assert_eq!(app.lists.sites.selected, 2, "j at the bottom stays");
    app.on_key(ch('g'));
    assert_eq!(app.lists.sites.selected, 0);
    app.on_key(ch('G'));
    assert_eq!(app.lists.sites.selected, 2);
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.lists.sites.selected, 1);

    // A viewport of two rows scrolls to keep the selection in view.
    app.on_resize(80, 8);
    assert_eq!(app.viewport_rows, 2);
    app.on_key(ch('G'));
    assert_eq!((app.lists.sites.selected, app.lists.sites.offset), (2, 1));
    app.on_key(ch('g'));
    assert_eq!((app.lists.sites.selected, app.lists.sites.offset), (0, 0));

    // An empty list: nothing to move to, nothing breaks.
    app.on_key(ch('3'));
    for k in ['j', 'G', 'k', 'g'] {
        app.on_key(ch(k));
        assert_eq!(app.lists.users.selected, 0);
    }
    assert!(app.lists.users.selected_item().is_none());
}

#[test]
fn next_page_is_requested_then_instant_once_prefetched() {
    let all = equipements();
    let (p1, p2, p3) = (all[0..2].to_vec(), all[2..3].to_vec(), all[3..4].to_vec());
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    let first = only(&app.take_requests(), |r| is_page(r, 1));
    ok(
        &mut app,
        first,
        Payload::EquipementsPage(page(p1.clone(), 1, 3, 120)),
    );
    assert_eq!(ips(&app), ["1.1.1.1", "10.12.0.21"]);
    let paging = app.lists.equipements.paging.unwrap();
    assert_eq!((paging.page, paging.pages, paging.total), (1, 3, 120));
    // Page 2 is fetched ahead at once.
    let reqs = app.take_requests();
    let prefetch2 = only(&reqs, |r| is_page(r, 2));
    assert_eq!(reqs.len(), 1);

    // `]` before the prefetch answered: page 2 is asked for.
    app.on_key(ch(']'));
    let reqs = app.take_requests();
    let second = only(&reqs, |r| is_page(r, 2));
    assert_eq!(app.lists.equipements.pending, Some(second));
    assert!(app.lists.equipements.loading);
    ok(
        &mut app,
        second,
        Payload::EquipementsPage(page(p2.clone(), 2, 3, 120)),
    );
    assert_eq!(ips(&app), ["10.14.0.5"]);
    assert_eq!(app.lists.equipements.paging.unwrap().page, 2);
    let prefetch3 = only(&app.take_requests(), |r| is_page(r, 3));

    // The prefetches land: nothing visible changes.
    ok(
        &mut app,
        prefetch2,
        Payload::EquipementsPage(page(p2, 2, 3, 120)),
    );
    ok(
        &mut app,
        prefetch3,
        Payload::EquipementsPage(page(p3, 3, 3, 120)),
    );
    assert_eq!(ips(&app), ["10.14.0.5"]);
    assert!(!app.busy());

    // `]` now: page 3 is shown at once, without any request.
    app.on_key(ch(']'));
    assert_eq!(ips(&app), ["10.11.0.2"]);
    assert_eq!(app.lists.equipements.paging.unwrap().page, 3);
    assert_eq!(app.lists.equipements.pending, None);
    assert!(
        app.take_requests().is_empty(),
        "prefetched page: no request"
    );
    assert!(!app.lists.equipements.loading);

    // `]` on the last page does nothing.
    app.on_key(ch(']'));
    assert!(app.take_requests().is_empty());
    assert_eq!(app.lists.equipements.paging.unwrap().page, 3);

    // `[` back to page 2, still held: instant as well.
    app.on_key(ch('['));
    assert_eq!(ips(&app), ["10.14.0.5"]);
    let reqs = app.take_requests();
    assert!(
        !reqs.iter().any(|(_, r)| is_page(r, 2)),
        "page 2 was prefetched, yet asked again: {reqs:?}"
    );
}

#[test]
fn stale_answers_are_dropped() {
    let mut app = loaded("admin");
    app.on_key(ch('r'));
    let old = only(&app.take_requests(), |r| matches!(r, Request::Sites));
    app.on_key(ch('r'));
    let new = only(&app.take_requests(), |r| matches!(r, Request::Sites));
    assert!(new > old);
    assert_eq!(app.lists.sites.pending, Some(new));

    ok(&mut app, new, Payload::Sites(sites()[1..].to_vec()));
    assert_eq!(names(&app), ["LOUM", "YASSA"]);
    // The older answer arrives last: it must not overwrite the newer one.
    ok(&mut app, old, Payload::Sites(sites()[..1].to_vec()));
    assert_eq!(names(&app), ["LOUM", "YASSA"]);
    // So is an error for it, and an answer nobody asked for.
    fail(&mut app, old, ApiError::Network("could not connect".into()));
    ok(&mut app, 9_999, Payload::Sites(Vec::new()));
    app.on_event(Event::Progress {
        id: 9_999,
        loaded: 5,
        total: 10,
    });
    assert_eq!(names(&app), ["LOUM", "YASSA"]);
    assert_eq!(app.status.last_error, None);
    assert_eq!(app.lists.load_progress, None);
    assert!(!app.busy());

    // A page answer overtaken by another page request is dropped too.
    app.on_key(ch('2'));
    let p1 = only(&app.take_requests(), |r| is_page(r, 1));
    app.on_key(ch('r'));
    let reqs = app.take_requests();
    let p1_again = only(&reqs, |r| is_page(r, 1));
    ok(
        &mut app,
        p1,
        Payload::EquipementsPage(page(equipements()[..1].to_vec(), 1, 1, 1)),
    );
    assert!(app.lists.equipements.items.is_empty(), "stale page shown");
    ok(
        &mut app,
        p1_again,
        Payload::EquipementsPage(page(equipements(), 1, 1, 4)),
    );
    assert_eq!(app.lists.equipements.len(), 4);
}

#[test]
fn filter_narrows_sites_and_loads_every_equipement() {
    let mut app = loaded("admin");
    app.on_key(ch('/'));
    assert!(app.lists.sites.filtering);
    assert!(app.take_requests().is_empty(), "sites are filtered locally");
    typed(&mut app, "yas");
    assert_eq!(names(&app), ["YASSA"]);
    assert_eq!(app.lists.sites.selected_item().unwrap().site_id, YASSA_ID);
    app.on_key(key(KeyCode::Backspace));
    assert_eq!(app.lists.sites.filter, "ya");
    app.on_key(ch('s'));
    assert_eq!(
        app.lists.sites.filter, "yas",
        "keys are text while filtering"
    );
    assert!(app.lists.sites.sort.is_none());
    app.on_key(key(KeyCode::Enter));
    assert!(!app.lists.sites.filtering);
    assert_eq!(names(&app), ["YASSA"], "Enter keeps the filter");
    assert!(app.overlays.is_empty());
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.lists.sites.filter, "");
    assert_eq!(app.lists.sites.len(), 3);

    // Equipements: there is no search route, so `/` loads every page.
    app.on_key(ch('2'));
    serve(&mut app);
    assert!(!app.lists.equipements.complete);
    app.on_key(ch('/'));
    let reqs = app.take_requests();
    let all = only(&reqs, |r| matches!(r, Request::AllEquipements));
    assert_eq!(reqs.len(), 1);
    assert_eq!(app.lists.load_progress, Some((0, 0)));
    typed(&mut app, "hik");
    assert_eq!(
        ips(&app),
        ["10.12.0.21"],
        "filters what is loaded meanwhile"
    );
    app.on_event(Event::Progress {
        id: all,
        loaded: 2,
        total: 4,
    });
    assert_eq!(app.lists.load_progress, Some((2, 4)));
    // `/` again while loading does not ask twice.
    app.on_key(key(KeyCode::Enter));
    app.on_key(ch('/'));
    assert!(app.take_requests().is_empty());
    ok(&mut app, all, Payload::AllEquipements(equipements()));
    assert!(app.lists.equipements.complete);
    assert_eq!(app.lists.load_progress, None);
    assert_eq!(
        ips(&app),
        ["10.12.0.21"],
        "the filter applies to every equipement"
    );
    assert_eq!(
        app.status.notice.as_deref(),
        Some("All 4 equipements loaded")
    );
    app.on_key(key(KeyCode::Esc));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.lists.equipements.len(), 4);
}

#[test]
fn enter_opens_detail_and_esc_returns_to_the_same_place() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('G'));
    app.on_key(ch('k'));
    let before = (app.lists.equipements.selected, app.lists.equipements.offset);
    assert_eq!(before.0, 2);
    app.on_key(key(KeyCode::Enter));
    match &detail(&app).target {
        DetailTarget::Equipement(e) => assert_eq!(e.ip, "10.14.0.5"),
        t => panic!("{t:?}"),
    }
    assert!(
        app.take_requests().is_empty(),
        "an equipement detail needs no request"
    );
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    assert_eq!(app.tab, Tab::Equipements);
    assert_eq!(
        (app.lists.equipements.selected, app.lists.equipements.offset),
        before
    );

    // A site's detail loads its equipements; Enter goes one level deeper, Esc one back.
    app.on_key(ch('1'));
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    only(
        &reqs,
        |r| matches!(r, Request::SiteEquipements { site_id, page: 1, size: 50 } if site_id == LOUM_ID),
    );
    for (id, r) in reqs {
        if let Request::SiteEquipements { site_id, .. } = r {
            let items = equipements()
                .into_iter()
                .filter(|e| e.site_id.as_deref() == Some(LOUM_ID))
                .map(|e| Equipement {
                    site_id: None,
                    client_site: None,
                    ..e
                })
                .collect::<Vec<_>>();
            ok(
                &mut app,
                id,
                Payload::SiteEquipements {
                    site_id,
                    page: page(items, 1, 1, 2),
                },
            );
        }
    }
    let d = detail(&app);
    assert_eq!(d.equipements.len(), 2);
    assert_eq!(
        d.equipements
            .items
            .row(0)
            .unwrap()
            .client_site
            .as_ref()
            .map(|s| s.name.as_str()),
        Some("LOUM"),
        "the detail names the site its equipements belong to"
    );
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.overlays.len(), 2);
    match &detail(&app).target {
        DetailTarget::Equipement(e) => assert_eq!(e.ip, "10.12.0.21"),
        t => panic!("{t:?}"),
    }
    app.on_key(key(KeyCode::Esc));
    assert_eq!(
        detail(&app).equipements.selected,
        1,
        "the site detail kept its selection"
    );
    app.on_key(ch('q'));
    assert!(app.overlays.is_empty());
    assert!(!app.quit, "q in a detail closes it, it does not quit");
    assert_eq!(app.tab, Tab::Sites);
    assert_eq!(app.lists.sites.selected, 1);
}

#[test]
fn form_validates_keeps_text_and_maps_server_errors() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('n'));
    let f = form(&app);
    assert_eq!(f.kind, FormKind::Equipement);
    assert_eq!(f.record_id, None);

    // Nothing typed: Ctrl-S sends nothing and says why.
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    let f = form(&app);
    assert_eq!(f.error.as_deref(), Some("Some fields need attention"));
    assert_eq!(
        f.field("ip").unwrap().error.as_deref(),
        Some("Field required")
    );

    typed(&mut app, "LOUM");
    for (text, _) in [
        ("10.0.0.", "ip"),
        ("55x", "port"),
        ("Axis", "marque"),
        ("P3245-LVE", "modele"),
    ] {
        app.on_key(key(KeyCode::Tab));
        typed(&mut app, text);
    }
    let f = form(&app);
    assert_eq!(f.field("site_id").unwrap().value(), LOUM_ID);
    // No document says what an ip looks like: advice, the server decides.
    let ip = f.field("ip").unwrap();
    assert!(ip.advice.as_deref().unwrap().contains("IPv4"));
    assert_eq!(ip.error, None);
    // A port that is no number cannot be sent at all.
    assert!(
        f.field("port")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("integer")
    );
    app.on_key(ctrl('s'));
    assert!(
        app.take_requests().is_empty(),
        "a port that is no number is not sent"
    );
    let f = form(&app);
    assert_eq!(
        f.fields[f.focus].key, "port",
        "focus goes to the first wrong field"
    );
    assert_eq!(f.field("ip").unwrap().value(), "10.0.0.");
    assert_eq!(f.field("modele").unwrap().value(), "P3245-LVE");

    app.on_key(key(KeyCode::Backspace));
    app.on_key(key(KeyCode::BackTab));
    typed(&mut app, "7");
    app.on_key(ctrl('s'));
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 1);
    let (save, Request::Change(c)) = &reqs[0] else {
        panic!("{reqs:?}");
    };
    let Some(Create::Equipement(body)) = c.created() else {
        panic!("{reqs:?}");
    };
    assert_eq!(body.ip, "10.0.0.7");
    assert_eq!(body.site_id, LOUM_ID);
    assert_eq!(body.port, 55);
    assert_eq!(
        (body.marque.as_str(), body.modele.as_str()),
        ("Axis", "P3245-LVE")
    );
    assert_eq!(form(&app).pending, Some(*save));
    app.on_key(ctrl('s'));
    assert!(
        app.take_requests().is_empty(),
        "no second save while one is on its way"
    );
    // Nothing typed while the save is on its way: the answer would close the form on it.
    typed(&mut app, "9");
    let f = form(&app);
    assert_eq!(f.field("ip").unwrap().value(), "10.0.0.7");
    assert_eq!(
        f.error.as_deref(),
        Some("Saving: the form takes keys again when the server answers")
    );

    let msg = "An equipement with this IP and port already exists on this site";
    fail(
        &mut app,
        *save,
        ApiError::Validation(vec![FieldError::new("ip", msg)]),
    );
    let f = form(&app);
    assert_eq!(f.pending, None);
    assert_eq!(f.field("ip").unwrap().error.as_deref(), Some(msg));
    assert_eq!(f.fields[f.focus].key, "ip");
    assert_eq!(
        f.error.as_deref(),
        Some("The server refused some fields: see below each one")
    );
    for (k, v) in [
        ("site_id", LOUM_ID),
        ("ip", "10.0.0.7"),
        ("port", "55"),
        ("marque", "Axis"),
        ("modele", "P3245-LVE"),
    ] {
        assert_eq!(f.field(k).unwrap().value(), v, "{k} lost what was typed");
    }
    assert_eq!(
        app.status.last_error.as_deref(),
        Some(format!("422 — the server refused: ip: {msg}").as_str())
    );

    // Esc on a changed form asks first; any other key keeps editing, untouched.
    app.on_key(key(KeyCode::Esc));
    assert!(form(&app).confirm_discard);
    app.on_key(ch('x'));
    let f = form(&app);
    assert!(!f.confirm_discard);
    assert_eq!(
        f.field("ip").unwrap().value(),
        "10.0.0.7",
        "the key that kept editing was not typed"
    );
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('y'));
    assert!(app.overlays.is_empty());
    assert!(app.take_requests().is_empty());

    // An untouched form closes at once.
    app.on_key(ch('n'));
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
}

#[test]
fn delete_confirms_then_removes_the_row_without_reloading() {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(ch('d'));
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("no confirmation");
    };
    assert!(c.message.starts_with("Delete site LOUM?"), "{}", c.message);
    assert!(app.take_requests().is_empty(), "nothing is sent before y");
    // Esc cancels (the name asked is typed: n is a letter of it).
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    assert!(app.take_requests().is_empty());

    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let reqs = app.take_requests();
    let del = only(&reqs, |r| deletes(r, Some(LOUM_ID)));
    assert_eq!(reqs.len(), 1);
    app.on_key(key(KeyCode::Enter));
    assert!(
        app.take_requests().is_empty(),
        "confirmed twice, deleted once"
    );
    ok(
        &mut app,
        del,
        Payload::Changed(Box::new(Outcome::removed(LOUM_ID))),
    );
    assert!(app.overlays.is_empty());
    assert_eq!(names(&app), ["BONABERI 2", "YASSA"]);
    assert!(app.take_requests().is_empty(), "no reload after a delete");
    assert_eq!(app.status.notice.as_deref(), Some("site deleted"));
    assert!(app.lists.sites.selected < app.lists.sites.len());
}

#[test]
fn forbidden_delete_names_the_role() {
    let mut app = loaded("lecteur");
    assert_eq!(app.session.role.as_deref(), Some("lecteur"));
    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let del = only(&app.take_requests(), |r| deletes(r, None));
    fail(
        &mut app,
        del,
        ApiError::Forbidden("role lecteur cannot delete client_site".into()),
    );
    assert_eq!(
        app.status.last_error.as_deref(),
        Some("403 — your role lecteur cannot delete sites")
    );
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("the confirmation stays to show the error");
    };
    assert_eq!(c.pending, None);
    assert_eq!(
        c.error.as_deref(),
        Some("403 — your role lecteur cannot delete sites")
    );
    assert_eq!(app.lists.sites.len(), 3, "nothing removed");
    assert!(app.take_requests().is_empty());
}

#[test]
fn read_only_refuses_changes_with_a_notice() {
    let mut s = session("admin");
    s.read_only = true;
    let mut app = App::new(s);
    app.start(true);
    serve(&mut app);
    for (k, what) in [('n', "creating"), ('e', "editing"), ('d', "deleting")] {
        app.on_key(ch(k));
        assert!(app.overlays.is_empty(), "{k} opened something");
        assert_eq!(
            app.status.notice,
            Some(format!("READ-ONLY profile: {what} is disabled"))
        );
        assert!(app.take_requests().is_empty());
    }
    // Also from a detail.
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    for k in ['n', 'e', 'd'] {
        app.on_key(ch(k));
        assert_eq!(
            app.overlays.len(),
            1,
            "{k} opened something over the detail"
        );
        assert!(
            app.status
                .notice
                .as_deref()
                .unwrap()
                .starts_with("READ-ONLY profile")
        );
    }
    assert!(app.take_requests().is_empty());
}

#[test]
fn palette_opens_a_site_by_name() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch(':'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Palette(_))));
    typed(&mut app, "site LOUM");
    assert_eq!(
        app.palette_matches("site LOUM"),
        vec![("site LOUM".to_string(), Command::OpenSite(LOUM_ID.into()))]
    );
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.tab, Tab::Sites);
    assert_eq!(app.overlays.len(), 1);
    match &detail(&app).target {
        DetailTarget::Site(s) => assert_eq!(s.name, "LOUM"),
        t => panic!("{t:?}"),
    }
    assert_eq!(
        app.lists.sites.selected_item().unwrap().site_id,
        LOUM_ID,
        "the list is on LOUM under the detail"
    );
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 1);
    assert!(
        matches!(&reqs[0].1, Request::SiteEquipements { site_id, page: 1, .. } if site_id == LOUM_ID)
    );
    let id = reqs[0].0;
    let items: Vec<Equipement> = equipements()
        .into_iter()
        .filter(|e| e.site_id.as_deref() == Some(LOUM_ID))
        .collect();
    ok(
        &mut app,
        id,
        Payload::SiteEquipements {
            site_id: LOUM_ID.into(),
            page: page(items, 1, 1, 2),
        },
    );
    assert_eq!(detail(&app).equipements.len(), 2);

    // Something that matches nothing says so.
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch(':'));
    typed(&mut app, "zzzz");
    app.on_key(key(KeyCode::Enter));
    assert!(app.overlays.is_empty());
    assert_eq!(
        app.status.notice.as_deref(),
        Some("No command matches 'zzzz'")
    );
}

#[test]
fn an_unreachable_server_is_tried_again_until_it_answers() {
    let mut app = App::new(session("admin"));
    app.start(true);
    let reqs = app.take_requests();
    for (id, _) in &reqs {
        fail(
            &mut app,
            *id,
            ApiError::Network("could not connect: Connection refused".into()),
        );
    }
    assert!(app.net.reconnect.is_some(), "a reconnection is planned");
    assert!(app.wants_tick(), "the runtime keeps ticking to retry");
    let first_wait = app.reconnect_in().unwrap();
    assert!(first_wait >= 1, "it waits before trying again");
    // Keys still work meanwhile.
    app.on_key(ch('?'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Help(_))));
    app.on_key(key(KeyCode::Esc));
    let mut retried = Vec::new();
    for _ in 0..(first_wait * vigie::app::TICKS_PER_SECOND + 1) {
        app.tick();
        retried.extend(app.take_requests());
    }
    assert!(
        retried.iter().any(|(_, r)| matches!(r, Request::Sites)),
        "{retried:?}"
    );
    // Still down: the next wait is longer.
    for (id, _) in &retried {
        fail(&mut app, *id, ApiError::Network("refused".into()));
    }
    assert!(app.reconnect_in().unwrap() > first_wait);
    // Back up: the first answer clears it.
    app.on_key(ch('r'));
    serve(&mut app);
    assert!(app.net.reconnect.is_none());
    assert_eq!(app.status.notice.as_deref(), Some("Connected again"));
    assert!(!app.lists.sites.is_empty());
}

#[test]
fn y_copies_the_cell_y_the_record_and_v_shows_it_with_secrets_masked() {
    use vigie::app::Effect;
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    let ip = app.lists.equipements.selected_item().unwrap().ip.clone();
    app.on_key(ch('y'));
    match app.take_effects().as_slice() {
        [Effect::Copy { text, what }] => {
            assert_eq!(text, &ip);
            assert!(what.contains("IP"), "{what}");
        }
        other => panic!("{other:?}"),
    }
    app.on_key(key(KeyCode::Right));
    app.on_key(ch('y'));
    let port = app
        .lists
        .equipements
        .selected_item()
        .unwrap()
        .port
        .unwrap()
        .to_string();
    assert!(
        matches!(app.take_effects().as_slice(), [Effect::Copy { text, .. }] if *text == port),
        "→ moves the copied cell to the port"
    );
    app.on_key(ch('Y'));
    let json = match app.take_effects().as_slice() {
        [Effect::Copy { text, .. }] => text.clone(),
        other => panic!("{other:?}"),
    };
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ip"], ip.as_str());
    let secret = app
        .lists
        .equipements
        .selected_item()
        .unwrap()
        .password
        .expose()
        .to_string();
    assert!(!secret.is_empty() && !json.contains(&secret), "{json}");
    app.on_key(ch('v'));
    match app.overlays.last() {
        Some(Overlay::Raw(r)) => {
            let all = r.lines.join("\n");
            assert!(all.contains(ip.as_str()) && !all.contains(&secret), "{all}");
        }
        _ => panic!("no raw view"),
    }
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
}

#[test]
fn x_exports_every_page_of_the_filtered_view() {
    use vigie::app::Effect;
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    assert!(!app.lists.equipements.complete);
    app.on_key(ch('x'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.kind == FormKind::Export));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eq.csv");
    app.on_key(ctrl('a'));
    app.on_key(ctrl('k'));
    typed(&mut app, path.to_str().unwrap());
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::Enter));
    // Not every page was there: they are loaded first, then written.
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::AllEquipements)),
        "{reqs:?}"
    );
    assert!(app.take_effects().is_empty());
    for (id, r) in reqs {
        if matches!(r, Request::AllEquipements) {
            ok(&mut app, id, Payload::AllEquipements(equipements()));
        }
    }
    match app.take_effects().as_slice() {
        [
            Effect::Export {
                path: p,
                content,
                rows,
            },
        ] => {
            assert_eq!(p, &path);
            assert_eq!(*rows, equipements().len());
            assert!(content.starts_with("IP,Port,"), "{content}");
            assert_eq!(content.lines().count(), rows + 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn palette_aliases_filter_and_history_comes_first() {
    let mut app = loaded("admin");
    app.prefs.aliases = vec![("cam".into(), "equipements /hik".into())];
    app.on_key(ch(':'));
    typed(&mut app, "cam");
    app.on_key(key(KeyCode::Enter));
    assert_eq!(app.tab, Tab::Equipements);
    assert_eq!(app.lists.equipements.filter, "hik");
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::AllEquipements)),
        "filtering equipements loads every page: {reqs:?}"
    );
    // The alias is now the first thing the palette offers.
    assert_eq!(
        app.prefs.palette_history.first().map(String::as_str),
        Some("cam → equipements /hik")
    );
    let first = app.palette_matches("");
    assert!(matches!(&first[0].1, Command::Alias(t) if t == "equipements /hik"));
}

#[test]
fn mouse_is_off_until_asked_then_clicks_land_on_what_is_drawn() {
    use vigie::app::{Click, Effect};
    let mut app = loaded("admin");
    app.on_resize(120, 35);
    assert!(
        !app.prefs.mouse,
        "off by default: it takes the terminal's selection away"
    );
    app.on_key(ch('m'));
    assert_eq!(app.take_effects(), vec![Effect::Mouse(true)]);
    // The tab bar: " vigie " then " 1 Sites " " 2 Equipements "…
    let click = vigie::ui::hit(&app, 120, 35, 12, 0);
    assert_eq!(click, Some(Click::Tab(Tab::Sites)));
    let click = vigie::ui::hit(&app, 120, 35, 20, 0);
    assert_eq!(click, Some(Click::Tab(Tab::Equipements)));
    // The second row of the table, then a second click opens it.
    let row = vigie::ui::hit(&app, 120, 35, 10, 4).unwrap();
    assert_eq!(row, Click::Row(1));
    app.on_click(row);
    assert_eq!(app.lists.sites.selected, 1);
    app.on_click(row);
    serve(&mut app);
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail(_))));
    app.on_key(key(KeyCode::Esc));
    // A footer key: "? help" is a button.
    let footer = vigie::ui::position_text(&app);
    let mut x = footer.chars().count() as u16 + 3;
    let mut found = None;
    for (k, v) in vigie::ui::footer_hints(&app) {
        let w = (1 + k.chars().count() + 1 + v.chars().count()) as u16;
        if k == "?" {
            found = vigie::ui::hit(&app, 120, 35, x + 1, 33);
        }
        x += w;
    }
    let help = found.expect("the help key is in the footer");
    app.on_click(help);
    assert!(matches!(app.overlays.last(), Some(Overlay::Help(_))));
    app.on_key(key(KeyCode::Esc));
    // The wheel scrolls the list.
    app.on_scroll(true);
    assert_eq!(app.lists.sites.selected, 2.min(app.lists.sites.len() - 1));
    app.on_key(ch('m'));
    assert_eq!(app.take_effects(), vec![Effect::Mouse(false)]);
}

#[test]
fn remapped_keys_act_and_their_default_goes_quiet() {
    let mut map = std::collections::BTreeMap::new();
    map.insert("new".to_string(), "a".to_string());
    let mut app = loaded("admin");
    app.prefs.keymap = vigie::app::keymap::KeyMap::from_config(&map).unwrap();
    app.on_key(ch('n'));
    assert!(app.overlays.is_empty(), "n was given to nothing");
    app.on_key(ch('a'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.kind == FormKind::Site));
    app.on_key(key(KeyCode::Esc));
    // Typing a filter is not remapped.
    app.on_key(ch('/'));
    typed(&mut app, "an");
    assert_eq!(app.lists.sites.filter, "an");
}

#[test]
fn e_edits_the_record_as_json_and_sends_only_what_changed() {
    use vigie::app::Effect;
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('E'));
    let text = match app.take_effects().as_slice() {
        [Effect::Edit { text, .. }] => text.clone(),
        other => panic!("{other:?}"),
    };
    assert!(text.contains("••••••••"), "the password is masked: {text}");
    // Not JSON: said, nothing sent, nothing lost on the server side.
    app.on_edited(Ok("{ not json".into()));
    assert!(
        app.status
            .last_error
            .as_deref()
            .unwrap()
            .contains("not JSON")
    );
    assert!(app.take_requests().is_empty());
    // The port changed, the masked password left alone.
    app.on_key(ch('E'));
    let text = match app.take_effects().as_slice() {
        [Effect::Edit { text, .. }] => text.clone(),
        other => panic!("{other:?}"),
    };
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["port"] = serde_json::json!(8443);
    app.on_edited(Ok(v.to_string()));
    let reqs = app.take_requests();
    match reqs.as_slice() {
        [(_, Request::Change(c))] => {
            assert_eq!(c.wanted("port"), Some(&serde_json::json!(8443)));
            assert_eq!(
                c.fields().len(),
                1,
                "the masked password was not sent: {c:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `$EDITOR` on a role: every permission the server sent is kept, those the grid knows by id
/// only and those typed in the JSON that are no cell included; only what was removed goes.
#[test]
fn e_on_a_role_keeps_every_permission_it_did_not_remove() {
    use vigie::app::Effect;
    let mut app = loaded("admin");
    app.on_key(ch('4'));
    serve(&mut app);
    // The role as a real server may hold it: a permission known by id only, one outside the
    // usual catalogue.
    let role = app.lists.roles.items[0].clone();
    let mut odd = role.clone();
    odd.permissions.push(Permission {
        permission_id: "perm-42".into(),
        ..Default::default()
    });
    odd.permissions.push(Permission::new("reports", "export"));
    app.lists.roles.upsert(odd.clone());
    let pos = app
        .lists
        .roles
        .view
        .iter()
        .position(|&i| app.lists.roles.items[i].role_id == odd.role_id)
        .unwrap();
    app.lists.roles.selected = pos;
    let edit = |app: &mut App, change: &dyn Fn(&mut serde_json::Value)| {
        app.on_key(ch('E'));
        let text = match app.take_effects().as_slice() {
            [Effect::Edit { text, .. }] => text.clone(),
            other => panic!("{other:?}"),
        };
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        change(&mut v);
        app.on_edited(Ok(v.to_string()));
        let reqs = app.take_requests();
        match reqs.as_slice() {
            // What the change room sends, on the role as the server holds it (here: as the
            // console does, nobody changed it).
            [(_, Request::Change(c))] => {
                let sent: Vec<&vigie::change::FieldChange> = c.fields().iter().collect();
                let (update, add) = vigie::change::role_update(&odd, &sent).unwrap();
                let remove: Vec<PermissionRef> = c
                    .fields()
                    .iter()
                    .filter(|f| f.wanted == serde_json::json!(false))
                    .filter_map(|f| f.key.strip_prefix("perm:"))
                    .map(|k| {
                        let (r, a) = k.split_once(':').unwrap();
                        PermissionRef {
                            ressource: r.into(),
                            action: a.into(),
                            ..Default::default()
                        }
                    })
                    .collect();
                let mut added = add.clone();
                if let Some(set) = &update.permissions {
                    added.extend(
                        c.fields()
                            .iter()
                            .filter(|f| f.wanted == serde_json::json!(true))
                            .filter_map(|f| f.key.strip_prefix("perm:"))
                            .filter_map(|k| {
                                set.iter()
                                    .find(|p| format!("{}:{}", p.ressource, p.action) == k)
                            })
                            .cloned(),
                    );
                }
                (update, added, remove)
            }
            other => panic!("{other:?}"),
        }
    };
    // Only the description changed: no permission is sent at all.
    let (update, add, remove) = edit(&mut app, &|v| v["description"] = serde_json::json!("Autre"));
    assert_eq!(update.description.as_deref(), Some("Autre"));
    assert_eq!(update.permissions, None);
    assert!(add.is_empty() && remove.is_empty());
    app.overlays.clear();
    // One removed, one added by typing it in the JSON: the set sent keeps the others.
    let (update, add, remove) = edit(&mut app, &|v| {
        let list = v["permissions"].as_array_mut().unwrap();
        list.retain(|p| p["action"] != "delete" || p["ressource"] != "sites");
        list.push(serde_json::json!("audit:read"));
    });
    // Only the change travels: the worker applies it to the role as the server holds it.
    let keys = |l: &[PermissionRef]| -> Vec<String> {
        l.iter()
            .map(|p| format!("{}:{}", p.ressource, p.action))
            .collect()
    };
    assert_eq!(keys(&remove), ["sites:delete"]);
    assert_eq!(keys(&add), ["audit:read"]);
    let sent: Vec<String> = update
        .permissions
        .expect("the whole set")
        .iter()
        .map(|p| {
            if p.ressource.is_empty() {
                format!("id {}", p.permission_id)
            } else {
                format!("{}:{}", p.ressource, p.action)
            }
        })
        .collect();
    for kept in ["id perm-42", "reports:export", "audit:read", "sites:read"] {
        assert!(sent.contains(&kept.to_string()), "{kept} in {sent:?}");
    }
    assert!(!sent.contains(&"sites:delete".to_string()), "{sent:?}");
}

/// `$EDITOR` on a role whose `permissions` is no list: nothing is sent (it would read as "no
/// permission"); bare ids in a list are permissions known by their id.
#[test]
fn e_on_a_role_with_permissions_not_a_list_sends_nothing() {
    use vigie::app::Effect;
    let mut app = loaded("admin");
    app.on_key(ch('4'));
    serve(&mut app);
    for odd in [
        serde_json::json!(null),
        serde_json::json!("sites:read, sites:create"),
        serde_json::json!({"sites": "read"}),
    ] {
        app.on_key(ch('E'));
        let text = match app.take_effects().as_slice() {
            [Effect::Edit { text, .. }] => text.clone(),
            other => panic!("{other:?}"),
        };
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["permissions"] = odd.clone();
        v["description"] = serde_json::json!("changed too");
        app.on_edited(Ok(v.to_string()));
        assert!(app.take_requests().is_empty(), "{odd}: nothing sent");
        assert!(
            app.status
                .last_error
                .as_deref()
                .unwrap()
                .contains("nothing sent"),
            "{odd}"
        );
        assert!(app.overlays.is_empty(), "{odd}");
    }
    let p: Permission = serde_json::from_value(serde_json::json!(42)).unwrap();
    assert_eq!((p.ressource.as_str(), p.permission_id.as_str()), ("", "42"));
}

/// An untouched odd value and advice on a typed one never block a save.
#[test]
fn advice_and_odd_stored_values_do_not_block_a_save() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    let mut e = app.lists.equipements.items.row(0).unwrap().into_owned();
    e.ip = "camera-entree".into();
    app.lists.equipements.upsert(e);
    app.on_key(ch('e'));
    let f = form(&app);
    assert!(
        f.field("ip").unwrap().advice.is_some(),
        "marked from the start"
    );
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::End));
    typed(&mut app, "000");
    assert!(form(&app).field("port").unwrap().advice.is_some());
    app.on_key(ctrl('s'));
    let reqs = app.take_requests();
    match reqs.as_slice() {
        [(_, Request::Change(c))] => {
            assert_eq!(c.wanted("port"), Some(&serde_json::json!(100_000)));
            assert_eq!(c.wanted("ip"), None, "the odd ip was not touched: not sent");
        }
        other => panic!("{other:?}"),
    }
}

/// What the console writes out of server strings (an export, the clipboard) is as neutral as
/// the screen: no control character, no formula a spreadsheet would run; JSON stays exact.
#[test]
fn exports_and_copies_of_hostile_strings_are_neutral() {
    use vigie::app::{Effect, ExportFormat};
    let mut app = loaded("admin");
    let evil = [
        "\u{1b}]52;c;b3duZWQ=\u{7}",
        "a\u{9b}2Jb\u{202e}c",
        "run\rrm -rf ~",
        "nul\u{0}x",
        "=HYPERLINK(\"http://evil\",\"x\")",
        "@SUM(1)",
    ];
    let sites: Vec<SiteSummary> = evil
        .iter()
        .enumerate()
        .map(|(i, n)| SiteSummary {
            site_id: format!("s{i}"),
            name: n.to_string(),
            latitude: Some(-2.5),
            ..Default::default()
        })
        .collect();
    app.lists.sites.set_items(sites);
    let neutral = |what: &str, text: &str| {
        for c in text.chars() {
            assert!(
                c == '\n' || !vigie::text::is_unsafe(c),
                "{what}: {c:?} in {text:?}"
            );
        }
    };
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        app.export(std::path::PathBuf::from("/tmp/x"), format);
        let content = match app.take_effects().as_slice() {
            [Effect::Export { content, .. }] => content.clone(),
            other => panic!("{other:?}"),
        };
        neutral("export", &content);
        match format {
            ExportFormat::Csv => {
                assert!(content.contains("'=HYPERLINK"), "{content}");
                assert!(content.contains("'@SUM(1)"), "{content}");
                assert!(content.contains("-2.5"), "numbers kept: {content}");
            }
            ExportFormat::Json => {
                let v: serde_json::Value = serde_json::from_str(&content).unwrap();
                let names: Vec<&str> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                assert_eq!(names, evil, "exact data");
            }
        }
    }
    for (i, _) in evil.iter().enumerate() {
        app.lists.sites.selected = i;
        app.on_key(ch('y'));
        app.on_key(ch('Y'));
        for e in app.take_effects() {
            let Effect::Copy { text, .. } = e else {
                panic!("{e:?}")
            };
            neutral("clipboard", &text);
        }
    }
}

/// Esc while every equipement loads stops the load: the worker is told, nothing waits.
#[test]
fn esc_stops_loading_every_equipement() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('A'));
    let reqs = app.take_requests();
    let load = only(&reqs, |r| matches!(r, Request::AllEquipements));
    app.on_event(Event::Progress {
        id: load,
        loaded: 300,
        total: 100_000,
    });
    app.on_key(key(KeyCode::Esc));
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::Cancel(id) if *id == load)),
        "{reqs:?}"
    );
    assert!(!app.busy(), "nothing waits for it");
    assert_eq!(app.lists.load_progress, None);
    assert!(app.status.notice.as_deref().unwrap().contains("300"));
    // A late answer is dropped.
    ok(&mut app, load, Payload::AllEquipements(many_equipements(5)));
    assert!(!app.lists.equipements.complete);
    // A load the list stopped waiting for (a refresh meanwhile) leaves no progress behind:
    // Esc goes back to clearing the filter.
    app.on_key(ch('A'));
    let load = only(&app.take_requests(), |r| {
        matches!(r, Request::AllEquipements)
    });
    app.on_event(Event::Progress {
        id: load,
        loaded: 1,
        total: 9,
    });
    app.lists.equipements.pending = None;
    ok(&mut app, load, Payload::AllEquipements(many_equipements(5)));
    assert_eq!(app.lists.load_progress, None);
    app.lists.equipements.filter = "x".into();
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.lists.equipements.filter, "");
}

/// `:messages` keeps each message once, however often the screen is drawn.
#[test]
fn messages_are_kept_once_each() {
    let mut app = loaded("admin");
    app.status.notice = Some("Saved site LOUM".into());
    app.status.last_error = Some("409 — conflict".into());
    for _ in 0..5 {
        app.remember_messages();
    }
    assert_eq!(app.status.messages.len(), 2, "{:?}", app.status.messages);
    app.status.notice = None;
    app.remember_messages();
    app.status.notice = Some("Saved site LOUM".into());
    app.remember_messages();
    assert_eq!(app.status.messages.len(), 3, "said again later: kept again");
}

/// A filter over a long list that does not fit in a keystroke's budget is finished by the
/// loop's idle work, a slice at a time, and ends with the view a filter at once would give.
#[test]
fn a_long_filter_is_finished_between_keys() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    let rows = many_equipements(30_000);
    app.lists.equipements.set_items(rows.clone());
    app.lists.equipements.filter = "10.1".into();
    app.lists
        .equipements
        .refresh_view_within(Some(std::time::Duration::ZERO));
    assert!(app.has_pending_work());
    // A key typed meanwhile extends the filter; the loop then finishes it.
    app.on_key(ch('/'));
    typed(&mut app, "2.");
    assert_eq!(app.lists.equipements.filter, "10.12.");
    let mut slices = 0;
    while app.has_pending_work() {
        app.work(vigie::app::FILTER_SLICE);
        slices += 1;
        assert!(slices < 1000, "the work ends");
    }
    let mut fresh = vigie::app::list::ListView::default();
    fresh.filter = "10.12.".into();
    fresh.set_items(rows);
    assert!(!fresh.view.is_empty());
    assert_eq!(app.lists.equipements.view, fresh.view);
}

/// A site that still holds equipements is not a `y` away: its name is typed, and a wrong name
/// sends nothing.
#[test]
fn a_site_with_equipements_is_deleted_by_typing_its_name() {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(ch('d'));
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("no confirmation");
    };
    assert!(c.message.contains("2 equipement(s)"), "{}", c.message);
    app.on_key(ch('y'));
    app.on_key(key(KeyCode::Enter));
    assert!(app.take_requests().is_empty(), "y is no confirmation here");
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("still asking");
    };
    assert!(
        c.error.as_deref().unwrap_or_default().contains("LOUM"),
        "{:?}",
        c.error
    );
    app.on_key(key(KeyCode::Backspace));
    typed(&mut app, "LOUM");
    app.on_key(key(KeyCode::Enter));
    only(&app.take_requests(), |r| deletes(r, Some(LOUM_ID)));
}

/// `d` and `y` typed in the filter or the palette are text: no delete is asked or sent.
#[test]
fn a_delete_is_not_reachable_while_typing_a_filter_or_a_command() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('/'));
    for c in "ddyy".chars() {
        app.on_key(ch(c));
    }
    assert!(
        !app.overlays
            .iter()
            .any(|o| matches!(o, Overlay::Confirm(_))),
        "no confirmation from the filter"
    );
    app.on_key(key(KeyCode::Enter));
    app.on_key(ch(':'));
    for c in "dy".chars() {
        app.on_key(ch(c));
    }
    assert!(
        !app.overlays
            .iter()
            .any(|o| matches!(o, Overlay::Confirm(_))),
        "no confirmation from the palette"
    );
    assert!(
        !app.take_requests().iter().any(|(_, r)| deletes(r, None)),
        "nothing deleted"
    );
}

/// A core user is deactivated, not deleted, and the core API has no route to reactivate one:
/// `u` says so and sends nothing.
#[test]
fn u_after_a_deactivation_says_the_api_cannot_undo_it() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    let user = app.lists.users.selected_record().unwrap();
    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let del = only(&app.take_requests(), |r| deletes(r, None));
    // What the change room answers: the user deactivated, journaled with its state after.
    let mut o = Outcome::removed(&user.user_id);
    let mut after = serde_json::to_value(&user).unwrap();
    after["status"] = serde_json::json!("deactivated");
    o.entry = Some(
        vigie::journal::Entry::now("core", "users", &user.user_id, vigie::journal::Op::Delete)
            .with_states(Some(serde_json::to_value(&user).unwrap()), Some(after)),
    );
    ok(&mut app, del, Payload::Changed(Box::new(o)));
    assert_eq!(
        app.lists.users.selected_item().map(|u| u.status.clone()),
        Some("deactivated".to_string()),
        "the row stays, deactivated"
    );
    let e = app.journal.last().cloned().expect("journaled");
    assert_eq!(
        (e.kind.as_str(), e.id.as_str()),
        ("users", user.user_id.as_str())
    );
    assert!(
        e.after
            .as_ref()
            .is_some_and(|a| a["status"] == "deactivated"),
        "{:?}",
        e.after
    );
    app.on_key(ch('u'));
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("reactivate"),
        "{:?}",
        app.status.notice
    );
    assert!(app.take_requests().is_empty());
    assert!(app.overlays.is_empty());

    // A save lands on a detail: `u` undoes from there too (and from a Maarch user's).
    app.status.notice = None;
    app.on_key(key(KeyCode::Enter));
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail(_))));
    app.on_key(ch('u'));
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("reactivate"),
        "u in a detail undoes: {:?}",
        app.status.notice
    );
    let help = vigie::ui::help_lines(&app);
    assert!(help.iter().any(|(k, w)| k == "u" && w.starts_with("undo")));
}

/// Space marks a row (and moves on), marks survive sorting, filtering and paging, `*` marks
/// the view, Esc twice clears; the title counts them; Space typed in the filter is text.
#[test]
fn marks_survive_sort_filter_and_are_cleared_by_esc_twice() {
    let mut app = loaded("admin");
    app.on_key(key(KeyCode::Char(' ')));
    app.on_key(key(KeyCode::Char(' ')));
    assert_eq!(app.lists.sites.marked.len(), 2);
    assert_eq!(app.lists.sites.selected, 2, "Space moves on");
    app.on_key(ch('s'));
    app.on_key(ch('/'));
    typed(&mut app, "yas ");
    app.on_key(key(KeyCode::Enter));
    assert_eq!(
        app.lists.sites.marked.len(),
        2,
        "the filter's space is text, marks kept"
    );
    app.on_key(ch('*'));
    assert_eq!(app.lists.sites.marked.len(), 3, "* marks the view: YASSA");
    app.on_key(key(KeyCode::Esc));
    assert!(
        app.lists.sites.filter.is_empty(),
        "the first Esc clears the filter"
    );
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.lists.sites.marked.len(), 3, "one Esc keeps the marks");
    app.on_key(key(KeyCode::Esc));
    assert!(app.lists.sites.marked.is_empty(), "Esc twice clears");
}

/// `*` on equipements loads every page first, then marks them all.
#[test]
fn star_on_equipements_marks_every_page() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('*'));
    serve(&mut app);
    assert!(app.lists.equipements.complete);
    assert_eq!(
        app.lists.equipements.marked.len(),
        app.lists.equipements.items.len()
    );
    assert!(!app.lists.equipements.marked.is_empty());
}

/// Bulk actions on a read-only profile are refused as single changes are; row commands
/// still run (they do not write to the API).
#[test]
fn read_only_refuses_bulk_actions_but_runs_row_commands() {
    let mut s = session("admin");
    s.read_only = true;
    let mut app = App::new(s);
    app.start(true);
    serve(&mut app);
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(key(KeyCode::Char(' ')));
    app.on_key(key(KeyCode::Char(' ')));
    for k in ['d', 'M', 'S'] {
        app.on_key(ch(k));
        assert!(app.overlays.is_empty(), "{k} opened something");
        assert_eq!(
            app.status.notice,
            Some("READ-ONLY profile: bulk changes is disabled".into())
        );
    }
    for typed_cmd in ["delete", "move LOUM", "set port=1"] {
        app.on_key(ch(':'));
        typed(&mut app, typed_cmd);
        app.on_key(key(KeyCode::Enter));
        assert!(app.overlays.is_empty(), ":{typed_cmd} opened something");
    }
    assert!(app.take_requests().is_empty());
    app.prefs.commands = vec![vigie::commands::RowCommand {
        name: "ping".into(),
        key: Some(vigie::app::keymap::Key::parse("P").unwrap()),
        on: vec!["equipements".into()],
        run: vec!["ping".into(), "-c".into(), "1".into(), "{ip}".into()],
        confirm: false,
        wait: false,
        marked: true,
        secrets: false,
    }];
    app.on_key(ch('P'));
    let runs = app.take_effects().into_iter().find_map(|e| match e {
        vigie::app::Effect::Run { runs, .. } => Some(runs),
        _ => None,
    });
    assert_eq!(runs.map(|r| r.len()), Some(2), "once per marked row");
}

/// The sites kept from the last run show at once, their age said; the server's answer
/// replaces them; a refusal (403) takes them away, a network failure leaves them.
#[test]
fn kept_sites_show_at_start_until_the_answer() {
    let kept = vec![SiteSummary {
        site_id: "old".into(),
        name: "OLD SITE".into(),
        ..Default::default()
    }];
    let mut app = App::new(session("admin"));
    app.show_kept_sites(kept.clone(), std::time::Duration::from_secs(180));
    assert_eq!(names(&app), ["OLD SITE"]);
    assert!(
        app.status.notice.as_deref().unwrap_or("").contains("3 min"),
        "{:?}",
        app.status.notice
    );
    app.start(true);
    let reqs = app.take_requests();
    let sites_req = reqs
        .iter()
        .find(|r| matches!(r.1, Request::Sites))
        .unwrap()
        .0;
    ok(&mut app, sites_req, Payload::Sites(sites()));
    assert_eq!(names(&app), ["BONABERI 2", "LOUM", "YASSA"]);
    assert!(!app.lists.sites.provisional);
    assert_eq!(
        app.status.notice, None,
        "\"reading them again…\" goes when the answer comes"
    );

    for (e, left) in [
        (ApiError::Forbidden("Not allowed".into()), 0),
        (ApiError::Network("connection refused".into()), 1),
    ] {
        let mut app = App::new(session("admin"));
        app.show_kept_sites(kept.clone(), std::time::Duration::from_secs(60));
        app.start(true);
        let reqs = app.take_requests();
        let sites_req = reqs
            .iter()
            .find(|r| matches!(r.1, Request::Sites))
            .unwrap()
            .0;
        fail(&mut app, sites_req, e);
        assert_eq!(app.lists.sites.items.len(), left);
        assert!(
            !app.status
                .notice
                .as_deref()
                .unwrap_or_default()
                .contains("reading them again"),
            "{:?}",
            app.status.notice
        );
    }
}

/// `j` moves the cursor, then a filter: its best match is selected, not the row whose number
/// the cursor had; clearing it keeps that record selected.
#[test]
fn a_filter_typed_selects_its_best_match_and_clearing_keeps_the_record() {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(ch('j'));
    assert_eq!(
        app.lists.sites.selected_item().map(|s| s.name.clone()),
        Some("YASSA".to_string())
    );
    app.on_key(ch('/'));
    // Several rows match: the best one (first shown) is selected, not the third row.
    typed(&mut app, "a");
    assert!(app.lists.sites.len() >= 3, "{:?}", names(&app));
    assert_eq!(
        app.lists.sites.selected, 0,
        "the best match, not the third row"
    );
    for _ in 0..1 {
        app.on_key(key(KeyCode::Backspace));
    }
    typed(&mut app, "lou");
    assert_eq!(
        app.lists.sites.selected_item().map(|s| s.name.clone()),
        Some("LOUM".to_string()),
        "the match"
    );
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(names(&app).len(), 3, "cleared");
    assert_eq!(
        app.lists.sites.selected_item().map(|s| s.name.clone()),
        Some("LOUM".to_string()),
        "the record stays selected"
    );
}

/// A core user's form opened before the Roles tab was ever read asks for the roles and,
/// when they come, offers them with the user's own role selected (nothing counted as
/// changed).
#[test]
fn a_user_form_reads_the_roles_it_offers() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    let reqs = app.take_requests();
    for (id, r) in reqs {
        assert!(matches!(r, Request::Users), "{r:?}");
        ok(&mut app, id, Payload::Users(users()));
    }
    assert!(!app.lists.roles.loaded_once);
    let user = app.lists.users.selected_record().unwrap();
    app.on_key(ch('e'));
    let role = |app: &App| match app.overlays.last() {
        Some(Overlay::Form(f)) => {
            let x = f.field("role_id").unwrap();
            let n = match &x.kind {
                vigie::app::form::FieldKind::Choice { options, .. } => options.len(),
                _ => panic!("a choice"),
            };
            (n, x.value(), f.dirty())
        }
        _ => panic!("a form"),
    };
    assert_eq!(role(&app).0, 0, "no role known yet");
    let reqs = app.take_requests();
    assert!(
        reqs.iter().any(|(_, r)| matches!(r, Request::Roles)),
        "the form asks for the roles: {reqs:?}"
    );
    for (id, r) in reqs {
        if matches!(r, Request::Roles) {
            ok(&mut app, id, Payload::Roles(roles()));
        }
    }
    let (n, value, dirty) = role(&app);
    assert_eq!(n, roles().len());
    assert_eq!(value, user.role_id);
    assert!(!dirty, "the user's own role is not a change");
}

/// `P` on a site's detail probes what it shows, only with the profile's consent: without
/// `probe_networks` nothing is asked; with them the worker is asked and each equipement's
/// answer fills the Reach column, which then shows (and sorts, and counts with `F`); Esc
/// stops waiting.
#[test]
fn p_probes_a_sites_equipements_and_fills_the_reach_column() {
    let mut app = site_detail();
    app.on_key(ch('P'));
    assert!(
        app.take_requests().is_empty(),
        "no network named: nothing probed"
    );
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("probe_networks"),
        "{:?}",
        app.status.notice
    );
    app.prefs.probe =
        vigie::probe::Settings::new(&["10.12.0.0/16".into()], Some(4), Some(300)).unwrap();
    app.on_key(ch('P'));
    let reqs = app.take_requests();
    let (id, targets) = match &reqs[..] {
        [(id, Request::Probe { targets, settings })] => {
            assert_eq!(settings.concurrency, 4);
            (*id, targets.clone())
        }
        other => panic!("one probe asked: {other:?}"),
    };
    assert!(
        targets
            .iter()
            .any(|t| t.host == "10.12.0.21" && t.port == 554)
    );
    let states: Vec<vigie::probe::State> = targets
        .iter()
        .map(|t| {
            if t.host == "10.12.0.21" {
                vigie::probe::State::Up { ms: 3 }
            } else {
                vigie::probe::State::NotAllowed
            }
        })
        .collect();
    ok(
        &mut app,
        id,
        Payload::Probed(targets.clone(), states.clone()),
    );
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the detail stays");
    };
    let cam = d
        .equipements
        .items
        .records()
        .find(|e| e.ip == "10.12.0.21")
        .unwrap();
    assert_eq!(cam.reach.as_deref(), Some("up (3 ms)"));
    let reach = <Equipement as vigie::app::list::Record>::columns()
        .iter()
        .position(|c| c.title == "Reach")
        .unwrap();
    assert!(
        d.equipements.shown_columns().contains(&reach),
        "the column shows"
    );
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("1 of"),
        "{:?}",
        app.status.notice
    );

    // Esc while a run is under way stops waiting: its answer is dropped, the detail stays.
    app.on_key(ch('P'));
    let id = app.take_requests()[0].0;
    app.on_key(key(KeyCode::Esc));
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail(_))));
    ok(
        &mut app,
        id,
        Payload::Probed(targets, vec![vigie::probe::State::TimedOut; states.len()]),
    );
    let Some(Overlay::Detail(d)) = app.overlays.last() else {
        panic!("the detail stays");
    };
    let cam = d
        .equipements
        .items
        .records()
        .find(|e| e.ip == "10.12.0.21")
        .unwrap();
    assert_eq!(
        cam.reach.as_deref(),
        Some("up (3 ms)"),
        "a stopped run changes nothing"
    );
}

/// `P` on the Equipements tab probes the marked rows, or the selected one, and fills their
/// Reach cells; elsewhere it says where it works; Esc stops waiting.
#[test]
fn p_on_the_equipements_tab_probes_the_selected_or_marked_rows() {
    let mut app = loaded("admin");
    app.prefs.probe = vigie::probe::Settings::new(&["10.0.0.0/8".into()], None, Some(300)).unwrap();
    app.on_key(ch('P'));
    assert!(app.take_requests().is_empty(), "not on the Sites tab");
    app.on_key(ch('2'));
    serve(&mut app);
    let first = app.lists.equipements.selected_record().unwrap();
    app.on_key(ch('P'));
    let reqs = app.take_requests();
    let (id, targets) = match &reqs[..] {
        [(id, Request::Probe { targets, .. })] => (*id, targets.clone()),
        other => panic!("one probe asked: {other:?}"),
    };
    assert!(
        targets.iter().all(|t| t.host == first.ip.as_str()),
        "{targets:?}"
    );
    let states = vec![vigie::probe::State::Refused; targets.len()];
    ok(&mut app, id, Payload::Probed(targets, states));
    let row = app
        .lists
        .equipements
        .items
        .records()
        .find(|e| e.equipement_id == first.equipement_id)
        .unwrap();
    assert_eq!(row.reach.as_deref(), Some("refused"));
    // Two marked rows: both asked; Esc then stops waiting, the answer is dropped.
    app.on_key(ch(' '));
    app.on_key(ch(' '));
    app.on_key(ch('P'));
    let reqs = app.take_requests();
    let Some((id, Request::Probe { targets, .. })) = reqs.first().cloned() else {
        panic!("{reqs:?}");
    };
    let hosts: std::collections::BTreeSet<&str> = targets.iter().map(|t| t.host.as_str()).collect();
    assert_eq!(hosts.len(), 2, "{targets:?}");
    app.on_key(key(KeyCode::Esc));
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::Cancel(c) if *c == id)),
        "Esc stops the run itself: {reqs:?}"
    );
    let n = targets.len();
    ok(
        &mut app,
        id,
        Payload::Probed(targets, vec![vigie::probe::State::TimedOut; n]),
    );
    assert!(
        !app.lists
            .equipements
            .items
            .records()
            .any(|e| e.reach.as_deref() == Some("timed out")),
        "a stopped run changes nothing"
    );
}

/// `:find TEXT` asks the worker once, naming this console's profile as its own; Enter on a
/// record of this profile opens its detail here; on another profile's, the console ends for
/// that profile (as `:profile`), naming the record to open there. Esc before the answer
/// stops the search (the worker is told).
#[test]
fn find_opens_a_record_here_or_in_its_own_profile() {
    let mut app = found();
    // Records in the order shown: port's two, then prod's.
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Enter));
    assert!(app.switch_profile.is_none() && !app.quit);
    match app.overlays.last() {
        Some(Overlay::Detail(d)) => {
            assert!(
                matches!(d.target, DetailTarget::Equipement(_)),
                "{:?}",
                d.target.label()
            )
        }
        _ => panic!("the record of this profile opens here"),
    }

    let mut app = found();
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Enter));
    assert!(app.quit, "the console ends for the other profile's");
    let s = app.switch_profile.take().expect("a switch");
    assert_eq!(s.profile, "port");
    match s.open {
        Some(vigie::protocol::FoundRecord::Site(site)) => assert_eq!(site.name, "QUAI DES BRUMES"),
        other => panic!("the site to open there: {other:?}"),
    }

    // Started on that profile with the record named, the console opens it first.
    let mut next = App::new(session("admin"));
    next.open_at_start(Some(vigie::protocol::FoundRecord::Site(next_site(
        "QUAI DES BRUMES",
    ))));
    next.start(true);
    match next.overlays.last() {
        Some(Overlay::Detail(d)) => assert_eq!(d.target.label(), "site QUAI DES BRUMES"),
        _ => panic!("the site's detail opens at start"),
    }

    // Esc while it runs: closed, and the worker told to drop it.
    let mut app = loaded("admin");
    let id = ask_find(&mut app, "loum");
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::Cancel(c) if *c == id)),
        "{reqs:?}"
    );
}

fn next_site(name: &str) -> SiteSummary {
    SiteSummary {
        name: name.into(),
        ..loaded("admin").lists.sites.items[0].clone()
    }
}

/// `P` in the detail of a site of several pages probes every equipement of the site, not
/// the page shown: the site is read whole first, then probed.
#[test]
fn p_on_a_site_of_several_pages_reads_it_whole_then_probes_every_device() {
    let mut app = loaded("admin");
    app.prefs.probe = vigie::probe::Settings::new(&["10.0.0.0/8".into()], None, Some(300)).unwrap();
    let all = many_equipements(120);
    let mut app = loum_of_three_pages(app, &all);
    app.on_key(ch('P'));
    let reqs = app.take_requests();
    let id = only(
        &reqs,
        |r| matches!(r, Request::AllSiteEquipements(s) if s == LOUM_ID),
    );
    assert!(
        !reqs.iter().any(|(_, r)| matches!(r, Request::Probe { .. })),
        "nothing probed before the site is read: {reqs:?}"
    );
    ok(
        &mut app,
        id,
        Payload::SiteEquipements {
            site_id: LOUM_ID.into(),
            page: page(all.clone(), 1, 1, 120),
        },
    );
    let reqs = app.take_requests();
    let targets = match &reqs[..] {
        [(_, Request::Probe { targets, .. })] => targets.clone(),
        other => panic!("one probe of the whole site: {other:?}"),
    };
    let devices: std::collections::BTreeSet<&str> =
        targets.iter().map(|t| t.device.as_str()).collect();
    let expected: std::collections::BTreeSet<String> =
        all.iter().map(vigie::probe::device).collect();
    assert_eq!(devices.len(), expected.len(), "every device of the 3 pages");
}

/// A watched Equipements tab (`W`) probes again what `P` probed there, at each reading: the
/// rows read again keep their Reach until the new run answers, which then says what changed.
#[test]
fn a_watched_equipements_tab_probes_again_what_p_probed() {
    let mut app = loaded("admin");
    app.prefs.probe = vigie::probe::Settings::new(&["10.0.0.0/8".into()], None, Some(300)).unwrap();
    app.on_key(ch('2'));
    serve(&mut app);
    let first = app.lists.equipements.selected_record().unwrap();
    app.on_key(ch('P'));
    let reqs = app.take_requests();
    let Some((id, Request::Probe { targets, .. })) = reqs.first().cloned() else {
        panic!("{reqs:?}");
    };
    let n = targets.len();
    ok(
        &mut app,
        id,
        Payload::Probed(targets.clone(), vec![vigie::probe::State::Up { ms: 5 }; n]),
    );
    let reach = |app: &App| {
        app.lists
            .equipements
            .items
            .records()
            .find(|e| e.equipement_id == first.equipement_id)
            .and_then(|e| e.reach.as_deref().map(str::to_string))
    };
    assert_eq!(reach(&app).as_deref(), Some("up (5 ms)"));
    app.on_key(ch('W'));
    app.wake(std::time::Instant::now() + std::time::Duration::from_secs(3600));
    let reqs = app.take_requests();
    let page_id = only(&reqs, |r| matches!(r, Request::EquipementsPage { .. }));
    let (probe_id, again) = match reqs
        .iter()
        .find(|(_, r)| matches!(r, Request::Probe { .. }))
    {
        Some((id, Request::Probe { targets, .. })) => (*id, targets.clone()),
        _ => panic!("the watch probes again: {reqs:?}"),
    };
    assert_eq!(again, targets, "the same addresses");
    ok(
        &mut app,
        page_id,
        Payload::EquipementsPage(page(equipements(), 1, 1, 4)),
    );
    assert_eq!(
        reach(&app).as_deref(),
        Some("up (5 ms)"),
        "kept while the new run goes"
    );
    ok(
        &mut app,
        probe_id,
        Payload::Probed(again, vec![vigie::probe::State::Refused; n]),
    );
    assert_eq!(reach(&app).as_deref(), Some("refused"));
}

/// `:find` searches this console's own lists where they are when read less than 5 minutes
/// ago and whole (every equipement loaded), asks the server only for the rest, and says how
/// old those lists are; older lists are read again.
#[test]
fn find_uses_this_consoles_lists_read_lately_and_says_their_age() {
    let mut app = loaded("admin");
    app.prefs.finder = Some(vigie::protocol::FinderRef(std::sync::Arc::new(Unused)));
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('A'));
    serve(&mut app);
    assert!(app.lists.equipements.complete);
    app.on_key(ch('3'));
    serve(&mut app);
    app.on_key(ch('1'));
    serve(&mut app);
    app.on_key(ch(':'));
    typed(&mut app, "find loum");
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let (id, kept) = match &reqs[..] {
        [(id, Request::Find { kept, .. })] => (*id, *kept),
        other => panic!("{other:?}"),
    };
    assert!(kept.sites && kept.users && !kept.individus, "{kept:?}");
    // The worker left those parts out: nothing of them in its answer.
    ok(
        &mut app,
        id,
        Payload::Found(vec![vigie::protocol::ProfileFound {
            profile: "prod".into(),
            found: Ok((Vec::new(), 0)),
        }]),
    );
    let Some(Overlay::Find(v)) = app.overlays.last() else {
        panic!("the find window");
    };
    let Ok((hits, _)) = &v.results[0].found else {
        panic!()
    };
    assert!(
        hits.iter()
            .any(|h| h.kind == "site" && h.label.contains("LOUM"))
            && hits
                .iter()
                .any(|h| h.kind == "equipement" && h.site == "LOUM"),
        "{hits:?}"
    );
    assert!(
        vigie::app::find_heading(&v.results[0], v).contains("some lists as read"),
        "{}",
        vigie::app::find_heading(&v.results[0], v)
    );

    // Lists read more than 5 minutes ago are asked again.
    app.on_key(key(KeyCode::Esc));
    let Some(old) = std::time::Instant::now().checked_sub(std::time::Duration::from_secs(600))
    else {
        return;
    };
    app.lists.users.read_at = Some(old);
    app.on_key(ch(':'));
    typed(&mut app, "find loum");
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    match &reqs[..] {
        [(_, Request::Find { kept, .. })] => assert!(kept.sites && !kept.users, "{kept:?}"),
        other => panic!("{other:?}"),
    }
}
