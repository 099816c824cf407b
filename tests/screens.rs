//! Screens driven alone through `Harness`: built from their own state, keys in, their state,
//! what they ask of the stack, their hints and their drawing out — no `App`, no server.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use vigie::app::keymap::KeyMap;
use vigie::app::kinds::ListKind;
use vigie::app::view::{Flow, Harness, Msg};
use vigie::app::{ColumnChooser, Effect, Frequency, JournalView, Overlay, RawView};
use vigie::rows::Rows;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// The screen as drawn by `draw`, row by row.
fn drawn(w: u16, h: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(draw).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

fn raw_view(n: usize) -> RawView {
    RawView {
        title: "site LOUM".into(),
        lines: (1..=n).map(|i| format!("line {i}")).collect(),
        scroll: 0,
    }
}

#[test]
fn a_raw_view_scrolls_copies_and_closes_by_itself() {
    let mut h = Harness::new(raw_view(50));
    h.rows = 10;
    h.press(ch('j')).press(ch('j'));
    assert_eq!(h.view.scroll, 2);
    h.press(ch(' '));
    assert_eq!(h.view.scroll, 12, "Space pages down");
    h.press(ch('G'));
    assert_eq!(h.view.scroll, 40, "the last page, not past it");
    h.press(ch('Y'));
    assert!(
        matches!(&h.effects[..], [Effect::Copy { text, .. }] if text.starts_with("line 1\n")),
        "{:?}",
        h.effects
    );
    assert!(!h.closed());
    assert_eq!(
        h.hints(),
        ["j k PgDn PgUp scroll", "Y copy as JSON", "Esc back"]
    );
    let rows = drawn(30, 8, |f| vigie::ui::screens::raw(f, &h.view, f.area()));
    assert!(rows.iter().any(|r| r.contains("line 41")), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("line 1 ")), "{rows:#?}");
    h.press(ch('v'));
    assert!(h.closed(), "v closes what v opened");
}

#[test]
fn a_remapped_key_drives_a_screen_alone() {
    let mut map = BTreeMap::new();
    map.insert("raw.down".to_string(), "n".to_string());
    let mut h = Harness::new(raw_view(50));
    h.keys = KeyMap::from_config(&map).unwrap();
    h.press(ch('j'));
    assert_eq!(h.view.scroll, 0, "j was given away");
    h.press(ch('n'));
    assert_eq!(h.view.scroll, 1);
    assert_eq!(h.hints()[0], "n k PgDn PgUp scroll");
}

#[test]
fn a_frequency_pick_closes_and_asks_the_list_for_that_value() {
    let f = Frequency {
        kind: ListKind::Equipements,
        col: 3,
        column: "Brand",
        rows: vec![("Axis".into(), 7), ("Hanwha".into(), 2)],
        total: 9,
        notes: Vec::new(),
        selected: 0,
    };
    let mut h = Harness::new(f);
    h.press(ch('j')).press(ch('j'));
    assert_eq!(h.view.selected, 1, "stops at the last value");
    let rows = drawn(50, 10, |f| {
        vigie::ui::screens::frequency(f, &h.view, f.area())
    });
    assert!(rows.iter().any(|r| r.contains("Hanwha")), "{rows:#?}");
    h.press(key(KeyCode::Enter));
    match &h.flow {
        Some(Flow::Done(Msg::Pin {
            kind,
            col,
            value,
            rows,
            ..
        })) => {
            assert_eq!(
                (*kind, *col, value.as_str(), *rows),
                (ListKind::Equipements, 3, "Hanwha", 2)
            );
        }
        _ => panic!("Enter pins the value"),
    }
}

