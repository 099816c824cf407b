//! The console's runtime: terminal set-up and restore, and the loop that feeds keys and worker
//! events to the app and draws a frame only when something changed.

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;

mod memory;
mod pace;
mod terminal;
use terminal::{Term, init_terminal, reenter, restore_terminal};

use crate::app::{App, Effect, Session};
use crate::worker;

pub struct ConsoleOptions {
    pub session: Session,
    pub logged_in: bool,
    pub extra_clients: Vec<(String, String)>,
    /// Configuration warnings, shown at start.
    pub warnings: Vec<String>,
    /// Palette aliases of the config.
    pub aliases: Vec<(String, String)>,
    /// Mouse reporting on from the start.
    pub mouse: bool,
    pub keymap: crate::app::keymap::KeyMap,
    /// Row commands of the config.
    pub commands: Vec<crate::commands::RowCommand>,
    /// Seconds between two reads of a watched list.
    pub watch_secs: Option<u64>,
    /// The config's profile names (`:profile NAME`).
    pub profiles: Vec<String>,
    /// What `P` may probe.
    pub probe: crate::probe::Settings,
    /// What `:find` searches the profiles with.
    pub finder: Option<crate::protocol::FinderRef>,
    /// A record to open first (`:find`'s Enter on another profile's record).
    pub open: Option<crate::protocol::FoundRecord>,
}

/// Why the console cannot run here, in one line: no terminal on stdin or stdout (`ssh host
/// vigie` without `-t`, cron, a pipe), or one that cannot draw (`TERM=dumb`).
pub fn terminal_problem() -> Option<String> {
    use std::io::IsTerminal;
    let hint = "run it in a terminal (ssh -t host vigie), or use `vigie list …` for scripts";
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Some(format!("the console needs a terminal: {hint}"));
    }
    let term = std::env::var("TERM").unwrap_or_default();
    if term == "dumb" {
        return Some(format!(
            "the console needs a terminal that can draw (TERM=dumb): {hint}"
        ));
    }
    None
}

/// Runs the console until the user quits or a signal ends it; the terminal is restored on
/// every path (a panic is restored by ratatui's hook). `Some(switch)` when the user switched
/// to another profile (`:profile NAME`, `:find`): the caller connects to it and runs the
/// console again, opening what the switch names.
pub async fn run(
    clients: worker::Clients,
    opts: ConsoleOptions,
) -> Result<Option<crate::app::Switch>, String> {
    memory::purge_freed_memory_at_once();
    let mut app = App::new(opts.session);
    app.lists.extra_clients = opts.extra_clients;
    app.prefs.aliases = opts.aliases;
    app.prefs.keymap = opts.keymap;
    app.prefs.commands = opts.commands;
    app.prefs.profiles = opts.profiles;
    app.prefs.probe = opts.probe;
    app.prefs.finder = opts.finder;
    app.open_at_start(opts.open);
    if let Some(s) = opts.watch_secs {
        app.prefs.watch_every = Duration::from_secs(s);
    }
    app.apply_views(crate::views::Views::load(&crate::views::path()));
    let history_path = crate::config::data_dir().join("palette_history.json");
    app.prefs.palette_history = std::fs::read_to_string(&history_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let history_before = app.prefs.palette_history.clone();
    if !opts.warnings.is_empty() {
        app.status.last_error = Some(format!("config: {}", opts.warnings.join(" · ")));
    }
    // The sites as this user last read them, shown at once (their age said) while the server
    // is asked again: the first frame has data before any answer.
    if let Some((sites, age)) = clients.core.as_ref().and_then(|c| c.kept_sites()) {
        app.show_kept_sites(sites, age);
    }
    let (req_tx, mut ev_rx) = worker::spawn(clients);
    let caps = crate::term::detect();
    // A panic of the console's own thread restores the terminal (mouse reporting included)
    // before it is reported; one in a worker task is the worker's to report.
    let ui = std::thread::current().id();
    let chained = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui {
            restore_terminal();
        }
        chained(info);
    }));
    let mut terminal = match init_terminal(&caps) {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(format!("cannot set up the terminal: {e}"));
        }
    };
    if opts.mouse {
        app.set_mouse(true);
        app.status.notice = None;
    }
    let result = event_loop(&mut terminal, &mut app, &req_tx, &mut ev_rx, opts.logged_in).await;
    restore_terminal();
    if app.prefs.palette_history != history_before
        && let Ok(text) = serde_json::to_string(&app.prefs.palette_history)
    {
        let _ = crate::files::write_private(&history_path, text.as_bytes());
    }
    result.map(|()| app.switch_profile.take())
}

