//! The README's screenshots, drawn by the real console from the fixtures of `console_render`:
//! each test fails when the committed picture differs from what the program draws now.
//! `VIGIE_WRITE_SCREENSHOTS=1 cargo test --test readme_capture` rewrites them.

mod console_fixtures;

use std::path::Path;

use console_fixtures::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie::app::App;
use vigie::i18n::{Lang, set_thread_lang};

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

/// Writes `assets/screenshots/<name>.svg` with VIGIE_WRITE_SCREENSHOTS=1, else compares with it.
fn capture(name: &str, build: fn() -> App) {
    let fresh = svg(build);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/screenshots/{name}.svg"));
    if std::env::var_os("VIGIE_WRITE_SCREENSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent"))
            .expect("create assets/screenshots");
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
