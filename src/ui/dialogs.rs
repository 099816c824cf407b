//! Small windows: delete confirmation, help, command palette, login.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::{accent, centered, dim, err_style, popup, safe};
use crate::app::keymap::Act;
use crate::app::{
    App, BulkRun, ColumnChooser, Confirm, Conflict, Frequency, JournalView, Outcome, Palette,
    Phase, RawView, RunAsk, Scope,
};
use crate::i18n::{tr, trf};

mod credentials;
mod find;

pub use credentials::{account, login};
pub use find::find;

fn boxed(title: &str, color: Style) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(color)
        .title(Span::styled(format!(" {title} "), color.bold()))
}

pub fn confirm(f: &mut Frame, app: &App, c: &Confirm, area: Rect) {
    let r = popup(f, area, 64, if c.typed.is_some() { 10 } else { 7 });
    let red = super::theme::theme().error;
    let block = boxed(tr("Confirm"), red);
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = vec![Line::from(Span::styled(
        safe(&c.message),
        Style::new().bold(),
    ))];
    if let Some((_, input)) = &c.typed {
        lines.push(Line::from(vec![
            Span::raw("> "),
            Span::styled(safe(input.value()), Style::new().bold()),
            Span::styled("▏", accent()),
        ]));
    }
    if c.pending.is_some() {
        lines.push(Line::from(Span::styled(tr("Working…"), dim())));
    } else if let Some(e) = &c.error {
        lines.push(Line::from(Span::styled(safe(e), err_style())));
    }
    if c.typed.is_some() {
        lines.push(Line::from(Span::styled(
            tr("Enter deletes, Esc cancels"),
            dim(),
        )));
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        return;
    }
    lines.push(Line::from(vec![
        Span::styled(app.key_label(Scope::Confirm, Act::Yes), Style::new().bold()),
        Span::raw(format!(" {}   ", tr("yes"))),
        Span::styled(
            format!("{}/Esc", app.key_label(Scope::Confirm, Act::No)),
            Style::new().bold(),
        ),
        Span::raw(format!(" {}", tr("no"))),
    ]));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// Keys of the screen under the help window.
pub fn help_lines(app: &App) -> Vec<(String, &'static str)> {
    crate::app::hints::help(app)
}

pub fn help(f: &mut Frame, app: &App, area: Rect) {
    let keys = help_lines(app);
    // Keys right-aligned on their own column (22 at most), then 2 spaces and the words,
    // wrapped under themselves when the window is narrower than a line.
    let key_w = keys
        .iter()
        .map(|(k, _)| tr(k).width())
        .max()
        .unwrap_or(0)
        .min(22);
    let width = keys
        .iter()
        .map(|(k, v)| tr(k).width().max(key_w) + 2 + tr(v).width())
        .max()
        .unwrap_or(0) as u16
        + 2;
    let text_w = usize::from(width.min(area.width).saturating_sub(2))
        .saturating_sub(key_w + 2)
        .max(8);
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in &keys {
        for (i, part) in super::form::wrap(tr(v), text_w).into_iter().enumerate() {
            let key = if i == 0 { tr(k) } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{key:>key_w$}  "), Style::new().bold()),
                Span::raw(part),
            ]));
        }
    }
    let r = popup(f, area, width, lines.len() as u16 + 2);
    // Taller than the screen: it scrolls (j k PgDn PgUp), the title says there is more.
    let height = usize::from(r.height.saturating_sub(2));
    let scrolled = app.overlays.iter().rev().find_map(|o| match o {
        crate::app::Overlay::Help(h) => Some(h.scroll),
        _ => None,
    });
    let scroll = scrolled
        .unwrap_or(0)
        .min(lines.len().saturating_sub(height));
    let mut block = boxed(tr("Help — keys of this screen"), accent());
    if scroll > 0 {
        block = block
            .title(Line::from(Span::styled(format!(" ▲ {} ", tr("more")), dim())).right_aligned());
    }
    if scroll + height < lines.len() {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(
                    " ▼ {} ({}/PgDn) ",
                    tr("more"),
                    app.key_label(Scope::Help, Act::Down)
                ),
                dim(),
            ))
            .right_aligned(),
        );
    }
    let inner = block.inner(r);
    f.render_widget(block, r);
    f.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}

