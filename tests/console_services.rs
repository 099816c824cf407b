//! The Ocean and Maarch parts of the console without a network: the Individus tab and its
//! forms, the Maarch user directory and its links, the Ocean account screen, per-service
//! configuration and login. Update logic first (keys and fake answers in, state and requests
//! out), then what each screen draws.

mod console_fixtures;

use console_fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::ExposeSecret;
use serde_json::json;
use vigie::api::ApiError;
use vigie::api::ocean::Individu;
use vigie::app::form::FormKind;
use vigie::app::{App, DetailTarget, Overlay, Session, Tab};
use vigie::change::{Action, Change, Create, Outcome};
use vigie::protocol::{Payload, Request, Saved, Service};

// ---- helpers --------------------------------------------------------------------------------

fn detail(app: &App) -> &vigie::app::Detail {
    match app.overlays.last() {
        Some(Overlay::Detail(d)) => d,
        _ => panic!("no detail on top"),
    }
}

fn account(app: &App) -> &vigie::app::Account {
    match app.overlays.last() {
        Some(Overlay::Account(a)) => a,
        _ => panic!("no account screen on top"),
    }
}

fn login(app: &App) -> &vigie::app::Login {
    match app.overlays.last() {
        Some(Overlay::Login(l)) => l,
        _ => panic!("no login on top"),
    }
}

/// The key of the focused field.
fn focused(app: &App) -> String {
    let f = form(app);
    f.fields[f.focus].key.to_string()
}

fn value(app: &App, key: &str) -> String {
    form(app)
        .field(key)
        .unwrap_or_else(|| panic!("no field {key}"))
        .value()
}

fn field_error(app: &App, key: &str) -> Option<String> {
    form(app).field(key).and_then(|f| f.error.clone())
}

fn ch_tab() -> crossterm::event::KeyEvent {
    key(KeyCode::Tab)
}

/// The one change sent by the last update; panics when there is not exactly one request.
fn sent_change(app: &mut App) -> (u64, Change) {
    let reqs = app.take_requests();
    match &reqs[..] {
        [(id, Request::Change(c))] => (*id, (**c).clone()),
        _ => panic!("expected one change, got {reqs:?}"),
    }
}

/// The Ocean body an individu edit sends: the change room's, on the record as listed.
fn update_body(app: &mut App, base: &Individu) -> Individu {
    let (_, c) = sent_change(app);
    assert!(c.created().is_none(), "not an update: {c:?}");
    let sent: Vec<&vigie::change::FieldChange> = c.fields().iter().collect();
    vigie::change::individu_body(base, &sent)
}

/// What a delete answers when the server did it.
fn deleted(app: &mut App, id: u64, c: &Change) {
    ok(app, id, Payload::Changed(Box::new(Outcome::removed(&c.id))));
}

/// What a save answers when the server did it.
fn saved(app: &mut App, id: u64, s: Saved) {
    ok(app, id, Payload::Changed(Box::new(Outcome::applied(s))));
}

fn individu(id: i64) -> Individu {
    individus()
        .into_iter()
        .find(|i| i.id() == Some(id))
        .expect("fixture individu")
}

fn individu_ids(app: &App) -> Vec<Option<i64>> {
    app.lists
        .individus
        .view
        .iter()
        .map(|&i| app.lists.individus.items[i].id())
        .collect()
}

/// The admin console on the Individus tab, the individus loaded.
fn individus_tab() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    serve(&mut app);
    assert_eq!(app.tab, Tab::Individus);
    app
}

/// Selects the individu with this id in the list.
fn select_individu(app: &mut App, id: i64) {
    app.on_key(ch('g'));
    for _ in 0..app.lists.individus.len() {
        if app.lists.individus.selected_item().and_then(|i| i.id()) == Some(id) {
            return;
        }
        app.on_key(ch('j'));
    }
    assert_eq!(
        app.lists.individus.selected_item().and_then(|i| i.id()),
        Some(id)
    );
}

/// An Ocean-aware session: the Ocean login is known.
fn ocean_session(role: &str) -> Session {
    Session {
        ocean_user: Some("jdupont".into()),
        ..session(role)
    }
}

/// The detail of Maarch user `uid`, its details and the catalogue read.
fn maarch_detail_of(mut app: App, uid: i64) -> App {
    app.on_key(ch('g'));
    for _ in 0..app.lists.maarch_users.len() {
        if app.lists.maarch_users.selected_item().map(|u| u.id) == Some(uid) {
            break;
        }
        app.on_key(ch('j'));
    }
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    assert!(detail(&app).loaded);
    app
}

fn read_only_session() -> Session {
    Session {
        read_only: true,
        ..ocean_session("lecteur")
    }
}

fn read_only_notice(app: &App) -> String {
    app.status.notice.clone().unwrap_or_default()
}

// ---- Individus: loading, creating ------------------------------------------------------------

#[test]
fn individus_tab_loads_once_and_shows_rows() {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    assert_eq!(app.tab, Tab::Individus);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::Individus)]), "{reqs:?}");
    assert!(app.lists.individus.loading);
    ok(&mut app, reqs[0].0, Payload::Individus(individus()));
    assert!(!app.lists.individus.loading && !app.busy());
    assert_eq!(individu_ids(&app), [Some(1), Some(2), Some(3)]);
    assert_eq!(app.lists.individus.items[0].nom(), "EKANI");
    assert_eq!(
        app.lists.individus.items[2].id(),
        Some(3),
        "an id sent as a string is read as a number"
    );

    // Away and back: nothing asked again.
    app.on_key(ch('1'));
    app.on_key(ch('5'));
    assert!(app.take_requests().is_empty());
    // Back while the first answer is still on its way: not asked twice either.
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    app.on_key(ch('1'));
    app.on_key(ch('5'));
    assert_eq!(app.take_requests().len(), 1);
}

#[test]
fn n_opens_the_individu_form_and_ctrl_s_creates() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    let f = form(&app);
    assert_eq!(f.kind, FormKind::Individu);
    assert_eq!(f.record_id, None);
    assert_eq!(f.title(), "New individu");
    assert!(!f.show_advanced, "the advanced fields start folded");

    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(ch_tab());
    assert_eq!(focused(&app), "individu.prenomInd");
    typed(&mut app, "Jeanne");
    tab_to(&mut app, "individu.matriculeInd");
    typed(&mut app, "M0042");
    tab_to(&mut app, "entite.id");
    typed(&mut app, "2");
    app.on_key(ch_tab());
    assert_eq!(focused(&app), "entityStart");
    typed(&mut app, "2025-09-01");
    app.on_key(ch_tab());
    typed(&mut app, "2025-12-31 18:30");
    app.on_key(ctrl('s'));

    let (_, c) = sent_change(&mut app);
    let Some(Create::Individu { body, start, end }) = c.created().cloned() else {
        panic!("{c:?}");
    };
    assert_eq!(body.get("individu.nomInd"), Some(&json!("MBALLA")));
    assert_eq!(body.get("individu.prenomInd"), Some(&json!("Jeanne")));
    assert_eq!(body.get("individu.matriculeInd"), Some(&json!("M0042")));
    assert_eq!(body.get("individu.suppressionLogique"), Some(&json!(false)));
    assert_eq!(
        body.get("entite"),
        Some(&json!({"id": 2, "nom": "Agence Douala", "suppressionLogique": false})),
        "the entity goes with the name seen on the list"
    );
    // Nothing typed, nothing sent: no empty objects, no blank strings.
    for absent in [
        "individu.email",
        "individu.gsm",
        "individu.idCivilite",
        "utilisateur",
        "propSpecifiqueDTO",
        "vehicleFieldsDTO",
        "groupe",
        "fonctionnalites",
        "entityStart",
        "entityEnd",
    ] {
        assert_eq!(body.get(absent), None, "{absent} sent: {body:?}");
    }
    assert_eq!(start, Some(local_dt(2025, 9, 1, 0, 0)));
    assert_eq!(end, Some(local_dt(2025, 12, 31, 18, 30)));
    assert!(form(&app).pending.is_some());

    // A second Ctrl-S while saving sends nothing more.
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
}