#[test]
fn the_column_chooser_keeps_one_column_and_hands_over_its_layout() {
    let c = ColumnChooser {
        kind: ListKind::Sites,
        columns: vec![(0, true), (1, false), (2, false)],
        selected: 0,
    };
    let mut h = Harness::new(c);
    h.press(ch(' '));
    assert!(h.view.columns[0].1, "the last column shown stays");
    assert!(h.notice.is_some());
    h.press(ch('j')).press(ch(' ')).press(ch('K'));
    assert_eq!(h.view.columns, vec![(1, true), (0, true), (2, false)]);
    h.press(key(KeyCode::Enter));
    assert!(matches!(
        &h.flow,
        Some(Flow::Done(Msg::KeepColumns { layout, .. })) if *layout == vec![1, 0]
    ));
}

#[test]
fn the_journal_filters_as_typed_and_opens_an_entry_over_itself() {
    let entry = |seq: u64, label: &str| {
        serde_json::from_value::<vigie::journal::Entry>(serde_json::json!({
            "seq": seq, "at": "2026-12-07T10:00:00+01:00", "who": "admin",
            "service": "core", "kind": "sites", "id": seq.to_string(), "label": label,
            "op": "update", "before": {"name": "A"}, "after": {"name": "B"}
        }))
        .unwrap()
    };
    let mut h = Harness::new(JournalView::new(&[
        entry(1, "site LOUM"),
        entry(2, "site BALI"),
    ]));
    assert_eq!(h.view.shown.len(), 2);
    h.press(ch('/'));
    for c in "bali".chars() {
        h.press(ch(c));
    }
    assert_eq!(
        h.view.shown.len(),
        1,
        "typed text filters, q and j type too"
    );
    h.press(key(KeyCode::Enter));
    assert!(!h.view.filtering);
    let rows = drawn(70, 8, |f| vigie::ui::screens::journal(f, &h.view, f.area()));
    assert!(rows.iter().any(|r| r.contains("BALI")), "{rows:#?}");
    assert!(!rows.iter().any(|r| r.contains("LOUM")), "{rows:#?}");
    h.press(key(KeyCode::Enter));
    match &h.flow {
        Some(Flow::Push(o)) => match o.as_ref() {
            Overlay::Raw(r) => {
                assert!(r.lines.iter().any(|l| l.contains("\"B\"")), "{:?}", r.lines)
            }
            _ => panic!("a raw view opens"),
        },
        _ => panic!("Enter opens the entry's before and after"),
    }
    h.press(key(KeyCode::Esc));
    assert!(!h.closed(), "Esc clears the filter first");
    assert_eq!(h.view.shown.len(), 2);
    h.press(key(KeyCode::Esc));
    assert!(h.closed());
}

#[test]
fn a_draft_offered_back_becomes_its_form_and_says_so_on_a_read_only_profile() {
    let draft = || vigie::app::drafts::Draft {
        saved_at: "10:02".into(),
        server: "http://127.0.0.1:8000".into(),
        version: 1,
        form: vigie::app::form::Form::export("/tmp/x.csv"),
    };
    let mut h = Harness::new(draft());
    h.read_only = true;
    h.press(ch('Y'));
    match &h.flow {
        Some(Flow::Replace(o)) => match o.as_ref() {
            Overlay::Form(f) => assert!(f.error.as_deref().unwrap().contains("10:02")),
            _ => panic!("the form takes the draft's place"),
        },
        _ => panic!("Y restores as y does"),
    }
    assert!(h.notice.as_deref().unwrap().contains("READ-ONLY"));
    assert_eq!(h.hints(), ["y restore", "n discard"]);

    let mut h = Harness::new(draft());
    h.press(ch('z'));
    assert!(!h.closed(), "a key the table does not hold does nothing");
    h.press(key(KeyCode::Esc));
    assert!(h.closed());
    assert_eq!(h.notice.as_deref(), Some("Draft discarded"));
}

