//! The forms of the power tools: export, bulk move and set, Maarch links, import, Ocean element type.

use super::Form;
use super::{Field, FieldKind};
use crate::app::kinds::FormKind;
use crate::i18n::tr;

impl Form {
    /// Export: the file to write and its format (the extension follows the format).
    pub fn export(path: &str) -> Form {
        let formats = vec![
            ("csv".to_string(), "CSV".to_string()),
            ("json".to_string(), "JSON".to_string()),
        ];
        let mut f = Form::build(
            FormKind::Export,
            None,
            vec![
                Field::new("path", "File", FieldKind::Text { min: 1, max: 4096 }, true)
                    .with_value(path),
                Field::new(
                    "format",
                    "Format",
                    FieldKind::Choice {
                        options: formats,
                        selected: None,
                    },
                    true,
                )
                .with_value("csv"),
            ],
        );
        // Ready to go as offered: Enter on the last field writes it.
        f.fields[0].initial = String::new();
        f
    }

    /// Bulk move: the site the marked equipements go to (the picker is accent-blind).
    pub fn bulk_move(sites: Vec<(String, String)>) -> Form {
        Form::build(
            FormKind::BulkMove,
            None,
            vec![Field::new(
                "site_id",
                "Site",
                FieldKind::Choice {
                    options: sites,
                    selected: None,
                },
                true,
            )],
        )
    }

    /// Bulk set: the fields an administrator changes across devices; empty ones are left
    /// as each equipement has them.
    pub fn bulk_set() -> Form {
        let text =
            |key, label, min, max| Field::new(key, label, FieldKind::Text { min, max }, false);
        Form::build(
            FormKind::BulkSet,
            None,
            vec![
                Field::new(
                    "port",
                    "Port",
                    FieldKind::Integer { min: 1, max: 65535 },
                    false,
                ),
                text("username", "Username", 0, 200),
                Field::new(
                    "password",
                    "Password",
                    FieldKind::Password { min: 0 },
                    false,
                ),
                text("marque", "Brand", 1, 100),
                text("modele", "Model", 1, 100),
                Field::new(
                    "sources",
                    "Sources (comma-separated)",
                    FieldKind::List,
                    false,
                ),
                text("description", "Description", 0, 1000),
            ],
        )
    }

    /// Bulk on Maarch users: add or remove one group or one entity.
    pub fn bulk_links(groups: Vec<(String, String)>, entities: Vec<(String, String)>) -> Form {
        let label = |v: Vec<(String, String)>| {
            v.into_iter()
                .map(|(id, l)| {
                    let shown = format!("{id} — {l}");
                    (id, shown)
                })
                .collect()
        };
        let modes = vec![
            ("add".to_string(), tr("add").to_string()),
            ("remove".to_string(), tr("remove").to_string()),
        ];
        Form::build(
            FormKind::BulkLinks,
            None,
            vec![
                Field::new(
                    "mode",
                    "Add or remove",
                    FieldKind::Choice {
                        options: modes,
                        selected: None,
                    },
                    true,
                )
                .with_value("add"),
                Field::new(
                    "groupId",
                    "Group",
                    FieldKind::Choice {
                        options: label(groups),
                        selected: None,
                    },
                    false,
                ),
                Field::new(
                    "entityId",
                    "Entity",
                    FieldKind::Choice {
                        options: label(entities),
                        selected: None,
                    },
                    false,
                ),
            ],
        )
    }

    /// The file to import into site `site_id` (Tab completes the path).
    pub fn import_file(site_id: &str, start: &str) -> Form {
        let mut f = Form::build(
            FormKind::ImportFile,
            None,
            vec![
                Field::new(
                    "path",
                    "File (CSV or JSON)",
                    FieldKind::Text { min: 1, max: 4096 },
                    true,
                )
                .with_value(start),
            ],
        );
        f.fields[0].initial = String::new();
        f.subject = site_id.to_string();
        f
    }

    /// The fields a bulk set form sets: those typed in.
    pub fn bulk_fields(&self) -> Vec<(&'static str, String)> {
        crate::app::SETTABLE
            .iter()
            .map(|(_, f)| *f)
            .filter(|f| !self.val(f).trim().is_empty())
            .fold(Vec::new(), |mut v, f| {
                if !v.iter().any(|(x, _)| *x == f) {
                    v.push((f, self.val(f)));
                }
                v
            })
    }

    /// Which Ocean element type to read: the known ones offered, any other typed.
    pub fn element_type(current: &str) -> Form {
        let options = crate::api::ocean::ELEMENT_TYPES
            .iter()
            .map(|t| (t.to_string(), t.to_string()))
            .collect();
        let mut f = Form::build(
            FormKind::ElementType,
            None,
            vec![
                Field::new(
                    "elementType",
                    "Element type",
                    FieldKind::Open {
                        options,
                        numeric: false,
                    },
                    true,
                )
                .with_value(current),
            ],
        );
        // Enter reads it as offered.
        f.fields[0].initial = String::new();
        f
    }
}