#[test]
fn a_required_field_left_empty_blocks_sending_and_is_focused() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    // Away from Prénom, on the last visible field.
    tab_to(&mut app, "propSpecifiqueDTO.nationalitePermis");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert_eq!(focused(&app), "individu.prenomInd");
    assert_eq!(
        field_error(&app, "individu.prenomInd").as_deref(),
        Some("Field required")
    );
    assert_eq!(field_error(&app, "individu.nomInd"), None);
    assert_eq!(
        form(&app).error.as_deref(),
        Some("Some fields need attention")
    );
    assert_eq!(value(&app, "individu.nomInd"), "MBALLA", "typed text kept");

    // Filled in: it goes.
    typed(&mut app, "Jeanne");
    assert_eq!(field_error(&app, "individu.prenomInd"), None);
    app.on_key(ctrl('s'));
    assert!(matches!(
        sent_change(&mut app).1.created(),
        Some(Create::Individu { .. })
    ));
}

#[test]
fn ctrl_o_unfolds_the_advanced_fields() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    let n = form(&app).fields.len();
    assert!(form(&app).folded_count() > 0);
    let mut reached = Vec::new();
    for _ in 0..2 * n {
        app.on_key(ch_tab());
        reached.push(focused(&app));
    }
    assert!(
        !reached.iter().any(|k| k.starts_with("vehicleFieldsDTO.")),
        "a folded field got the focus: {reached:?}"
    );
    assert!(
        reached.iter().any(|k| k == "individu.nomInd"),
        "Tab goes round"
    );

    app.on_key(ctrl('o'));
    assert!(form(&app).show_advanced);
    tab_to(&mut app, "vehicleFieldsDTO.immatriculation");
    typed(&mut app, "LT 456 CD");
    assert_eq!(value(&app, "vehicleFieldsDTO.immatriculation"), "LT 456 CD");

    // Folding again moves the focus back to a shown field and keeps the text.
    app.on_key(ctrl('o'));
    let f = form(&app);
    assert!(!f.show_advanced);
    assert!(f.visible(f.focus), "the focus stayed on a hidden field");
    assert!(!f.fields[f.focus].advanced);
    assert_eq!(value(&app, "vehicleFieldsDTO.immatriculation"), "LT 456 CD");

    // Ctrl-S sends the folded field too.
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(ch_tab());
    typed(&mut app, "Jeanne");
    app.on_key(ctrl('s'));
    let Some(Create::Individu { body, .. }) = sent_change(&mut app).1.created().cloned() else {
        panic!("not a creation");
    };
    assert_eq!(
        body.get("vehicleFieldsDTO.immatriculation"),
        Some(&json!("LT 456 CD"))
    );
}

#[test]
fn a_wrong_folded_field_unfolds_the_form_on_save() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(ch_tab());
    typed(&mut app, "Jeanne");
    app.on_key(ctrl('o'));
    tab_to(&mut app, "propSpecifiqueDTO.dateFCO");
    typed(&mut app, "2025-02-30");
    assert!(field_error(&app, "propSpecifiqueDTO.dateFCO").is_some());
    app.on_key(ctrl('o'));
    assert!(!form(&app).show_advanced);
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert!(form(&app).show_advanced, "the wrong field is shown");
    assert_eq!(focused(&app), "propSpecifiqueDTO.dateFCO");
}

// ---- Individus: editing, assigning, deleting, answers ------------------------------------------

#[test]
fn editing_keeps_the_original_record_and_changes_only_what_was_edited() {
    let mut app = individus_tab();
    select_individu(&mut app, 3);
    app.on_key(ch('e'));
    assert_eq!(form(&app).title(), "Edit individu");
    assert_eq!(form(&app).record_id.as_deref(), Some("3"));
    assert_eq!(value(&app, "vehicleFieldsDTO.typeMotorisation"), "DIESEL_X");
    assert!(!form(&app).dirty(), "opening changes nothing");

    tab_to(&mut app, "individu.prenomInd");
    typed(&mut app, "ine");
    app.on_key(ctrl('s'));
    let body = update_body(&mut app, &individu(3));
    let mut expected = individu(3);
    expected.set("individu.prenomInd", json!("Pauline"));
    assert_eq!(body, expected);
    assert_eq!(
        body.get("vehicleFieldsDTO.typeMotorisation"),
        Some(&json!("DIESEL_X"))
    );
    assert_eq!(
        body.get("individu.id"),
        Some(&json!("3")),
        "id sent back as is"
    );
}

#[test]
fn editing_a_full_record_round_trips_lists_dates_and_numbers() {
    let mut app = individus_tab();
    select_individu(&mut app, 1);
    app.on_key(ch('e'));
    assert!(!form(&app).dirty());
    tab_to(&mut app, "individu.gsm");
    app.on_key(ctrl('u'));
    typed(&mut app, "+237 699 99 99 99");
    app.on_key(ctrl('s'));
    let body = update_body(&mut app, &individu(1));
    let mut expected = individu(1);
    expected.set("individu.gsm", json!("+237 699 99 99 99"));
    // By design the user account repeats the individu it belongs to.
    let ind = expected.get("individu").cloned().unwrap();
    expected.set("utilisateur.individu", ind);
    assert_eq!(body, expected);
    assert_eq!(
        body.get("propSpecifiqueDTO.categoriePermis"),
        Some(&json!(["B", "C"]))
    );
    assert_eq!(
        body.get("propSpecifiqueDTO.dateValiditePermis"),
        Some(&json!("2030-01-31T00:00:00.000+01:00"))
    );
}

#[test]
fn an_edit_without_change_sends_nothing() {
    let mut app = individus_tab();
    select_individu(&mut app, 1);
    app.on_key(ch('e'));
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert!(app.overlays.is_empty());
    assert_eq!(app.status.notice.as_deref(), Some("Nothing changed"));
}

#[test]
fn a_assigns_an_entity_for_a_period() {
    let mut app = individus_tab();
    select_individu(&mut app, 1);
    app.on_key(ch('a'));
    let f = form(&app);
    assert_eq!(f.kind, FormKind::AssignEntity);
    assert_eq!(
        value(&app, "entiteId"),
        "2",
        "the current entity is offered"
    );
    assert!(
        !value(&app, "startDate").is_empty(),
        "today is suggested as the start"
    );

    app.on_key(ctrl('u'));
    typed(&mut app, "3");
    app.on_key(ch_tab());
    assert_eq!(focused(&app), "startDate");
    app.on_key(ctrl('u'));
    typed(&mut app, "2025-09-01");
    app.on_key(ch_tab());
    typed(&mut app, "2025-12-31 18:00");
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    let Some(Action::AssignEntity {
        individu,
        entite,
        start,
        end,
    }) = m.action_sent().cloned()
    else {
        panic!("{m:?}");
    };
    assert_eq!((individu, entite), (1, 3));
    assert_eq!(start, local_dt(2025, 9, 1, 0, 0));
    assert_eq!(end, Some(local_dt(2025, 12, 31, 18, 0)));
}

#[test]
fn assign_from_the_detail_without_an_end() {
    let mut app = individus_tab();
    select_individu(&mut app, 2);
    app.on_key(key(KeyCode::Enter));
    assert!(matches!(detail(&app).target, DetailTarget::Individu(_)));
    assert!(app.take_requests().is_empty(), "the list had it all");
    app.on_key(ch('a'));
    assert_eq!(form(&app).kind, FormKind::AssignEntity);
    app.on_key(ch_tab());
    app.on_key(ctrl('u'));
    typed(&mut app, "2026-01-05 08:00");
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    assert!(
        matches!(
            m.action_sent(),
            Some(Action::AssignEntity {
                individu: 2,
                entite: 3,
                end: None,
                ..
            })
        ),
        "{m:?}"
    );
}

