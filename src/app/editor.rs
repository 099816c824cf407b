//! Records as JSON: the raw view, copies, exports and `$EDITOR`.

use crate::api::ocean::Individu;
use crate::app::App;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::Permission;
use crate::app::form::Form;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::app::list::ListView;
use crate::app::screen::Screen;
use crate::app::target_json;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::rows::Record;
use crate::text::mask_secrets;
use crossterm::event::KeyCode;
use crossterm::event::KeyEvent;

pub struct RawView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

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

/// Puts back, in an edited record, the values `mask_secrets` masked and the user left alone.
pub(super) fn unmask(edited: &mut serde_json::Value, original: &serde_json::Value) {
    use serde_json::Value;
    match (edited, original) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, v) in e.iter_mut() {
                match o.get(k) {
                    Some(orig) if v.as_str() == Some("********") && orig.as_str() != v.as_str() => {
                        *v = orig.clone();
                    }
                    Some(orig) => unmask(v, orig),
                    None => {}
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            for (v, orig) in e.iter_mut().zip(o) {
                unmask(v, orig);
            }
        }
        _ => {}
    }
}

/// The leaves of `edited` that differ from `orig`, as dotted paths (a list is one leaf; a
/// key taken out is wanted empty).
fn leaf_changes(
    path: &str,
    orig: &serde_json::Value,
    edited: &serde_json::Value,
    out: &mut Vec<crate::change::FieldChange>,
) {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (orig, edited) {
        (Value::Object(o), Value::Object(e)) => {
            for (k, v) in e {
                leaf_changes(&join(k), o.get(k).unwrap_or(&Value::Null), v, out);
            }
            for (k, v) in o {
                if !e.contains_key(k) {
                    leaf_changes(&join(k), v, &Value::Null, out);
                }
            }
        }
        (Value::Object(o), Value::Null) => {
            for (k, v) in o {
                leaf_changes(&join(k), v, &Value::Null, out);
            }
        }
        (o, e) if o != e && !path.is_empty() => out.push(crate::change::FieldChange::new(
            path,
            Some(o.clone()),
            e.clone(),
        )),
        _ => {}
    }
}

impl App {
    pub(super) fn copy_cell(&mut self) {
        let Some((cells, cols)) = self.selected_cells() else {
            return;
        };
        let i = self.real_col().min(cells.len().saturating_sub(1));
        // What reaches the clipboard is pasted into shells: no CR, no escape sequence.
        let text = crate::text::sanitize(cells.get(i).map_or("", String::as_str)).into_owned();
        let what = cols.get(i).map(|c| tr(c.title)).unwrap_or_default();
        self.effects.push(Effect::Copy {
            what: trf("{} “{}”", &[&what, &text]),
            text,
        });
    }

    pub(super) fn copy_json(&mut self, title: &str, v: serde_json::Value) {
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.effects.push(Effect::Copy {
            text,
            what: trf("{} as JSON", &[&title]),
        });
    }

    /// The selected record as JSON, secrets masked.
    pub(super) fn selected_json(&self) -> Option<(String, serde_json::Value)> {
        self.selected_target().map(|t| target_json(&t))
    }

    pub(super) fn show_raw(&mut self, title: String, v: serde_json::Value) {
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.overlays.push(Overlay::Raw(Box::new(RawView {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
        })));
    }

