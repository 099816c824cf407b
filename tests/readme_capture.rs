//! The README's screenshots, drawn by the real console from the fixtures of `console_render`:
//! each test fails when the committed picture differs from what the program draws now.
//! `VIGIE_WRITE_SCREENSHOTS=1 cargo test --test readme_capture` rewrites them.

mod console_fixtures;

use std::path::Path;

use console_fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie::app::form::Form;
use vigie::app::{App, Overlay};
use vigie::i18n::{Lang, set_thread_lang};
use vigie::worker::{Payload, Request};

/// Equipements tab on page 1 of 3 (prefetch of page 2 answered: nothing in flight).
fn equipements_list() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    let reqs = app.take_requests();
    let first = only(&reqs, |r| {
        matches!(r, Request::EquipementsPage { page: 1, .. })
    });
    ok(
        &mut app,
        first,
        Payload::EquipementsPage(page(equipements(), 1, 3, 123)),
    );
    let reqs = app.take_requests();
    let next = only(&reqs, |r| {
        matches!(r, Request::EquipementsPage { page: 2, .. })
    });
    ok(
        &mut app,
        next,
        Payload::EquipementsPage(page(equipements(), 2, 3, 123)),
    );
    app.on_key(ch('j'));
    assert!(!app.busy());
    app
}

/// LOUM's detail with its two equipements.
fn site_detail() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    app
}

fn form(app: &App) -> &Form {
    match app.overlays.last() {
        Some(Overlay::Form(f)) => f,
        _ => panic!("no form on top"),
    }
}

/// Tab until the focus is on `key` (at most one lap); panics when it never gets there.
fn tab_to(app: &mut App, key_name: &str) {
    let n = form(app).fields.len();
    for _ in 0..=n {
        let f = form(app);
        if f.fields[f.focus].key == key_name {
            return;
        }
        app.on_key(key(KeyCode::Tab));
    }
    panic!("Tab never reaches {key_name}");
}

/// A new individu on the Individus tab, folded, the focus on the first name being typed.
fn individu_form() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    serve(&mut app);
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(key(KeyCode::Tab));
    typed(&mut app, "Jeanne");
    app
}

/// The screen `build` makes, drawn in English at 120x35, as SVG.
fn svg(build: fn() -> App) -> String {
    set_thread_lang(Some(Lang::En));
    let mut app = build();
    app.on_resize(120, 35);
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("test terminal");
    terminal.draw(|f| vigie::ui::draw(f, &app)).expect("draw");
    set_thread_lang(None);
    vigie::ui::svg::buffer_to_svg(terminal.backend().buffer())
}

/// Writes `docs/screenshots/<name>.svg` with VIGIE_WRITE_SCREENSHOTS=1, else compares with it.
fn capture(name: &str, build: fn() -> App) {
    let fresh = svg(build);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/screenshots/{name}.svg"));
    if std::env::var_os("VIGIE_WRITE_SCREENSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create docs/screenshots");
        std::fs::write(&path, fresh).expect("write the screenshot");
        return;
    }
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        committed == fresh,
        "{} no longer shows what the console draws: \
         VIGIE_WRITE_SCREENSHOTS=1 cargo test --test readme_capture rewrites it",
        path.display()
    );
}

#[test]
fn screenshot_sites() {
    capture("sites", || loaded("admin"));
}

#[test]
fn screenshot_equipements() {
    capture("equipements", equipements_list);
}

#[test]
fn screenshot_site_detail() {
    capture("site_detail", site_detail);
}

#[test]
fn screenshot_individu_form() {
    capture("individu_form", individu_form);
}
