//! In-process figures of the console with 100,000 equipements loaded (docs/performance.md):
//! drawing one 200x50 frame of the table, detail and form screens, one filter keystroke, and
//! (for reference) applying the loaded rows and sorting them.
//!
//! `cargo bench --bench console`; `VIGIE_BENCH_SEED_SIZE=N` for another size. The rows come
//! from the reference server seeded like `vigie serve --seed demo --seed-size 100000`, read
//! back through the console's own loader, so haystacks and cells are the real ones.

mod common;

// The binary's allocator (src/main.rs), so the figures are the console's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use divan::Bencher;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vigie::api::model::{Claims, Equipement, SiteSummary};
use vigie::app::{App, Session};
use vigie::protocol::{Event, Payload, Request};
use vigie::rows::Rows;

fn main() {
    // `cargo test --benches` runs this without `--bench`: measure only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("console: run it with `cargo bench`");
        return;
    }
    LazyLock::force(&DATA);
    for i in filter::cases() {
        eprintln!("filter case {i}: {}", filter::case_name(i));
    }
    divan::main();
}

static DATA: LazyLock<(Vec<Equipement>, Vec<SiteSummary>)> =
    LazyLock::new(|| common::dataset(common::seed_size()));

const W: u16 = 200;
const H: u16 = 50;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), m)
}

fn answer(app: &mut App, id: u64, p: Payload) {
    app.on_event(Event::Done { id, result: Ok(p) });
}

/// A logged-in console at 200x50 on the Equipements tab, every equipement loaded.
fn loaded_app() -> App {
    let (items, sites) = &*DATA;
    let mut app = App::new(Session {
        profile: "bench".into(),
        server: "http://127.0.0.1:8000".into(),
        user: Some("admin@vigie.local".into()),
        role: Some("admin".into()),
        ..Default::default()
    });
    app.on_resize(W, H);
    app.start(true);
    for (id, r) in app.take_requests() {
        match r {
            Request::WhoAmI => answer(
                &mut app,
                id,
                Payload::LoggedIn(Claims {
                    sub: "1000".into(),
                    email: "admin@vigie.local".into(),
                    role_name: "admin".into(),
                    ..Default::default()
                }),
            ),
            Request::Sites => answer(&mut app, id, Payload::Sites(sites.clone())),
            other => panic!("unexpected {other:?}"),
        }
    }
    app.on_key(ch('2'));
    let _ = app.take_requests();
    app.on_key(ch('A'));
    let all = app
        .take_requests()
        .into_iter()
        .find(|(_, r)| matches!(r, Request::AllEquipements))
        .expect("load all asked")
        .0;
    answer(&mut app, all, Payload::AllEquipements(items.clone()));
    assert_eq!(app.lists.equipements.items.len(), items.len());
    app
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(W, H)).expect("terminal")
}

fn draw(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| vigie::ui::draw(f, app)).expect("draw");
}

// ---- drawing --------------------------------------------------------------------------------

mod frame {
    use super::*;

    fn bench_screen(b: Bencher, app: App) {
        let mut t = terminal();
        // The first frame paints everything; the ones measured change what a key changes.
        draw(&mut t, &app);
        b.bench_local(|| draw(&mut t, &app));
    }

    #[divan::bench(sample_count = 200)]
    fn table(b: Bencher) {
        bench_screen(b, loaded_app());
    }

    /// Selection in the middle of the 100,000 rows.
    #[divan::bench(sample_count = 200)]
    fn table_scrolled(b: Bencher) {
        let mut app = loaded_app();
        let n = app.lists.equipements.len();
        app.lists.equipements.selected = n / 2;
        app.lists.equipements.scroll_into_view(app.viewport_rows);
        bench_screen(b, app);
    }

    /// A filter on: every visible row has its matched characters highlighted.
    #[divan::bench(sample_count = 200)]
    fn table_filtered(b: Bencher) {
        let mut app = loaded_app();
        app.on_key(ch('/'));
        for c in "hik".chars() {
            app.on_key(ch(c));
        }
        bench_screen(b, app);
    }

    /// Alternating two selections: each frame really repaints two rows.
    #[divan::bench(sample_count = 200)]
    fn table_moving(b: Bencher) {
        let app = std::cell::RefCell::new(loaded_app());
        let mut t = terminal();
        draw(&mut t, &app.borrow());
        let mut down = true;
        b.bench_local(|| {
            let mut a = app.borrow_mut();
            a.on_key(key(if down { KeyCode::Down } else { KeyCode::Up }));
            down = !down;
            draw(&mut t, &a);
        });
    }

    #[divan::bench(sample_count = 200)]
    fn detail(b: Bencher) {
        let mut app = loaded_app();
        app.on_key(key(KeyCode::Enter));
        assert!(!app.overlays.is_empty(), "detail open");
        bench_screen(b, app);
    }

    #[divan::bench(sample_count = 200)]
    fn form_edit(b: Bencher) {
        let mut app = loaded_app();
        app.on_key(ch('e'));
        assert!(app.open_form().is_some(), "form open");
        bench_screen(b, app);
    }

    /// Typing in the form's first field: a key and the frame it causes.
    #[divan::bench(sample_count = 200)]
    fn form_typing(b: Bencher) {
        let app = std::cell::RefCell::new(loaded_app());
        app.borrow_mut().on_key(ch('n'));
        let mut t = terminal();
        draw(&mut t, &app.borrow());
        let mut i = 0u32;
        b.bench_local(|| {
            let mut a = app.borrow_mut();
            // Type and erase in turn, so the field never grows.
            if i % 2 == 0 {
                a.on_key(ch('x'));
            } else {
                a.on_key(key(KeyCode::Backspace));
            }
            i += 1;
            draw(&mut t, &a);
        });
    }

