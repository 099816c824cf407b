//! What the console draws, as text: one snapshot per screen at a roomy (120x35) and a cramped
//! (60x20) size, from fixed fixture data; and no panic at any size, however small.

mod console_fixtures;

use console_fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie::api::{ApiError, FieldError};
use vigie::app::App;
use vigie::rows::Rows;

/// Every equipement loaded, filtered by "hik" while still typing.
fn filtered_list() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('/'));
    serve(&mut app);
    typed(&mut app, "hik");
    app
}

/// 20,000 equipements loaded and an IP filter matched over its first rows only: the title
/// says how far it is.
fn filter_in_progress() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.lists.equipements.set_items(many_equipements(20_000));
    app.lists.equipements.paging = None;
    app.lists.equipements.complete = true;
    app.lists.equipements.filter = "10.12.".into();
    app.lists
        .equipements
        .refresh_view_within(Some(std::time::Duration::ZERO));
    assert!(app.has_pending_work());
    app
}

/// The doc's equipement 1.1.1.1, password hidden.
fn equipement_detail() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(key(KeyCode::Enter));
    app
}

/// A new equipement refused by the server on `ip` (focus stays on it).
fn form_errors() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('n'));
    typed(&mut app, "LOUM");
    for text in ["1.1.1.1", "100", "mmmm", "mmm"] {
        app.on_key(key(KeyCode::Tab));
        typed(&mut app, text);
    }
    app.on_key(ctrl('s'));
    let save = only(&app.take_requests(), console_fixtures::is_change);
    fail(
        &mut app,
        save,
        ApiError::Validation(vec![FieldError::new(
            "ip",
            "An equipement with this IP and port already exists on this site",
        )]),
    );
    app
}

/// Ctrl-S on an empty new-site form: every required field says so.
fn form_required() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('n'));
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty());
    app
}

/// A site's description changed by the user and, meanwhile, by another admin.
fn conflict() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('e'));
    let f = match app.overlays.last_mut() {
        Some(vigie::app::Overlay::Form(f)) => f,
        _ => panic!("no form"),
    };
    f.focus = f
        .fields
        .iter()
        .position(|x| x.key == "description")
        .unwrap();
    f.fields[f.focus].set_text("Mine: the gate code changed");
    app.on_key(ctrl('s'));
    let save = only(&app.take_requests(), console_fixtures::is_change);
    let s = app.lists.sites.selected_record().unwrap();
    // What the change room answers: the description changed on both sides, nothing sent.
    let clash = vigie::change::Clash {
        key: "description".into(),
        seen: Some(serde_json::json!(s.description)),
        theirs: serde_json::json!("Theirs: access by the north gate"),
        mine: serde_json::json!("Mine: the gate code changed"),
    };
    ok(
        &mut app,
        save,
        vigie::protocol::Payload::Changed(Box::new(vigie::change::Outcome::not_sent(
            vigie::change::Verdict::Conflict(vec![clash]),
            &s.site_id,
        ))),
    );
    assert!(matches!(
        app.overlays.last(),
        Some(vigie::app::Overlay::Conflict(_))
    ));
    app
}

/// A production profile reviews an edit before it is sent: what changes, secrets masked.
fn review() -> App {
    let mut app = loaded("admin");
    app.session.production = true;
    app.session.confirm_saves = true;
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('e'));
    let f = match app.overlays.last_mut() {
        Some(vigie::app::Overlay::Form(f)) => f,
        _ => panic!("no form"),
    };
    for (k, v) in [("port", "8443"), ("password", "n3w-s3cret")] {
        f.fields
            .iter_mut()
            .find(|x| x.key == k)
            .unwrap()
            .set_text(v);
    }
    app.on_key(ctrl('s'));
    assert!(
        app.take_requests().is_empty(),
        "nothing sent before the review is agreed"
    );
    app
}

/// `:journal` after a site was deleted and another renamed.
fn journal() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let reqs = app.take_requests();
    let del = only(&reqs, console_fixtures::is_change);
    let o = console_fixtures::deleted_as_asked(&app, &console_fixtures::change_in(&reqs, del));
    ok(
        &mut app,
        del,
        vigie::protocol::Payload::Changed(Box::new(o)),
    );
    app.on_key(ch(':'));
    typed(&mut app, "journal");
    app.on_key(key(KeyCode::Enter));
    for e in &mut app.journal {
        // A fixed time, for the picture.
        e.at = "2026-12-01T09:30:00+01:00".into();
    }
    if let Some(vigie::app::Overlay::Journal(j)) = app.overlays.last_mut() {
        for e in &mut j.entries {
            e.at = "2026-12-01T09:30:00+01:00".into();
        }
    }
    app
}