#[test]
fn a_row_command_runs_only_once_confirmed() {
    let ask = || vigie::app::RunAsk {
        name: "ping".into(),
        runs: vec![vec!["ping".into(), "-c1".into(), "127.0.0.1".into()]],
        wait: true,
    };
    let mut h = Harness::new(ask());
    h.press(ch('n'));
    assert!(h.closed() && h.effects.is_empty());
    let mut h = Harness::new(ask());
    h.press(key(KeyCode::Enter));
    assert!(
        matches!(&h.effects[..], [Effect::Run { name, runs, wait: true }] if name == "ping" && runs.len() == 1),
        "{:?}",
        h.effects
    );
}

#[test]
fn a_confirmation_sends_its_change_once_and_waits_for_that_answer() {
    use vigie::change::{Change, Kind};
    let ask =
        || vigie::app::Confirm::new("Delete site LOUM?".into(), Change::delete(Kind::Site, "42"));
    let mut h = Harness::new(ask());
    h.press(ch('Y'));
    match &h.flow {
        Some(Flow::Send(c, _)) => assert_eq!((c.kind, c.id.as_str()), (Kind::Site, "42")),
        _ => panic!("y sends the delete"),
    }
    assert_eq!(h.view.pending, Some(1), "it waits for that request");
    h.press(ch('y'));
    assert!(matches!(h.flow, Some(Flow::Stay)), "not sent twice");
    assert_eq!(h.sent, 1);
    assert_eq!(h.hints(), ["y confirm", "n/Esc cancel"]);

    // A site holding equipements is deleted by typing its name: y and n are text there.
    let mut typed = ask();
    typed.typed = Some(("LOUM".into(), tui_input::Input::default()));
    let mut h = Harness::new(typed);
    for c in "LOUN".chars() {
        h.press(ch(c));
    }
    h.press(key(KeyCode::Enter));
    assert!(
        h.view.error.is_some() && h.sent == 0,
        "a wrong name sends nothing"
    );
    h.press(key(KeyCode::Backspace))
        .press(ch('M'))
        .press(key(KeyCode::Enter));
    assert_eq!(h.sent, 1);
    assert_eq!(h.hints(), ["Enter delete", "Esc cancel"]);
}

#[test]
fn a_conflict_takes_a_pick_per_field_before_it_hands_them_over() {
    let row = |key: &str| vigie::app::ConflictRow {
        key: key.into(),
        label: key.into(),
        original: "a".into(),
        theirs: "b".into(),
        mine: "c".into(),
        theirs_value: serde_json::json!("b"),
        keep_mine: None,
    };
    let mut h = Harness::new(vigie::app::Conflict {
        rows: vec![row("name"), row("port")],
        selected: 0,
        resend: None,
    });
    h.press(key(KeyCode::Enter));
    assert!(!h.closed(), "a field without a pick keeps it open");
    assert!(
        h.notice.as_deref().unwrap().contains("t keeps"),
        "{:?}",
        h.notice
    );
    h.press(ch('t')).press(ch('m'));
    h.press(key(KeyCode::Enter));
    match &h.flow {
        Some(Flow::Done(Msg::ConflictClosed { rows, apply, .. })) => {
            assert!(*apply);
            let picks: Vec<_> = rows.iter().map(|r| r.keep_mine).collect();
            assert_eq!(picks, [Some(false), Some(true)]);
        }
        _ => panic!("Enter hands the picks over"),
    }
}

#[test]
fn the_account_screen_reads_its_rights_itself_and_asks_the_console_for_a_password_form() {
    let mut h = Harness::new(vigie::app::Account {
        types: vec!["SITE".into(), "BADGE".into()],
        element_type: 0,
        functionalities: Vec::new(),
        selected: 0,
        pending: None,
        error: None,
        outbox: None,
    });
    h.press(ch('l'));
    let asked: Vec<String> = h.net.outbox.iter().map(|(_, r)| format!("{r:?}")).collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked[0].contains("Functionalities(\"BADGE\")"), "{asked:?}");
    assert_eq!(
        h.view.pending,
        Some(h.net.outbox[0].0),
        "it waits for its rights"
    );
    h.press(ch('p'));
    assert!(matches!(
        h.flow,
        Some(Flow::Then(Msg::Command(
            vigie::app::Command::ChangePassword
        )))
    ));
    assert!(!h.closed());
}