#[test]
fn a_bad_date_shows_under_its_field_and_sends_nothing() {
    let mut app = individus_tab();
    select_individu(&mut app, 1);
    app.on_key(ch('a'));
    tab_to(&mut app, "endDate");
    typed(&mut app, "2025-13-45");
    let e = field_error(&app, "endDate").expect("an error under the end date");
    assert!(e.contains("2025-13-45") && e.contains("YYYY-MM-DD"), "{e}");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert_eq!(focused(&app), "endDate");
    assert!(form(&app).error.is_some());

    // A start date that is not one is refused the same way.
    app.on_key(ctrl('u'));
    tab_to(&mut app, "startDate");
    app.on_key(ctrl('u'));
    typed(&mut app, "demain");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert_eq!(focused(&app), "startDate");
    assert!(field_error(&app, "startDate").is_some());
}

#[test]
fn delete_asks_then_sends_and_removes_the_row() {
    let mut app = individus_tab();
    select_individu(&mut app, 3);
    app.on_key(ch('d'));
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("no confirmation");
    };
    assert!(c.message.contains("Paul TCHOUA"), "{}", c.message);
    assert!(app.take_requests().is_empty(), "nothing before the answer");
    app.on_key(ch('y'));
    let (id, op) = sent_change(&mut app);
    assert!(
        matches!(op.op, vigie::change::Op::Delete) && op.id == "3",
        "{op:?}"
    );
    deleted(&mut app, id, &op);
    assert!(app.overlays.is_empty());
    assert_eq!(individu_ids(&app), [Some(1), Some(2)]);
    assert_eq!(app.status.notice.as_deref(), Some("individu deleted"));

    // n keeps it.
    select_individu(&mut app, 2);
    app.on_key(ch('d'));
    app.on_key(ch('n'));
    assert!(app.overlays.is_empty());
    assert!(app.take_requests().is_empty());
}

#[test]
fn delete_from_the_detail_closes_it() {
    let mut app = individus_tab();
    select_individu(&mut app, 2);
    app.on_key(key(KeyCode::Enter));
    app.on_key(ch('d'));
    app.on_key(ch('y'));
    let (id, op) = sent_change(&mut app);
    assert!(matches!(op.op, vigie::change::Op::Delete) && op.id == "2");
    deleted(&mut app, id, &op);
    assert!(
        app.overlays.is_empty(),
        "the detail of a deleted record closes"
    );
}

#[test]
fn a_saved_answer_closes_the_form_and_refreshes_the_list() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(ch_tab());
    typed(&mut app, "Jeanne");
    app.on_key(ctrl('s'));
    let (id, _) = sent_change(&mut app);
    let mut fresh = individus();
    fresh.push(
        serde_json::from_value(
            json!({"individu": {"id": 4, "nomInd": "MBALLA", "prenomInd": "Jeanne"}}),
        )
        .unwrap(),
    );
    saved(
        &mut app,
        id,
        Saved::Individus {
            message: "Individu créé".into(),
            individus: fresh,
        },
    );
    assert!(app.overlays.is_empty());
    assert_eq!(individu_ids(&app), [Some(1), Some(2), Some(3), Some(4)]);
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("Individu créé"),
        "{:?}",
        app.status.notice
    );
    assert!(!app.busy());
}

#[test]
fn an_edit_answer_refreshes_the_open_detail() {
    let mut app = individus_tab();
    select_individu(&mut app, 2);
    app.on_key(key(KeyCode::Enter));
    app.on_key(ch('e'));
    tab_to(&mut app, "individu.prenomInd");
    typed(&mut app, "-Marie");
    app.on_key(ctrl('s'));
    let (id, _) = sent_change(&mut app);
    let mut fresh = individus();
    fresh[1].set("individu.prenomInd", json!("Aline-Marie"));
    saved(
        &mut app,
        id,
        Saved::Individus {
            message: String::new(),
            individus: fresh,
        },
    );
    let DetailTarget::Individu(i) = &detail(&app).target else {
        panic!("not the individu detail");
    };
    assert_eq!(i.prenom(), "Aline-Marie");
}

#[test]
fn an_error_answer_keeps_every_typed_character() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    let typed_values = [
        ("individu.nomInd", "MBALLA"),
        ("individu.prenomInd", "Jeanne"),
        ("individu.gsm", "+237 677 12 34 56"),
        ("utilisateur.loginUti", "jmballa"),
        ("propSpecifiqueDTO.categoriePermis", "B, D"),
        ("propSpecifiqueDTO.dateFCO", "2031-04-01"),
        ("vehicleFieldsDTO.marque", "Toyota"),
    ];
    app.on_key(ctrl('o'));
    for (k, v) in typed_values {
        tab_to(&mut app, k);
        typed(&mut app, v);
    }
    let before: Vec<String> = form(&app).fields.iter().map(|f| f.value()).collect();
    app.on_key(ctrl('s'));
    let (id, _) = sent_change(&mut app);
    fail(
        &mut app,
        id,
        ApiError::BadRequest("propSpecifiqueDTO.dateFCO: must be in the past".into()),
    );
    let f = form(&app);
    assert_eq!(f.pending, None);
    let after: Vec<String> = f.fields.iter().map(|f| f.value()).collect();
    assert_eq!(before, after);
    for (k, v) in typed_values {
        assert_eq!(value(&app, k), v);
    }
    // The 400 names its field: the words go under it, the focus too.
    let under = field_error(&app, "propSpecifiqueDTO.dateFCO").unwrap_or_default();
    assert!(under.contains("must be in the past"), "{under:?}");
    assert_eq!(focused(&app), "propSpecifiqueDTO.dateFCO");
    assert!(
        form(&app).error.is_some(),
        "the form says something went wrong"
    );
    // And it can be sent again.
    app.on_key(ctrl('s'));
    assert!(matches!(
        sent_change(&mut app).1.created(),
        Some(Create::Individu { .. })
    ));
}

// ---- Maarch directory ------------------------------------------------------------------------

#[test]
fn shift_u_switches_the_users_tab_to_maarch_once() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    assert_eq!(app.lists.users_dir, Service::Core);
    app.on_key(ch('U'));
    assert_eq!(app.lists.users_dir, Service::Maarch);
    assert_eq!(app.tab, Tab::Users);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::MaarchUsers)]), "{reqs:?}");
    ok(&mut app, reqs[0].0, Payload::MaarchUsers(maarch_users()));
    assert_eq!(app.lists.maarch_users.len(), 3);
    // Back and forth: both directories are known, nothing asked.
    app.on_key(ch('U'));
    assert_eq!(app.lists.users_dir, Service::Core);
    app.on_key(ch('U'));
    assert!(app.take_requests().is_empty());
}