pub fn palette(f: &mut Frame, app: &App, p: &Palette, area: Rect) {
    let matches = app.palette_matches(p.input.value());
    // Nothing typed: every command, grouped, as many as the screen holds.
    let empty = p.input.value().trim().is_empty();
    let room = usize::from(area.height.saturating_sub(6)).max(3);
    let shown = matches.len().min(if empty { room } else { 10.min(room) });
    // Near the top, not centred: only the rectangle drawn is cleared.
    let r = centered(area, 60, shown as u16 + 4);
    let r = Rect {
        y: area.y + 2.min(area.height.saturating_sub(r.height)),
        ..r
    };
    f.render_widget(ratatui::widgets::Clear, r);
    let block = boxed(tr("Command"), accent());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let sel = p.selected.min(matches.len().saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled(":", accent().bold()),
        Span::raw(safe(p.input.value())),
    ])];
    let start = sel.saturating_sub(shown.saturating_sub(1));
    let group = |i: usize| -> &'static str {
        let (text, cmd) = &matches[i];
        if empty && app.prefs.palette_history.contains(text) {
            "recent"
        } else {
            cmd.group().1
        }
    };
    let width = usize::from(inner.width);
    for (i, (text, _)) in matches.iter().enumerate().skip(start).take(shown) {
        let st = if i == sel {
            super::theme::theme().selected
        } else {
            Style::new()
        };
        let text = format!(" {}", safe(text));
        let mut spans = vec![Span::styled(text.clone(), st)];
        // Each group named once, on its first line, on the right.
        if empty && (i == start || group(i) != group(i - 1)) {
            let label = format!("{} ", tr(group(i)));
            let pad = width.saturating_sub(text.width() + label.width());
            if pad > 0 {
                spans.push(Span::raw(" ".repeat(pad)));
                spans.push(Span::styled(label, dim()));
            }
        }
        lines.push(Line::from(spans));
    }
    if matches.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(" {}", tr("no match")),
            dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
    let cx = inner.x + 1 + p.input.visual_cursor() as u16;
    if cx < inner.x + inner.width {
        f.set_cursor_position(Position::new(cx, inner.y));
    }
}

/// The question asked at start when a form was left unfinished.
pub fn restore(f: &mut Frame, app: &App, d: &crate::app::drafts::Draft, area: Rect) {
    let r = popup(f, area, 64, 8);
    let block = boxed(tr("Unfinished form"), super::theme::theme().warn);
    let inner = block.inner(r);
    f.render_widget(block, r);
    // What the draft holds that the form did not open with.
    let changed = d.form.fields.iter().filter(|x| x.changed()).count();
    let fields = if changed == 1 {
        tr("1 field changed").to_string()
    } else {
        trf("{} fields changed", &[&changed])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            trf("“{}” was left unfinished", &[&safe(&d.form.title())]),
            Style::new().bold(),
        )),
        Line::from(Span::styled(
            if d.server.is_empty() {
                trf("on {} with {}.", &[&safe(&d.saved_at), &fields])
            } else {
                trf(
                    "on {} for {} with {}.",
                    &[&safe(&d.saved_at), &safe(&d.server), &fields],
                )
            },
            dim(),
        )),
    ];
    if d.form.has_secret() {
        lines.push(Line::from(Span::styled(
            tr("Passwords are never kept in a draft."),
            dim(),
        )));
    }
    lines.extend([Line::from(vec![
        Span::styled(
            app.key_label(Scope::Restore, Act::Restore),
            Style::new().bold(),
        ),
        Span::raw(format!(" {}   ", tr("restore it"))),
        Span::styled(
            app.key_label(Scope::Restore, Act::Discard),
            Style::new().bold(),
        ),
        Span::raw(format!(" {}", tr("discard it"))),
    ])]);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

