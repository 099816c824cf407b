//! One table of keys: a remapped key shows in the footer and the help and works (on a form
//! too), a click on a footer hint runs its key, and an answer for a screen already closed is
//! dropped and logged, never silently matched away.

mod console_fixtures;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use console_fixtures::*;
use crossterm::event::KeyCode;
use unicode_width::UnicodeWidthStr;
use vigie::app::form::FormKind;
use vigie::app::keymap::KeyMap;
use vigie::app::{App, Effect, Overlay};
use vigie::protocol::{Payload, Request};

fn remapped(pairs: &[(&str, &str)]) -> App {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(a, k)| (a.to_string(), k.to_string()))
        .collect();
    let mut app = loaded("admin");
    app.prefs.keymap = KeyMap::from_config(&map).unwrap();
    app
}

/// The footer row as drawn.
fn footer_row(app: &mut App, w: u16, h: u16) -> String {
    app.on_resize(w, h);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| vigie::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..w)
        .map(|x| buf[(x, h - 2)].symbol().to_string())
        .collect()
}

#[test]
fn a_remapped_key_shows_in_the_footer_and_the_help_and_works_on_a_form() {
    let mut app = remapped(&[("new", "a"), ("form.save", "f2"), ("detail.edit", "o")]);
    let row = footer_row(&mut app, 120, 35);
    assert!(row.contains(" a/e/d new/edit/delete"), "{row}");
    assert!(!row.contains("n/e/d"), "{row}");

    app.on_key(ch('?'));
    let help = vigie::ui::help_lines(&app);
    assert!(
        help.contains(&("a / e / d".to_string(), "new / edit / delete")),
        "{help:?}"
    );
    let forms = help.iter().find(|(k, _)| k == "In forms").unwrap();
    assert!(forms.1.contains("F2 saves"), "{forms:?}");
    app.on_key(key(KeyCode::Esc));

    // A site opened: its detail says `o edit`, and `o` edits.
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    let row = footer_row(&mut app, 120, 35);
    assert!(row.contains(" o edit"), "{row}");
    app.on_key(ch('e'));
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Detail(_))),
        "e was given away"
    );
    app.on_key(ch('o'));
    assert_eq!(form(&app).kind, FormKind::Site);
    let row = footer_row(&mut app, 120, 35);
    assert!(row.contains("F2 save"), "{row}");
    assert!(!row.contains("Ctrl-S"), "{row}");

    // The form: Ctrl-S was given away, F2 saves; letters still type text.
    app.on_key(key(KeyCode::End));
    typed(&mut app, "w2");
    assert!(form(&app).dirty());
    app.on_key(ctrl('s'));
    assert!(app.take_requests().is_empty(), "Ctrl-S saves nothing now");
    app.on_key(key(KeyCode::F(2)));
    let reqs = app.take_requests();
    let [(_, Request::Change(c))] = &reqs[..] else {
        panic!("{reqs:?}");
    };
    assert!(
        c.wanted("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .ends_with("w2"),
        "{c:?}"
    );
}

/// The column of `needle` in the footer row (display columns).
fn column_of(row: &str, needle: &str) -> u16 {
    let at = row
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {row}"));
    row[..at].width() as u16
}

#[test]
fn a_click_on_a_footer_hint_runs_its_key() {
    let (w, h) = (120, 35);
    let mut app = loaded("admin");
    let row = footer_row(&mut app, w, h);
    // `n/e/d`: a click on the `e` edits the selected site.
    let x = column_of(&row, "n/e/d") + 2;
    let click = vigie::ui::hit(&app, w, h, x, h - 2).expect("a key");
    app.on_click(click);
    assert_eq!(form(&app).kind, FormKind::Site);
    assert!(form(&app).edits_record(), "an edit, not a new site");
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());

    // A click on the word "delete" runs `d`.
    let x = column_of(&row, "new/edit/delete") + "new/edit/".len() as u16 + 1;
    app.on_click(vigie::ui::hit(&app, w, h, x, h - 2).expect("a key"));
    assert!(matches!(app.overlays.last(), Some(Overlay::Confirm(_))));
    app.on_key(key(KeyCode::Esc));

    // `y/Y`: the `Y` copies the record as JSON.
    let x = column_of(&row, "y/Y") + 2;
    app.on_click(vigie::ui::hit(&app, w, h, x, h - 2).expect("a key"));
    let effects = app.take_effects();
    assert!(
        matches!(&effects[..], [Effect::Copy { what, .. }] if what.contains("JSON")),
        "{effects:?}"
    );

    // Remapped, the click runs the key as it is now.
    let mut app = remapped(&[("edit", "z")]);
    let row = footer_row(&mut app, w, h);
    let x = column_of(&row, "n/z/d") + 2;
    app.on_click(vigie::ui::hit(&app, w, h, x, h - 2).expect("a key"));
    assert_eq!(form(&app).kind, FormKind::Site);
}

