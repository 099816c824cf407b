//! Drawing only: every function here reads the state and paints a frame.

mod detail;
mod dialogs;
mod form;
mod grid;
mod table;

pub mod svg;
pub mod theme;

pub use detail::fields as detail_fields;
pub use dialogs::help_lines;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::{App, DetailTarget, Overlay, Tab, group};
use crate::i18n::{tr, trf};
use crate::protocol::Service;
use crate::text::sanitize;
use unicode_width::UnicodeWidthStr;

pub const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn accent() -> Style {
    theme::theme().accent
}

pub fn dim() -> Style {
    theme::theme().dim
}

pub fn err_style() -> Style {
    theme::theme().error
}

/// Server text made safe to draw.
pub fn safe(s: &str) -> String {
    sanitize(s).into_owned()
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < 20 || area.height < 8 {
        f.render_widget(
            Paragraph::new(tr("Terminal too small")).style(err_style()),
            area,
        );
        return;
    }
    let [tabs, body, footer, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, app, tabs);
    table::draw_list(f, app, body);
    draw_footer(f, app, footer);
    draw_status(f, app, status);
    for o in &app.overlays {
        match o {
            Overlay::Detail(d) => detail::draw(f, app, d, body),
            // Between the tab bar and the footer, which stay readable.
            Overlay::Form(fm) => form::draw(f, fm, body),
            Overlay::Confirm(c) => dialogs::confirm(f, c, area),
            Overlay::Help => dialogs::help(f, app, area),
            Overlay::Palette(p) => dialogs::palette(f, app, p, area),
            Overlay::Login(l) => dialogs::login(f, app, l, area),
            Overlay::Account(a) => dialogs::account(f, app, a, body),
            Overlay::Restore(d) => dialogs::restore(f, d, area),
            Overlay::Raw(r) => dialogs::raw(f, r, body),
        }
    }
}

