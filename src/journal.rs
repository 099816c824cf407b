//! The journal: every create, edit and delete vigie performs, one JSON line each, appended to
//! a file of the data dir (one per profile and server, readable by its owner only). Secrets
//! never reach it. `u` walks back through it; `:journal` and `vigie journal` show it.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The entries read back at most (the newest): a journal grows without end.
pub const MAX_ENTRIES: usize = 10_000;
/// A line longer than this is no entry of ours: skipped unread.
const MAX_LINE: usize = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Create,
    Update,
    Delete,
}

impl Op {
    pub fn word(self) -> &'static str {
        match self {
            Op::Create => "created",
            Op::Update => "edited",
            Op::Delete => "deleted",
        }
    }
}

/// One change made through vigie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Unique in the file (nanoseconds since the epoch when written).
    pub seq: u64,
    /// When (RFC 3339, local offset).
    pub at: String,
    /// Who was logged in.
    #[serde(default)]
    pub who: String,
    /// `core`, `ocean`, `maarch`.
    pub service: String,
    /// The kind's name (`sites`, `equipements`…, as in `assets/columns.toml`).
    pub kind: String,
    pub id: String,
    /// How the record is named ("site LOUM").
    #[serde(default)]
    pub label: String,
    pub op: Op,
    /// The record as vigie knew it before (none for a creation), secrets removed.
    #[serde(default)]
    pub before: Option<Value>,
    /// The record as the server answered it (none for a delete), secrets removed.
    #[serde(default)]
    pub after: Option<Value>,
    /// The entry this change undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<u64>,
    /// A link of the record changed rather than its fields (a Maarch user's group or
    /// entity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// The import this change belongs to (every row of one import shares it): `u` undoes
    /// them together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u64>,
    /// An equipement: the site it was on after the change (the cheapest read that finds it
    /// again, to undo it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// A link added or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// `group` or `entity`.
    pub to: String,
    pub id: String,
    pub added: bool,
}

impl Entry {
    /// A new entry, stamped now; secrets are removed from both states.
    pub fn now(service: &str, kind: &str, id: &str, op: Op) -> Entry {
        let now = chrono::Local::now();
        Entry {
            seq: now
                .timestamp_nanos_opt()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or_default(),
            at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            who: String::new(),
            service: service.into(),
            kind: kind.into(),
            id: id.into(),
            label: String::new(),
            op,
            before: None,
            after: None,
            undoes: None,
            link: None,
            batch: None,
            site: None,
        }
    }

    pub fn with_states(mut self, before: Option<Value>, after: Option<Value>) -> Entry {
        self.before = before.map(without_secrets);
        self.after = after.map(without_secrets);
        self
    }
}

/// `v` without any key that names a secret (password, token, secret), at any depth.
pub fn without_secrets(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !crate::text::is_secret_key(k));
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// Where the journal of a profile and a server lives.
pub fn path_for(dir: &Path, profile: &str, server: &str) -> PathBuf {
    dir.join("journal")
        .join(format!("{}.jsonl", crate::files::stem_for(profile, server)))
}

/// Appends one entry as one line, written whole and synced: a crash leaves at worst a cut
/// last line, which `read` skips.
pub fn append(path: &Path, e: &Entry) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(e).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(line.as_bytes())?;
    f.sync_data()
}

/// The newest entries (at most `MAX_ENTRIES`), oldest first; a line that is not an entry (cut
/// by a crash, or too long) is skipped. A missing journal is an empty one.
pub fn read(path: &Path) -> Vec<Entry> {
    let Ok(f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut out = std::collections::VecDeque::new();
    let mut r = std::io::BufReader::new(f);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut r)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if buf.len() > MAX_LINE {
            // An overlong line: skipped to its end, never held whole.
            while !buf.ends_with(b"\n") {
                buf.clear();
                match (&mut r).take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => return out.into(),
                    Ok(_) => {}
                }
            }
            continue;
        }
        if let Ok(e) = serde_json::from_slice::<Entry>(&buf) {
            out.push_back(e);
            if out.len() > MAX_ENTRIES {
                out.pop_front();
            }
        }
    }
    out.into()
}

/// The entry `u` undoes next: the newest change that is no undo and was not undone.
pub fn next_undo(entries: &[Entry]) -> Option<&Entry> {
    let undone: std::collections::HashSet<u64> = entries.iter().filter_map(|e| e.undoes).collect();
    entries
        .iter()
        .rev()
        .find(|e| e.undoes.is_none() && !undone.contains(&e.seq))
}