/// Log lines written while `f` runs.
fn logged(f: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }
    let buf = Buf::default();
    let sub = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(sub, f);
    let out = buf.0.lock().unwrap().clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_answer_for_a_closed_screen_is_dropped_and_logged() {
    // The account screen asks for my rights, then is closed before they come.
    let mut app = loaded("admin");
    app.on_key(ch('@'));
    let reqs = app.take_requests();
    let asked = only(&reqs, |r| matches!(r, Request::Functionalities(_)));
    app.on_key(key(KeyCode::Esc));
    assert!(app.overlays.is_empty());
    let before = app.overlays.len();
    let log = logged(|| {
        ok(
            &mut app,
            asked,
            Payload::Functionalities("CONTACT".into(), functionalities()),
        )
    });
    assert_eq!(app.overlays.len(), before, "nothing opens");
    assert!(
        log.contains("answer dropped") && log.contains("Functionalities"),
        "{log}"
    );
    assert!(
        !log.contains("CONTACT"),
        "the answer's content is not logged"
    );

    // A site's equipements, asked by a detail closed meanwhile.
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let asked = only(&reqs, |r| matches!(r, Request::SiteEquipements { .. }));
    app.on_key(key(KeyCode::Esc));
    let site_id = app.lists.sites.items[app.lists.sites.view[0]]
        .site_id
        .clone();
    let log = logged(|| {
        ok(
            &mut app,
            asked,
            Payload::SiteEquipements {
                site_id,
                page: page(equipements(), 1, 1, 4),
            },
        )
    });
    assert!(app.overlays.is_empty());
    assert!(log.contains("answer dropped"), "{log}");
    assert!(log.contains("SiteEquipements"), "{log}");

    // An answer that lands is not reported.
    app.on_key(ch('r'));
    let reqs = app.take_requests();
    let asked = only(&reqs, |r| matches!(r, Request::Sites));
    let log = logged(|| ok(&mut app, asked, Payload::Sites(sites())));
    assert!(!log.contains("answer dropped"), "{log}");
}

/// A read-only profile is offered `x export` (it writes nothing to a server), and it works.
#[test]
fn a_read_only_profile_exports() {
    let mut s = session("admin");
    s.read_only = true;
    let mut app = App::new(s);
    app.start(true);
    serve(&mut app);
    let row = footer_row(&mut app, 120, 35);
    assert!(row.contains(" x export"), "{row}");
    assert!(!row.contains("n/e/d"), "{row}");
    app.on_key(ch('x'));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sites.csv");
    app.on_key(ctrl('a'));
    app.on_key(ctrl('k'));
    typed(&mut app, path.to_str().unwrap());
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::Enter));
    let effects = app.take_effects();
    assert!(
        matches!(&effects[..], [Effect::Export { rows, .. }] if *rows == sites().len()),
        "{effects:?} {:?}",
        app.status.notice
    );
}

