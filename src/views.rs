//! What the administrator arranged and keeps across runs: each tab's columns (`C`) and
//! named views (`:save NAME`: tab, filter, sort, columns, a kept value). One small JSON
//! file in the state directory, written whole (0600); a file that cannot be read is
//! ignored, never fatal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Most saved views kept (the file stays small whatever is done to it).
pub const MAX_VIEWS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Views {
    /// List kind → the titles of its columns shown, in order.
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub views: BTreeMap<String, SavedView>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    /// The list kind (`equipements`, `maarch_users`…).
    pub kind: String,
    #[serde(default)]
    pub filter: String,
    /// Column title and descending.
    #[serde(default)]
    pub sort: Option<(String, bool)>,
    /// Column titles shown, in order (empty: as shipped).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Only rows with this value in this column (`F`, Enter).
    #[serde(default)]
    pub pin: Option<(String, String)>,
}

pub fn path() -> PathBuf {
    crate::config::state_dir().join("views.json")
}

impl Views {
    /// The file's views; nothing when it is missing, unreadable or too big.
    pub fn load(path: &Path) -> Views {
        let Ok(meta) = std::fs::metadata(path) else {
            return Views::default();
        };
        if meta.len() > 4 * 1024 * 1024 {
            tracing::warn!("views file over 4 MB: ignored");
            return Views::default();
        }
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::files::write_private(path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::{SavedView, Views};

    #[test]
    fn views_round_trip_and_a_bad_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("views.json");
        let mut v = Views::default();
        v.columns
            .insert("equipements".into(), vec!["IP".into(), "Site".into()]);
        v.views.insert(
            "cams".into(),
            SavedView {
                kind: "equipements".into(),
                filter: "hik".into(),
                sort: Some(("Port".into(), true)),
                columns: vec!["IP".into()],
                pin: Some(("Brand".into(), "Axis".into())),
            },
        );
        v.save(&p).unwrap();
        assert_eq!(Views::load(&p), v);
        std::fs::write(&p, "{not json").unwrap();
        assert_eq!(Views::load(&p), Views::default());
    }
}
