//! Detail view: every field of a record; a site's detail also lists its equipements.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{accent, dim, safe};
use crate::app::keymap::Act;
use crate::app::{App, Detail, DetailTarget, Scope};
use crate::i18n::{tr, trf};
use unicode_width::UnicodeWidthStr;

/// (label, value) pairs of a record.
pub fn fields(d: &Detail) -> Vec<(&'static str, String)> {
    fields_with(d, "p")
}

/// `fields`, `reveal` being the key that reveals a password now.
pub fn fields_with(d: &Detail, reveal: &str) -> Vec<(&'static str, String)> {
    d.target.item().fields((!d.reveal).then_some(reveal))
}

pub fn draw(f: &mut Frame, app: &App, d: &Detail, area: Rect) {
    f.render_widget(Clear, area);
    let title = format!(" {} ", d.target.item().heading());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(accent())
        .title(Span::styled(title, accent().bold()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = Vec::new();
    if let Some(p) = d.target.item().problem() {
        lines.push(Line::from(Span::styled(
            trf("⚠ as the server sent it: {}", &[&safe(p)]),
            super::theme::theme().warn,
        )));
    }
    let fields = fields_with(d, &app.key_label(Scope::Detail, Act::Reveal));
    // Labels right-aligned on the longest one, in the language shown.
    let label_w = fields
        .iter()
        .map(|(l, _)| tr(l).width())
        .chain([tr("Parapheur login").width()])
        .max()
        .unwrap_or(14)
        .min(24);
    for (label, value) in fields {
        let label = tr(label);
        let mut first = true;
        let value = if value.is_empty() {
            "—".to_string()
        } else {
            value
        };
        for part in value.split('\n') {
            let head = if first {
                format!(
                    "{}{label} ",
                    " ".repeat(label_w.saturating_sub(label.width()))
                )
            } else {
                " ".repeat(label_w + 1)
            };
            first = false;
            lines.push(Line::from(vec![
                Span::styled(head, dim()),
                Span::raw(safe(part)),
            ]));
        }
    }
    if let DetailTarget::MaarchUser(m) = &d.target {
        if let Some(login) = &d.parapheur {
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{}{} ",
                        " ".repeat(label_w.saturating_sub(tr("Parapheur login").width())),
                        tr("Parapheur login")
                    ),
                    dim(),
                ),
                Span::raw(if login.is_empty() {
                    "—".to_string()
                } else {
                    safe(login)
                }),
            ]));
        }
        lines.push(Line::raw(""));
        if let (false, Some(e)) = (d.loaded, &d.error) {
            lines.push(Line::from(Span::styled(
                trf(
                    "Groups and entities could not be read: {} — r retries",
                    &[&safe(e)],
                ),
                super::err_style(),
            )));
        } else if !d.loaded {
            lines.push(Line::from(Span::styled(
                tr("Reading groups and entities…"),
                dim(),
            )));
        } else {
            lines.extend(links(app, m, d.cursor));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let is_site = matches!(d.target, DetailTarget::Site(_));
    if !is_site {
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let h = (lines.len() as u16).min(inner.height / 2);
    let [top, bottom] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(inner);
    f.render_widget(Paragraph::new(lines), top);
    let paging = d
        .equipements
        .paging
        .map(|p| {
            format!(
                "{} · {}",
                trf("Equipements · page {}/{}", &[&p.page, &p.pages.max(1)]),
                crate::app::items(p.total)
            )
        })
        .unwrap_or_else(|| tr("Equipements").into());
    super::table::draw_table(f, &d.equipements, bottom, &paging, None);
}

/// A Maarch user's groups then entities, the selected one marked.
fn links(
    app: &App,
    m: &crate::api::maarch::MaarchUserDetails,
    cursor: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let row = |i: usize, text: String| {
        let st = if i == cursor {
            super::theme::theme().selected
        } else {
            Style::new()
        };
        Line::from(Span::styled(text, st))
    };
    out.push(Line::from(Span::styled(
        trf(
            "Groups ({}) — {} adds, {} removes the selected one",
            &[
                &m.groups.len(),
                &app.key_label(Scope::Maarch, Act::AddGroup),
                &app.key_label(Scope::Maarch, Act::Remove),
            ],
        ),
        accent().bold(),
    )));
    if m.groups.is_empty() {
        out.push(Line::from(Span::styled(format!("  {}", tr("none")), dim())));
    }
    for (i, g) in m.groups.iter().enumerate() {
        // The user's role in the group ("Chef"), when the group gives one.
        let role = match g.role.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => format!(" · {}", safe(r)),
            _ => String::new(),
        };
        out.push(row(
            i,
            format!("  {:<16} {}{role}", safe(&g.group_id), safe(&g.group_desc)),
        ));
    }
    out.push(Line::from(Span::styled(
        trf(
            "Entities ({}) — {} adds, {} removes the selected one",
            &[
                &m.entities.len(),
                &app.key_label(Scope::Maarch, Act::AddEntity),
                &app.key_label(Scope::Maarch, Act::Remove),
            ],
        ),
        accent().bold(),
    )));
    if m.entities.is_empty() {
        out.push(Line::from(Span::styled(format!("  {}", tr("none")), dim())));
    }
    for (j, e) in m.entities.iter().enumerate() {
        let primary = if e.is_primary() {
            format!(" ({})", tr("primary"))
        } else {
            String::new()
        };
        out.push(row(
            m.groups.len() + j,
            format!(
                "  {:<16} {}{primary}",
                safe(&e.entity_id),
                safe(&e.entity_label)
            ),
        ));
    }
    out
}