/// `g` before the groups came: it says it reads them, then the picker opens by itself once
/// they land (if the user is still on that detail); not after they moved on.
#[test]
fn a_group_asked_before_the_catalogue_opens_once_it_lands() {
    let catalogue = || Payload::MaarchCatalogue {
        groups: vec![("ELU".into(), "Elu".into())],
        entities: vec![("DGS".into(), "DGS".into())],
    };
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let det = only(&reqs, |r| matches!(r, Request::MaarchDetails(9)));
    let cat = only(&reqs, |r| matches!(r, Request::MaarchCatalogue));
    ok(&mut app, det, Payload::MaarchDetails(9, maarch_details(9)));
    app.on_key(ch('g'));
    assert!(
        app.status
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("Reading")
    );
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail(_))));
    ok(&mut app, cat, catalogue());
    let f = form(&app);
    assert!(f.title().contains("group"), "{}", f.title());

    // Moved on before the catalogue came: nothing opens over what they do now.
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let det = only(&reqs, |r| matches!(r, Request::MaarchDetails(9)));
    let cat = only(&reqs, |r| matches!(r, Request::MaarchCatalogue));
    ok(&mut app, det, Payload::MaarchDetails(9, maarch_details(9)));
    app.on_key(ch('t'));
    app.on_key(key(KeyCode::Esc));
    // Another user opened meanwhile (the catalogue is still on its way: not asked again).
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let det = only(&reqs, |r| matches!(r, Request::MaarchDetails(_)));
    let uid = match &reqs[0].1 {
        Request::MaarchDetails(u) => *u,
        _ => unreachable!(),
    };
    ok(
        &mut app,
        det,
        Payload::MaarchDetails(uid, maarch_details(uid)),
    );
    ok(&mut app, cat, catalogue());
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Detail(_))),
        "no picker for a user who never asked"
    );
}

#[test]
fn enter_on_a_maarch_user_reads_details_and_catalogue() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let det = only(&reqs, |r| matches!(r, Request::MaarchDetails(9)));
    let cat = only(&reqs, |r| matches!(r, Request::MaarchCatalogue));
    assert!(!detail(&app).loaded);
    ok(&mut app, det, Payload::MaarchDetails(9, maarch_details(9)));
    ok(
        &mut app,
        cat,
        Payload::MaarchCatalogue {
            groups: vec![
                ("AGENT".into(), "Agent".into()),
                ("ELU".into(), "Elu".into()),
            ],
            entities: vec![("DGS".into(), "DGS".into())],
        },
    );
    let d = detail(&app);
    assert!(d.loaded);
    let DetailTarget::MaarchUser(u) = &d.target else {
        panic!("not a Maarch user");
    };
    assert_eq!(u.groups[0].group_id, "AGENT");
    assert_eq!(u.entities[0].entity_id, "DGS");
    assert_eq!(u.parapheur_id, Some(19));
    assert!(app.lists.catalogue.is_some());

    // A second user: the catalogue is not asked again.
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    assert!(
        matches!(reqs[..], [(_, Request::MaarchDetails(21))]),
        "{reqs:?}"
    );
}

#[test]
fn g_offers_only_missing_groups_and_adds_one() {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('g'));
    let f = form(&app);
    assert_eq!(f.kind, FormKind::AddGroup);
    let vigie::app::form::FieldKind::Choice { options, .. } = &f.fields[0].kind else {
        panic!("not a choice");
    };
    let ids: Vec<&str> = options.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(ids, ["ELU"], "AGENT is already the user's");

    // Nothing picked: nothing sent.
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    typed(&mut app, "elu");
    app.on_key(ctrl('s'));
    let (id, m) = sent_change(&mut app);
    assert_eq!(m.id, "9");
    assert_eq!(m.wanted("group:ELU"), Some(&json!({})), "{m:?}");
    let mut after = maarch_details(9).unwrap();
    after
        .groups
        .push(serde_json::from_value(json!({"group_id": "ELU", "group_desc": "Elu"})).unwrap());
    saved(
        &mut app,
        id,
        Saved::MaarchUser(after, "bboule added to group ELU".into()),
    );
    let DetailTarget::MaarchUser(u) = &detail(&app).target else {
        panic!("not a Maarch user");
    };
    assert_eq!(u.groups.len(), 2, "the detail shows the new group");
}

#[test]
fn t_adds_an_entity_the_user_lacks() {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('t'));
    assert_eq!(form(&app).kind, FormKind::AddEntity);
    app.on_key(key(KeyCode::Right));
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    assert_eq!(m.id, "9");
    assert_eq!(m.wanted("entity:PJS"), Some(&json!({})), "{m:?}");
}

#[test]
fn x_removes_the_selected_group_or_entity_after_confirmation() {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    assert_eq!(detail(&app).cursor, 0);
    app.on_key(ch('x'));
    let Some(Overlay::Confirm(c)) = app.overlays.last() else {
        panic!("no confirmation");
    };
    assert!(c.message.contains("AGENT"), "{}", c.message);
    assert!(app.take_requests().is_empty());
    app.on_key(ch('y'));
    let (id, op) = sent_change(&mut app);
    assert_eq!(op.id, "9");
    assert_eq!(op.wanted("group:AGENT"), Some(&json!(null)), "{op:?}");
    // The change room reads the user back: the detail shows what the server holds.
    let mut after = maarch_details(9).unwrap();
    after.groups.clear();
    saved(
        &mut app,
        id,
        Saved::MaarchUser(after, "bboule removed from group AGENT".into()),
    );
    let DetailTarget::MaarchUser(u) = &detail(&app).target else {
        panic!("the detail stays");
    };
    assert!(u.groups.is_empty(), "the detail shows the group gone");

    // j moves to the entity; x then removes it.
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('j'));
    assert_eq!(detail(&app).cursor, 1);
    app.on_key(ch('j'));
    assert_eq!(detail(&app).cursor, 1, "the cursor stops on the last line");
    app.on_key(ch('x'));
    app.on_key(ch('y'));
    let (_, op) = sent_change(&mut app);
    assert_eq!(op.wanted("entity:DGS"), Some(&json!(null)), "{op:?}");
}

#[test]
fn l_links_and_shift_u_unlinks_parapheur() {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 21);
    app.on_key(ch('l'));
    assert_eq!(form(&app).kind, FormKind::ParapheurLink);
    typed(&mut app, "x");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty(), "not an id");
    app.on_key(key(KeyCode::Backspace));
    typed(&mut app, "42");
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    assert!(
        matches!(
            m.action_sent(),
            Some(Action::LinkParapheur {
                user: 21,
                parapheur_id: 42
            })
        ),
        "{m:?}"
    );

    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('U'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Confirm(_))));
    assert!(app.take_requests().is_empty());
    app.on_key(ch('y'));
    let (_, op) = sent_change(&mut app);
    assert!(
        matches!(op.action_sent(), Some(Action::UnlinkParapheur(9))),
        "{op:?}"
    );
}

#[test]
fn c_creates_in_parapheur_with_the_login_suggested() {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 21);
    app.on_key(ch('c'));
    assert_eq!(form(&app).kind, FormKind::ParapheurCreate);
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    assert!(
        matches!(m.action_sent(), Some(Action::CreateInParapheur { user: 21, login }) if login == "bwayne"),
        "{m:?}"
    );
}

#[test]
fn d_on_a_maarch_user_only_explains() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(ch('d'));
    assert!(app.take_requests().is_empty());
    assert!(app.overlays.is_empty());
    let n = app.status.notice.clone().unwrap_or_default();
    assert!(n.contains("Maarch users are not deleted"), "{n}");
}

// ---- Ocean account ---------------------------------------------------------------------------