fn delete_confirm() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(ch('d'));
    app
}

fn help() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('?'));
    app
}

fn palette() -> App {
    let mut app = loaded("admin");
    app.on_key(ch(':'));
    typed(&mut app, "site");
    app
}

fn login() -> App {
    let mut app = App::new(session("admin"));
    app.start(false);
    typed(&mut app, "secret");
    app
}

/// A refused delete, its confirmation closed: the error stays in the status bar.
fn status_error() -> App {
    let mut app = loaded("lecteur");
    app.on_key(ch('d'));
    confirm_delete(&mut app);
    let del = only(&app.take_requests(), console_fixtures::is_change);
    fail(
        &mut app,
        del,
        ApiError::Forbidden("role lecteur cannot delete client_site".into()),
    );
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    app
}

fn users_list() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('3'));
    serve(&mut app);
    app
}

fn roles_list() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('4'));
    serve(&mut app);
    app
}

/// A read-only session with an unverified certificate, a request in flight.
fn read_only_busy() -> App {
    let mut s = session("lecteur");
    s.read_only = true;
    s.insecure_tls = true;
    let mut app = App::new(s);
    app.start(true);
    serve(&mut app);
    app.on_key(ch('r'));
    app
}

/// A role held the server's way: a permission outside the usual catalogue and one known by
/// its id only, both in the grid.
fn role_form() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('4'));
    serve(&mut app);
    let mut role = app.lists.roles.items[0].clone();
    role.permissions
        .push(vigie::api::model::Permission::new("reports", "export"));
    role.permissions.push(vigie::api::model::Permission {
        permission_id: "perm-42".into(),
        ..Default::default()
    });
    app.lists.roles.upsert(role);
    app.on_key(ch('e'));
    app
}

/// An equipement whose stored ip is no address, edited: the stored value is marked, the
/// port typed out of range is advice, neither blocks.
fn form_advice() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    let mut e = app.lists.equipements.items.row(0).unwrap().into_owned();
    e.ip = "camera-entree".into();
    app.lists.equipements.upsert(e);
    app.on_key(ch('e'));
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::End));
    typed(&mut app, "000");
    app
}

const SCREENS: &[(&str, Screen)] = &[
    ("sites_list", || loaded("admin")),
    ("equipements_list", equipements_list),
    ("filtered_list", filtered_list),
    ("site_detail", site_detail),
    ("equipement_detail", equipement_detail),
    ("form_errors", form_errors),
    ("form_required", form_required),
    ("delete_confirm", delete_confirm),
    ("help", help),
    ("palette", palette),
    ("login", login),
    ("status_error", status_error),
    ("role_form", role_form),
    ("form_advice", form_advice),
];