#[test]
fn a_login_sends_once_and_esc_quits_only_when_it_is_all_there_is() {
    let login = |service| vigie::app::Login {
        service,
        username: tui_input::Input::new("admin@vigie.local".into()),
        password: tui_input::Input::default(),
        focus: 1,
        error: None,
        pending: None,
    };
    let mut h = Harness::new(login(vigie::protocol::Service::Core));
    for c in "jq y".chars() {
        h.press(ch(c));
    }
    assert_eq!(
        h.view.password.value(),
        "jq y",
        "every key types in a field"
    );
    h.press(key(KeyCode::Enter));
    assert!(matches!(&h.flow, Some(Flow::Then(Msg::CoreUser(u))) if u == "admin@vigie.local"));
    assert_eq!(h.net.outbox.len(), 1);
    h.press(key(KeyCode::Enter));
    assert_eq!(h.net.outbox.len(), 1, "not sent twice while waiting");
    h.press(key(KeyCode::Esc));
    assert!(
        matches!(h.flow, Some(Flow::Then(Msg::Quit))),
        "the first login quits"
    );

    let mut h = Harness::new(login(vigie::protocol::Service::Ocean));
    h.press(key(KeyCode::Esc));
    assert!(h.closed(), "an Ocean login closes, the console stays");
}

#[test]
fn the_palette_hands_its_line_over_and_every_key_types() {
    let mut h = Harness::new(vigie::app::Palette::default());
    for c in "site jq".chars() {
        h.press(ch(c));
    }
    assert_eq!(h.view.input.value(), "site jq", "j and q type here");
    h.press(key(KeyCode::Down)).press(key(KeyCode::Down));
    assert_eq!(h.view.selected, 2);
    h.press(key(KeyCode::Enter));
    assert!(matches!(
        &h.flow,
        Some(Flow::Done(Msg::RunPalette { line, selected: 2 })) if line == "site jq"
    ));
}

#[test]
fn a_bulk_run_starts_on_y_stops_on_esc_and_filters_its_results() {
    use vigie::app::{BulkJob, BulkRun, Phase};
    let job = |label: &str| BulkJob {
        key: label.into(),
        label: label.into(),
        change: Some(vigie::change::Change::delete(
            vigie::change::Kind::Site,
            label,
        )),
        skip: None,
    };
    let mut h = Harness::new(BulkRun::new(
        "Delete 2 sites?".into(),
        "Deleting".into(),
        ListKind::Sites,
        vec![job("LOUM"), job("BALI")],
        None,
    ));
    assert_eq!(h.hints(), ["y/Enter confirm", "n/Esc cancel"]);
    h.press(ch('y'));
    assert!(
        matches!(h.flow, Some(Flow::Then(Msg::BulkNext))),
        "the console sends the first row"
    );
    assert_eq!(h.view.phase, Phase::Run);
    h.press(key(KeyCode::Esc));
    assert!(
        h.view.stopping && !h.closed(),
        "Esc stops after the request in flight"
    );
    h.view.phase = Phase::Finished;
    h.press(ch('/'));
    for c in "bali".chars() {
        h.press(ch(c));
    }
    assert_eq!(h.view.filter, "bali");
    h.press(key(KeyCode::Enter)).press(key(KeyCode::Esc));
    assert!(
        h.view.filter.is_empty() && !h.closed(),
        "Esc clears the filter first"
    );
    h.press(ch('q'));
    assert!(h.closed());
}