#[test]
fn at_opens_the_account_screen_and_reads_rights_and_outbox() {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('@'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Account(_))));
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let action = only(
        &reqs,
        |r| matches!(r, Request::Functionalities(t) if t == "ACTION"),
    );
    let outbox = only(&reqs, |r| matches!(r, Request::Outbox));

    // → before the answer: the next type is asked, the late ACTION answer is dropped.
    app.on_key(key(KeyCode::Right));
    assert_eq!(account(&app).element_type, 1);
    let reqs = app.take_requests();
    let onglet = only(
        &reqs,
        |r| matches!(r, Request::Functionalities(t) if t == "ONGLET"),
    );
    ok(
        &mut app,
        action,
        Payload::Functionalities("ACTION".into(), functionalities()),
    );
    assert!(
        account(&app).functionalities.is_empty(),
        "stale answer shown"
    );
    ok(
        &mut app,
        onglet,
        Payload::Functionalities("ONGLET".into(), functionalities()),
    );
    assert_eq!(account(&app).functionalities.len(), 3);
    ok(&mut app, outbox, Payload::Outbox(Some(outbox_mails())));
    assert_eq!(account(&app).outbox, Some(Some(outbox_mails())));

    // ← goes back (and wraps).
    app.on_key(key(KeyCode::Left));
    app.on_key(key(KeyCode::Left));
    assert_eq!(account(&app).element_type, 4);
    let reqs = app.take_requests();
    only(
        &reqs,
        |r| matches!(r, Request::Functionalities(t) if t == "WS"),
    );

    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    assert!(!app.quit);
}

#[test]
fn change_password_checks_the_confirmation_before_sending() {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('@'));
    app.take_requests();
    app.on_key(ch('p'));
    assert_eq!(form(&app).kind, FormKind::ChangePassword);
    typed(&mut app, "old-secret");
    app.on_key(ch_tab());
    typed(&mut app, "new-secret-1");
    app.on_key(ch_tab());
    typed(&mut app, "new-secret-2");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    assert_eq!(
        field_error(&app, "newPasswordConfirmed").as_deref(),
        Some("The two new passwords differ")
    );
    assert_eq!(field_error(&app, "newPassword"), None);
    assert_eq!(focused(&app), "newPasswordConfirmed");

    app.on_key(key(KeyCode::Backspace));
    typed(&mut app, "1");
    app.on_key(ctrl('s'));
    let (id, m) = sent_change(&mut app);
    let Some(Action::ChangePassword {
        actual,
        new,
        confirmed,
        in_url,
    }) = m.action_sent().cloned()
    else {
        panic!("{m:?}");
    };
    assert!(
        !in_url,
        "passwords go in a body unless the user agreed otherwise"
    );
    assert_eq!(actual.expose_secret(), "old-secret");
    assert_eq!(new.expose_secret(), "new-secret-1");
    assert_eq!(confirmed.expose_secret(), "new-secret-1");
    saved(&mut app, id, Saved::Account("Password changed".into()));
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Account(_))),
        "back on the account screen"
    );
    assert_eq!(app.status.notice.as_deref(), Some("Password changed"));
}

#[test]
fn account_answers_arriving_under_a_form_are_kept() {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('@'));
    let reqs = app.take_requests();
    // p before the rights came back: the answers arrive while the form is on top.
    app.on_key(ch('p'));
    assert_eq!(form(&app).kind, FormKind::ChangePassword);
    for (id, r) in reqs {
        match r {
            Request::Functionalities(t) => {
                ok(&mut app, id, Payload::Functionalities(t, functionalities()))
            }
            Request::Outbox => ok(&mut app, id, Payload::Outbox(Some(outbox_mails()))),
            other => panic!("{other:?}"),
        }
    }
    app.on_key(key(KeyCode::Esc));
    let a = account(&app);
    assert_eq!(
        (a.pending, a.functionalities.len(), a.outbox.is_some()),
        (None, 3, true),
        "the account screen stays on 'Reading…' with nothing asked any more"
    );
}

#[test]
fn shift_r_opens_the_reset_form_with_the_ocean_login() {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('@'));
    app.take_requests();
    app.on_key(ch('R'));
    assert_eq!(form(&app).kind, FormKind::PasswordReset);
    assert_eq!(value(&app, "login"), "jdupont");
    app.on_key(ctrl('s'));
    let m = sent_change(&mut app).1;
    assert!(
        matches!(m.action_sent(), Some(Action::PasswordReset { login, url: None }) if login == "jdupont"),
        "{m:?}"
    );
}

#[test]
fn palette_reaches_the_ocean_and_maarch_screens() {
    let mut app = loaded_session(ocean_session("admin"));
    for (cmd, check) in [
        ("individus", 0),
        ("maarch users", 1),
        ("account", 2),
        ("change password", 3),
        ("password reset", 4),
    ] {
        app.overlays.clear();
        app.on_key(ch(':'));
        typed(&mut app, cmd);
        app.on_key(key(KeyCode::Enter));
        match check {
            0 => assert_eq!(app.tab, Tab::Individus),
            1 => assert!(app.tab == Tab::Users && app.lists.users_dir == Service::Maarch),
            2 => assert!(matches!(app.overlays.last(), Some(Overlay::Account(_)))),
            3 => assert_eq!(form(&app).kind, FormKind::ChangePassword),
            _ => assert_eq!(form(&app).kind, FormKind::PasswordReset),
        }
        serve_or_drop(&mut app);
    }
}

/// Answers what `serve` knows; drops the account requests it does not.
fn serve_or_drop(app: &mut App) {
    let reqs = app.take_requests();
    for (id, r) in reqs {
        match r {
            Request::Functionalities(t) => ok(app, id, Payload::Functionalities(t, vec![])),
            Request::Outbox => ok(app, id, Payload::Outbox(None)),
            other => {
                app.net.outbox.push((id, other));
                serve(app);
            }
        }
    }
}

// ---- services ----------------------------------------------------------------------------------

#[test]
fn without_ocean_the_individus_tab_asks_nothing_and_explains() {
    let mut app = loaded_session(session_with("admin", &[Service::Core]));
    app.on_key(ch('5'));
    assert_eq!(app.tab, Tab::Individus);
    assert!(app.take_requests().is_empty());
    app.on_key(ch('r'));
    let reqs = app.take_requests();
    assert!(
        reqs.iter().all(|(_, r)| r.service() == Service::Core),
        "{reqs:?}"
    );
    serve(&mut app);
    app.on_key(ch('n'));
    assert!(app.overlays.is_empty());
    let n = app.status.notice.clone().unwrap_or_default();
    assert!(
        n.contains("Ocean is not configured for profile prod"),
        "{n}"
    );
    app.on_key(ch('@'));
    assert!(app.overlays.is_empty());
    assert!(app.take_requests().is_empty());
    // Nor Maarch: u asks nothing.
    app.on_key(ch('3'));
    serve(&mut app);
    app.on_key(ch('U'));
    assert_eq!(app.lists.users_dir, Service::Maarch);
    assert!(app.take_requests().is_empty());
}

#[test]
fn an_ocean_only_profile_starts_on_individus_and_never_asks_core() {
    let mut app = App::new(session_with("admin", &[Service::Ocean]));
    assert_eq!(app.tab, Tab::Individus);
    app.start(true);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::Individus)]), "{reqs:?}");
    ok(&mut app, reqs[0].0, Payload::Individus(individus()));
    let mut all = Vec::new();
    for k in ['1', '2', '4', '3', 'u', 'r', '5', 'r'] {
        app.on_key(ch(k));
        all.extend(app.take_requests());
    }
    for _ in 0..5 {
        app.on_key(ch_tab());
        app.on_key(ch('r'));
        all.extend(app.take_requests());
    }
    app.on_key(ch('@'));
    all.extend(app.take_requests());
    assert!(
        all.iter().all(|(_, r)| r.service() == Service::Ocean),
        "{all:?}"
    );
    assert!(!all.is_empty());
}

#[test]
fn a_maarch_only_profile_starts_on_maarch_users() {
    let mut app = App::new(session_with("admin", &[Service::Maarch]));
    assert_eq!(
        (app.tab, app.lists.users_dir),
        (Tab::Users, Service::Maarch)
    );
    app.start(true);
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::MaarchUsers)]), "{reqs:?}");
    app.on_key(ch('u'));
    app.on_key(ch('5'));
    app.on_key(ch('n'));
    assert!(app.take_requests().is_empty());
    assert!(app.overlays.is_empty());
}