    pub(super) fn raw_key(&mut self, key: KeyEvent) {
        let Some(key) = self.prefs.keymap.translate(Scope::Raw, key) else {
            return;
        };
        let rows = self.viewport_rows.max(1);
        let Some(Overlay::Raw(r)) = self.overlays.last_mut() else {
            return;
        };
        let max = r.lines.len().saturating_sub(rows);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('v') => {
                self.overlays.pop();
            }
            KeyCode::Char('j') | KeyCode::Down => r.scroll = (r.scroll + 1).min(max),
            KeyCode::Char('k') | KeyCode::Up => r.scroll = r.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => r.scroll = (r.scroll + rows).min(max),
            KeyCode::PageUp => r.scroll = r.scroll.saturating_sub(rows),
            KeyCode::Char('g') | KeyCode::Home => r.scroll = 0,
            KeyCode::Char('G') | KeyCode::End => r.scroll = max,
            KeyCode::Char('Y') => {
                let title = r.title.clone();
                let text = r.lines.join("\n");
                self.effects.push(Effect::Copy {
                    text,
                    what: trf("{} as JSON", &[&title]),
                });
            }
            _ => {}
        }
    }

    /// Writes the current view, filter applied; every page is loaded first when needed.
    /// Writes the current view (every page, filter applied) to `path`.
    pub fn export(&mut self, path: std::path::PathBuf, format: ExportFormat) {
        // With marks, the marked rows are written (they are kept whole, loaded or not).
        let marked = self.list_mut().marks() > 0;
        if !marked && self.tab == Tab::Equipements && !self.lists.equipements.complete {
            self.waiting.pending_export = Some((path, format));
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
            let items: Box<dyn Iterator<Item = &T>> = if marked {
                Box::new(chosen.iter())
            } else {
                Box::new(l.view.iter().filter_map(|&i| l.items.get(i)))
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
                    let rows: Vec<Vec<String>> = items.map(|r| r.cells()).collect();
                    let mut buf = Vec::new();
                    let _ = crate::text::write_csv_rows(
                        &mut buf,
                        T::columns().iter().map(|c| tr(c.title)),
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

    /// `E`: the record as JSON in `$EDITOR` (secrets masked; a mask left alone is no change).
    pub(super) fn edit_in_editor(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        if let DetailTarget::MaarchUser(d) = &t
            && !d.fetched
        {
            // What the editor shows must be what a save writes: read the details first.
            self.read_maarch_for_edit(d.user.id, true);
            self.status.notice = Some(tr("Reading the user's details…").into());
            return;
        }
        let (title, v) = target_json(&t);
        self.waiting.editing = Some(t);
        self.effects.push(Effect::Edit {
            title,
            text: serde_json::to_string_pretty(&v).unwrap_or_default(),
        });
    }

    /// What the editor gave back: the edit form filled with it, checked, and sent when valid.
    pub fn on_edited(&mut self, result: Result<String, String>) {
        let Some(target) = self.waiting.editing.take() else {
            return;
        };
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                self.status.last_error = Some(e);
                return;
            }
        };
        let v: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            Ok(_) => {
                self.status.last_error =
                    Some(tr("The edited text is not a JSON object: nothing sent").into());
                return;
            }
            Err(e) => {
                self.status.last_error =
                    Some(trf("The edited text is not JSON ({}): nothing sent", &[&e]));
                return;
            }
        };
        let before = self.overlays.len();
        self.edit_target(target.clone());
        if self.overlays.len() == before {
            return;
        }
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return;
        };
        if let DetailTarget::Individu(orig) = &target
            && let serde_json::Value::Object(m) = &v
        {
            // The whole record goes back as edited, under its own id; a secret left masked
            // goes back as the server sent it.
            let mut edited = serde_json::Value::Object(m.clone());
            unmask(&mut edited, &serde_json::Value::Object(orig.0.clone()));
            let serde_json::Value::Object(m) = edited else {
                return;
            };
            let mut body = Individu(m);
            if let Some(id) = orig.id() {
                body.set("individu.id", serde_json::json!(id));
            }
            for field in &mut f.fields {
                let text = body.text(&field.key);
                if field.key == "entite.id" || body.get(&field.key).is_some() {
                    field.set_text(&text);
                }
            }
            // Keys no field shows go too, each compared with the record as read.
            let shown: Vec<String> = f.fields.iter().map(Form::change_key).collect();
            let mut extra = Vec::new();
            leaf_changes(
                "",
                &serde_json::Value::Object(orig.0.clone()),
                &serde_json::Value::Object(body.0.clone()),
                &mut extra,
            );
            f.extra = extra
                .into_iter()
                .filter(|c| {
                    !shown
                        .iter()
                        .any(|k| c.key == *k || c.key.starts_with(&format!("{k}.")))
                        && c.key != "individu.id"
                        && !c.key.starts_with("utilisateur.individu")
                })
                .collect();
        } else {
            if let Some(list) = v.get("permissions") {
                // Any item a server sends: objects, ids or `ressource:action` strings. Anything
                // but a list would read as "no permission": refused, nothing sent.
                let perms: Option<Vec<Permission>> = match list {
                    serde_json::Value::Array(_) => serde_json::from_value(list.clone()).ok(),
                    _ => None,
                };
                let Some(perms) = perms else {
                    self.overlays.pop();
                    self.status.last_error =
                        Some(tr("permissions must be a list of permissions: nothing sent").into());
                    return;
                };
                f.set_permissions(&perms);
            }
            for field in &mut f.fields {
                if field.key == "permissions" {
                    continue;
                }
                let Some(val) = v.get(field.key.as_ref()) else {
                    continue;
                };
                let text = match val {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Array(a) => a
                        .iter()
                        .map(|x| match x {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Object(o) => {
                                match (o.get("ressource"), o.get("action")) {
                                    (Some(r), Some(a)) => format!(
                                        "{}:{}",
                                        r.as_str().unwrap_or_default(),
                                        a.as_str().unwrap_or_default()
                                    ),
                                    _ => x.to_string(),
                                }
                            }
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                // A secret still masked was not touched.
                if text == "********" {
                    continue;
                }
                field.set_text(&text);
            }
        }
        self.save_form();
    }
}

impl Screen for RawView {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.raw_key(key)
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        match app.overlays.last() {
            Some(Overlay::Raw(_)) => vec![
                k.joined(
                    &[
                        A(Scope::Raw, "down"),
                        A(Scope::Raw, "up"),
                        T("PgDn", Some(KeyCode::PageDown)),
                        T("PgUp", Some(KeyCode::PageUp)),
                    ],
                    " ",
                    "scroll",
                ),
                k.h(&[A(Scope::Raw, "copy")], "copy as JSON"),
                k.h(&[ESC], "back"),
            ],
            _ => Vec::new(),
        }
    }
}
