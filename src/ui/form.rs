//! Forms: one line per field, its error underneath, a choice's matches listed when focused.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::{accent, dim, err_style, popup, safe};
use crate::app::form::{Ask, Field, FieldKind, Form};
use crate::i18n::{tr, trf};

pub fn draw(f: &mut Frame, form: &Form, area: Rect) {
    let label_w = form
        .fields
        .iter()
        .map(|fl| tr(&fl.label).width())
        .max()
        .unwrap_or(10)
        .min(26) as u16
        + 2;
    let width = area.width.min(90);
    // Lay the lines out first (at the popup's inner width), then size the popup to them.
    let inner = Rect {
        x: area.x + (area.width - width) / 2 + 1,
        y: 0,
        width: width.saturating_sub(2),
        height: u16::MAX / 2,
    };
    let value_w = inner.width.saturating_sub(label_w + 1) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<Position> = None;
    let full_w = usize::from(inner.width.max(1));
    head_lines(&mut lines, form, full_w);
    let mut focus_line = 0u16;
    let mut section = "";
    for (i, fl) in form.fields.iter().enumerate() {
        if !form.visible(i) {
            continue;
        }
        if !fl.section.is_empty() && fl.section != section {
            section = &fl.section;
            lines.push(Line::from(Span::styled(
                format!("── {} ", tr(section)),
                accent().add_modifier(Modifier::BOLD),
            )));
        }
        let focused = i == form.focus;
        if focused {
            focus_line = lines.len() as u16;
        }
        let req = if fl.required { "*" } else { " " };
        let label_style = if focused {
            accent().bold()
        } else {
            Style::new()
        };
        let label = Span::styled(
            format!(
                "{}{}{req} ",
                " ".repeat((label_w as usize - 2).saturating_sub(tr(&fl.label).width())),
                tr(&fl.label)
            ),
            label_style,
        );
        match &fl.kind {
            FieldKind::Grid {
                cells,
                on,
                cursor: gc,
            } => {
                let gc = focused.then_some(*gc);
                grid_lines(&mut lines, label, cells, on, gc, label_w);
            }
            FieldKind::Choice { options, selected } => {
                choice_lines(
                    &mut lines,
                    label,
                    fl,
                    (options, *selected),
                    focused,
                    label_w,
                );
            }
            _ => {
                let value = value_line(fl, label, focused, value_w);
                lines.push(value.line);
                if let Some(cx) = value.cursor {
                    cursor = Some(Position::new(
                        inner.x + label_w + cx.min(value_w as u16),
                        lines.len() as u16 - 1,
                    ));
                }
            }
        }
        note_lines(&mut lines, fl, inner.width, label_w);
    }
    folded_lines(&mut lines, form, full_w);
    show(f, form, (area, width), lines, focus_line, cursor);
}

/// What comes above the fields: the form's error, the discard question, the question asked
/// before saving.
fn head_lines(lines: &mut Vec<Line>, form: &Form, full_w: usize) {
    if let Some(e) = &form.error {
        for part in wrap(&safe(e), full_w) {
            lines.push(Line::from(Span::styled(part, err_style())));
        }
    }
    if form.confirm_discard {
        for part in wrap(
            tr("Discard your changes? y discards, any other key keeps editing"),
            full_w,
        ) {
            lines.push(Line::from(Span::styled(
                part,
                super::theme::theme().warn.bold(),
            )));
        }
    }
    if let Some(ask) = form.asking {
        for part in wrap(&question(form, ask), full_w) {
            lines.push(Line::from(Span::styled(
                part,
                super::theme::theme().warn.bold(),
            )));
        }
    }
}

/// The question asked before saving, in words.
fn question(form: &Form, ask: Ask) -> String {
    match ask {
        Ask::Erase => {
            let names: Vec<String> = form
                .unkept()
                .iter()
                .map(|f| tr(&f.label).to_lowercase())
                .collect();
            trf(
                "The server did not send {}: this API writes the whole record, so saving erases what it holds. y saves and erases it; any other key goes back to type it",
                &[&names.join(", ")],
            )
        }
        Ask::Review => {
            let changes: Vec<String> = form
                .fields
                .iter()
                .filter(|f| f.changed())
                .map(|f| {
                    let shown = |v: &str| {
                        if matches!(f.kind, FieldKind::Password { .. }) && !v.is_empty() {
                            crate::text::MASK.to_string()
                        } else if v.is_empty() {
                            "—".to_string()
                        } else {
                            safe(v)
                        }
                    };
                    format!("{}: {} → {}", tr(&f.label), shown(&f.initial), shown(&f.value()))
                })
                .collect();
            trf(
                "Send these changes? {}. y sends them; any other key goes back to the form",
                &[&changes.join("; ")],
            )
        }
        Ask::PasswordsInUrl => tr(
            "This server reads the passwords from the URL only, where its access logs and proxies may keep them. y sends them that way; any other key cancels",
        )
        .to_string(),
    }
}