async fn event_loop(
    terminal: &mut Term,
    app: &mut App,
    req_tx: &worker::RequestTx,
    ev_rx: &mut tokio::sync::mpsc::UnboundedReceiver<crate::protocol::Event>,
    logged_in: bool,
) -> Result<(), String> {
    let size = terminal.size().map_err(|e| e.to_string())?;
    app.on_resize(size.width, size.height);
    app.start(logged_in);
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(
        1000 / u64::from(crate::app::TICKS_PER_SECOND),
    ));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    #[cfg(unix)]
    let (mut term, mut hup) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).map_err(|e| e.to_string())?,
            signal(SignalKind::hangup()).map_err(|e| e.to_string())?,
        )
    };
    let draft_path = open_journal_and_draft(app);
    let mut kept = draft_key(app);
    let mut dirty = true;
    let mut pace = pace::Pace::default();
    loop {
        // Every change of an open form reaches the disk before the next key: a dropped
        // session or a crash loses nothing typed (passwords excepted).
        let now = draft_key(app);
        if now != kept {
            crate::app::drafts::store(
                &draft_path,
                crate::app::drafts::encode(app.open_form(), &app.session.server).as_deref(),
            );
            kept = now;
        }
        let carried;
        (keys, carried) = carry_out_effects(terminal, app, keys);
        dirty |= carried;
        for r in app.take_requests() {
            if req_tx.send(r).is_err() {
                return Err("the network worker stopped".into());
            }
        }
        if app.quit {
            return Ok(());
        }
        if dirty {
            app.remember_messages();
            draw(terminal, app)?;
            pace.drawn(std::time::Instant::now());
            dirty = false;
        }
        #[cfg(unix)]
        let signal = async {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
        };
        #[cfg(not(unix))]
        let signal = std::future::pending::<()>();
        // A watched list sleeps until its next refresh (or a highlight's end).
        let wake = app.next_wake();
        // Keys first, then answers, ticks and signals; a filter still running over a long
        // list goes on only when none of them waits, a slice at a time, each slice drawn.
        tokio::select! {
            biased;
            ev = keys.next() => match ev {
                #[cfg(unix)]
                Some(Ok(TermEvent::Key(k)))
                    if k.kind == KeyEventKind::Press
                        && k.code == crossterm::event::KeyCode::Char('z')
                        && k.modifiers.contains(crossterm::event::KeyModifiers::CONTROL) =>
                {
                    // Ctrl-Z: a shell job like any full-screen tool; `fg` brings it back.
                    drop(keys);
                    restore_terminal();
                    // SAFETY: raising a signal on this process has no precondition.
                    unsafe { libc::raise(libc::SIGTSTP) };
                    reenter(terminal, app.prefs.mouse);
                    keys = EventStream::new();
                    dirty = true;
                }
                Some(Ok(TermEvent::Key(k))) if k.kind == KeyEventKind::Press => {
                    app.on_key(k);
                    dirty = true;
                }
                Some(Ok(TermEvent::Mouse(m))) => dirty |= on_mouse(terminal, app, m)?,
                Some(Ok(TermEvent::Resize(w, h))) => {
                    app.on_resize(w, h);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // The terminal is gone (dropped SSH session): leave quietly.
                Some(Err(_)) | None => return Ok(()),
            },
            Some(ev) = ev_rx.recv() => {
                let only_progress = take_answers(app, ev, ev_rx);
                dirty |= pace.answers(only_progress, std::time::Instant::now());
            }
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(
                pace.due().unwrap_or_else(std::time::Instant::now),
            )), if pace.due().is_some() => dirty = true,
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(wake.unwrap_or_else(|| {
                std::time::Instant::now() + Duration::from_secs(3600)
            }))), if wake.is_some() => {
                app.wake(std::time::Instant::now());
                dirty = true;
            }
            _ = tick.tick(), if app.wants_tick() => {
                app.tick();
                dirty = true;
            }
            _ = signal => return Ok(()),
            _ = std::future::ready(()), if app.has_pending_work() => {
                app.work(crate::app::FILTER_SLICE);
                dirty = true;
            }
        }
    }
}

/// The journal read, and a form left unfinished offered back; the path its drafts go to.
fn open_journal_and_draft(app: &mut App) -> std::path::PathBuf {
    let draft_path = crate::app::drafts::path_for(
        &crate::config::data_dir(),
        &app.session.profile,
        app.session.files_key(),
    );
    app.journal = crate::journal::read(&crate::journal::path_for(
        &crate::config::data_dir(),
        &app.session.profile,
        app.session.files_key(),
    ));
    if let Some(d) = crate::app::drafts::load(&draft_path) {
        app.offer_draft(d);
    }
    draft_path
}