const EXTRA_SCREENS: &[(&str, Screen)] = &[
    ("users_list", users_list),
    ("roles_list", roles_list),
    ("read_only_busy", read_only_busy),
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

/// The whole screen as plain lines (to check content without a snapshot).
fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn render_sites_list() {
    snapshot("sites_list", || loaded("admin"));
}

#[test]
fn render_equipements_list() {
    snapshot("equipements_list", equipements_list);
}

#[test]
fn render_filter_in_progress() {
    snapshot("filter_in_progress", filter_in_progress);
}

#[test]
fn render_filtered_list() {
    snapshot("filtered_list", filtered_list);
}

#[test]
fn render_site_detail() {
    snapshot("site_detail", site_detail);
}

#[test]
fn render_equipement_detail() {
    snapshot("equipement_detail", equipement_detail);
}

#[test]
fn render_form_errors() {
    snapshot("form_errors", form_errors);
}

#[test]
fn render_form_required() {
    snapshot("form_required", form_required);
}

#[test]
fn render_delete_confirm() {
    snapshot("delete_confirm", delete_confirm);
}

#[test]
fn render_review() {
    snapshot("review", review);
    let t = render(review, 120, 35);
    let screen = text(&t);
    assert!(screen.contains("PRODUCTION"), "{screen}");
    assert!(screen.contains("→ 8443"), "{screen}");
    assert!(
        !screen.contains("n3w-s3cret"),
        "the password is masked: {screen}"
    );
    // y sends it (the change room reads the record again first).
    let mut app = review();
    app.on_key(ch('y'));
    only(&app.take_requests(), console_fixtures::is_change);
}

#[test]
fn render_journal() {
    snapshot("journal", journal);
    let mut app = journal();
    let Some(vigie::app::Overlay::Journal(j)) = app.overlays.last() else {
        panic!("the journal is open");
    };
    assert_eq!(j.shown.len(), 1);
    // A filter that matches nothing, then one that matches; Enter shows before and after.
    app.on_key(ch('/'));
    typed(&mut app, "roles");
    let Some(vigie::app::Overlay::Journal(j)) = app.overlays.last() else {
        panic!();
    };
    assert!(j.shown.is_empty());
    for _ in 0.."roles".len() {
        app.on_key(key(KeyCode::Backspace));
    }
    typed(&mut app, "sites deleted");
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Enter));
    let Some(vigie::app::Overlay::Raw(r)) = app.overlays.last() else {
        panic!("before/after shown");
    };
    assert_eq!(r.lines[0], "Before:");
    // A hostile label (from the server's record) is drawn as text in the journal.
    let mut app = journal();
    if let Some(vigie::app::Overlay::Journal(j)) = app.overlays.last_mut() {
        j.entries[0].label = "site \u{1b}[2JEVIL".into();
    }
    let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
    t.draw(|f| vigie::ui::draw(f, &app)).unwrap();
    let screen = text(&t);
    assert!(
        screen.contains("EVIL") && !screen.contains('\u{1b}'),
        "{screen:?}"
    );
    assert!(
        r.lines.iter().any(|l| l.contains("\"LOUM\"")),
        "{:?}",
        r.lines
    );
}

#[test]
fn render_marked_rows() {
    snapshot("marked_rows", || {
        let mut app = loaded("admin");
        app.on_key(key(KeyCode::Char(' ')));
        app.on_key(key(KeyCode::Char(' ')));
        app
    });
}

#[test]
fn render_conflict() {
    snapshot("conflict", conflict);
    // A hostile value from the server reaches the conflict screen as text.
    let mut app = conflict();
    if let Some(vigie::app::Overlay::Conflict(c)) = app.overlays.last_mut() {
        c.rows[0].theirs = "evil\u{1b}]52;c;cm0gLXJm\u{7}\u{1b}[2J".into();
    }
    let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
    t.draw(|f| vigie::ui::draw(f, &app)).unwrap();
    let screen = text(&t);
    assert!(screen.contains("evil"), "{screen}");
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{7}'),
        "{screen:?}"
    );
}

#[test]
fn render_help() {
    snapshot("help", help);
}

#[test]
fn render_palette() {
    snapshot("palette", palette);
}

#[test]
fn render_login() {
    snapshot("login", login);
}

#[test]
fn render_status_error() {
    snapshot("status_error", status_error);
}

#[test]
fn render_role_form() {
    snapshot("role_form", role_form);
}

#[test]
fn render_form_advice() {
    snapshot("form_advice", form_advice);
}

/// What matters on each screen is on it at 120x35, whatever the snapshots say.
#[test]
fn essential_content_is_visible_at_120x35() {
    let cases: &[(Screen, &[&str])] = &[
        (
            || loaded("admin"),
            &[
                "LOUM",
                "YASSA",
                "BONABERI 2",
                "BICEC Bank",
                "3 items",
                SERVER,
            ],
        ),
        (
            equipements_list,
            // A full page of 50 behind "page 1/3 · 123 items": the window is filled to its
            // last row (the 30th, 10.12.0.10).
            &[
                "10.11.0.1",
                "DS-7616NI-K2/16P",
                "10.12.0.10",
                "page 1/3 · 123 items",
            ],
        ),
        (filtered_list, &["10.12.0.21", "/hik", "1 of 4 items"]),
        (
            site_detail,
            &[
                "Site LOUM",
                "984",
                "1.1.1.1",
                "10.12.0.21",
                "site du client de bonaberi",
            ],
        ),
        (
            equipement_detail,
            &["Equipement 1.1.1.1", "hhhhhhh", "jjjjjjjjj", "(p reveals)"],
        ),
        (
            form_errors,
            &[
                "New equipement",
                "An equipement with this IP and port already exists on this site",
                "The server refused some fields",
                "LOUM — BICEC Bank",
                "1.1.1.1",
                "100",
            ],
        ),
        (
            form_required,
            &[
                "New site",
                "Some fields need attention",
                "Field required",
                "BICEC Bank (984)",
            ],
        ),
        (delete_confirm, &["Delete site LOUM?"]),
        (help, &["Help", "command palette"]),
        (palette, &["site LOUM", "site YASSA", "site BONABERI 2"]),
        (login, &["Log in", SERVER, "••••••"]),
        (
            status_error,
            &["403 — your role lecteur cannot delete sites"],
        ),
    ];
    for (build, wanted) in cases {
        let shown = text(&render(*build, 120, 35));
        // Box sides removed and spaces collapsed: a wrapped message reads as one.
        let flat = shown
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for w in *wanted {
            assert!(flat.contains(w), "{w:?} not shown in\n{shown}");
        }
        assert!(
            !shown.contains("passoword_hashed"),
            "a password is shown:\n{shown}"
        );
    }
}