#[test]
fn unauthorized_ocean_opens_an_ocean_login_and_esc_keeps_the_console() {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    let reqs = app.take_requests();
    fail(
        &mut app,
        reqs[0].0,
        ApiError::Unauthorized("token expired".into()),
    );
    let l = login(&app);
    assert_eq!(l.service, Service::Ocean);
    assert!(l.error.as_deref().unwrap_or_default().contains("401"));
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    assert!(!app.quit, "Esc on a service login must not quit");
}

#[test]
fn logging_in_to_ocean_asks_the_individus_again() {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    let reqs = app.take_requests();
    fail(
        &mut app,
        reqs[0].0,
        ApiError::Unauthorized("no token".into()),
    );
    assert_eq!(login(&app).focus, 0, "no known login: focus on it");
    typed(&mut app, "jdupont");
    app.on_key(key(KeyCode::Enter));
    typed(&mut app, "s3cret");
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let (id, user) = match &reqs[..] {
        [
            (
                id,
                Request::Login {
                    service: Service::Ocean,
                    username,
                    password,
                },
            ),
        ] => {
            assert_eq!(password.expose_secret(), "s3cret");
            (*id, username.clone())
        }
        _ => panic!("{reqs:?}"),
    };
    assert_eq!(user, "jdupont");
    assert_eq!(
        app.session.user.as_deref(),
        Some("admin@vigie.local"),
        "the core user is untouched"
    );
    ok(
        &mut app,
        id,
        Payload::ServiceLoggedIn(Service::Ocean, "jdupont".into()),
    );
    assert!(app.overlays.is_empty());
    assert_eq!(app.session.ocean_user.as_deref(), Some("jdupont"));
    let reqs = app.take_requests();
    assert!(matches!(reqs[..], [(_, Request::Individus)]), "{reqs:?}");
    ok(&mut app, reqs[0].0, Payload::Individus(individus()));
    assert_eq!(app.lists.individus.len(), 3);
}

#[test]
fn unauthorized_maarch_opens_a_maarch_login() {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    app.on_key(ch('U'));
    let reqs = app.take_requests();
    fail(&mut app, reqs[0].0, ApiError::Unauthorized("bad".into()));
    assert_eq!(login(&app).service, Service::Maarch);
    app.on_key(key(KeyCode::Esc));
    assert!(!app.quit);
}

/// Logs in to `service` through the login overlay on top and answers it.
fn log_in(app: &mut App, service: Service, user: &str) {
    assert_eq!(login(app).service, service);
    if login(app).focus == 0 {
        typed(app, user);
        app.on_key(key(KeyCode::Enter));
    }
    typed(app, "pw");
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let id = only(&reqs, |r| matches!(r, Request::Login { .. }));
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    ok(app, id, Payload::ServiceLoggedIn(service, user.into()));
}

#[test]
fn a_maarch_login_reads_the_open_detail_again() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    for (id, _) in &reqs {
        fail(
            &mut app,
            *id,
            ApiError::Unauthorized("token expired".into()),
        );
    }
    assert!(!detail_below_login(&app).loaded);
    log_in(&mut app, Service::Maarch, "bblanc");
    assert!(matches!(app.overlays.last(), Some(Overlay::Detail(_))));
    // What waited for this login is asked again: the user's details (and the pickers' lists).
    let reqs = app.take_requests();
    assert!(
        reqs.iter()
            .any(|(_, r)| matches!(r, Request::MaarchDetails(9))),
        "the open detail stays on 'Reading groups and entities…' for ever: {reqs:?}"
    );
}

fn detail_below_login(app: &App) -> &vigie::app::Detail {
    app.overlays
        .iter()
        .rev()
        .find_map(|o| match o {
            Overlay::Detail(d) => Some(d.as_ref()),
            _ => None,
        })
        .expect("a detail")
}

#[test]
fn an_ocean_login_reads_the_account_screen_again() {
    let mut app = loaded("admin");
    app.on_key(ch('@'));
    let reqs = app.take_requests();
    for (id, _) in &reqs {
        fail(
            &mut app,
            *id,
            ApiError::Unauthorized("token expired".into()),
        );
    }
    log_in(&mut app, Service::Ocean, "jdupont");
    assert!(matches!(app.overlays.last(), Some(Overlay::Account(_))));
    let reqs = app.take_requests();
    only(
        &reqs,
        |r| matches!(r, Request::Functionalities(t) if t == "ACTION"),
    );
    only(&reqs, |r| matches!(r, Request::Outbox));
    assert_eq!(app.session.ocean_user.as_deref(), Some("jdupont"));
    assert!(
        account(&app).pending.is_some(),
        "the account screen waits for the new answer"
    );
}

#[test]
fn an_ocean_login_during_a_save_keeps_the_form() {
    let mut app = individus_tab();
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(ch_tab());
    typed(&mut app, "Jeanne");
    app.on_key(ctrl('s'));
    let (id, _) = sent_change(&mut app);
    fail(&mut app, id, ApiError::Unauthorized("token expired".into()));
    log_in(&mut app, Service::Ocean, "jdupont");
    assert_eq!(form(&app).kind, FormKind::Individu);
    assert_eq!(value(&app, "individu.nomInd"), "MBALLA");
    assert_eq!(value(&app, "individu.prenomInd"), "Jeanne");
    assert_eq!(form(&app).pending, None, "Ctrl-S can send it again");
    app.take_requests();
    app.on_key(ctrl('s'));
    assert!(matches!(
        sent_change(&mut app).1.created(),
        Some(Create::Individu { .. })
    ));
}

#[test]
fn a_wrong_ocean_password_stays_in_the_login() {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    let reqs = app.take_requests();
    fail(
        &mut app,
        reqs[0].0,
        ApiError::Unauthorized("no token".into()),
    );
    typed(&mut app, "jdupont");
    app.on_key(key(KeyCode::Enter));
    typed(&mut app, "wrong");
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    fail(
        &mut app,
        reqs[0].0,
        ApiError::Unauthorized("bad credentials".into()),
    );
    let l = login(&app);
    assert_eq!(l.service, Service::Ocean);
    assert_eq!(l.pending, None);
    assert!(
        l.error
            .as_deref()
            .unwrap_or_default()
            .contains("bad credentials")
    );
    assert_eq!(
        app.overlays
            .iter()
            .filter(|o| matches!(o, Overlay::Login(_)))
            .count(),
        1,
        "one login, not a second on top"
    );
}

// ---- read-only ---------------------------------------------------------------------------------

#[test]
fn read_only_refuses_individu_changes() {
    let mut app = loaded_session(read_only_session());
    app.on_key(ch('5'));
    serve(&mut app);
    assert_eq!(app.lists.individus.len(), 3);
    for k in ['n', 'e', 'a', 'd'] {
        app.status.notice = None;
        app.on_key(ch(k));
        assert!(app.overlays.is_empty(), "{k} opened something");
        assert!(app.take_requests().is_empty(), "{k} sent a request");
        assert!(
            read_only_notice(&app).contains("READ-ONLY"),
            "{k}: {:?}",
            app.status.notice
        );
    }
    // Same in the detail.
    app.on_key(key(KeyCode::Enter));
    for k in ['e', 'a', 'd'] {
        app.on_key(ch(k));
        assert_eq!(app.overlays.len(), 1, "{k} opened something");
        assert!(app.take_requests().is_empty());
        assert!(read_only_notice(&app).contains("READ-ONLY"), "{k}");
    }
    // Account changes too.
    app.overlays.clear();
    app.on_key(ch('@'));
    app.take_requests();
    for k in ['p', 'R'] {
        app.on_key(ch(k));
        assert!(
            matches!(app.overlays.last(), Some(Overlay::Account(_))),
            "{k}"
        );
        assert!(read_only_notice(&app).contains("READ-ONLY"), "{k}");
    }
}

