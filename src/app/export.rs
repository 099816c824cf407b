//! `x` and `:export`: the view written to a CSV or JSON file.

use crate::app::App;
use crate::app::Effect;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::app::list::ListView;
use crate::i18n::tr;
use crate::rows::Record;
use crate::rows::Rows;
use crate::text::mask_secrets;
use std::borrow::Cow;

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// `~/x` → the home directory's `x`.
pub(super) fn shellexpand_home(p: &str) -> String {
    match (p.strip_prefix("~/"), directories::UserDirs::new()) {
        (Some(rest), Some(d)) => d.home_dir().join(rest).display().to_string(),
        _ => p.to_string(),
    }
}

impl App {
    /// Writes the current view, filter applied; every page is loaded first when needed.
    /// Writes the current view (every page, filter applied) to `path`.
    pub fn export(&mut self, path: std::path::PathBuf, format: ExportFormat) {
        // With marks, the marked rows are written (they are kept whole, loaded or not).
        let marked = self.list_mut().marks() > 0;
        if !marked && self.tab == Tab::Equipements && !self.lists.equipements.complete {
            self.lists.when_loaded.export = Some((path, format));
            self.load_all();
            self.status.notice = Some(tr("Loading every page before the export…").into());
            return;
        }
        fn rows<T: Record + serde::Serialize>(
            l: &ListView<T>,
            format: ExportFormat,
            marked: bool,
        ) -> (String, usize) {
            let chosen = if marked { l.marked_rows() } else { Vec::new() };
            let items: Box<dyn Iterator<Item = Cow<'_, T>>> = if marked {
                Box::new(chosen.iter().map(Cow::Borrowed))
            } else {
                Box::new(l.view.iter().filter_map(|&i| l.items.row(i)))
            };
            match format {
                ExportFormat::Json => {
                    let mut v: Vec<serde_json::Value> = items
                        .map(|r| serde_json::to_value(r).unwrap_or_default())
                        .collect();
                    v.iter_mut().for_each(mask_secrets);
                    let n = v.len();
                    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                    (crate::text::json_safe(text), n)
                }
                ExportFormat::Csv => {
                    // Cells neither run as formulas nor act on a terminal (`text::csv_cell`).
                    // The server's columns: a hidden one (vigie's own, a probe's) is not data
                    // to import back.
                    let keep: Vec<usize> = (0..T::columns().len())
                        .filter(|&i| !T::columns()[i].hidden)
                        .collect();
                    let rows: Vec<Vec<String>> = items
                        .map(|r| {
                            let cells = r.cells();
                            keep.iter()
                                .map(|&i| cells.get(i).cloned().unwrap_or_default())
                                .collect()
                        })
                        .collect();
                    let mut buf = Vec::new();
                    let _ = crate::text::write_csv_rows(
                        &mut buf,
                        keep.iter().map(|&i| tr(T::columns()[i].title)),
                        rows.iter(),
                    );
                    (String::from_utf8_lossy(&buf).into_owned(), rows.len())
                }
            }
        }
        let (content, n) = with_list!(self, self.list_kind(), |l| rows(l, format, marked));
        self.effects.push(Effect::Export {
            path,
            content,
            rows: n,
        });
    }
}