#[test]
fn a_form_types_moves_and_asks_the_console_to_save_and_asks_before_losing_what_was_typed() {
    let mut h = Harness::new(vigie::app::form::Form::export("/tmp/vigie-x.csv"));
    h.press(ch('q'));
    assert!(h.view.dirty(), "q types in a form");
    assert_eq!(h.hints().last().map(String::as_str), Some("Esc cancel"));
    h.press(key(KeyCode::Esc));
    assert!(
        !h.closed() && h.view.confirm_discard,
        "Esc asks before losing what was typed"
    );
    assert_eq!(h.hints()[0], "y discard");
    h.press(ch('n'));
    assert!(!h.view.confirm_discard, "any other key keeps editing");
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    h.press(ctrl_s);
    assert!(matches!(h.flow, Some(Flow::Then(Msg::SaveForm))));

    let mut map = BTreeMap::new();
    map.insert("form.save".to_string(), "f2".to_string());
    h.keys = KeyMap::from_config(&map).unwrap();
    h.press(ctrl_s);
    assert!(
        !matches!(h.flow, Some(Flow::Then(Msg::SaveForm))),
        "Ctrl-S was given away"
    );
    h.press(key(KeyCode::F(2)));
    assert!(
        matches!(h.flow, Some(Flow::Then(Msg::SaveForm))),
        "F2 saves"
    );
    h.press(key(KeyCode::Esc)).press(ch('y'));
    assert!(h.closed());
}

#[test]
fn a_site_detail_moves_marks_and_pages_itself_and_asks_the_console_for_the_rest() {
    use vigie::api::model::{Equipement, SiteSummary};
    use vigie::app::list::Paging;
    use vigie::app::{Detail, DetailTarget};
    let site = SiteSummary {
        site_id: "7".into(),
        ..Default::default()
    };
    let mut d = Detail::new(DetailTarget::Site(site));
    let eq = |ip: &str| Equipement {
        ip: ip.into(),
        ..Default::default()
    };
    d.equipements
        .set_items(vec![eq("10.0.0.1"), eq("10.0.0.2"), eq("10.0.0.3")]);
    d.equipements.paging = Some(Paging {
        page: 1,
        pages: 3,
        size: 50,
        ..Default::default()
    });
    let mut h = Harness::new(d);
    h.press(ch(' '));
    assert_eq!(
        h.view.equipements.marked.len(),
        1,
        "Space marks and moves on"
    );
    assert_eq!(h.view.equipements.selected, 1);
    h.press(ch(']'));
    let asked: Vec<String> = h.net.outbox.iter().map(|(_, r)| format!("{r:?}")).collect();
    assert!(asked[0].contains("page: 2"), "{asked:?}");
    assert_eq!(h.view.equipements.pending, Some(h.net.outbox[0].0));
    h.press(key(KeyCode::Enter));
    assert!(
        matches!(&h.flow, Some(Flow::Then(Msg::OpenDetail(t))) if matches!(**t, DetailTarget::Equipement(ref e) if e.ip == "10.0.0.2"))
    );
    h.press(ch('e'));
    assert!(matches!(
        h.flow,
        Some(Flow::Then(Msg::OnDetail(vigie::app::keymap::Act::Edit)))
    ));
    h.press(ch('p'));
    assert!(h.view.reveal);
    h.press(ch('q'));
    assert!(h.closed());
}

/// `/` filters a site's equipements as on the lists: typed, kept by Enter, cleared by a
/// first Esc before a second one closes the detail.
#[test]
fn a_site_detail_filters_its_equipements() {
    use vigie::api::model::{Equipement, SiteSummary};
    use vigie::app::{Detail, DetailTarget};
    let mut d = Detail::new(DetailTarget::Site(SiteSummary::default()));
    let eq = |ip: &str, brand: &str| Equipement {
        ip: ip.into(),
        marque: brand.into(),
        ..Default::default()
    };
    d.equipements.set_items(vec![
        eq("10.0.0.1", "Axis"),
        eq("10.0.0.2", "Hikvision"),
        eq("10.0.0.3", "Axis"),
    ]);
    let mut h = Harness::new(d);
    h.press(ch('/'));
    for c in "axis".chars() {
        h.press(ch(c));
    }
    assert_eq!(h.view.equipements.len(), 2, "typed, filtered");
    h.press(key(KeyCode::Enter));
    assert!(!h.view.equipements.filtering);
    assert_eq!(h.view.equipements.len(), 2, "Enter keeps it");
    assert!(h.help().iter().any(|(k, _)| k == "/"));
    h.press(key(KeyCode::Esc));
    assert!(!h.closed(), "the first Esc clears the filter");
    assert_eq!(h.view.equipements.len(), 3);
    h.press(key(KeyCode::Esc));
    assert!(h.closed());
}

