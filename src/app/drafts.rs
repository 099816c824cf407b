//! Unfinished forms kept on disk, so a dropped SSH session or a crash loses no typing. One file
//! per profile in the data dir, readable by its owner only, never holding a password.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::form::{Form, FormKind};

/// What a draft written now says of itself: older ones predate the keeping of values the
/// server did not send (Maarch edits) and of the role's own permissions (role edits).
pub const DRAFT_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    /// When it was last written (local time, for the restore question).
    pub saved_at: String,
    /// The server it was typed for (its origin), shown when offered.
    #[serde(default)]
    pub server: String,
    #[serde(default)]
    pub version: u32,
    pub form: Form,
}

/// Where the draft of a profile and a server lives (`files::stem_for`).
pub fn path_for(dir: &Path, profile: &str, server: &str) -> PathBuf {
    dir.join("drafts")
        .join(format!("{}.json", crate::files::stem_for(profile, server)))
}

/// The draft as it would be written: `None` when there is nothing worth keeping.
pub fn encode(form: Option<&Form>, server: &str) -> Option<String> {
    let form = form.filter(|f| f.draftable())?;
    let d = Draft {
        saved_at: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
        server: crate::files::origin(server),
        version: DRAFT_VERSION,
        form: form.without_secrets(),
    };
    serde_json::to_string(&d).ok()
}

/// Writes (or, with `None`, removes) the draft; errors are logged, never fatal.
pub fn store(path: &Path, text: Option<&str>) {
    let r = match text {
        Some(t) => crate::files::write_private(path, t.as_bytes()),
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
            let unsafe_edit = matches!(d.form.kind, FormKind::MaarchUser | FormKind::Role)
                && d.form.edits_record();
            if d.version < DRAFT_VERSION && unsafe_edit {
                // Written before values the server did not send were told apart from empty
                // ones: saved, it would erase them.
                tracing::warn!("an older draft of a Maarch user or role edit was set aside");
                return None;
            }
            Some(d)
        }
        Err(e) => {
            tracing::warn!(error = %e, "unreadable draft ignored");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{encode, load, path_for, store};
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
        let text = encode(Some(&f), "https://core.example.cm:8443/api").expect("worth a draft");
        assert!(!text.contains("hunter2"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(dir.path(), "prod/eu", "https://core.example.cm:8443/api");
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            name.starts_with("prod_eu-") && name.ends_with(".json"),
            "{name}"
        );
        // Another server, another draft; the same origin whatever the path, the same one.
        assert_ne!(
            p,
            path_for(dir.path(), "prod/eu", "https://other.example.cm")
        );
        assert_eq!(
            p,
            path_for(dir.path(), "prod/eu", "https://core.example.cm:8443/other")
        );
        store(&p, Some(&text));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let d = load(&p).unwrap();
        assert_eq!(d.server, "https://core.example.cm:8443");
        assert_eq!(d.form.field("nom").unwrap().value(), "Ngono");
        assert_eq!(d.form.field("matricule").unwrap().value(), "1234");
        assert_eq!(d.form.field("password").unwrap().value(), "");
        store(&p, None);
        assert!(!p.exists());
        // An untouched form is not worth a draft.
        assert!(encode(Some(&Form::user(None, Vec::new())), "x").is_none());
    }

    #[test]
    fn a_draft_forgets_answers_and_older_edit_drafts_are_set_aside() {
        use crate::api::maarch::{MaarchUser, MaarchUserDetails};
        let user = MaarchUser {
            id: 21,
            user_id: "bwayne".into(),
            firstname: "Bruce".into(),
            unseen: vec!["phone".into()],
            ..Default::default()
        };
        let mut f = Form::maarch_user(Some(&MaarchUserDetails {
            fetched: true,
            ..MaarchUserDetails::from_list(user)
        }));
        typed(&mut f, "-Jr");
        f.agreed.push(crate::app::form::Ask::Erase);
        f.asking = Some(crate::app::form::Ask::Erase);
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(dir.path(), "p", "https://m.example");
        store(&p, encode(Some(&f), "https://m.example").as_deref());
        let d = load(&p).expect("a draft of this version");
        assert!(d.form.agreed.is_empty(), "consent is not kept");
        assert_eq!(d.form.asking, None);
        assert!(d.form.field("phone").unwrap().unknown);
        // The same draft as an older version wrote it: set aside.
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("version");
        store(&p, Some(&v.to_string()));
        assert!(load(&p).is_none());
    }
}
