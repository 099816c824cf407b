//! The rows of a list table written straight into the buffer, the way ratatui's `Table` lays
//! them out (a bold underlined header, columns at fixed widths one space apart, the row style
//! over the whole width). `Table` built a row, cells, texts, lines and spans for every cell and
//! cut every string into graphemes: most of a frame's time at 200x50. Cells of plain ASCII
//! (nearly all: IPs, ports, dates, names) are written a character a cell; any other text
//! still goes through `Line`, for wide and combining characters.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::text::sanitize;

/// One row as drawn: its cells' text, the filter's marked characters of each cell (char
/// indices), the row's style and the cell underlined as the selected one.
pub struct GridRow {
    pub cells: Vec<String>,
    pub marks: Vec<Vec<usize>>,
    pub style: Option<Style>,
    pub underlined: Option<usize>,
    /// Cells changed by the last watched refresh (drawn in `Grid::flash`).
    pub changed: Vec<usize>,
}

pub struct Grid<'a> {
    pub header: Vec<&'a str>,
    pub widths: &'a [u16],
    pub rows: Vec<GridRow>,
    /// Style of the marked characters.
    pub matched: Style,
    /// Style of the cells a watched refresh changed.
    pub flash: Style,
}

/// Each column's x offset and width inside `width`, one space apart; columns past the right
/// edge get no width.
fn columns(widths: &[u16], width: u16) -> Vec<(u16, u16)> {
    let mut x = 0u16;
    widths
        .iter()
        .map(|&w| {
            let col = (x.min(width), w.min(width.saturating_sub(x)));
            x = x.saturating_add(w).saturating_add(1);
            col
        })
        .collect()
}

impl Widget for Grid<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Laid out on the whole area as `Table` does; what falls outside the buffer is cut
        // cell by cell (styles are cut by the buffer, characters by `cell_mut`).
        if area.is_empty() {
            return;
        }
        let cols = columns(self.widths, area.width);
        let header_area = Rect { height: 1, ..area };
        buf.set_style(
            header_area,
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        );
        for (&(x, w), title) in cols.iter().zip(&self.header) {
            let cell = Rect::new(area.x + x, area.y, w, 1);
            put(buf, cell, title, &[], false, self.matched);
        }
        for (i, row) in self.rows.iter().enumerate() {
            let Some(y) = area
                .y
                .checked_add(1 + i as u16)
                .filter(|y| *y < area.bottom())
            else {
                break;
            };
            if let Some(style) = row.style {
                buf.set_style(
                    Rect {
                        y,
                        height: 1,
                        ..area
                    },
                    style,
                );
            }
            for (c, (&(x, w), text)) in cols.iter().zip(&row.cells).enumerate() {
                let marks = row.marks.get(c).map(Vec::as_slice).unwrap_or(&[]);
                let cell = Rect::new(area.x + x, y, w, 1);
                put(
                    buf,
                    cell,
                    text,
                    marks,
                    row.underlined == Some(c),
                    self.matched,
                );
                if row.changed.contains(&c) {
                    buf.set_style(cell, self.flash);
                }
            }
        }
    }
}

/// One cell's text, cut at the cell's width, its marked characters in `matched`.
fn put(
    buf: &mut Buffer,
    area: Rect,
    text: &str,
    marks: &[usize],
    underlined: bool,
    matched: Style,
) {
    let text = sanitize(text);
    if text.is_empty() || area.width == 0 {
        return;
    }
    // A cut cell ends with `…`: a cut value is never read as a whole one.
    let text = if text.len() > usize::from(area.width) {
        match crate::text::ellipsize(&text, usize::from(area.width)) {
            std::borrow::Cow::Owned(cut) => std::borrow::Cow::Owned(cut),
            std::borrow::Cow::Borrowed(_) => text,
        }
    } else {
        text
    };
    let underline = Style::new().add_modifier(Modifier::UNDERLINED);
    // Sanitized text holds no control character: ASCII here is printable, one cell a byte.
    if !text.is_ascii() {
        let line = highlighted(&text, marks, matched);
        let line = if underlined {
            line.patch_style(underline)
        } else {
            line
        };
        line.render(area, buf);
        return;
    }
    if underlined {
        buf.set_style(area, underline);
    }
    for (i, b) in text.bytes().take(usize::from(area.width)).enumerate() {
        if let Some(cell) = buf.cell_mut((area.x + i as u16, area.y)) {
            cell.set_char(char::from(b));
            if marks.contains(&i) {
                cell.set_style(matched);
            }
        }
    }
}