#[test]
fn the_list_shown_moves_marks_and_filters_itself_and_asks_the_console_for_the_rest() {
    use vigie::api::model::SiteSummary;
    use vigie::app::ListKeys;
    use vigie::app::list::ListView;
    let site = |name: &str| SiteSummary {
        site_id: name.into(),
        name: name.into(),
        ..Default::default()
    };
    let mut sites: ListView<SiteSummary> = ListView::default();
    sites.set_items(vec![site("LOUM"), site("BALI"), site("BONABERI")]);
    let mut h = Harness::new(ListKeys { list: &mut sites });
    h.press(ch(' '));
    assert_eq!(h.view.list.marks(), 1);
    assert_eq!(h.view.list.selected_index(), 1, "Space marks and moves on");
    h.press(ch('G'));
    assert_eq!(h.view.list.selected_index(), 2);
    h.press(ch('/'));
    assert!(matches!(
        h.flow,
        Some(Flow::Then(Msg::OnList(vigie::app::keymap::Act::Filter)))
    ));
    h.view.list.set_filtering(true);
    for c in "bo".chars() {
        h.press(ch(c));
    }
    assert_eq!(h.view.list.filter_text(), "bo", "a filter types every key");
    h.press(key(KeyCode::Esc));
    assert!(!h.view.list.filtering() && h.view.list.filter_text().is_empty());
    h.press(ch('q'));
    assert!(matches!(
        h.flow,
        Some(Flow::Then(Msg::OnList(vigie::app::keymap::Act::Quit)))
    ));
}

#[test]
fn a_hint_worded_by_the_table_follows_the_table() {
    const SHIPPED: &str = include_str!("../assets/keys.toml");
    let edited = SHIPPED.replacen(
        r#"["copy", "Y", "copy as JSON"]"#,
        r#"["copy", "Y", "copy the JSON"]"#,
        1,
    );
    assert_ne!(edited, SHIPPED);
    let mut h = Harness::new(raw_view(3));
    assert_eq!(h.hints()[1], "Y copy as JSON");
    h.keys = KeyMap::from_table(&edited, &BTreeMap::new()).unwrap();
    assert_eq!(h.hints()[1], "Y copy the JSON");
}

#[test]
fn the_account_screen_takes_its_own_answers_and_failures_and_no_stale_one() {
    use vigie::app::Purpose;
    use vigie::protocol::Payload;
    let mut h = Harness::new(vigie::app::Account {
        types: vec!["SITE".into(), "BADGE".into()],
        element_type: 0,
        functionalities: Vec::new(),
        selected: 3,
        pending: None,
        error: None,
        outbox: None,
    });
    h.press(ch('l'));
    let id = h.view.pending.expect("it waits for its rights");
    let rights = || vec![vigie::api::ocean::Functionality::default()];
    let answer = |t: &str| Payload::Functionalities(t.into(), rights());
    assert!(
        !h.answer(id + 7, Purpose::Account, answer("BADGE")),
        "another request's answer is not its own"
    );
    assert!(
        !h.answer(id, Purpose::Account, answer("SITE")),
        "the rights of the type it left are stale"
    );
    assert_eq!(h.view.pending, Some(id));
    assert!(h.answer(id, Purpose::Account, answer("BADGE")));
    assert_eq!(
        (
            h.view.pending,
            h.view.functionalities.len(),
            h.view.selected
        ),
        (None, 1, 0)
    );

    h.press(ch('r'));
    let id = h.view.pending.expect("read again");
    let e = vigie::api::ApiError::Forbidden("no rights to read rights".into());
    assert_eq!(h.fail(id + 1, Purpose::Account, &e), None, "not its own");
    assert_eq!(h.fail(id, Purpose::Account, &e), Some(true));
    assert!(h.view.error.as_deref().unwrap().contains("no rights"));
    assert_eq!(h.view.pending, None);
}

