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

/// The screens that draw from their own state alone (a test draws one without an `App`).
pub mod screens {
    pub use super::dialogs::{columns, frequency, journal, raw};
}

use crate::rows::Rows;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::hints::Hint;
use crate::app::{App, Overlay, Tab, group};
use crate::i18n::{tr, trf};
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
            Overlay::Confirm(c) => dialogs::confirm(f, app, c, area),
            // Over the body: the footer says how to scroll and close it.
            Overlay::Help(_) => dialogs::help(f, app, body),
            Overlay::Palette(p) => dialogs::palette(f, app, p, area),
            Overlay::Login(l) => dialogs::login(f, app, l, area),
            Overlay::Account(a) => dialogs::account(f, app, a, body),
            Overlay::Restore(d) => dialogs::restore(f, app, d, area),
            Overlay::Raw(r) => dialogs::raw(f, r, body),
            Overlay::Conflict(c) => dialogs::conflict(f, app, c, area),
            Overlay::Journal(j) => dialogs::journal(f, j, body),
            Overlay::Bulk(b) => dialogs::bulk(f, b, body),
            Overlay::RunAsk(r) => dialogs::run_ask(f, app, r, area),
            Overlay::Frequency(q) => dialogs::frequency(f, q, body),
            Overlay::Columns(c) => dialogs::columns(f, c, area),
            Overlay::Find(v) => dialogs::find(f, v, body),
        }
    }
}

