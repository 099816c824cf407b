//! `:find`'s window: the records found, grouped by profile; a profile that failed is named
//! with its error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::boxed;
use crate::app::FindView;
use crate::i18n::{tr, trf};
use crate::ui::{accent, dim, err_style, safe, theme};

pub fn find(f: &mut Frame, v: &FindView, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let block = boxed(
        &trf("Find “{}” in every profile", &[&safe(&v.text)]),
        accent(),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = theme::theme();
    let mut lines: Vec<Line> = Vec::new();
    // The selected record's line, to keep it in sight.
    let mut at = 0;
    if v.pending.is_some() {
        lines.push(Line::from(Span::styled(
            tr("Searching every profile… (Esc stops)"),
            dim(),
        )));
    }
    if let Some(e) = &v.error {
        lines.push(Line::from(Span::styled(safe(e), err_style())));
    }
    let mut n = 0;
    for r in &v.results {
        let style = if r.found.is_err() {
            err_style()
        } else {
            accent().bold()
        };
        lines.push(Line::from(Span::styled(
            crate::app::find_heading(r, v),
            style,
        )));
        let Ok((hits, _)) = &r.found else { continue };
        for h in hits {
            if n == v.selected {
                at = lines.len();
            }
            let style = if n == v.selected {
                t.selected
            } else {
                Style::new()
            };
            let site = if h.site.is_empty() || h.kind == "site" {
                String::new()
            } else {
                format!("  ({})", safe(&h.site))
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12} ", tr(h.kind)), dim()),
                Span::styled(format!("{}{site}", safe(&h.label)), style),
            ]));
            n += 1;
        }
    }
    let rows = usize::from(inner.height).max(1);
    let first = at.saturating_sub(rows - 1);
    let shown: Vec<Line> = lines.into_iter().skip(first).take(rows).collect();
    f.render_widget(Paragraph::new(shown), inner);
}