/// The whole screen as drawn.
fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.on_resize(w, h);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| vigie::ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// Keys named inside a screen (a detail's "p reveals", a confirmation's "y yes") follow the
/// table too.
#[test]
fn keys_named_inside_a_screen_are_the_remapped_ones() {
    let mut app = remapped(&[("detail.reveal", "R"), ("confirm.yes", "o")]);
    app.on_key(ch('2'));
    serve(&mut app);
    app.on_key(key(KeyCode::Enter));
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("(R reveals)"), "{s}");
    assert!(!s.contains("(p reveals)"), "{s}");
    app.on_key(ch('d'));
    let s = screen(&mut app, 120, 35);
    assert!(s.contains("o yes") && s.contains("n/Esc no"), "{s}");
    app.on_key(ch('y'));
    assert!(app.take_requests().is_empty(), "y was given away");
    app.on_key(ch('o'));
    let reqs = app.take_requests();
    assert!(
        matches!(&reqs[..], [(_, Request::Change(c))] if matches!(c.op, vigie::change::Op::Delete)),
        "{reqs:?}"
    );
}

/// A default changed in the key table changes, together, what the key does, the footer, the
/// help and `vigie keys` — the table is read by all four, none types the key again.
#[test]
fn a_default_changed_in_the_table_changes_behaviour_footer_help_and_listing() {
    const SHIPPED: &str = include_str!("../assets/keys.toml");
    let edited = SHIPPED.replacen(
        r#"["filter", "/", "filter as you type","#,
        r#"["filter", "f", "filter as you type","#,
        1,
    );
    assert_ne!(edited, SHIPPED, "the filter's row is in the table");
    for (table, on, off) in [(SHIPPED, '/', 'f'), (edited.as_str(), 'f', '/')] {
        let mut app = loaded("admin");
        app.prefs.keymap = KeyMap::from_table(table, &BTreeMap::new()).unwrap();

        let row = footer_row(&mut app, 200, 35);
        assert!(row.contains(&format!(" {on} filter")), "{row}");
        assert!(!row.contains(&format!(" {off} filter")), "{row}");

        app.on_key(ch('?'));
        let help = vigie::ui::help_lines(&app);
        let filter = help
            .iter()
            .find(|(_, w)| w.starts_with("filter as"))
            .unwrap();
        assert!(filter.0.split(' ').any(|k| k == on.to_string()), "{help:?}");
        assert!(
            !filter.0.split(' ').any(|k| k == off.to_string()),
            "{help:?}"
        );
        app.on_key(key(KeyCode::Esc));

        let listing = app.prefs.keymap.listing();
        let line = listing.lines().find(|l| l.starts_with("filter ")).unwrap();
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&cols[1..3], [on.to_string(), on.to_string()], "{line}");

        app.on_key(ch(off));
        assert!(!app.lists.sites.filtering, "{off} does not filter");
        app.on_key(ch(on));
        assert!(app.lists.sites.filtering, "{on} filters");
    }
}

/// The footer's and the help's words for an action are the table's too: reworded there, they
/// change on the screen.
#[test]
fn the_words_of_footer_and_help_are_the_tables() {
    const SHIPPED: &str = include_str!("../assets/keys.toml");
    let edited = SHIPPED
        .replacen(r#""footer: filter""#, r#""footer: search""#, 1)
        .replacen(
            r#""help: filter as you type: text in a cell, or column:text (site:loum, ip:10.1.); equipements: loads every page""#,
            r#""help: search the rows""#,
            1,
        );
    let mut app = loaded("admin");
    app.prefs.keymap = KeyMap::from_table(&edited, &BTreeMap::new()).unwrap();
    let row = footer_row(&mut app, 200, 35);
    assert!(row.contains(" / search"), "{row}");
    assert!(!row.contains(" / filter"), "{row}");
    app.on_key(ch('?'));
    let help = vigie::ui::help_lines(&app);
    assert!(
        help.iter()
            .any(|(k, w)| k == "/" && *w == "search the rows"),
        "{help:?}"
    );
    assert!(
        !help
            .iter()
            .any(|(_, w)| w.starts_with("filter as you type:"))
    );
    // A row the table cannot read is refused with its name, not guessed.
    let bad = SHIPPED.replacen(r#""footer: filter""#, r#""short: filter""#, 1);
    let e = KeyMap::from_table(&bad, &BTreeMap::new()).unwrap_err();
    assert!(
        e.contains("list.filter") && e.contains("short: filter"),
        "{e}"
    );
}
