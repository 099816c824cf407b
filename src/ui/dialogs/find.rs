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
        let heading = crate::app::find_heading(r, v);
        // A profile's error is read whole: wrapped at the window's width.
        for part in wrapped(&heading, usize::from(inner.width).max(10)) {
            lines.push(Line::from(Span::styled(part, style)));
        }
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

/// `s` cut at blanks into lines of at most `w` columns (a word longer than `w` is cut), the
/// lines after the first indented by two.
fn wrapped(s: &str, w: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let room = if out.is_empty() { w } else { w - 2 };
        if !line.is_empty() && line.width() + 1 + word.width() > room {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.width() > (if out.is_empty() { w } else { w - 2 }) {
            let room = if out.is_empty() { w } else { w - 2 };
            // The longest start of the line that fits (one character at least).
            let mut width = 0;
            let cut = line
                .char_indices()
                .find(|&(i, c)| {
                    width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    width > room && i > 0
                })
                .map_or(line.len(), |(i, _)| i);
            let rest = line.split_off(cut);
            out.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { l } else { format!("  {l}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::wrapped;
    use unicode_width::UnicodeWidthStr;

    /// Every word kept, in order, no line wider than the window; a word wider than it is cut.
    #[test]
    fn a_long_error_is_wrapped_whole_within_the_width() {
        let s = "beta: failed: authentication refused — this profile names no password \
                 (password_env, password_command, the keyring): `:profile beta` logs in \
                 https://core.example.test/a/very/long/address/that/is/wider/than/the/window";
        for w in [10, 24, 40, 200] {
            let lines = wrapped(s, w);
            assert!(lines.iter().all(|l| l.width() <= w), "{w}: {lines:?}");
            let joined: String = lines.concat().replace(' ', "");
            assert_eq!(joined, s.replace(' ', ""), "{w}: {lines:?}");
        }
        assert_eq!(wrapped("short", 40), vec!["short".to_string()]);
    }
}