#[test]
fn read_only_refuses_maarch_changes() {
    let app = maarch_tab_of(loaded_session(read_only_session()));
    let mut app = maarch_detail_of(app, 9);
    for k in ['e', 'g', 't', 'x', 'l', 'c', 'U'] {
        app.status.notice = None;
        app.on_key(ch(k));
        assert_eq!(app.overlays.len(), 1, "{k} opened something");
        assert!(app.take_requests().is_empty(), "{k} sent a request");
        assert!(
            read_only_notice(&app).contains("READ-ONLY"),
            "{k}: {:?}",
            app.status.notice
        );
    }
    app.on_key(key(KeyCode::Delete));
    assert_eq!(app.overlays.len(), 1);
    // Reading is still allowed.
    app.on_key(ch('s'));
    let reqs = app.take_requests();
    assert!(
        matches!(reqs[..], [(_, Request::ParapheurStatus(9))]),
        "{reqs:?}"
    );
}

// ---- rendering ---------------------------------------------------------------------------------

/// The Individus list, EKANI selected.
fn individus_list() -> App {
    individus_tab()
}

/// EKANI's detail; its dates in the machine's zone so the snapshot does not depend on it.
fn individu_detail() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    let reqs = app.take_requests();
    let mut list = individus();
    list[0].set(
        "propSpecifiqueDTO.dateValiditePermis",
        json!(local_iso(2030, 1, 31)),
    );
    list[0].set("periodeEntite.startDate", json!(local_iso(2024, 3, 1)));
    list[0].set("vehicleFieldsDTO.immatriculation", json!("LT 777 AA"));
    list[0].set("vehicleFieldsDTO.marque", json!("Toyota"));
    list[0].set("groupe.descriptionGrp", json!("Chauffeurs"));
    ok(&mut app, reqs[0].0, Payload::Individus(list));
    app.on_key(key(KeyCode::Enter));
    app
}

/// A new individu, folded, the focus on Prénom.
fn individu_form_folded() -> App {
    individu_form()
}

/// The same unfolded, the focus on a vehicle field.
fn individu_form_unfolded() -> App {
    let mut app = individu_form();
    app.on_key(ctrl('o'));
    tab_to(&mut app, "vehicleFieldsDTO.marque");
    typed(&mut app, "Toyota");
    app
}

/// Assigning EKANI from a fixed start to an impossible end.
fn assign_entity_error() -> App {
    let mut app = individus_tab();
    app.on_key(ch('a'));
    tab_to(&mut app, "startDate");
    app.on_key(ctrl('u'));
    typed(&mut app, "2025-09-01");
    app.on_key(ch_tab());
    typed(&mut app, "2025-13-45");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    app
}

fn maarch_users_list() -> App {
    maarch_tab_of(loaded("admin"))
}

/// bboule's detail, the cursor on its entity.
fn maarch_user_detail() -> App {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('j'));
    app
}

fn group_picker() -> App {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 9);
    app.on_key(ch('g'));
    app
}

fn parapheur_link_form() -> App {
    let mut app = maarch_detail_of(maarch_tab_of(loaded("admin")), 21);
    app.on_key(ch('l'));
    typed(&mut app, "42");
    app
}

/// bwayne edited on a server that hid his phone: his first name changed, Ctrl-S asks before
/// the save would erase the phone.
fn maarch_form_asks_before_erasing() -> App {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(ch('g'));
    while app.lists.maarch_users.selected_item().map(|u| u.id) != Some(21) {
        app.on_key(ch('j'));
    }
    app.on_key(ch('e'));
    let reqs = app.take_requests();
    let read = only(&reqs, |r| matches!(r, Request::MaarchDetails(21)));
    let mut d = maarch_details(21).unwrap();
    d.user.phone = None;
    d.user.initials = Some("BW".into());
    d.user.unseen = vec!["phone".into()];
    ok(&mut app, read, Payload::MaarchDetails(21, Some(d)));
    app.on_key(key(KeyCode::End));
    typed(&mut app, "-Jr");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty(), "asked, not sent");
    app
}

/// The details read to edit a Maarch user: asked once however often `e` is pressed, and an
/// answer arriving after the user moved on opens nothing.
#[test]
fn a_maarch_edit_waits_for_its_details_once_and_not_after_the_user_left() {
    let mut app = maarch_tab_of(loaded("admin"));
    app.on_key(ch('e'));
    app.on_key(ch('e'));
    let reqs = app.take_requests();
    assert_eq!(reqs.len(), 1, "asked once: {reqs:?}");
    let (id, Request::MaarchDetails(uid)) = &reqs[0] else {
        panic!("{reqs:?}");
    };
    // The user goes to another tab, then the answer comes.
    app.on_key(ch('1'));
    serve(&mut app);
    ok(
        &mut app,
        *id,
        Payload::MaarchDetails(*uid, maarch_details(*uid)),
    );
    assert!(
        !app.overlays.iter().any(|o| matches!(o, Overlay::Form(_))),
        "no form over what the user does now"
    );
    // Back on the tab, `e` asks again and the form opens with the answer.
    app.on_key(ch('3'));
    serve(&mut app);
    app.on_key(ch('e'));
    let reqs = app.take_requests();
    let read = only(&reqs, |r| matches!(r, Request::MaarchDetails(_)));
    let Request::MaarchDetails(uid) = reqs.iter().find(|(i, _)| *i == read).unwrap().1 else {
        unreachable!()
    };
    ok(
        &mut app,
        read,
        Payload::MaarchDetails(uid, maarch_details(uid)),
    );
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Form(f)) if f.kind == FormKind::MaarchUser)
    );
}

fn account_screen() -> App {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('@'));
    let reqs = app.take_requests();
    for (id, r) in reqs {
        match r {
            Request::Functionalities(t) => {
                ok(&mut app, id, Payload::Functionalities(t, functionalities()))
            }
            Request::Outbox => ok(&mut app, id, Payload::Outbox(Some(outbox_mails()))),
            other => panic!("{other:?}"),
        }
    }
    assert!(!app.busy());
    app
}

fn change_password_mismatch() -> App {
    let mut app = account_screen();
    app.on_key(ch('p'));
    typed(&mut app, "old-secret");
    app.on_key(ch_tab());
    typed(&mut app, "new-secret-1");
    app.on_key(ch_tab());
    typed(&mut app, "new-secret-2");
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    app
}

fn individus_not_configured() -> App {
    let mut app = loaded_session(session_with("admin", &[Service::Core]));
    app.on_key(ch('5'));
    assert!(app.take_requests().is_empty());
    app
}

/// The Ocean token expired while reading the individus: the Ocean login, its login known.
fn ocean_login() -> App {
    let mut app = loaded_session(ocean_session("admin"));
    app.on_key(ch('5'));
    let reqs = app.take_requests();
    fail(
        &mut app,
        reqs[0].0,
        ApiError::Unauthorized("token expired".into()),
    );
    typed(&mut app, "pw");
    app
}

const SCREENS: &[(&str, Screen)] = &[
    ("individus_list", individus_list),
    ("individu_detail", individu_detail),
    ("individu_form_folded", individu_form_folded),
    ("individu_form_unfolded", individu_form_unfolded),
    ("assign_entity_error", assign_entity_error),
    ("maarch_users_list", maarch_users_list),
    ("maarch_user_detail", maarch_user_detail),
    ("group_picker", group_picker),
    ("parapheur_link_form", parapheur_link_form),
    (
        "maarch_form_asks_before_erasing",
        maarch_form_asks_before_erasing,
    ),
    ("account_screen", account_screen),
    ("change_password_mismatch", change_password_mismatch),
    ("individus_not_configured", individus_not_configured),
    ("ocean_login", ocean_login),
];