/// Every screen at every small size, and odd ones, draws without panicking.
#[test]
fn every_screen_draws_at_any_size() {
    let mut sizes: Vec<(u16, u16)> = Vec::new();
    for w in 20..=30 {
        for h in 8..=12 {
            sizes.push((w, h));
        }
    }
    sizes.extend([
        (0, 0),
        (1, 1),
        (1, 0),
        (0, 1),
        (80, 0),
        (0, 24),
        (2, 2),
        (19, 7),
        (19, 8),
        (20, 7),
        (19, 40),
        (200, 7),
        (200, 8),
        (21, 60),
        (37, 9),
        (89, 13),
        (90, 14),
        (91, 15),
        (300, 100),
        (1000, 3),
    ]);
    for (name, build) in SCREENS.iter().chain(EXTRA_SCREENS) {
        for &(w, h) in &sizes {
            let r = std::panic::catch_unwind(|| {
                render(*build, w, h);
            });
            assert!(r.is_ok(), "{name} panicked at {w}x{h}");
        }
    }
}

/// Two equipements marked, `:set port=8080 password=…` typed: the question before the run.
fn bulk_ask() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(key(KeyCode::Char(' ')));
    app.on_key(key(KeyCode::Char(' ')));
    app.on_key(ch(':'));
    typed(&mut app, "set port=8080 password=n3w-s3cret");
    app.on_key(key(KeyCode::Enter));
    app
}

/// The run: the first row saved, the second refused by the server (deleted meanwhile).
fn bulk_results() -> App {
    let mut app = bulk_ask();
    app.on_key(ch('y'));
    let first = only(&app.take_requests(), console_fixtures::is_change);
    let mut e = app
        .lists
        .equipements
        .items
        .row(app.lists.equipements.view[0])
        .unwrap()
        .into_owned();
    e.port = Some(8080);
    ok(
        &mut app,
        first,
        console_fixtures::applied(vigie::protocol::Saved::Equipement(e)),
    );
    let second = only(&app.take_requests(), console_fixtures::is_change);
    fail(
        &mut app,
        second,
        ApiError::NotFound("Equipement \u{1b}[2Jnot found".into()),
    );
    app
}

#[test]
fn render_bulk() {
    snapshot("bulk_ask", bulk_ask);
    snapshot("bulk_results", bulk_results);
    let app = bulk_results();
    let t = render(bulk_results, 120, 35);
    let screen = text(&t);
    assert!(!screen.contains("n3w-s3cret"), "the password is masked");
    assert!(
        !screen.contains('\u{1b}'),
        "the server's words drawn as text"
    );
    let Some(vigie::app::Overlay::Bulk(b)) = app.overlays.last() else {
        panic!("bulk screen");
    };
    assert_eq!((b.done(), b.failed()), (1, 1));
    assert_eq!(
        app.lists.equipements.marked.len(),
        1,
        "the failed row stays marked"
    );
}