    #[divan::bench(sample_count = 200)]
    fn sites(b: Bencher) {
        let mut app = loaded_app();
        app.on_key(ch('1'));
        bench_screen(b, app);
    }
}

// ---- filtering ------------------------------------------------------------------------------

mod filter {
    use super::*;

    /// The console filtering, with `typed` already typed; the keystroke is what is measured.
    fn typing(typed: &str) -> App {
        let mut app = loaded_app();
        app.on_key(ch('/'));
        // Typed at a person's pace: each filter is matched over every row before the next key.
        for c in typed.chars() {
            app.on_key(ch(c));
            finish(&mut app);
        }
        app
    }

    /// What the event loop does between keys until the filter is matched over every row.
    fn finish(app: &mut App) {
        while app.has_pending_work() {
            app.work(vigie::app::FILTER_SLICE);
        }
    }

    /// (already typed, key): the first key over every row, narrowing keys, a backspace, an
    /// IP, a site name with an accent, and a second word.
    const CASES: &[(&str, char)] = &[
        ("", 'h'),
        ("h", 'i'),
        ("hi", 'k'),
        ("", '1'),
        ("10.1", '2'),
        ("bép", 'a'),
        ("dahua", ' '),
        ("dahua ", 'b'),
        ("hik", '\u{8}'),
    ];

    /// The cases to run: all, or those listed in `VIGIE_BENCH_CASES` (e.g. `0,4`).
    pub fn cases() -> Vec<usize> {
        match std::env::var("VIGIE_BENCH_CASES") {
            Ok(v) => v
                .split(',')
                .filter_map(|c| c.trim().parse().ok())
                .filter(|&c| c < CASES.len())
                .collect(),
            Err(_) => (0..CASES.len()).collect(),
        }
    }

    pub fn case_name(i: usize) -> String {
        let (t, c) = CASES[i];
        let k = if c == '\u{8}' {
            "⌫".to_string()
        } else {
            format!("{c:?}")
        };
        format!("{t:?}+{k}")
    }

    fn press(app: &mut App, c: char) {
        if c == '\u{8}' {
            app.on_key(key(KeyCode::Backspace));
        } else {
            app.on_key(ch(c));
        }
    }

    /// One keystroke: the new filter applied to the 100,000 rows.
    #[divan::bench(args = cases(), sample_count = 12, sample_size = 1)]
    fn keystroke(b: Bencher, case: usize) {
        let (t, c) = CASES[case];
        b.with_inputs(|| typing(t)).bench_local_values(|mut app| {
            press(&mut app, c);
            app
        });
    }

    /// One keystroke and the slices after it until every row is matched (a filter over its
    /// budget shows its first rows after the keystroke, the rest follow between keys).
    #[divan::bench(args = cases(), sample_count = 12, sample_size = 1)]
    fn keystroke_until_complete(b: Bencher, case: usize) {
        let (t, c) = CASES[case];
        b.with_inputs(|| typing(t)).bench_local_values(|mut app| {
            press(&mut app, c);
            finish(&mut app);
            app
        });
    }

    /// One keystroke and the frame that shows its (first) result.
    #[divan::bench(args = cases(), sample_count = 12, sample_size = 1)]
    fn keystroke_and_frame(b: Bencher, case: usize) {
        let (t, c) = CASES[case];
        b.with_inputs(|| {
            let app = typing(t);
            let mut term = terminal();
            draw(&mut term, &app);
            (app, term)
        })
        .bench_local_values(|(mut app, mut term)| {
            press(&mut app, c);
            draw(&mut term, &app);
            (app, term)
        });
    }
}

// ---- for reference --------------------------------------------------------------------------

mod rows {
    use super::*;

    /// The 100,000 loaded rows handed to the list (haystacks built, view made).
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn apply_loaded(b: Bencher) {
        b.with_inputs(|| {
            let mut l = vigie::app::list::ListView::<Equipement>::default();
            l.set_items(Vec::new());
            (l, DATA.0.clone())
        })
        .bench_local_values(|(mut l, items)| {
            l.set_items(items);
            l
        });
    }

    /// The `s` key on the rows (a long list's sort is then made a slice at a time).
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn sort_by_ip(b: Bencher) {
        b.with_inputs(|| {
            let mut l = vigie::app::list::ListView::<Equipement>::default();
            l.set_items(DATA.0.clone());
            l
        })
        .bench_local_values(|mut l| {
            l.cycle_sort();
            l
        });
    }

    /// One slice of a long list's sort, as the runtime runs it between keys (the longest wait
    /// a key can meet while a sort is made).
    #[divan::bench(sample_count = 50, sample_size = 1)]
    fn sort_slice(b: Bencher) {
        b.with_inputs(|| {
            let mut l = vigie::app::list::ListView::<Equipement>::default();
            l.set_items(DATA.0.clone());
            l.cycle_sort();
            // Somewhere in the middle of the work.
            for _ in 0..40 {
                l.resume_filter(vigie::app::FILTER_SLICE);
            }
            l
        })
        .bench_local_values(|mut l| {
            l.resume_filter(vigie::app::FILTER_SLICE);
            l
        });
    }

    /// A long list's sort from the key to the order shown, slices one after another.
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn sort_to_the_end(b: Bencher) {
        b.with_inputs(|| {
            let mut l = vigie::app::list::ListView::<Equipement>::default();
            l.set_items(DATA.0.clone());
            l
        })
        .bench_local_values(|mut l| {
            l.cycle_sort();
            while l.filter_pending() {
                l.resume_filter(vigie::app::FILTER_SLICE);
            }
            l
        });
    }
}