/// Carries out what the app asks of the terminal and the disk: the key reader back (made
/// anew when an editor or a command had the terminal), and whether anything was done.
fn carry_out_effects(
    terminal: &mut Term,
    app: &mut App,
    mut keys: EventStream,
) -> (EventStream, bool) {
    let mut done = false;
    for e in app.take_effects() {
        if let Effect::Edit { title, text } = e {
            // The editor owns the terminal meanwhile: no key reader may compete for it.
            drop(keys);
            let r = edit_in_editor(terminal, &title, &text, app.prefs.mouse);
            keys = EventStream::new();
            app.on_edited(r);
        } else if let Effect::Run { name, runs, wait } = e {
            drop(keys);
            let failures = run_commands(terminal, &runs, wait, app.prefs.mouse);
            keys = EventStream::new();
            app.on_ran(&name, runs.len(), failures);
        } else {
            carry_out(app, e);
        }
        done = true;
    }
    (keys, done)
}

/// A mouse event: the wheel scrolls, a left click acts on what is under it. Whether it
/// did anything.
fn on_mouse(
    terminal: &mut Term,
    app: &mut App,
    m: crossterm::event::MouseEvent,
) -> Result<bool, String> {
    use crossterm::event::{MouseButton, MouseEventKind};
    match m.kind {
        MouseEventKind::ScrollDown => app.on_scroll(true),
        MouseEventKind::ScrollUp => app.on_scroll(false),
        MouseEventKind::Down(MouseButton::Left) => {
            let size = terminal.size().map_err(|e| e.to_string())?;
            if let Some(c) = crate::ui::hit(app, size.width, size.height, m.column, m.row) {
                app.on_click(c);
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// An answer, and every one queued behind it, taken before drawing once. Whether they only
/// said how far a load is (`pace`).
fn take_answers(
    app: &mut App,
    ev: crate::protocol::Event,
    ev_rx: &mut tokio::sync::mpsc::UnboundedReceiver<crate::protocol::Event>,
) -> bool {
    let progress =
        |ev: &crate::protocol::Event| matches!(ev, crate::protocol::Event::Progress { .. });
    let (mut big, mut only_progress) = (is_big_answer(&ev), progress(&ev));
    app.on_event(ev);
    while let Ok(ev) = ev_rx.try_recv() {
        big |= is_big_answer(&ev);
        only_progress &= progress(&ev);
        app.on_event(ev);
    }
    if big {
        memory::give_back_freed_memory();
    }
    only_progress
}

/// The answers whose bodies run to tens of megabytes at 100,000 equipements (the sites embed
/// every equipement).
fn is_big_answer(ev: &crate::protocol::Event) -> bool {
    matches!(
        ev,
        crate::protocol::Event::Done {
            result: Ok(crate::protocol::Payload::Sites(_)
                | crate::protocol::Payload::AllEquipements(_)
                | crate::protocol::Payload::AllEquipementsPrepared(_)),
            ..
        }
    )
}

/// Copies and exports: the only things the app asks that are not network requests.
fn carry_out(app: &mut App, e: Effect) {
    use crate::i18n::{tr, trf};
    match e {
        Effect::Journal(entry) => {
            let path = crate::journal::path_for(
                &crate::config::data_dir(),
                &app.session.profile,
                app.session.files_key(),
            );
            if let Err(err) = crate::journal::append(&path, &entry) {
                // The change is made; only its record for undo is missing: said, not hidden.
                app.status.last_error = Some(trf(
                    "The change was made but the journal could not be written ({}): it cannot be undone",
                    &[&err],
                ));
            }
        }
        Effect::Copy { text, what } => {
            // Pasted into a shell later: only printable text and line breaks, whatever put it
            // here (a CR would run a command, `ESC[201~` would end a bracketed paste).
            let text: String = text
                .chars()
                .filter(|&c| c == '\n' || !crate::text::is_unsafe(c))
                .collect();
            // OSC 52 reaches the local clipboard through SSH and tmux (set-clipboard on),
            // through GNU screen wrapped in its pass-through.
            let how = crate::term::clipboard_mode();
            let osc = crate::term::osc52(&text, how).map(|seq| {
                let mut out = std::io::stdout();
                out.write_all(seq.as_bytes())
                    .and_then(|()| out.flush())
                    .is_ok()
            });
            let local = copy_locally(&text);
            app.status.notice = Some(match (osc, local) {
                (Some(true), _) | (_, true) => trf("Copied {}", &[&what]),
                (None, false) if how == crate::term::Osc52::Screen => {
                    tr("Not copied: GNU screen passes at most 568 characters to the clipboard (v shows it to select)").into()
                }
                (None, false) if how == crate::term::Osc52::TmuxOff => {
                    tr("Not copied: tmux drops it (tmux set -g set-clipboard on)").into()
                }
                _ => tr("Copy failed: no clipboard reachable").into(),
            });
        }
        // Handled by the loop, which owns the terminal and the key reader.
        Effect::Edit { .. } | Effect::Run { .. } => {}
        Effect::SaveViews(v) => {
            let path = crate::views::path();
            if let Err(err) = v.save(&path) {
                app.status.last_error = Some(trf("Cannot write {}: {}", &[&path.display(), &err]));
            }
        }
        Effect::Mouse(on) => {
            let _ = if on {
                crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)
            } else {
                crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture)
            };
        }
        Effect::Export {
            path,
            content,
            rows,
        } => {
            let r = crate::files::write_private(&path, content.as_bytes());
            match r {
                Ok(()) => {
                    app.status.notice =
                        Some(trf("Exported {} rows to {}", &[&rows, &path.display()]))
                }
                Err(err) => {
                    app.status.last_error =
                        Some(trf("Cannot write {}: {}", &[&path.display(), &err]))
                }
            }
        }
    }
}

/// Hands the terminal to `$VISUAL`/`$EDITOR` (vi otherwise) on a private temporary file.
/// `mouse`: mouse reporting was on, and is turned on again after the editor.
fn edit_in_editor(
    terminal: &mut Term,
    title: &str,
    text: &str,
    mouse: bool,
) -> Result<String, String> {
    use crate::i18n::trf;
    let name: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = std::env::temp_dir().join(format!("vigie-{}-{name}.json", std::process::id()));
    crate::files::write_private(&path, text.as_bytes()).map_err(|e| e.to_string())?;
    restore_terminal();
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // Through the shell: EDITOR often holds arguments ("code --wait").
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    reenter(terminal, mouse);
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| e.to_string()),
        Ok(s) => Err(trf("The editor ended with {}: nothing sent", &[&s])),
        Err(e) => Err(trf("Cannot run the editor {}: {}", &[&editor, &e])),
    };
    let _ = std::fs::remove_file(&path);
    result
}

