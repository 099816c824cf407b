//! SQLite storage of the reference server: a small pool of connections used from
//! `spawn_blocking`, WAL, foreign keys on, embedded migrations applied at open.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};

use super::fastapi::HttpError;

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: core service
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE permissions (
        permission_id TEXT PRIMARY KEY,
        ressource TEXT NOT NULL,
        action TEXT NOT NULL,
        UNIQUE (ressource, action)
    );
    CREATE TABLE roles (
        role_id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        timestamp TEXT NOT NULL
    );
    CREATE TABLE role_permissions (
        role_id TEXT NOT NULL REFERENCES roles(role_id) ON DELETE CASCADE,
        permission_id TEXT NOT NULL REFERENCES permissions(permission_id) ON DELETE CASCADE,
        PRIMARY KEY (role_id, permission_id)
    );
    CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        matricule INTEGER NOT NULL UNIQUE,
        nom TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role_id TEXT NOT NULL REFERENCES roles(role_id),
        status TEXT NOT NULL,
        timestamp TEXT NOT NULL
    );
    CREATE TABLE clients (
        client_id TEXT PRIMARY KEY,
        nom TEXT NOT NULL,
        code INTEGER NOT NULL,
        timestamp TEXT NOT NULL
    );
    CREATE TABLE sites (
        site_id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES clients(client_id),
        name TEXT NOT NULL,
        longitude REAL NOT NULL,
        latitude REAL NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        timestamp TEXT NOT NULL
    );
    CREATE TABLE equipements (
        equipement_id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(site_id),
        ip TEXT NOT NULL,
        marque TEXT NOT NULL DEFAULT '',
        sources TEXT NOT NULL DEFAULT '[]',
        port INTEGER NOT NULL,
        username TEXT NOT NULL DEFAULT '',
        password TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        modele TEXT NOT NULL DEFAULT '',
        timestamp TEXT NOT NULL
    );
    CREATE INDEX equipements_by_site ON equipements(site_id);
    "#,
];

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    path: Arc<PathBuf>,
    pool: Arc<Mutex<Vec<Connection>>>,
    /// A connection that never writes, and the `data_version` it last saw: SQLite moves it on
    /// every commit made by another connection, this process's or another's.
    watcher: Arc<Mutex<Option<Watcher>>>,
    equipement_rowids: Arc<Mutex<Option<KeptRowids>>>,
    /// Bumped after every call that changed a row (`total_changes` moved).
    generation: Arc<AtomicU64>,
    /// Whole answers kept while no row has changed.
    answers: Arc<Mutex<Vec<CachedAnswer>>>,
}

/// The watching connection and the `data_version` it last saw (`None`: never looked).
type Watcher = (Connection, Option<i64>);

/// The rowid index, with the generation it was last seen current at.
type KeptRowids = (u64, Arc<Rowids>);