/// A grid of permissions: a line per ressource, its actions ticked or not; `cursor`: the
/// cell under the cursor when the grid is focused.
fn grid_lines<'a>(
    lines: &mut Vec<Line<'a>>,
    label: Span<'a>,
    cells: &[(String, String)],
    on: &[bool],
    cursor: Option<usize>,
    label_w: u16,
) {
    lines.push(Line::from(vec![
        label,
        Span::styled(tr("Space toggles, a all"), dim()),
    ]));
    let mut ressource: &str = "\u{0}";
    let mut spans: Vec<Span> = Vec::new();
    for (j, ((r, a), is_on)) in cells.iter().zip(on).enumerate() {
        if r != ressource {
            if !spans.is_empty() {
                lines.push(Line::from(std::mem::take(&mut spans)));
            }
            ressource = r;
            // A permission known by its id only has no ressource.
            let name = if r.is_empty() {
                tr("(by id)")
            } else {
                r.as_str()
            };
            spans.push(Span::raw(format!(
                "{:>w$} ",
                safe(name),
                w = label_w as usize
            )));
        }
        let mark = if *is_on { "[x]" } else { "[ ]" };
        let mut st = Style::new();
        if cursor == Some(j) {
            st = st.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(format!("{mark} {:<7}", safe(a)), st));
    }
    if !spans.is_empty() {
        lines.push(Line::from(spans));
    }
}

/// A choice: the chosen option, and when focused what is typed and the first options it
/// matches. `choice`: the options (value, label) and the one selected.
fn choice_lines<'a>(
    lines: &mut Vec<Line<'a>>,
    label: Span<'a>,
    fl: &Field,
    (options, selected): (&[(String, String)], Option<usize>),
    focused: bool,
    label_w: u16,
) {
    let chosen = selected
        .and_then(|s| options.get(s))
        .map(|(_, l)| safe(l))
        .unwrap_or_else(|| tr("(none)").into());
    let typed = fl.input.value();
    let mut spans = vec![label, Span::styled(chosen, Style::new().bold())];
    if focused {
        spans.push(Span::styled(
            format!("  {}", trf("search: {}", &[&safe(typed)])),
            dim(),
        ));
    }
    lines.push(Line::from(spans));
    if !focused {
        return;
    }
    let m = fl.matching_options();
    let shown: Vec<String> = m
        .iter()
        .take(5)
        .map(|&j| {
            let mark = if Some(j) == selected { "▸ " } else { "  " };
            format!("{mark}{}", safe(&options[j].1))
        })
        .collect();
    for s in shown {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(label_w as usize)),
            Span::styled(s, dim()),
        ]));
    }
    if m.len() > 5 {
        lines.push(Line::from(Span::styled(
            format!(
                "{}{}",
                " ".repeat(label_w as usize),
                trf("… {} more (type to search, ←→ to pick)", &[&(m.len() - 5)])
            ),
            dim(),
        )));
    }
}

/// A field typed in: its line, and where the cursor goes in it when focused (columns
/// after the label).
struct ValueLine<'a> {
    line: Line<'a>,
    cursor: Option<u16>,
}

/// A field typed in, its value scrolled to fit `value_w` (masked when a password), and a
/// hint after it.
fn value_line<'a>(fl: &Field, label: Span<'a>, focused: bool, value_w: usize) -> ValueLine<'a> {
    let masked = matches!(fl.kind, FieldKind::Password { .. }) && !fl.reveal;
    let hint = hint(fl, focused);
    let value = fl.input.value();
    // A password shows as a fixed mask, as in a detail: its length is not told either.
    let shown = match (masked, value.is_empty()) {
        (true, true) => String::new(),
        (true, false) => "••••••••".to_string(),
        (false, _) => safe(value),
    };
    let scroll = if masked {
        0
    } else {
        fl.input.visual_scroll(value_w.max(1))
    };
    let visible: String = shown.chars().skip(scroll).collect();
    let style = if focused {
        super::theme::theme().focus
    } else {
        Style::new()
    };
    let pad = value_w.saturating_sub(visible.width() + hint.width());
    let line = Line::from(vec![
        label,
        Span::styled(visible.clone(), style),
        Span::styled(hint, dim()),
        Span::styled(" ".repeat(if focused { pad } else { 0 }), style),
    ]);
    let cursor = focused.then(|| {
        if masked {
            shown.width() as u16
        } else {
            fl.input.visual_cursor().saturating_sub(scroll) as u16
        }
    });
    ValueLine { line, cursor }
}

