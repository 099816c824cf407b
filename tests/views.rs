//! Columns chosen with `C` and saved views (`:save NAME`, `:NAME`): what the console keeps
//! and brings back, from fixture data (nothing here talks to a server).

mod console_fixtures;

use console_fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie::app::{App, Effect, Tab};
use vigie::views::Views;

fn saved(app: &mut App) -> Option<Views> {
    app.take_effects().into_iter().rev().find_map(|e| match e {
        Effect::SaveViews(v) => Some(*v),
        _ => None,
    })
}

fn header(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 20)).unwrap();
    t.draw(|f| vigie::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, 2)].symbol()).collect()
}

fn palette(app: &mut App, text: &str) {
    app.on_key(ch(':'));
    typed(app, text);
    app.on_key(key(KeyCode::Enter));
    serve(app);
}

#[test]
fn c_hides_and_orders_columns_and_keeps_them_for_the_next_run() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    assert!(header(&app).contains("IP"));
    app.on_key(ch('C'));
    app.on_key(key(KeyCode::Char(' '))); // hide IP
    app.on_key(ch('j'));
    app.on_key(ch('J')); // Port after Brand
    app.on_key(key(KeyCode::Enter));
    let h = header(&app);
    assert!(!h.contains("IP "), "{h}");
    let (brand, port) = (h.find("Brand").unwrap(), h.find("Port").unwrap());
    assert!(brand < port, "{h}");
    let views = saved(&mut app).expect("kept on disk");
    assert_eq!(
        views.columns["equipements"][..3],
        ["Brand".to_string(), "Port".into(), "Model".into()]
    );
    // y copies the first cell shown: the brand now.
    app.on_key(ch('y'));
    let copied = app.take_effects().into_iter().find_map(|e| match e {
        Effect::Copy { text, .. } => Some(text),
        _ => None,
    });
    let first = app
        .lists
        .equipements
        .selected_item()
        .unwrap()
        .marque
        .to_string();
    assert_eq!(copied, Some(first));
    // The next run starts with them.
    let mut next = loaded("admin");
    next.apply_views(views);
    next.on_key(ch('2'));
    serve(&mut next);
    assert!(!header(&next).contains("IP "));
    // At least one column stays.
    let mut app = loaded("admin");
    app.on_key(ch('C'));
    for _ in 0..10 {
        app.on_key(key(KeyCode::Char(' ')));
        app.on_key(ch('j'));
    }
    app.on_key(key(KeyCode::Enter));
    assert!(!app.lists.sites.shown_columns().is_empty());
}

#[test]
fn a_saved_view_brings_back_tab_filter_sort_and_columns() {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(ch('/'));
    serve(&mut app);
    typed(&mut app, "hik");
    app.on_key(key(KeyCode::Enter));
    app.on_key(ch('s'));
    palette(&mut app, "save cams");
    let views = saved(&mut app).expect("saved");
    assert_eq!(views.views["cams"].filter, "hik");
    // Elsewhere, with nothing filtered.
    app.on_key(key(KeyCode::Esc));
    app.on_key(ch('1'));
    assert_eq!(app.tab, Tab::Sites);
    palette(&mut app, "cams");
    assert_eq!(app.tab, Tab::Equipements);
    assert_eq!(app.lists.equipements.filter, "hik");
    assert_eq!(app.lists.equipements.sort, Some((0, false)));
    // A palette command's name is not taken.
    palette(&mut app, "save sites");
    assert!(saved(&mut app).is_none());
    assert!(
        app.status
            .notice
            .clone()
            .unwrap_or_default()
            .contains("palette command")
    );
}

#[test]
fn w_reads_the_list_again_and_lights_what_changed() {
    use std::time::{Duration, Instant};
    use vigie::protocol::{Payload, Request};
    let mut app = loaded("admin");
    app.on_key(ch('W'));
    assert!(app.watch.is_some() && app.lists.sites.watched);
    let due = app.next_wake().expect("a wake-up planned");
    assert!(
        due > Instant::now() + Duration::from_secs(5),
        "not before its time"
    );
    app.wake(Instant::now());
    assert!(app.take_requests().is_empty(), "nothing before it is due");
    app.wake(due + Duration::from_millis(1));
    let reqs = app.take_requests();
    let id = only(&reqs, |r| matches!(r, Request::Sites));
    let mut now = sites();
    now[0].name = "LOUM renamed".into();
    let mut added = now[1].clone();
    added.site_id = "new-site".into();
    added.name = "NEW SITE".into();
    now.push(added);
    ok(&mut app, id, Payload::Sites(now.clone()));
    let flash = app.lists.sites.flash.clone().expect("changes lit");
    assert_eq!(flash.changed[&now[0].site_id], vec![0], "the name cell");
    assert!(flash.new.contains("new-site"));
    assert_eq!(flash.changed.len(), 1, "the other rows did not change");
    assert!(app.next_wake().unwrap() <= flash.at + vigie::app::list::FLASH_FOR);
    let mut t = Terminal::new(TestBackend::new(120, 20)).unwrap();
    t.draw(|f| vigie::ui::draw(f, &app)).unwrap();
    let buf = t.backend().buffer();
    let title: String = (0..buf.area.width).map(|x| buf[(x, 1)].symbol()).collect();
    assert!(title.contains("watching"), "{title}");
    app.on_key(ch('W'));
    assert!(app.watch.is_none() && app.lists.sites.flash.is_none() && !app.lists.sites.watched);
    assert!(app.next_wake().is_none(), "nothing wakes it any more");
}

#[test]
fn profile_switch_is_refused_while_a_change_is_open() {
    let mut app = loaded("admin");
    palette(&mut app, "profile staging");
    assert!(
        app.switch_profile.is_none(),
        "no profiles: nothing to switch to"
    );
    app.prefs.profiles = vec!["prod".into(), "staging".into()];
    app.session.profile = "prod".into();
    palette(&mut app, "profile nowhere");
    assert!(
        app.status
            .notice
            .clone()
            .unwrap_or_default()
            .contains("staging")
    );
    // A site form with a change typed.
    app.on_key(ch('n'));
    if let Some(vigie::app::Overlay::Form(f)) = app.overlays.last_mut() {
        f.focus = f.fields.iter().position(|x| x.key == "name").unwrap();
    }
    typed(&mut app, "x");
    app.run_command(vigie::app::Command::Profile("staging".into()));
    assert!(
        app.switch_profile.is_none() && !app.quit,
        "the change is kept: {:?} {}",
        app.status.notice,
        app.overlays.len()
    );
    app.overlays.clear();
    palette(&mut app, "profile staging");
    assert_eq!(
        app.switch_profile.as_ref().map(|s| s.profile.as_str()),
        Some("staging")
    );
    assert!(app.quit, "the console ends to start again on it");
}