#[test]
fn a_site_detail_fills_itself_with_the_page_it_asked_for_only() {
    use vigie::api::model::{Equipement, Page, SiteSummary};
    use vigie::app::{Detail, DetailTarget, Purpose};
    use vigie::protocol::Payload;
    let site = SiteSummary {
        site_id: "7".into(),
        ..Default::default()
    };
    let mut d = Detail::new(DetailTarget::Site(site));
    d.equipements.paging = Some(vigie::app::list::Paging {
        page: 1,
        pages: 3,
        size: 50,
        ..Default::default()
    });
    let mut h = Harness::new(d);
    h.press(ch(']'));
    let id = h.view.equipements.pending.expect("it asks for a page");
    let page = |site: &str, n: usize| Payload::SiteEquipements {
        site_id: site.into(),
        page: Page {
            items: (0..n)
                .map(|i| Equipement {
                    ip: format!("10.0.0.{i}").into(),
                    ..Default::default()
                })
                .collect(),
            total: Some(n as u64 + 100),
            page: Some(2),
            size: Some(50),
            pages: Some(3),
        },
    };
    assert!(!h.answer(id + 1, Purpose::SiteDetail, page("7", 4)));
    assert!(
        !h.answer(id, Purpose::SiteDetail, page("8", 4)),
        "another site's page"
    );
    assert_eq!(h.view.equipements.items.len(), 0);
    assert!(h.answer(id, Purpose::SiteDetail, page("7", 4)));
    assert_eq!(h.view.equipements.items.len(), 4);
    assert_eq!(h.view.equipements.pending, None);
    let p = h.view.equipements.paging.expect("paged");
    assert_eq!((p.page, p.pages, p.total), (2, 3, 104));
    // Each row names the site it came from, which this route's rows do not.
    assert_eq!(
        h.view.equipements.items.row(0).unwrap().site_id.as_deref(),
        Some("7")
    );
    // Its footer and help come from itself: a site's detail pages.
    assert!(
        h.hints().iter().any(|x| x == "] next page"),
        "{:?}",
        h.hints()
    );
    assert!(
        h.help()
            .iter()
            .any(|(_, w)| w.contains("page of equipements"))
    );

    h.press(ch('['));
    let id = h.view.equipements.pending.expect("previous page asked");
    let e = vigie::api::ApiError::Network("refused".into());
    assert_eq!(h.fail(id, Purpose::SiteDetail, &e), Some(true));
    assert_eq!(
        (h.view.equipements.pending, h.view.equipements.loading),
        (None, false),
        "a failed page leaves the detail free to ask again"
    );
}

#[test]
fn a_form_puts_a_refusal_under_its_fields_and_keeps_what_was_typed() {
    use vigie::api::{ApiError, FieldError};
    use vigie::app::Purpose;
    let mut h = Harness::new(vigie::app::form::Form::export("/tmp/vigie-x.csv"));
    h.view.pending = Some(5);
    let e = ApiError::Validation(vec![FieldError::new("path", "not writable")]);
    assert_eq!(h.fail(4, Purpose::Save, &e), None, "another request");
    assert_eq!(h.fail(5, Purpose::Save, &e), Some(true));
    let path = h.view.field("path").unwrap();
    assert_eq!(path.error.as_deref(), Some("not writable"));
    assert_eq!(path.input.value(), "/tmp/vigie-x.csv");
    assert_eq!(h.view.pending, None);
    assert!(h.view.error.as_deref().unwrap().contains("see below"));
}