/// `/` in the results keeps only the rows whose label or result holds the words typed;
/// Esc in the finished run clears the filter before closing.
#[test]
fn bulk_results_filter_to_the_failed_row() {
    let mut app = bulk_results();
    app.on_key(ch('/'));
    typed(&mut app, "not found");
    app.on_key(key(KeyCode::Enter));
    let Some(vigie::app::Overlay::Bulk(b)) = app.overlays.last() else {
        panic!("bulk screen");
    };
    let shown = b.shown();
    assert_eq!(shown.len(), 1, "only the failed row");
    assert!(matches!(
        b.outcomes[shown[0]],
        vigie::app::Outcome::Failed(_)
    ));
    assert_eq!(b.selected, shown[0], "the selection follows the filter");
    app.on_key(key(KeyCode::Esc));
    let Some(vigie::app::Overlay::Bulk(b)) = app.overlays.last() else {
        panic!("Esc clears the filter first, the results stay");
    };
    assert_eq!(b.shown().len(), 2);
    app.on_key(key(KeyCode::Esc));
    assert!(!matches!(
        app.overlays.last(),
        Some(vigie::app::Overlay::Bulk(_))
    ));
}

/// `F` on the Brand column of every equipement.
fn frequency() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('l'));
    app.on_key(ch('l'));
    app.on_key(ch('F'));
    serve(&mut app);
    app
}

#[test]
fn render_frequency() {
    snapshot("frequency", frequency);
}

/// A row command that asks first, on 1.1.1.1.
fn run_ask() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.prefs.commands = vec![vigie::commands::RowCommand {
        name: "view".into(),
        key: Some(vigie::app::keymap::Key::parse("V").unwrap()),
        on: vec!["equipements".into()],
        run: vec![
            "ffplay".into(),
            "{source}".into(),
            "--".into(),
            "{username}@{ip}".into(),
        ],
        confirm: true,
        wait: false,
        marked: false,
        secrets: false,
    }];
    app.on_key(ch('V'));
    app
}

#[test]
fn render_run_ask() {
    snapshot("run_ask", run_ask);
}

/// `C` on the equipements: IP hidden, the cursor on Port.
fn column_chooser() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('C'));
    app.on_key(key(KeyCode::Char(' ')));
    app.on_key(ch('j'));
    app
}

#[test]
fn render_column_chooser() {
    snapshot("column_chooser", column_chooser);
}

/// `:dups` over the fixtures with 1.1.1.1:100 planted on YASSA too.
fn dups() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('A'));
    serve(&mut app);
    let mut twin = app.lists.equipements.items.row(0).unwrap().into_owned();
    twin.equipement_id = "twin".into();
    twin.site_id = Some(YASSA_ID.into());
    twin.client_site = Some(std::sync::Arc::new(site_ref(YASSA_ID)));
    app.lists.equipements.upsert(twin);
    app.on_key(ch(':'));
    typed(&mut app, "dups");
    app.on_key(key(KeyCode::Enter));
    app
}

#[test]
fn render_dups() {
    snapshot("dups", dups);
    let t = render(dups, 120, 35);
    let screen = text(&t);
    assert!(
        screen.contains("1.1.1.1") && screen.contains("same IP:port"),
        "{screen}"
    );
}

/// A watched list.
fn watched() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('W'));
    app.status.notice = None;
    app
}

#[test]
fn render_watched() {
    snapshot("watched", watched);
}

/// A status message too long for the line ends with `…` and names `:messages`, where it
/// reads whole; one that fits is left as it is.
#[test]
fn a_long_status_message_is_cut_with_a_mark_and_says_where_it_reads_whole() {
    let long = "Saved, but the server kept its own value for 3 fields: see the journal — kept as another address";
    let build = || {
        let mut app = loaded("admin");
        app.status.notice = Some(
            "Saved, but the server kept its own value for 3 fields: see the journal — kept as another address"
                .into(),
        );
        app
    };
    let t = render(build, 80, 24);
    let last = text(&t).lines().nth(23).unwrap().trim_end().to_string();
    assert!(last.ends_with("… :messages"), "{last:?}");
    assert!(!last.contains("another address"), "{last:?}");
    let t = render(build, 200, 24);
    let last = text(&t).lines().nth(23).unwrap().trim_end().to_string();
    assert!(last.ends_with(long), "{last:?}");
}