/// Hands the terminal to a row command, run once per argument list (no shell: the program
/// gets exactly these arguments); the terminal comes back on every path, a program that
/// fails or is missing included. Returns what went wrong, one line per failed run.
fn run_commands(terminal: &mut Term, runs: &[Vec<String>], wait: bool, mouse: bool) -> Vec<String> {
    use crate::i18n::{tr, trf};
    use std::io::Write as _;
    restore_terminal();
    let mut failures = Vec::new();
    for argv in runs {
        let Some((program, args)) = argv.split_first() else {
            continue;
        };
        // What runs, shown as a shell would quote it (the values are already free of
        // control characters).
        eprintln!("\n$ {}", crate::commands::shown(argv));
        match std::process::Command::new(program).args(args).status() {
            Ok(s) if s.success() => {}
            Ok(s) => failures.push(trf("{} ended with {}", &[&program, &s])),
            Err(e) => failures.push(trf("cannot run {}: {}", &[&program, &e])),
        }
    }
    if wait {
        eprint!("\n{}", tr("[vigie] Enter returns to the console "));
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
    reenter(terminal, mouse);
    failures
}

/// A desktop clipboard tool, when the session is local (not over SSH).
fn copy_locally(text: &str) -> bool {
    use std::io::Write as _;
    if std::env::var_os("SSH_TTY").is_some() || std::env::var_os("SSH_CONNECTION").is_some() {
        return false;
    }
    let tools: &[(&str, &[&str])] = &[
        ("wl-copy", &[]),
        ("xclip", &["-selection", "clipboard"]),
        ("xsel", &["--clipboard", "--input"]),
        ("pbcopy", &[]),
    ];
    for (cmd, args) in tools {
        let child = std::process::Command::new(cmd)
            .args(*args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut c) = child {
            let ok = c
                .stdin
                .take()
                .map(|mut i| i.write_all(text.as_bytes()).is_ok())
                .unwrap_or(false);
            return ok && c.wait().is_ok_and(|s| s.success());
        }
    }
    false
}

/// What a draft would hold now (without its timestamp), to write only on change.
fn draft_key(app: &App) -> Option<String> {
    app.open_form()
        .filter(|f| f.draftable())
        .and_then(|f| serde_json::to_string(&f.without_secrets()).ok())
}

fn draw(terminal: &mut Term, app: &App) -> Result<(), String> {
    let caps = crate::term::detect();
    // Synchronized output: slow links show whole frames, never half-drawn ones.
    if caps.sync {
        let _ = crossterm::execute!(std::io::stdout(), BeginSynchronizedUpdate);
    }
    let r = terminal
        .draw(|f| {
            crate::ui::draw(f, app);
            if !caps.unicode {
                // A locale that is not UTF-8: ASCII lines, transliterated text.
                for cell in f.buffer_mut().content.iter_mut() {
                    if !cell.symbol().is_ascii() {
                        let a = crate::term::ascii(cell.symbol());
                        cell.set_symbol(&a);
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| e.to_string());
    if caps.sync {
        let _ = crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate);
    }
    let _ = std::io::stdout().flush();
    r
}