/// The journal as read by a person, newest first: one line per change, then what changed
/// (`field: before → after`), values made safe for a terminal.
pub fn lines(entries: &[Entry]) -> Vec<String> {
    use crate::text::sanitize;
    if entries.is_empty() {
        return vec![crate::i18n::tr("No change made through vigie yet").into()];
    }
    let undone: std::collections::HashSet<u64> = entries.iter().filter_map(|e| e.undoes).collect();
    let mut out = Vec::new();
    for e in entries.iter().rev() {
        let mark = if e.undoes.is_some() {
            " (undo)"
        } else if undone.contains(&e.seq) {
            " (undone)"
        } else {
            ""
        };
        out.push(
            sanitize(&format!(
                "{}  {}  {} {}{mark}  ({} {} {})",
                e.at.get(..19).unwrap_or(&e.at).replace('T', " "),
                e.who,
                if e.label.is_empty() {
                    &e.kind
                } else {
                    &e.label
                },
                crate::i18n::tr(e.op.word()),
                e.service,
                e.kind,
                e.id,
            ))
            .into_owned(),
        );
        if let Some(l) = &e.link {
            let how = if l.added { "+" } else { "−" };
            out.push(sanitize(&format!("    {how} {} {}", l.to, l.id)).into_owned());
        }
        for (k, b, a) in changes(e) {
            // A Maarch link: joined (with its role) or left.
            let link = k
                .strip_prefix("group:")
                .map(|id| ("group", id))
                .or_else(|| k.strip_prefix("entity:").map(|id| ("entity", id)));
            let line = match link {
                Some((to, id)) if b == "—" => format!("    + {to} {id} {a}"),
                Some((to, id)) if a == "—" => format!("    − {to} {id}"),
                _ => format!("    {k}: {b} → {a}"),
            };
            out.push(sanitize(&line).into_owned());
        }
    }
    out
}

/// The top-level fields that differ between before and after, as text.
pub fn changes(e: &Entry) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let obj = |v: &Option<Value>| v.as_ref().and_then(|v| v.as_object()).cloned();
    let (b, a) = (obj(&e.before), obj(&e.after));
    let (bm, am) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| bm.get(*k) != am.get(*k))
        .map(|k| (k.clone(), text(bm.get(k)), text(am.get(k))))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use std::io::Write;

    use super::{Entry, MAX_LINE, Op, append, next_undo, path_for, read};

    fn entry(seq: u64, op: Op) -> Entry {
        Entry {
            seq,
            ..Entry::now("core", "sites", "s1", op)
        }
    }

    #[test]
    fn entries_come_back_and_a_cut_last_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = path_for(dir.path(), "prod", "https://h:8000/api");
        append(&p, &entry(1, Op::Create)).unwrap();
        append(&p, &entry(2, Op::Delete)).unwrap();
        // A kill -9 in the middle of a write: half a line, no newline.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(br#"{"seq":3,"at":"2026-"#).unwrap();
        let got = read(&p);
        assert_eq!(got.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        // And the next append still reads.
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"\n").unwrap();
        append(&p, &entry(4, Op::Update)).unwrap();
        assert_eq!(read(&p).len(), 3);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn secrets_never_reach_an_entry() {
        let e = Entry::now("core", "equipements", "e1", Op::Delete).with_states(
            Some(json!({"ip": "10.0.0.1", "password": "Sup3r!", "creds": {"api_token": "t"}})),
            None,
        );
        let line = serde_json::to_string(&e).unwrap();
        assert!(line.contains("10.0.0.1"));
        assert!(
            !line.contains("Sup3r!") && !line.contains("api_token"),
            "{line}"
        );
    }

    #[test]
    fn undo_walks_back_past_what_was_undone() {
        let mut v = vec![
            entry(1, Op::Create),
            entry(2, Op::Update),
            entry(3, Op::Delete),
        ];
        assert_eq!(next_undo(&v).map(|e| e.seq), Some(3));
        v.push(Entry {
            undoes: Some(3),
            ..entry(4, Op::Create)
        });
        assert_eq!(next_undo(&v).map(|e| e.seq), Some(2));
        v.push(Entry {
            undoes: Some(2),
            ..entry(5, Op::Update)
        });
        assert_eq!(next_undo(&v).map(|e| e.seq), Some(1));
    }

    #[test]
    fn an_overlong_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.jsonl");
        let mut f = std::fs::File::create(&p).unwrap();
        f.write_all(&vec![b'x'; MAX_LINE + 10]).unwrap();
        f.write_all(b"\n").unwrap();
        drop(f);
        append(&p, &entry(7, Op::Create)).unwrap();
        assert_eq!(read(&p).iter().map(|e| e.seq).collect::<Vec<_>>(), [7]);
    }
}