/// (route, generation it was computed at, body).
type CachedAnswer = (&'static str, u64, bytes::Bytes);

/// Every equipement's rowid in order, with the count and largest rowid it was read at: a page
/// of `/equipements/all` becomes a rowid range instead of an `OFFSET` that walks the table
/// (1,000 pages of 100 walked 50 million rows). New rows always get the largest rowid plus
/// one, so a table with the same count and largest rowid holds the same rowids: any insert
/// after a delete, or any delete not undone by inserts, changes one of the two.
struct Rowids {
    count: i64,
    max: i64,
    rowids: Vec<i64>,
}

const POOL_MAX: usize = 8;
/// Page cache of each connection, KiB (allocated as pages are read).
const CACHE_KIB: u64 = 64 << 10;

fn open_conn(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    )?;
    // A page cache that holds a 100,000-equipement database (32 MiB): with SQLite's 2 MiB
    // default every `COUNT(*)` and table scan re-read most of the file, a system call a page.
    // Pages are allocated as they are read: a small database keeps a small cache.
    conn.execute_batch(&format!("PRAGMA cache_size = -{CACHE_KIB};"))?;
    // Room for every statement the routes keep prepared (rusqlite keeps 16).
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

impl Db {
    /// Opens (creating if needed) and migrates the database.
    pub fn open(path: &Path) -> Result<Db, String> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut conn =
            open_conn(path).map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
        migrate(&mut conn).map_err(|e| format!("cannot migrate {}: {e}", path.display()))?;
        Ok(Db {
            path: Arc::new(path.to_path_buf()),
            pool: Arc::new(Mutex::new(vec![conn])),
            watcher: Arc::default(),
            equipement_rowids: Arc::default(),
            generation: Arc::default(),
            answers: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, HttpError> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.call_blocking(f))
            .await
            .map_err(|e| HttpError::Internal(format!("database task failed: {e}")))?
    }

    /// The count of equipements, and the first and last rowid of the `size` equipements after
    /// the first `offset` in rowid order (`None` past the end). Run it first in the
    /// transaction that reads the page: the transaction's snapshot is then taken after the
    /// generation is read, and the count, bounds and rows are of the same moment.
    pub fn equipement_page(
        &self,
        c: &Connection,
        offset: i64,
        size: i64,
    ) -> rusqlite::Result<(i64, Option<(i64, i64)>)> {
        // Read first: a write after this makes the index look older than it is, never newer.
        let generation = self.generation_now();
        let kept = self
            .equipement_rowids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        // Nothing written since the index was last seen current: no count needed (a COUNT(*)
        // walks the whole table, a tenth of a page's time). A write commits a moment before
        // it bumps the generation: a page read in that moment gets the bounds and count from
        // before the write and the rows after it (a row deleted then is missing from its
        // page), as a page read while a row is deleted may anyway.
        let index = match kept {
            Some((g, r)) if g == generation => r,
            kept => {
                // Two statements: together in one, neither is optimised and the table is
                // scanned.
                let count: i64 = c
                    .prepare_cached("SELECT COUNT(*) FROM equipements")?
                    .query_row([], |r| r.get(0))?;
                let max: i64 = c
                    .prepare_cached("SELECT COALESCE(MAX(rowid), 0) FROM equipements")?
                    .query_row([], |r| r.get(0))?;
                let r = match kept {
                    Some((_, r)) if r.count == count && r.max == max => r,
                    _ => {
                        let rowids = c
                            .prepare_cached("SELECT rowid FROM equipements ORDER BY rowid")?
                            .query_map([], |r| r.get(0))?
                            .collect::<rusqlite::Result<Vec<i64>>>()?;
                        Arc::new(Rowids { count, max, rowids })
                    }
                };
                *self
                    .equipement_rowids
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some((generation, r.clone()));
                r
            }
        };
        let count = index.count;
        let end = offset.saturating_add(size).min(index.rowids.len() as i64);
        let bounds = (offset >= 0 && offset < end).then(|| {
            (
                index.rowids[offset as usize],
                index.rowids[end as usize - 1],
            )
        });
        Ok((count, bounds))
    }

    /// A number that changes after every write made through this handle (what is kept reads
    /// it through `generation_now`, which also counts commits made elsewhere).
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The answer of `route` kept at `generation`, if no row changed since.
    pub fn kept_answer(&self, route: &'static str, generation: u64) -> Option<bytes::Bytes> {
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(r, g, _)| *r == route && *g == generation)
            .map(|(_, _, b)| b.clone())
    }

    /// Keeps the answer of `route` made from rows read after `generation` was read.
    pub fn keep_answer(&self, route: &'static str, generation: u64, body: bytes::Bytes) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.retain(|(r, _, _)| *r != route);
        if self.generation() == generation {
            answers.push((route, generation, body));
        }
    }

    /// Same as [`Db::call`], on the current thread (start-up, seeding).
    pub fn call_blocking<T, F>(&self, f: F) -> Result<T, HttpError>
    where
        F: FnOnce(&mut Connection) -> Result<T, HttpError>,
    {
        let taken = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match taken {
            Some(c) => c,
            None => open_conn(&self.path)?,
        };
        let changes = conn.total_changes();
        // A call that panics may have written: what was kept is dropped all the same.
        let mut unwinding = BumpOnDrop(Some(&self.generation));
        let out = f(&mut conn);
        unwinding.0 = None;
        if conn.total_changes() != changes {
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        let mut pool = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOL_MAX {
            pool.push(conn);
        }
        out
    }

    /// The generation, after looking whether anyone committed since the last look (another
    /// process on the same file included). Read it before reading the rows something kept is
    /// made of: what is kept under it is then never older than the writes it counts.
    pub fn generation_now(&self) -> u64 {
        self.note_outside_commits();
        self.generation()
    }

    /// Bumps the generation when the watcher's `data_version` moved: a commit by any other
    /// connection. This process's own writes bump it once more, which costs nothing.
    fn note_outside_commits(&self) {
        let mut watcher = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        if watcher.is_none() {
            *watcher = open_conn(&self.path).ok().map(|c| (c, None));
        }
        let now = watcher.as_mut().and_then(|(c, _)| {
            c.prepare_cached("PRAGMA data_version")
                .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
                .ok()
        });
        match (watcher.as_mut(), now) {
            (Some((_, seen)), Some(v)) if *seen == Some(v) => {}
            (Some((_, seen)), Some(v)) => {
                *seen = Some(v);
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
            // Nothing can be checked: nothing kept is trusted (and the watcher is opened
            // again next time).
            _ => {
                *watcher = None;
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// Bumps the generation when dropped still armed (a call that panicked).
struct BumpOnDrop<'a>(Option<&'a AtomicU64>);

impl Drop for BumpOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(g) = self.0 {
            g.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Registers an extra migration list (Ocean, Maarch) under its own version key in `meta`.
pub fn migrate_named(conn: &mut Connection, name: &str, steps: &[&str]) -> rusqlite::Result<()> {
    let key = format!("schema_version.{name}");
    let done: usize = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for (i, sql) in steps.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, (i + 1).to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Now, as the service writes its timestamps (UTC, no zone).
pub fn now_ts() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether an error is a UNIQUE constraint violation.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::Db;

    #[test]
    fn migrations_apply_once_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.db");
        let db = Db::open(&p).unwrap();
        db.call_blocking(|c| {
            c.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')", [])?;
            Ok(())
        })
        .unwrap();
        drop(db);
        let db = Db::open(&p).unwrap();
        let v: String = db
            .call_blocking(|c| {
                Ok(c.query_row("SELECT value FROM meta WHERE key='k'", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(v, "v");
        let mode: String = db
            .call_blocking(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