/// Counts read as a person writes them: "1 item", French "2 001"; a draft says what it
/// changed and speaks of passwords only when its form has one.
#[test]
fn counts_and_a_drafts_words_read_right() {
    use vigie::i18n::{Lang, set_thread_lang};
    let one = || {
        let mut app = loaded("admin");
        let first = app.lists.sites.items[0].clone();
        app.lists.sites.set_items(vec![first]);
        app.lists.sites.paging = None;
        app
    };
    let screen = text(&render(one, 120, 35));
    let footer = screen.lines().nth(33).unwrap();
    assert!(footer.starts_with(" 1 item │"), "{footer:?}");
    set_thread_lang(Some(Lang::Fr));
    assert_eq!(vigie::app::group(2001), "2 001");
    assert_eq!(vigie::app::items(1), "1 élément");
    let cli = vigie::app::Session {
        profile: vigie::app::COMMAND_LINE.into(),
        ..Default::default()
    };
    assert_eq!(cli.profile_shown(), "(ligne de commande)");
    // Key names are written one way in French too: the keys drawn say Esc and Enter.
    for (en, fr) in vigie::i18n::catalogue() {
        assert!(
            !fr.contains("Échap") && !fr.contains("Entrée"),
            "{en:?} → {fr:?}"
        );
    }
    set_thread_lang(None);
    assert_eq!(vigie::app::group(2001), "2,001");

    let draft = || {
        let mut app = loaded("admin");
        let site = app.lists.sites.items[0].clone();
        let mut form = vigie::app::form::Form::site(Some(&site), Vec::new());
        form.fields[0].input = tui_input::Input::new("LOUM NORD".into());
        app.overlays.push(vigie::app::Overlay::Restore(Box::new(
            vigie::app::drafts::Draft {
                saved_at: "2026-12-07 10:00".into(),
                server: String::new(),
                version: 1,
                form,
            },
        )));
        app
    };
    let screen = text(&render(draft, 120, 35));
    assert!(screen.contains("with 1 field changed."), "{screen}");
    assert!(!screen.contains("Passwords"), "a site has none: {screen}");
    // Over another screen the footer has no list count: that count is not what is shown.
    assert!(
        !screen.lines().nth(33).unwrap().contains("item"),
        "{screen}"
    );
}

/// A form opened to edit the first site.
fn site_form() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('e'));
    app
}

/// The list, a detail, a form and the help at 40x15, 60x20 and 80x24, English and French:
/// how to save, to get help and to get out stay in the footer, whole.
#[test]
fn small_terminals_keep_the_vital_keys() {
    use vigie::i18n::{Lang, set_thread_lang};
    let screens: [(&str, Screen); 4] = [
        ("list", loaded_admin),
        ("detail", site_detail),
        ("form", site_form),
        ("help", help),
    ];
    for (lang, tag) in [(Lang::En, ""), (Lang::Fr, "_fr")] {
        set_thread_lang(Some(lang));
        for (name, build) in screens {
            for (w, h) in [(40u16, 15u16), (60, 20), (80, 24)] {
                let t = render(build, w, h);
                insta::assert_snapshot!(format!("small_{name}{tag}_{w}x{h}"), t.backend());
                let footer = text(&t)
                    .lines()
                    .nth(usize::from(h) - 2)
                    .unwrap()
                    .to_string();
                let must: &[&str] = match name {
                    "form" => &["Ctrl-S", "Esc"],
                    "detail" => &["Esc", "?"],
                    "list" => &["?", "q"],
                    _ => &["Esc"],
                };
                for k in must {
                    assert!(
                        footer.split_whitespace().any(|x| x == *k),
                        "{name} {w}x{h}: {k} missing from {footer:?}"
                    );
                }
            }
        }
    }
    set_thread_lang(None);
}

fn loaded_admin() -> App {
    loaded("admin")
}

/// An empty `:` lists every command, grouped (each group named once), not ten of them;
/// a command that takes an argument puts its verb on the line.
#[test]
fn an_empty_palette_lists_every_command_grouped() {
    let app = loaded("admin");
    let all: Vec<String> = app
        .palette_matches("")
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    for c in [
        "undo",
        "journal",
        "messages",
        "dups",
        ":save …",
        ":site …",
        "quit",
    ] {
        assert!(all.iter().any(|t| t == c), "{c} missing from {all:?}");
    }
    let open = || {
        let mut app = loaded("admin");
        app.on_key(ch(':'));
        app
    };
    let screen = text(&render(open, 120, 35));
    for g in ["tabs", "this list", "changes", "console"] {
        assert_eq!(
            screen.matches(&format!(" {g} │")).count(),
            1,
            "{g}: {screen}"
        );
    }
    assert!(screen.contains(" undo "), "{screen}");
    let mut app = loaded("admin");
    let (_, save) = app
        .palette_matches("")
        .into_iter()
        .find(|(t, _)| t == ":save …")
        .unwrap();
    app.run_command(save);
    match app.overlays.last() {
        Some(vigie::app::Overlay::Palette(p)) => assert_eq!(p.input.value(), "save "),
        _ => panic!("the verb goes on a new palette line"),
    }
}