/// The tab bar's labels and whether the " vigie " badge leads them (it gives way when narrow).
fn tab_labels(app: &App, width: u16) -> (bool, Vec<String>) {
    let label = |i: usize, t: &Tab, short: bool| match (t, short) {
        (Tab::Users, false) => format!(" {} {}·{} ", i + 1, tr("Users"), app.users_dir.name()),
        (Tab::Users, true) => format!(
            " {}{}·{} ",
            i + 1,
            tr("Users").chars().take(5).collect::<String>(),
            &app.users_dir.name()[..1]
        ),
        (_, false) => format!(" {} {} ", i + 1, tr(t.title())),
        (_, true) => format!(
            " {}{} ",
            i + 1,
            tr(t.title()).chars().take(5).collect::<String>()
        ),
    };
    let full: usize = 7 + Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| label(i, t, false).width())
        .sum::<usize>();
    let short = full > usize::from(width);
    let labels = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| label(i, t, short))
        .collect();
    (!short, labels)
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let (badge, labels) = tab_labels(app, area.width);
    let mut spans = if badge {
        vec![Span::styled(" vigie ", Style::new().bold().reversed())]
    } else {
        Vec::new()
    };
    for (t, text) in Tab::ALL.iter().zip(labels) {
        if *t == app.tab {
            spans.push(Span::styled(
                text,
                accent().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ));
        } else {
            spans.push(Span::raw(text));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What is drawn at column `x`, row `y` of a `w`×`h` screen, for a mouse click.
pub fn hit(app: &App, w: u16, h: u16, x: u16, y: u16) -> Option<crate::app::Click> {
    use crate::app::Click;
    use crossterm::event::KeyCode;
    let x = usize::from(x);
    if y == 0 {
        let (badge, labels) = tab_labels(app, w);
        let mut start = if badge { 7 } else { 0 };
        for (t, l) in Tab::ALL.iter().zip(labels) {
            let end = start + l.width();
            if (start..end).contains(&x) {
                return Some(Click::Tab(*t));
            }
            start = end;
        }
        return None;
    }
    if y + 2 == h {
        // Footer: the position text, a bar, then " key text" pairs.
        let mut start = position_text(app).width() + 3;
        for (k, v) in fitted_hints(app, usize::from(w)) {
            let end = start + 1 + k.width() + 1 + tr(v).width();
            if (start..end).contains(&x) {
                let code = match k {
                    "Enter" => KeyCode::Enter,
                    "Esc" => KeyCode::Esc,
                    "Tab" => KeyCode::Tab,
                    _ if k.chars().count() == 1 => KeyCode::Char(k.chars().next()?),
                    _ => return None,
                };
                return Some(Click::Key(code));
            }
            start = end;
        }
        return None;
    }
    // The list: a border and the header row above the first row, a border below the last.
    if app.overlays.is_empty() && y >= 3 && y + 3 < h {
        let row = usize::from(y - 3) + app.list_offset();
        return Some(Click::Row(row));
    }
    None
}

/// Paging or count text of the current list.
pub fn position_text(app: &App) -> String {
    let (shown, total_loaded, paging, complete) = match app.tab {
        Tab::Sites => (app.sites.len(), app.sites.items.len(), None, true),
        Tab::Equipements => (
            app.equipements.len(),
            app.equipements.items.len(),
            app.equipements.paging,
            app.equipements.complete,
        ),
        Tab::Users if app.users_dir == Service::Maarch => (
            app.maarch_users.len(),
            app.maarch_users.items.len(),
            None,
            true,
        ),
        Tab::Users => (app.users.len(), app.users.items.len(), None, true),
        Tab::Roles => (app.roles.len(), app.roles.items.len(), None, true),
        Tab::Individus => (app.individus.len(), app.individus.items.len(), None, true),
    };
    let mut s = match paging {
        Some(p) if !complete => trf(
            "page {}/{} · {} items",
            &[&p.page, &p.pages.max(1), &group(p.total)],
        ),
        _ => trf("{} items", &[&group(total_loaded as u64)]),
    };
    if shown != total_loaded {
        s = trf("{} of {}", &[&group(shown as u64), &s]);
    }
    if let Some((loaded, total)) = app.load_progress {
        s.push_str(&trf(
            " · loading all {}/{}",
            &[&group(loaded as u64), &group(total as u64)],
        ));
    }
    s
}

/// A form's keys: only those that do something on this form and field.
fn form_hints(fm: &crate::app::form::Form) -> Vec<(&'static str, &'static str)> {
    use crate::app::form::FieldKind;
    let mut v = Vec::new();
    if fm.fields.len() > 1 {
        v.push(("Tab", "next field"));
    }
    v.push(("Ctrl-S", "save"));
    match fm.fields.get(fm.focus).map(|x| &x.kind) {
        Some(FieldKind::Open { options, .. }) if !options.is_empty() => {
            v.push(("←→", "known values"))
        }
        Some(FieldKind::Choice { .. }) => v.push(("type/←→", "pick")),
        _ => {}
    }
    if fm.folded_count() > 0 {
        v.push((
            "Ctrl-O",
            if fm.show_advanced {
                "fewer fields"
            } else {
                "more fields"
            },
        ));
    }
    if fm.has_secret() {
        v.push(("Ctrl-R", "reveal"));
    }
    v.push(("Esc", "cancel"));
    v
}

/// The footer's hints that fit in `width` columns after the position text: `?` and `q` are
/// kept whatever the width, the others dropped from the last one first.
pub fn fitted_hints(app: &App, width: usize) -> Vec<(&'static str, &'static str)> {
    let mut hints = footer_hints(app);
    let room = width.saturating_sub(position_text(app).width() + 3);
    let w = |h: &[(&str, &str)]| -> usize {
        h.iter()
            .map(|(k, v)| 1 + k.width() + 1 + tr(v).width())
            .sum()
    };
    let vital = |k: &str| matches!(k, "?" | "q" | "Esc");
    while w(&hints) > room {
        match hints.iter().rposition(|(k, _)| !vital(k)) {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    hints
}

fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let hints = fitted_hints(app, usize::from(area.width));
    let pos = position_text(app);
    let mut spans = vec![Span::styled(format!(" {pos} "), accent()), Span::raw("│")];
    for (k, v) in hints {
        spans.push(Span::styled(format!(" {k}"), Style::new().bold()));
        spans.push(Span::styled(format!(" {}", tr(v)), dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys the footer offers on the current screen (English; drawn translated).
pub fn footer_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    let mut hints = all_hints(app);
    if app.session.read_only {
        // A read-only profile refuses these: not offered.
        hints.retain(|(k, _)| {
            !matches!(
                *k,
                "n" | "e" | "d" | "n/e/d" | "a" | "g" | "t" | "x" | "l/c/U"
            )
        });
    }
    hints
}

fn all_hints(app: &App) -> Vec<(&'static str, &'static str)> {
    let form_keys;
    let hints: &[(&str, &str)] = match app.overlays.last() {
        // A question waits: its own keys.
        Some(Overlay::Form(fm)) if fm.confirm_discard => {
            &[("y", "discard"), ("other key", "keep editing")]
        }
        Some(Overlay::Form(fm)) if fm.asking.is_some() => {
            &[("y", "yes, go on"), ("other key", "back to the form")]
        }
        Some(Overlay::Form(fm)) => {
            form_keys = form_hints(fm);
            &form_keys
        }
        Some(Overlay::Detail(d)) => match d.target {
            DetailTarget::MaarchUser(_) => &[
                ("Esc", "back"),
                ("e", "edit"),
                ("g", "add group"),
                ("t", "add entity"),
                ("x", "remove"),
                ("l/c/U", "Parapheur link/create/unlink"),
                ("s", "status"),
                ("?", "help"),
            ],
            DetailTarget::Individu(_) => &[
                ("Esc", "back"),
                ("e", "edit"),
                ("a", "assign entity"),
                ("d", "delete"),
                ("?", "help"),
            ],
            DetailTarget::Site(_) => &[
                ("Esc", "back"),
                ("e", "edit"),
                ("d", "delete"),
                ("n", "new equipement"),
                ("]", "next page"),
                ("?", "help"),
            ],
            _ => &[
                ("Esc", "back"),
                ("e", "edit"),
                ("d", "delete"),
                ("p", "reveal"),
                ("?", "help"),
            ],
        },
        Some(Overlay::Account(_)) => &[
            ("←→", "element type"),
            ("p", "change password"),
            ("R", "request reset"),
            ("r", "reload"),
            ("Esc", "close"),
        ],
        Some(Overlay::Confirm(_)) => &[("y", "confirm"), ("n/Esc", "cancel")],
        Some(Overlay::Palette(_)) => &[("Enter", "run"), ("↑↓", "choose"), ("Esc", "close")],
        Some(Overlay::Login(_)) => &[("Enter", "log in"), ("Tab", "next field"), ("Esc", "close")],
        Some(Overlay::Help) => &[("j k PgDn PgUp", "scroll"), ("Esc", "close help")],
        Some(Overlay::Restore(_)) => &[("y", "restore"), ("n", "discard")],
        Some(Overlay::Raw(_)) => &[
            ("j k PgDn PgUp", "scroll"),
            ("Y", "copy as JSON"),
            ("Esc", "back"),
        ],
        None if !app.session.has(app.tab_service(app.tab)) => &[
            ("Tab", "other tab"),
            (":", "palette"),
            ("?", "help"),
            ("q", "quit"),
        ],
        None if app.tab == Tab::Individus => &[
            ("Enter", "open"),
            ("/", "filter"),
            ("n", "new"),
            ("e", "edit"),
            ("a", "assign entity"),
            ("d", "delete"),
            ("@", "account"),
            ("?", "help"),
            ("q", "quit"),
        ],
        None if app.tab == Tab::Users => &[
            ("Enter", "open"),
            ("/", "filter"),
            ("u", "core/Maarch"),
            ("n", "new"),
            ("e", "edit"),
            ("r", "refresh"),
            ("?", "help"),
            ("q", "quit"),
        ],
        None => &[
            ("Enter", "open"),
            ("/", "filter"),
            ("y/Y", "copy"),
            ("x", "export"),
            ("n/e/d", "new/edit/delete"),
            ("r", "refresh"),
            ("?", "help"),
            ("q", "quit"),
        ],
    };
    hints.to_vec()
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let s = &app.session;
    let mut spans = vec![Span::styled(
        format!(" {} ", safe(&s.profile)),
        theme::theme().profile,
    )];
    if s.read_only {
        spans.push(Span::styled(
            format!(" {} ", tr("READ-ONLY")),
            theme::theme().read_only,
        ));
    }
    if s.insecure_tls {
        spans.push(Span::styled(
            format!(" {} ", tr("TLS NOT VERIFIED")),
            theme::theme().insecure,
        ));
    }
    spans.push(Span::raw(format!(" {} ", safe(&s.server))));
    if let Some(u) = &s.user {
        let role = s
            .role
            .as_deref()
            .map(|r| format!(" ({})", safe(r)))
            .unwrap_or_default();
        spans.push(Span::styled(format!("· {}{role} ", safe(u)), Style::new()));
    }
    if app.busy() {
        spans.push(Span::styled(
            format!(
                "· {} {} ",
                SPINNER[app.spinner % SPINNER.len()],
                app.requests_in_flight()
            ),
            accent(),
        ));
    }
    if let Some(n) = &app.notice {
        spans.push(Span::styled(format!("· {} ", safe(n)), theme::theme().ok));
    } else if let Some(e) = &app.last_error {
        // The retry countdown first: a long error is cut on the right.
        if let Some(s) = app.reconnect_in() {
            spans.push(Span::styled(
                format!("· {} ", trf("retry in {}s (r: now)", &[&s])),
                theme::theme().warn,
            ));
        }
        spans.push(Span::styled(format!("· {} ", safe(e)), err_style()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A centred rectangle of at most `w`×`h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A centred rectangle of at most `w`×`h`, cleared.
pub fn popup(f: &mut Frame, area: Rect, w: u16, h: u16) -> Rect {
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    r
}
