//! Unfinished forms kept on disk, so a dropped SSH session or a crash loses no typing. One file
//! per profile in the data dir, readable by its owner only, never holding a password.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::form::Form;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    /// When it was last written (local time, for the restore question).
    pub saved_at: String,
    pub form: Form,
}

/// Where the draft of a profile lives.
pub fn path_for(dir: &Path, profile: &str) -> PathBuf {
    let name: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join("drafts").join(format!("{name}.json"))
}

/// The draft as it would be written: `None` when there is nothing worth keeping.
pub fn encode(form: Option<&Form>) -> Option<String> {
    let form = form.filter(|f| f.draftable())?;
    let d = Draft {
        saved_at: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
        form: form.without_secrets(),
    };
    serde_json::to_string(&d).ok()
}

/// Writes (or, with `None`, removes) the draft; errors are logged, never fatal.
pub fn store(path: &Path, text: Option<&str>) {
    let r = match text {
        Some(t) => write_private(path, t.as_bytes()),
        None => match std::fs::remove_file(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        },
    };
    if let Err(e) = r {
        tracing::warn!(path = %path.display(), error = %e, "cannot keep the draft");
    }
}

/// The kept draft, if any and readable.
pub fn load(path: &Path) -> Option<Draft> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str::<Draft>(&text) {
        Ok(mut d) => {
            // Whatever an older version wrote, no secret comes back.
            d.form = d.form.without_secrets();
            Some(d)
        }
        Err(e) => {
            tracing::warn!(error = %e, "unreadable draft ignored");
            None
        }
    }
}

/// Writes a file only its owner can read, replacing it atomically.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::form::Form;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn typed(f: &mut Form, s: &str) {
        for c in s.chars() {
            f.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn a_draft_keeps_typing_but_no_password_and_is_private() {
        let mut f = Form::user(None, vec![("r1".into(), "admin".into())]);
        typed(&mut f, "1234");
        f.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        typed(&mut f, "Ngono");
        f.focus = 3;
        typed(&mut f, "hunter2-secret");
        let text = encode(Some(&f)).expect("worth a draft");
        assert!(!text.contains("hunter2"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(dir.path(), "prod/eu");
        assert!(p.ends_with("drafts/prod_eu.json"));
        store(&p, Some(&text));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let d = load(&p).unwrap();
        assert_eq!(d.form.field("nom").unwrap().value(), "Ngono");
        assert_eq!(d.form.field("matricule").unwrap().value(), "1234");
        assert_eq!(d.form.field("password").unwrap().value(), "");
        store(&p, None);
        assert!(!p.exists());
        // An untouched form is not worth a draft.
        assert!(encode(Some(&Form::user(None, Vec::new()))).is_none());
    }
}