/// `:find`'s window, English and French: records grouped by profile, the failing profile
/// named with its error, this console's own marked, the records not listed counted.
#[test]
fn find_window_groups_by_profile() {
    use vigie::i18n::{Lang, set_thread_lang};
    for (lang, tag) in [(Lang::En, ""), (Lang::Fr, "_fr")] {
        set_thread_lang(Some(lang));
        let t = render(found, 100, 20);
        insta::assert_snapshot!(format!("find_window{tag}"), t.backend());
        let screen = text(&t);
        for must in ["bank", "port", "QUAI DES BRUMES", "10.1.0.1:554"] {
            assert!(screen.contains(must), "{must}: {screen}");
        }
    }
    set_thread_lang(None);
}

/// The Equipements tab after `P` on three marked rows: the Reach column shows, each device's
/// state in the user's language (English and French).
#[test]
fn a_filled_reach_column_in_both_languages() {
    use vigie::i18n::{Lang, set_thread_lang};
    use vigie::protocol::{Payload, Request};
    fn probed() -> App {
        let mut app = loaded("admin");
        app.prefs.probe =
            vigie::probe::Settings::new(&["10.0.0.0/8".into()], None, Some(300)).unwrap();
        app.on_key(ch('2'));
        serve(&mut app);
        for _ in 0..3 {
            app.on_key(ch(' '));
        }
        app.on_key(ch('P'));
        let reqs = app.take_requests();
        let Some((id, Request::Probe { targets, .. })) = reqs.first().cloned() else {
            panic!("{reqs:?}");
        };
        let states = [
            vigie::probe::State::Up { ms: 12 },
            vigie::probe::State::Refused,
            vigie::probe::State::TimedOut,
        ];
        let n = targets.len();
        let states = (0..n).map(|i| states[i % 3].clone()).collect();
        ok(&mut app, id, Payload::Probed(targets, states));
        app
    }
    for (lang, tag) in [(Lang::En, ""), (Lang::Fr, "_fr")] {
        set_thread_lang(Some(lang));
        let t = render(probed, 160, 16);
        insta::assert_snapshot!(format!("reach_column{tag}"), t.backend());
        let screen = text(&t);
        let (title, refused) = match lang {
            Lang::En => ("Reach", "refused"),
            Lang::Fr => (vigie::i18n::tr("Reach"), vigie::i18n::tr("refused")),
        };
        assert!(
            screen.contains(title) && screen.contains(refused),
            "{screen}"
        );
    }
    set_thread_lang(None);
}

/// `:find`'s window draws a server's text as text: a record's label and site, a profile's
/// error with terminal escapes and bidi controls reach the terminal as nothing that acts.
#[test]
fn find_window_neutralises_what_servers_send() {
    use vigie::protocol::{FoundRecord, Payload, ProfileFound};
    let hostile = || {
        let mut app = loaded("admin");
        let id = ask_find(&mut app, "x");
        let site = app.lists.sites.items[0].clone();
        ok(
            &mut app,
            id,
            Payload::Found(vec![
                ProfileFound {
                    profile: "bank".into(),
                    found: Err("refused \u{1b}]52;c;cm0gLXJmIH4=\u{7} by \u{202e}server".into()),
                },
                ProfileFound {
                    profile: "prod".into(),
                    found: Ok((
                        vec![hit(
                            "prod",
                            "LOUM\u{1b}[2J\u{1b}[31m",
                            "x\u{9b}31m",
                            FoundRecord::Site(site),
                        )],
                        0,
                    )),
                },
            ]),
        );
        app
    };
    let t = render(hostile, 100, 12);
    let screen = text(&t);
    assert!(
        screen.contains("LOUM") && screen.contains("refused"),
        "{screen}"
    );
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!screen.contains(bad), "{bad:?} drawn: {screen:?}");
    }
    // Shown for what they are, not dropped unseen: ESC as its control picture.
    assert!(screen.contains("LOUM␛[2J"), "{screen}");
    assert!(screen.contains("refused ␛]52"), "{screen}");
}