/// A record as JSON, scrollable.
pub fn raw(f: &mut Frame, r: &RawView, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let block = boxed(&format!("{} · JSON", safe(&r.title)), accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines: Vec<Line> = r
        .lines
        .iter()
        .skip(r.scroll)
        .take(usize::from(inner.height))
        .map(|l| Line::raw(safe(l)))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// An edit that met a change made on the server: each field changed on both sides, as it
/// was, as the server has it, as typed, and the pick.
pub fn conflict(f: &mut Frame, app: &App, c: &Conflict, area: Rect) {
    let h = u16::try_from(c.rows.len() * 4 + 5).unwrap_or(u16::MAX);
    let r = popup(f, area, 76, h);
    let block = boxed(
        tr("Changed on the server meanwhile"),
        super::theme::theme().warn,
    );
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines = vec![Line::from(Span::styled(
        trf(
            "Someone changed these fields too. {} keeps theirs, {} keeps yours, Enter applies.",
            &[
                &app.key_label(Scope::Conflict, Act::Theirs),
                &app.key_label(Scope::Conflict, Act::Mine),
            ],
        ),
        dim(),
    ))];
    for (i, row) in c.rows.iter().enumerate() {
        let pick = match row.keep_mine {
            Some(true) => tr("yours"),
            Some(false) => tr("theirs"),
            None => tr("to choose"),
        };
        let head = format!(
            "{} {} → {pick}",
            if i == c.selected { "›" } else { " " },
            tr(&row.label)
        );
        let style = if i == c.selected {
            accent().bold()
        } else {
            Style::new().bold()
        };
        lines.push(Line::from(Span::styled(safe(&head), style)));
        for (what, v, chosen) in [
            (tr("original"), &row.original, false),
            (tr("theirs"), &row.theirs, row.keep_mine == Some(false)),
            (tr("yours"), &row.mine, row.keep_mine == Some(true)),
        ] {
            let s = if chosen { Style::new().bold() } else { dim() };
            lines.push(Line::from(Span::styled(
                format!("    {what:<9} {}", safe(v)),
                s,
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// `:journal`: the changes, newest first, the selected one marked; the filter on top.
pub fn journal(f: &mut Frame, j: &JournalView, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let block = boxed(tr("Journal of changes, newest first"), accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = Vec::new();
    if j.filtering || !j.filter.value().is_empty() {
        lines.push(Line::from(vec![
            Span::styled("/", accent()),
            Span::raw(safe(j.filter.value())),
            Span::styled(if j.filtering { "▏" } else { "" }, accent()),
        ]));
    }
    if j.shown.is_empty() {
        lines.push(Line::from(Span::styled(
            tr("No change made through vigie yet"),
            dim(),
        )));
    }
    let rows = usize::from(inner.height).saturating_sub(lines.len()).max(1);
    let first = j.selected.saturating_sub(rows - 1);
    for (n, &i) in j.shown.iter().enumerate().skip(first).take(rows) {
        let text = JournalView::line(&j.entries[i]);
        let style = if n == j.selected {
            accent().bold()
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// A bulk action: the question (the count typed when big), then a progress bar and a line
/// per row (done, failed with the server's words, skipped), the latest in view.
pub fn bulk(f: &mut Frame, b: &BulkRun, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let t = super::theme::theme();
    let color = if b.phase == Phase::Ask {
        t.error
    } else {
        t.accent
    };
    let block = boxed(&safe(&b.title), color);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = vec![Line::from(Span::styled(
        safe(&b.question),
        Style::new().bold(),
    ))];
    match b.phase {
        Phase::Ask => {
            if let Some((expect, input)) = &b.typed {
                lines.push(Line::from(Span::raw(trf(
                    "Type {} then Enter to confirm, Esc cancels",
                    &[expect],
                ))));
                lines.push(Line::from(vec![
                    Span::raw("> "),
                    Span::styled(safe(input.value()), Style::new().bold()),
                    Span::styled("▏", accent()),
                ]));
            } else {
                lines.push(Line::from(Span::styled(
                    tr("y or Enter runs it, n or Esc cancels"),
                    dim(),
                )));
            }
            if let Some(e) = &b.error {
                lines.push(Line::from(Span::styled(safe(e), err_style())));
            }
        }
        Phase::Run | Phase::Finished => {
            let total = b.jobs.len().max(1);
            let settled = b.settled();
            let width = usize::from(inner.width).saturating_sub(24).max(10);
            let filled = settled * width / total;
            let state = match (b.phase, b.stopping) {
                (Phase::Finished, _) => trf("{} done, {} failed", &[&b.done(), &b.failed()]),
                (_, true) => tr("stopping…").to_string(),
                _ => tr("running…").to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled("█".repeat(filled), accent()),
                Span::styled("░".repeat(width - filled), dim()),
                Span::raw(format!(" {settled}/{} ", b.jobs.len())),
                Span::styled(state, dim()),
            ]));
        }
    }
    if b.filtering || !b.filter.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("/", accent()),
            Span::raw(safe(&b.filter)),
            Span::styled(if b.filtering { "▏" } else { "" }, accent()),
        ]));
    }
    let head = lines.len();
    let rows = usize::from(inner.height).saturating_sub(head).max(1);
    let shown = b.shown();
    let at = shown.iter().position(|&i| i == b.selected).unwrap_or(0);
    let first = at.saturating_sub(rows.saturating_sub(1));
    for &i in shown.iter().skip(first).take(rows) {
        let (job, outcome) = (&b.jobs[i], &b.outcomes[i]);
        let (mark, style, words) = match outcome {
            Outcome::Waiting => ("·", dim(), String::new()),
            Outcome::Done(w) => ("✓", t.ok, w.clone()),
            Outcome::Failed(w) => ("✗", t.error, w.clone()),
            Outcome::Skipped(w) => ("–", t.warn, w.clone()),
        };
        let here = b.phase != Phase::Run && i == b.selected;
        let label = Span::styled(
            safe(&job.label),
            if here { t.selected } else { Style::new() },
        );
        let mut spans = vec![Span::styled(format!("{mark} "), style), label];
        if !words.is_empty() {
            spans.push(Span::styled(format!(" — {}", safe(&words)), style));
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// A row command asking before it runs: each command line as it will run.
pub fn run_ask(f: &mut Frame, app: &App, r: &RunAsk, area: Rect) {
    let height = (r.runs.len().min(8) + 5) as u16;
    let p = popup(f, area, 80, height);
    let block = boxed(&trf("Run {}?", &[&safe(&r.name)]), accent());
    let inner = block.inner(p);
    f.render_widget(block, p);
    let mut lines: Vec<Line> = r
        .runs
        .iter()
        .take(8)
        .map(|argv| Line::from(Span::raw(format!("$ {}", crate::commands::shown(argv)))))
        .collect();
    if r.runs.len() > 8 {
        lines.push(Line::from(Span::styled(
            trf("… and {} more", &[&(r.runs.len() - 8)]),
            dim(),
        )));
    }
    lines.push(Line::from(vec![
        Span::styled(app.key_label(Scope::Confirm, Act::Yes), Style::new().bold()),
        Span::raw(format!(" {}   ", tr("run"))),
        Span::styled(
            format!("{}/Esc", app.key_label(Scope::Confirm, Act::No)),
            Style::new().bold(),
        ),
        Span::raw(format!(" {}", tr("cancel"))),
    ]));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// `F`: a column's values, their counts, a bar and a share; the selected one highlighted.
pub fn frequency(f: &mut Frame, q: &Frequency, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let title = if q.notes.is_empty() {
        trf(
            "{}: {} values over {} rows",
            &[&tr(q.column), &q.rows.len(), &q.total],
        )
    } else {
        trf(
            "IPs shared by several equipements: {} (over {})",
            &[&q.rows.len(), &q.total],
        )
    };
    let block = boxed(&title, accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = super::theme::theme();
    let value_w = q
        .rows
        .iter()
        .map(|(v, _)| safe(v).width())
        .max()
        .unwrap_or(0)
        .clamp(8, usize::from(inner.width) / 2);
    let top = q.rows.first().map(|r| r.1).unwrap_or(1).max(1);
    let bar_w = usize::from(inner.width).saturating_sub(value_w + 18).max(4);
    let rows = usize::from(inner.height).max(1);
    let first = q.selected.saturating_sub(rows - 1);
    let mut lines = Vec::new();
    if q.rows.is_empty() {
        lines.push(Line::from(Span::styled(tr("No rows to count"), dim())));
    }
    for (i, (value, n)) in q.rows.iter().enumerate().skip(first).take(rows) {
        let shown = if value.is_empty() {
            tr("(empty)").to_string()
        } else {
            safe(value)
        };
        let cut = fit(&shown, value_w);
        let pct = *n as f64 * 100.0 / q.total.max(1) as f64;
        let bar = "█".repeat((n * bar_w).div_ceil(top).min(bar_w));
        let style = if i == q.selected {
            t.selected
        } else {
            Style::new()
        };
        let mut spans = vec![Span::styled(cut, style), Span::raw(format!(" {n:>7} "))];
        match q.notes.get(i) {
            Some(note) => spans.push(Span::styled(safe(note), t.warn)),
            None => {
                spans.push(Span::styled(format!("{pct:>5.1}% "), dim()));
                spans.push(Span::styled(bar, accent()));
            }
        }
        lines.push(Line::from(spans));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// `s` cut to `w` columns (an ellipsis when cut), padded to `w`.
fn fit(s: &str, w: usize) -> String {
    let cut = crate::text::ellipsize(s, w);
    let pad = w.saturating_sub(cut.width());
    format!("{cut}{}", " ".repeat(pad))
}

/// `C`: the tab's columns, shown ones ticked, in their order.
pub fn columns(f: &mut Frame, c: &ColumnChooser, area: Rect) {
    let h = (c.columns.len() + 3) as u16;
    let r = popup(f, area, 44, h);
    let block = boxed(tr("Columns of this tab"), accent());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let t = super::theme::theme();
    let titles = c.titles();
    let mut lines: Vec<Line> = c
        .columns
        .iter()
        .enumerate()
        .map(|(i, (col, shown))| {
            let tick = if *shown { "[x] " } else { "[ ] " };
            let style = if i == c.selected {
                t.selected
            } else {
                Style::new()
            };
            let title = titles.get(*col).map(|x| tr(x.title)).unwrap_or_default();
            Line::from(Span::styled(format!("{tick}{title}"), style))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        tr("Space shows/hides, J/K move, Enter keeps"),
        dim(),
    )));
    f.render_widget(Paragraph::new(lines), inner);
}