/// What a typed id or code stands for, and how to pick a known value.
fn hint(fl: &Field, focused: bool) -> String {
    match &fl.kind {
        FieldKind::Open { options, .. } => {
            let v = fl.input.value().trim();
            let named = options
                .iter()
                .find(|(o, l)| o == v && l != o)
                .map(|(_, l)| format!(" {}", safe(l)));
            match (named, focused && !options.is_empty()) {
                (Some(n), true) => format!("{n} · ←→ {}", tr("known values")),
                (Some(n), false) => n,
                (None, true) => format!(" ←→ {}", tr("known values")),
                (None, false) => String::new(),
            }
        }
        FieldKind::Date if focused && fl.input.value().is_empty() => {
            format!(" {}", tr("YYYY-MM-DD or YYYY-MM-DD HH:MM"))
        }
        _ if fl.unknown && !fl.changed() => {
            format!(" {}", tr("(not sent by the server: type it to keep it)"))
        }
        _ => String::new(),
    }
}

/// Wrapped under the value: a server's message is often longer than the field. A refusal
/// in the error colour; advice (never blocking) as a warning.
fn note_lines(lines: &mut Vec<Line>, fl: &Field, inner_w: u16, label_w: u16) {
    let notes = [
        (fl.error.as_ref(), "↳ ", err_style()),
        (fl.advice.as_ref(), "⚠ ", super::theme::theme().warn),
    ];
    for (note, first_mark, style) in notes {
        let Some(e) = note else { continue };
        let avail = usize::from(inner_w.saturating_sub(label_w + 2).max(8));
        for (j, part) in wrap(&safe(e), avail).into_iter().enumerate() {
            let mark = if j == 0 { first_mark } else { "  " };
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(label_w as usize)),
                Span::styled(format!("{mark}{part}"), style),
            ]));
        }
    }
}

/// The advanced fields folded away, and how to show them (or fold them again).
fn folded_lines(lines: &mut Vec<Line>, form: &Form, full_w: usize) {
    let folded = form.folded_count();
    if folded == 0 {
        return;
    }
    let (mark, what) = if form.show_advanced {
        ("▾", tr("Ctrl-O folds them again").to_string())
    } else {
        let mut sections: Vec<&str> = Vec::new();
        for fl in form.fields.iter().filter(|f| f.advanced) {
            if !fl.section.is_empty() && !sections.contains(&fl.section.as_ref()) {
                sections.push(&fl.section);
            }
        }
        let names: Vec<&str> = sections.iter().map(|x| tr(x)).collect();
        ("▸", trf("{} — Ctrl-O shows them", &[&names.join(", ")]))
    };
    let text = format!("{mark} {}", trf("{} more fields: {}", &[&folded, &what]));
    for part in wrap(&text, full_w) {
        lines.push(Line::from(Span::styled(part, dim())));
    }
}

/// The popup sized to the lines (`place`: the area and the popup's width), scrolled to
/// keep the focused field in sight, and the cursor set.
fn show(
    f: &mut Frame,
    form: &Form,
    (area, width): (Rect, u16),
    lines: Vec<Line>,
    focus_line: u16,
    cursor: Option<Position>,
) {
    let total = lines.len() as u16;
    let r = popup(f, area, width, total + 2);
    let saving = if form.pending.is_some() {
        tr(" · saving…")
    } else {
        ""
    };
    let height = r.height.saturating_sub(2);
    // Keep the focused field visible in a short terminal.
    let skip = if total > height {
        focus_line.saturating_sub(height / 2).min(total - height)
    } else {
        0
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(accent())
        .title(Span::styled(
            format!(" {}{saving} ", safe(&form.title())),
            accent().bold(),
        ));
    if skip > 0 {
        block = block
            .title(Line::from(Span::styled(format!(" ▲ {} ", tr("more")), dim())).right_aligned());
    }
    if skip + height < total {
        block = block.title_bottom(
            Line::from(Span::styled(format!(" ▼ {} ", tr("more")), dim())).right_aligned(),
        );
    }
    let real = block.inner(r);
    f.render_widget(block, r);
    let cursor = cursor.map(|c| Position::new(c.x, c.y + real.y));
    let inner = real;
    f.render_widget(Paragraph::new(lines).scroll((skip, 0)), inner);
    if let Some(c) = cursor
        && c.y >= inner.y + skip
        && c.y - skip < inner.y + inner.height
        && c.x < inner.x + inner.width
    {
        f.set_cursor_position(Position::new(c.x, c.y - skip));
    }
}

/// Splits text into lines of at most `width` columns, at spaces when it can.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if !line.is_empty() && line.width() + sep + word.width() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            if line.width() + c.to_string().width() > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}