/// The tab bar's labels and whether the " vigie " badge leads them (it gives way when narrow).
fn tab_labels(app: &App, width: u16) -> (bool, Vec<String>) {
    let label = |i: usize, t: &Tab, short: bool| match (t, short) {
        (Tab::Users, false) => {
            format!(" {} {}·{} ", i + 1, tr("Users"), app.lists.users_dir.name())
        }
        (Tab::Users, true) => format!(
            " {}{}·{} ",
            i + 1,
            tr("Users").chars().take(5).collect::<String>(),
            &app.lists.users_dir.name()[..1]
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
        let mut start = lead_width(app);
        for h in fitted(app, usize::from(w)) {
            let end = start + 1 + h.keys.width() + 1 + tr(h.what).width();
            if (start..end).contains(&x) {
                return hint_hit(&h, start, x).map(Click::Key);
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

/// Paging or count text of the current list; nothing over another screen (a detail says its
/// own count).
pub fn position_text(app: &App) -> String {
    if !app.overlays.is_empty() {
        return String::new();
    }
    // Only a list the server pages has `paging`.
    let (shown, total_loaded, paging, complete) = crate::app::kinds::with_list!(
        app,
        app.list_kind(),
        |l| (l.len(), l.items.len(), l.paging, l.complete)
    );
    let mut s = match paging {
        Some(p) if !complete => format!(
            "{} · {}",
            trf("page {}/{}", &[&p.page, &p.pages.max(1)]),
            crate::app::items(p.total)
        ),
        _ => crate::app::items(total_loaded as u64),
    };
    if shown != total_loaded {
        s = trf("{} of {}", &[&group(shown as u64), &s]);
    }
    if let Some((loaded, total)) = app.lists.load_progress {
        s.push_str(&trf(
            " · loading all {}/{}",
            &[&group(loaded as u64), &group(total as u64)],
        ));
    }
    s
}

/// Columns the position text and its bar take at the footer's start.
fn lead_width(app: &App) -> usize {
    match position_text(app).width() {
        0 => 0,
        w => w + 3,
    }
}

/// The footer's hints that fit in `width` columns after the position text: `?` and `q` are
/// kept whatever the width, the others dropped from the last one first.
pub fn fitted(app: &App, width: usize) -> Vec<Hint> {
    let mut hints = crate::app::hints::footer(app);
    let room = width.saturating_sub(lead_width(app));
    let w = |h: &[Hint]| -> usize {
        h.iter()
            .map(|x| 1 + x.keys.width() + 1 + tr(x.what).width())
            .sum()
    };
    while w(&hints) > room {
        match hints.iter().rposition(|x| !x.vital) {
            Some(i) => {
                hints.remove(i);
            }
            None => break,
        }
    }
    hints
}

/// `fitted`, as (keys, what) pairs.
pub fn fitted_hints(app: &App, width: usize) -> Vec<(String, &'static str)> {
    fitted(app, width)
        .into_iter()
        .map(|x| (x.keys, x.what))
        .collect()
}

fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let hints = fitted(app, usize::from(area.width));
    let pos = position_text(app);
    let mut spans = Vec::new();
    if !pos.is_empty() {
        spans.push(Span::styled(format!(" {pos} "), accent()));
        spans.push(Span::raw("│"));
    }
    // A hint is shown whole or not at all: never "? he".
    let mut used: usize = spans.iter().map(|s| s.width()).sum();
    for x in hints {
        let (keys, what) = (format!(" {}", x.keys), format!(" {}", tr(x.what)));
        used += keys.width() + what.width();
        if used > usize::from(area.width) {
            break;
        }
        spans.push(Span::styled(keys, Style::new().bold()));
        spans.push(Span::styled(what, dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys the footer offers on the current screen (English; drawn translated).
pub fn footer_hints(app: &App) -> Vec<(String, &'static str)> {
    crate::app::hints::footer(app)
        .into_iter()
        .map(|x| (x.keys, x.what))
        .collect()
}

/// The key a click at column `x` of a footer hint drawn from `start` runs: on a key, that
/// key; on the words, the key they name (`new/edit/delete` under `n/e/d`).
fn hint_hit(h: &Hint, start: usize, x: usize) -> Option<crossterm::event::KeyEvent> {
    let keys_at = start + 1;
    if x < keys_at + h.keys.width() {
        // The space before the keys counts as theirs.
        let col = x.saturating_sub(keys_at);
        return h
            .hits
            .iter()
            .find(|(r, _)| r.contains(&col))
            .or(h.hits.first().filter(|_| h.hits.len() == 1))
            .map(|(_, k)| *k);
    }
    if h.hits.len() == 1 {
        return Some(h.hits[0].1);
    }
    // Words split as the keys are: the part clicked.
    let words = tr(h.what);
    let parts: Vec<&str> = words.split('/').collect();
    if parts.len() != h.hits.len() {
        return None;
    }
    let mut col = keys_at + h.keys.width() + 1;
    for (part, (_, key)) in parts.iter().zip(&h.hits) {
        let end = col + part.width() + 1;
        if x < end {
            return Some(*key);
        }
        col = end;
    }
    None
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let s = &app.session;
    let mut spans = vec![Span::styled(
        format!(" {} ", safe(s.profile_shown())),
        theme::theme().profile,
    )];
    if s.production {
        spans.push(Span::styled(
            format!(" {} ", tr("PRODUCTION")),
            theme::theme()
                .error
                .add_modifier(ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD),
        ));
    }
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
                SPINNER[app.status.spinner % SPINNER.len()],
                app.requests_in_flight()
            ),
            accent(),
        ));
    }
    if let Some(n) = &app.status.notice {
        let n = status_message(&spans, &safe(n), area.width);
        spans.push(Span::styled(n, theme::theme().ok));
    } else if let Some(e) = &app.status.last_error {
        // The retry countdown first: a long error is cut on the right.
        if let Some(s) = app.reconnect_in() {
            spans.push(Span::styled(
                format!("· {} ", trf("retry in {}s (r: now)", &[&s])),
                theme::theme().warn,
            ));
        }
        let e = status_message(&spans, &safe(e), area.width);
        spans.push(Span::styled(e, err_style()));
    }
    // The profile's colour tints the bar (red for production unless it says otherwise): a
    // glance says where the keys go.
    let tint = s
        .color
        .as_deref()
        .and_then(|c| c.trim().parse::<ratatui::style::Color>().ok())
        .or(s.production.then_some(ratatui::style::Color::Red))
        .filter(|_| !theme::theme().mono);
    let mut bar = Paragraph::new(Line::from(spans));
    if let Some(c) = tint {
        bar = bar.style(Style::new().bg(c));
    }
    f.render_widget(bar, area);
}

/// The status line's message in what is left of `width` after `before`: a message too long
/// ends with `…` and names `:messages`, where it can be read whole.
fn status_message(before: &[Span], msg: &str, width: u16) -> String {
    let used: usize = before.iter().map(|s| s.width()).sum();
    let room = usize::from(width).saturating_sub(used);
    let whole = format!("· {msg} ");
    if whole.width() <= room {
        return whole;
    }
    const MORE: &str = " :messages ";
    if room < MORE.len() + 8 {
        return format!("· {}", crate::text::ellipsize(msg, room.saturating_sub(2)));
    }
    let cut = crate::text::ellipsize(msg, room - 2 - MORE.len());
    format!("· {cut}{MORE}")
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
