//! The list table: only the rows in view are built, whatever the number loaded.

use crate::rows::Rows;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::grid::{Grid, GridRow};
use super::{accent, dim, safe};
use crate::app::keymap::Act;
use crate::app::kinds::{Kind, with_kind, with_list};
use crate::app::list::{ListView, Record};
use crate::app::{App, Tab, not_configured};
use crate::i18n::{tr, trf};

pub fn draw_list(f: &mut Frame, app: &App, area: Rect) {
    let service = app.tab_service(app.tab);
    if !app.session.has(service) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(dim())
            // The faint of the border is not the title's.
            .title_style(
                ratatui::style::Style::new().remove_modifier(ratatui::style::Modifier::DIM),
            )
            .title(Span::styled(
                format!(" {} ", tr(app.tab.title())),
                accent().bold(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let mut text = vec![
            Line::from(Span::styled(
                not_configured(service, app.session.profile_shown()),
                super::theme::theme().warn,
            )),
            Line::raw(""),
        ];
        if app.tab == Tab::Users {
            text.push(Line::from(Span::styled(
                trf(
                    "{} switches to the other user directory",
                    &[&app.key_label(crate::app::Scope::List, Act::UsersDirectory)],
                ),
                dim(),
            )));
        }
        f.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }
    let kind = app.list_kind();
    let title = with_kind!(kind, |K| <K as Kind>::title(app));
    with_list!(app, kind, |l| draw_table(
        f,
        l,
        area,
        title,
        Some(app.lists.col)
    ))
}

/// `col`: the selected cell's column in the selected row (lists; details have none).
pub fn draw_table<T: Record>(
    f: &mut Frame,
    list: &ListView<T>,
    area: Rect,
    title: &str,
    col: Option<usize>,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(dim())
        // The faint of the border is not the title's.
        .title_style(ratatui::style::Style::new().remove_modifier(ratatui::style::Modifier::DIM))
        .title(Line::from(title_line(list, title)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if list.view.is_empty() {
        f.render_widget(Paragraph::new(empty_message(list)).style(dim()), inner);
        return;
    }
    let height = inner.height.saturating_sub(1) as usize;
    let start = list.offset.min(list.view.len().saturating_sub(1));
    let end = (start + height).min(list.view.len());
    // The columns chosen with `C`, in their order.
    let shown = list.shown_columns();
    let rows: Vec<GridRow> = (start..end)
        .map(|vi| grid_row(list, vi, &shown, col))
        .collect();
    let columns: Vec<crate::app::list::Column> = shown.iter().map(|&i| T::columns()[i]).collect();
    let header: Vec<&str> = columns.iter().map(|c| tr(c.title)).collect();
    // What the rows in view hold, column by column: a cut column gets room first.
    let needs: Vec<u16> = (0..columns.len())
        .map(|c| {
            let cells = rows.iter().map(|r| r.cells.get(c).map_or(0, |t| t.width()));
            let most = cells.chain([header[c].width()]).max().unwrap_or(0);
            u16::try_from(most).unwrap_or(u16::MAX)
        })
        .collect();
    let widths = column_widths(&columns, &needs, inner.width);
    let grid = Grid {
        header,
        widths: &widths,
        rows,
        matched: super::theme::theme().matched,
        flash: super::theme::theme()
            .warn
            .add_modifier(ratatui::style::Modifier::REVERSED),
    };
    f.render_widget(grid, inner);
}

/// The table's title: the list's name, then its filter, pin, sort, watch, marks and odd
/// rows when it has them.
fn title_line<T: Record>(list: &ListView<T>, title: &str) -> Vec<Span<'static>> {
    let mut title_line = vec![Span::styled(format!(" {title} "), accent().bold())];
    if list.filtering || !list.filter.is_empty() {
        let cursor = if list.filtering { "▏" } else { "" };
        title_line.push(Span::styled(
            format!(" /{}{cursor} ", safe(&list.filter)),
            super::theme::theme().warn,
        ));
        // How many rows hold the text typed, when others only hold its letters (ranked
        // after them).
        if let Some(n) = list.exact_matches().filter(|&n| n < list.len()) {
            let said = if n == 1 {
                tr("1 exact").to_string()
            } else {
                trf("{} exact", &[&crate::app::group(n as u64)])
            };
            title_line.push(Span::styled(format!("{said} "), dim()));
        }
    }
    if let Some((c, value)) = &list.pin
        && let Some(col) = T::columns().get(*c)
    {
        title_line.push(Span::styled(
            format!(" {} = {} ", tr(col.title), safe(value)),
            super::theme::theme().warn,
        ));
    }
    if let Some((done, total)) = list.filter_progress() {
        let pct = (done * 100 / total.max(1)).to_string();
        title_line.push(Span::styled(
            format!(" {} ", trf("filtering… {}%", &[&pct])),
            dim(),
        ));
    }
    if let (Some((c, _)), Some(pct)) = (list.sort, list.sort_progress())
        && let Some(col) = T::columns().get(c)
    {
        title_line.push(Span::styled(
            format!(
                " {} ",
                trf("sorting by {}… {}%", &[&tr(col.title), &pct.to_string()])
            ),
            dim(),
        ));
    } else if let Some((c, desc)) = list.sort
        && let Some(col) = T::columns().get(c)
    {
        title_line.push(Span::styled(
            format!(
                " {} ",
                trf(
                    "sorted by {} {}",
                    &[&tr(col.title), &if desc { "↓" } else { "↑" }]
                )
            ),
            dim(),
        ));
    }
    if list.watched {
        title_line.push(Span::styled(
            format!(" {} ", tr("⟳ watching")),
            super::theme::theme().ok,
        ));
    }
    if !list.marked.is_empty() {
        title_line.push(Span::styled(
            format!(" {} ", trf("{} marked", &[&list.marked.len()])),
            accent().bold(),
        ));
    }
    if list.odd > 0 {
        title_line.push(Span::styled(
            format!(
                " {} ",
                trf("⚠ {} odd rows as sent (v shows one)", &[&list.odd])
            ),
            super::theme::theme().warn,
        ));
    }
    title_line
}

/// What an empty table says: loading, filtering, nothing matching, or nothing there.
fn empty_message<T: Record>(list: &ListView<T>) -> String {
    if list.loading || (!list.loaded_once && list.pending.is_some()) {
        tr("Loading…").to_string()
    } else if list.filter_pending() {
        tr("Filtering…").to_string()
    } else if !list.filter.is_empty() {
        trf("Nothing matches /{}", &[&safe(&list.filter)])
    } else if list.loaded_once {
        tr("Nothing here yet: n creates one").to_string()
    } else {
        tr("Not loaded: r to load").to_string()
    }
}

/// The row of the view's `vi`th record: its cells (the columns `shown`), the filter's
/// matches, and its style; `col`: the selected row's underlined cell.
fn grid_row<T: Record>(
    list: &ListView<T>,
    vi: usize,
    shown: &[usize],
    col: Option<usize>,
) -> GridRow {
    let selected = super::theme::theme().selected;
    let i = list.view[vi];
    let all = list.items.cells(i);
    let item_key = list.items.row_key(i).unwrap_or_default();
    let marks = pick(list.highlights_for(vi, &all), shown);
    let cells = pick(all, shown);
    let here = vi == list.selected;
    // A row the server sent oddly: in the warning colour.
    let odd = list.items.odd(i).then(|| super::theme::theme().warn);
    // A marked row: in the accent colour, bold (selected wins).
    let marked = list.is_marked_key(&item_key).then(|| accent().bold());
    // The watch's last refresh: new rows in the "ok" colour, changed cells lit.
    let flash = list.flash.as_ref().filter(|f| f.active());
    let key = flash.map(|_| &item_key);
    let new = flash
        .zip(key.as_ref())
        .filter(|(f, k)| f.new.contains(k.as_ref()))
        .map(|_| super::theme::theme().ok);
    let changed = flash
        .zip(key.as_ref())
        .and_then(|(f, k)| f.changed.get(k.as_ref()))
        .map(|cols| {
            shown
                .iter()
                .enumerate()
                .filter(|(_, i)| cols.contains(i))
                .map(|(pos, _)| pos)
                .collect()
        })
        .unwrap_or_default();
    GridRow {
        cells,
        marks,
        style: if here {
            Some(selected)
        } else {
            marked.or(new).or(odd)
        },
        underlined: col.filter(|_| here),
        changed,
    }
}

/// The cells of the columns shown, in their order.
fn pick<X: Default>(v: Vec<X>, shown: &[usize]) -> Vec<X> {
    let mut v: Vec<Option<X>> = v.into_iter().map(Some).collect();
    shown
        .iter()
        .map(|&i| v.get_mut(i).and_then(Option::take).unwrap_or_default())
        .collect()
}

/// Each column gets its minimum; the spare width goes first to the columns whose cells in
/// view are cut (those missing the least first, so the most become whole), what is left to
/// the last column. `needs`: each column's widest cell in view (its title included).
pub fn column_widths(cols: &[crate::app::list::Column], needs: &[u16], width: u16) -> Vec<u16> {
    let spacing = cols.len().saturating_sub(1) as u16;
    let base: u16 = cols.iter().map(|c| c.width).sum::<u16>() + spacing;
    let mut w: Vec<u16> = cols.iter().map(|c| c.width).collect();
    if base > width {
        // Too narrow: the left columns (IP, name...) keep their width, the right ones go
        // whole (a date cut in the middle reads as another date); the last one kept takes
        // what is left.
        let mut kept = w.len();
        let used = |w: &[u16], n: usize| -> u16 {
            w[..n].iter().sum::<u16>() + n.saturating_sub(1) as u16
        };
        while kept > 1 && used(&w, kept) > width {
            kept -= 1;
            w[kept] = 0;
        }
        if let Some(last) = kept.checked_sub(1) {
            let others = used(&w, kept) - w[last];
            w[last] = width.saturating_sub(others);
        }
        return w;
    }
    let mut spare = width - base;
    let short = |i: usize, w: &[u16]| needs.get(i).copied().unwrap_or(0).saturating_sub(w[i]);
    let mut cut: Vec<usize> = (0..w.len()).filter(|&i| short(i, &w) > 0).collect();
    cut.sort_by_key(|&i| short(i, &w));
    for i in cut {
        let give = short(i, &w).min(spare);
        w[i] += give;
        spare -= give;
    }
    if let Some(last) = w.last_mut() {
        *last += spare;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::column_widths;
    use crate::app::list::Record;

    #[test]
    fn narrow_tables_drop_whole_columns_from_the_right() {
        let cols = crate::api::model::Equipement::columns();
        let full: u16 = cols.iter().map(|c| c.width).sum::<u16>() + cols.len() as u16 - 1;
        for width in [20u16, 40, 60, 78, full - 1] {
            let w = column_widths(cols, &[], width);
            let kept: Vec<usize> = (0..w.len()).filter(|&i| w[i] > 0).collect();
            // The kept ones are a prefix, each at least its minimum but the last, and they
            // fill the width exactly.
            assert_eq!(kept, (0..kept.len()).collect::<Vec<_>>(), "{width}: {w:?}");
            for &i in &kept[..kept.len() - 1] {
                assert!(w[i] >= cols[i].width, "{width}: {w:?}");
            }
            let used: u16 = w.iter().sum::<u16>() + kept.len() as u16 - 1;
            assert_eq!(used, width, "{width}: {w:?}");
        }
        assert_eq!(
            column_widths(cols, &[], full)
                .iter()
                .filter(|w| **w > 0)
                .count(),
            cols.len()
        );
    }

    /// Room goes to the columns whose cells are cut, not to blank ones: a brand of 14
    /// characters gets 14 when there is room.
    #[test]
    fn spare_room_goes_to_cut_columns_first() {
        let cols = crate::api::model::Equipement::columns();
        let mins: Vec<u16> = cols.iter().map(|c| c.width).collect();
        let mut needs = mins.clone();
        needs[2] = mins[2] + 4;
        needs[4] = mins[4] + 30;
        let full: u16 = mins.iter().sum::<u16>() + cols.len() as u16 - 1;
        let w = column_widths(cols, &needs, full + 10);
        assert_eq!(w[2], needs[2], "the smaller shortfall is met whole: {w:?}");
        assert_eq!(w[4], mins[4] + 6, "the rest to the next cut one: {w:?}");
        let w = column_widths(cols, &needs, full + 100);
        assert_eq!((w[2], w[4]), (needs[2], needs[4]), "{w:?}");
        for i in [0, 1, 3] {
            assert_eq!(w[i], mins[i], "a whole column keeps its width: {w:?}");
        }
    }
}