/// A line with the marked characters in `matched`: one span a run of marked or unmarked
/// characters.
fn highlighted(text: &str, marks: &[usize], matched: Style) -> Line<'static> {
    if marks.is_empty() {
        return Line::from(text.to_string());
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_marked = false;
    for (i, c) in text.chars().enumerate() {
        let marked = marks.contains(&i);
        if marked != run_marked && !run.is_empty() {
            let t = std::mem::take(&mut run);
            spans.push(if run_marked {
                Span::styled(t, matched)
            } else {
                Span::raw(t)
            });
        }
        run_marked = marked;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(if run_marked {
            Span::styled(run, matched)
        } else {
            Span::raw(run)
        });
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::{Constraint, Rect};
    use ratatui::style::{Color, Modifier, Style};
    use ratatui::text::Line;
    use ratatui::widgets::{Row, Table, Widget};

    use super::{Grid, GridRow, highlighted};
    use crate::text::sanitize;

    const MATCHED: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    const SELECTED: Style = Style::new().bg(Color::Blue);

    fn rows() -> Vec<GridRow> {
        let row = |cells: &[&str], marks: &[&[usize]], sel: Option<usize>| GridRow {
            changed: Vec::new(),
            cells: cells.iter().map(|s| s.to_string()).collect(),
            marks: marks.iter().map(|m| m.to_vec()).collect(),
            style: sel.map(|_| SELECTED),
            underlined: sel,
        };
        vec![
            row(&["10.0.0.1", "443", "Cisco"], &[&[0, 1], &[], &[4]], None),
            row(
                &["10.0.0.2", "", "Hikvision DS-2CD"],
                &[&[], &[], &[]],
                Some(1),
            ),
            row(&["10.0.0.3", "80", "Axis"], &[&[], &[1], &[]], Some(1)),
            row(
                &["BÉPANDA", "22", "日本語のモデル名"],
                &[&[1], &[], &[0, 2]],
                Some(0),
            ),
            row(
                &["a\u{1b}[2Jb", "8080", "e\u{301}té"],
                &[&[0], &[], &[1]],
                Some(2),
            ),
            row(
                &["a very long text cut at the column", "65535", ""],
                &[&[20], &[4], &[]],
                None,
            ),
        ]
    }

    /// The same rows through ratatui's `Table`, which the grid stands in for.
    fn table(rows: &[GridRow], widths: &[u16], header: &[&str]) -> Table<'static> {
        let rows: Vec<Row> = rows
            .iter()
            .map(|r| {
                let cells: Vec<Line> = r
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(c, t)| {
                        // The grid ends a cut cell with `…`; the table is given it cut.
                        let w = usize::from(widths.get(c).copied().unwrap_or(0));
                        let t = crate::text::ellipsize(&sanitize(t), w).into_owned();
                        let line = highlighted(&t, &r.marks[c], MATCHED);
                        if r.underlined == Some(c) {
                            line.patch_style(Style::new().add_modifier(Modifier::UNDERLINED))
                        } else {
                            line
                        }
                    })
                    .collect();
                let row = Row::new(cells);
                match r.style {
                    Some(s) => row.style(s),
                    None => row,
                }
            })
            .collect();
        let header = Row::new(header.iter().enumerate().map(|(c, h)| {
            let w = usize::from(widths.get(c).copied().unwrap_or(0));
            crate::text::ellipsize(h, w).into_owned()
        }))
        .style(Style::new().bold().underlined());
        Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(header)
            .column_spacing(1)
    }

    #[test]
    fn draws_what_ratatuis_table_draws_styles_included() {
        let header = ["IP", "Port", "Modèle"];
        // Roomy, exact fit, cut columns, a last column with no room left, and an area running
        // past the buffer's right and bottom edges.
        let inside = |w, h| (Rect::new(1, 1, w, h), Rect::new(0, 0, w + 2, h + 2));
        for (widths, (area, buffer)) in [
            (vec![12, 5, 20], inside(60, 8)),
            (vec![12, 5, 20], inside(39, 8)),
            (vec![8, 3, 4], inside(17, 4)),
            (vec![10, 4, 0], inside(16, 7)),
            (
                vec![12, 5, 20],
                (Rect::new(2, 1, 60, 8), Rect::new(0, 0, 30, 5)),
            ),
        ] {
            let mut want = Buffer::empty(buffer);
            table(&rows(), &widths, &header).render(area, &mut want);
            let mut got = Buffer::empty(buffer);
            Grid {
                header: header.to_vec(),
                widths: &widths,
                rows: rows(),
                matched: MATCHED,
                flash: Style::new(),
            }
            .render(area, &mut got);
            assert_eq!(got, want, "widths {widths:?} in {area:?} on {buffer:?}");
        }
    }

    #[test]
    fn control_characters_never_reach_the_buffer() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 3));
        Grid {
            header: vec!["x"],
            widths: &[20],
            rows: vec![GridRow {
                changed: Vec::new(),
                cells: vec!["a\u{1b}]2;x\u{7}".into()],
                marks: vec![vec![]],
                style: None,
                underlined: None,
            }],
            matched: MATCHED,
            flash: Style::new(),
        }
        .render(buf.area, &mut buf);
        let drawn: String = (0..20).map(|x| buf[(x, 1)].symbol().to_string()).collect();
        assert!(!drawn.chars().any(char::is_control), "{drawn:?}");
        assert!(drawn.starts_with("a␛]2;x␇"), "{drawn:?}");
    }
}