/// English at a roomy and a cramped size, then French at the roomy one.
fn snapshot(name: &str, build: Screen) {
    use vigie::i18n::{Lang, set_thread_lang};
    set_thread_lang(Some(Lang::En));
    for (w, h) in [(120, 35), (60, 20)] {
        let terminal = render(build, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
    set_thread_lang(Some(Lang::Fr));
    let terminal = render(build, 120, 35);
    set_thread_lang(None);
    insta::assert_snapshot!(format!("{name}_fr_120x35"), terminal.backend());
}

/// The whole screen as plain text, box sides removed and spaces collapsed.
fn flat(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn render_individus_list() {
    snapshot("individus_list", individus_list);
}

#[test]
fn render_individu_detail() {
    snapshot("individu_detail", individu_detail);
}

#[test]
fn render_individu_form_folded() {
    snapshot("individu_form_folded", individu_form_folded);
}

#[test]
fn render_individu_form_unfolded() {
    snapshot("individu_form_unfolded", individu_form_unfolded);
}

#[test]
fn render_assign_entity_error() {
    snapshot("assign_entity_error", assign_entity_error);
}

#[test]
fn render_maarch_users_list() {
    snapshot("maarch_users_list", maarch_users_list);
}

#[test]
fn render_maarch_user_detail() {
    snapshot("maarch_user_detail", maarch_user_detail);
}

#[test]
fn render_group_picker() {
    snapshot("group_picker", group_picker);
}

#[test]
fn render_parapheur_link_form() {
    snapshot("parapheur_link_form", parapheur_link_form);
}

#[test]
fn render_maarch_form_asks_before_erasing() {
    snapshot(
        "maarch_form_asks_before_erasing",
        maarch_form_asks_before_erasing,
    );
}

#[test]
fn render_account_screen() {
    snapshot("account_screen", account_screen);
}

#[test]
fn render_change_password_mismatch() {
    snapshot("change_password_mismatch", change_password_mismatch);
    // Every password shows the same mask, whatever its length (10 and 12 typed here).
    let screen = flat(&render(change_password_mismatch, 120, 35));
    assert_eq!(screen.matches("•••••••• ").count(), 3, "{screen}");
    assert!(!screen.contains("•••••••••"), "{screen}");
}

#[test]
fn render_individus_not_configured() {
    snapshot("individus_not_configured", individus_not_configured);
}

#[test]
fn render_ocean_login() {
    snapshot("ocean_login", ocean_login);
}

/// What matters on each screen is on it at 120x35, whatever the snapshots say.
#[test]
fn essential_content_is_visible_at_120x35() {
    let cases: &[(Screen, &[&str])] = &[
        (
            individus_list,
            &[
                "Individus · Ocean",
                "EKANI",
                "Brice",
                "Agence Douala",
                "TCHOUA",
                "3 items",
            ],
        ),
        (
            individu_detail,
            &[
                "Individu Brice EKANI",
                "Agence Douala (id 2)",
                "2030-01-31",
                "from 2024-03-01 (no end)",
                "LT 777 AA · Toyota",
                "B, C",
                "bekani",
            ],
        ),
        (
            individu_form_folded,
            &[
                "New individu",
                "MBALLA",
                "Jeanne",
                "Ctrl-O shows them",
                "Vehicle",
            ],
        ),
        (
            individu_form_unfolded,
            &["── Vehicle", "Toyota", "Ctrl-O folds them again"],
        ),
        (
            assign_entity_error,
            &[
                "Assign to an entity",
                "'2025-13-45' is not a date",
                "2025-09-01",
            ],
        ),
        (
            maarch_users_list,
            &["Users · Maarch Courrier", "bboule", "bwayne", "ddaull"],
        ),
        (
            maarch_user_detail,
            &[
                "Maarch user bboule",
                "AGENT",
                "DGS",
                "Direction Générale des Services (primary)",
                "linked (Parapheur id 19)",
            ],
        ),
        (group_picker, &["Add to a group", "ELU — Elu"]),
        (
            parapheur_link_form,
            &["Link to a Maarch Parapheur user", "42"],
        ),
        (
            account_screen,
            &[
                "My Ocean account · jdupont",
                "CREER_INDIVIDU",
                "Affecter à une entité",
                "brice.ekani@example.cm",
                "ango",
            ],
        ),
        (
            change_password_mismatch,
            &["Change my Ocean password", "The two new passwords differ"],
        ),
        (
            individus_not_configured,
            &[
                "Ocean is not configured for profile prod",
                "[profiles.prod.ocean]",
            ],
        ),
        (ocean_login, &["Log in to Ocean", "jdupont", "••", "401"]),
    ];
    for (build, wanted) in cases {
        let shown = flat(&render(*build, 120, 35));
        for w in *wanted {
            assert!(shown.contains(w), "{w:?} not shown in\n{shown}");
        }
        for secret in ["old-secret", "new-secret", "s3cret"] {
            assert!(!shown.contains(secret), "a password is shown:\n{shown}");
        }
    }
    // The group picker must not offer a group the user has.
    let picker = flat(&render(group_picker, 120, 35));
    assert!(!picker.contains("AGENT — Agent"), "{picker}");
}

/// Every screen draws without panicking down to 20x8, at 40x12, and at odd sizes.
#[test]
fn every_screen_draws_at_any_size() {
    let mut sizes: Vec<(u16, u16)> = Vec::new();
    for w in 20..=30 {
        for h in 8..=12 {
            sizes.push((w, h));
        }
    }
    sizes.extend([
        (40, 12),
        (0, 0),
        (1, 1),
        (19, 7),
        (19, 8),
        (20, 7),
        (21, 60),
        (37, 9),
        (45, 14),
        (89, 13),
        (90, 14),
        (200, 8),
        (300, 100),
    ]);
    for (name, build) in SCREENS {
        for &(w, h) in &sizes {
            let r = std::panic::catch_unwind(|| {
                render(*build, w, h);
            });
            assert!(r.is_ok(), "{name} panicked at {w}x{h}");
        }
    }
}

/// The issue's own steps: Space marks a user and moves on, a filter typed selects its match
/// (not the row whose number the cursor had), Space marks that one: the bulk names the two
/// users meant, never the one under the old cursor position.
#[test]
fn a_filter_selects_its_match_and_space_marks_it() {
    let mut app = maarch_tab_of(loaded("admin"));
    let login = |app: &App| {
        app.lists
            .maarch_users
            .selected_item()
            .map(|u| u.user_id.clone())
    };
    assert_eq!(login(&app).as_deref(), Some("bboule"));
    app.on_key(key(KeyCode::Char(' ')));
    assert_eq!(login(&app).as_deref(), Some("bwayne"), "Space moves on");
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('/'));
    typed(&mut app, "ddaull");
    app.on_key(key(KeyCode::Enter));
    assert_eq!(
        login(&app).as_deref(),
        Some("ddaull"),
        "the match is selected"
    );
    app.on_key(key(KeyCode::Char(' ')));
    let mut marked: Vec<String> = app
        .lists
        .maarch_users
        .marked_rows()
        .iter()
        .map(|u| u.user_id.clone())
        .collect();
    marked.sort();
    assert_eq!(marked, ["bboule", "ddaull"]);
    // Cleared, the filter leaves the selection on the record selected.
    app.on_key(ch('/'));
    for _ in "ddaull".chars() {
        app.on_key(key(KeyCode::Backspace));
    }
    typed(&mut app, "bw");
    app.on_key(key(KeyCode::Enter));
    assert_eq!(login(&app).as_deref(), Some("bwayne"));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.lists.maarch_users.filter, "", "Esc cleared it");
    assert_eq!(
        login(&app).as_deref(),
        Some("bwayne"),
        "still the same user"
    );
}
