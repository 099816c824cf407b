//! The Maarch tables and their seed: the demo directory of Maarch-les-Bains, or one admin.

use std::sync::LazyLock;

use rusqlite::{Connection, Transaction, params};
use serde::Deserialize;

use super::super::SeedMode;
use super::super::auth::hash_password;
use super::super::db::migrate_named;
use super::super::fastapi::HttpResult;

const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE maarch_parapheur_users (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE COLLATE NOCASE,
        firstname TEXT NOT NULL,
        lastname TEXT NOT NULL
    );
    CREATE TABLE maarch_users (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL UNIQUE COLLATE NOCASE,
        firstname TEXT NOT NULL,
        lastname TEXT NOT NULL,
        initials TEXT,
        mail TEXT,
        phone TEXT,
        mode TEXT NOT NULL DEFAULT 'standard',
        status TEXT NOT NULL DEFAULT 'OK',
        password_hash TEXT,
        is_admin INTEGER NOT NULL DEFAULT 0,
        parapheur_id INTEGER UNIQUE REFERENCES maarch_parapheur_users(id)
    );
    CREATE TABLE maarch_groups (
        id INTEGER PRIMARY KEY,
        group_id TEXT NOT NULL UNIQUE,
        group_desc TEXT NOT NULL
    );
    CREATE TABLE maarch_entities (
        id INTEGER PRIMARY KEY,
        entity_id TEXT NOT NULL UNIQUE,
        entity_label TEXT NOT NULL,
        parent_entity_id TEXT REFERENCES maarch_entities(entity_id)
    );
    CREATE TABLE maarch_user_groups (
        user_id INTEGER NOT NULL REFERENCES maarch_users(id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL REFERENCES maarch_groups(id) ON DELETE CASCADE,
        role TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (user_id, group_id)
    );
    CREATE TABLE maarch_user_entities (
        user_id INTEGER NOT NULL REFERENCES maarch_users(id) ON DELETE CASCADE,
        entity_id INTEGER NOT NULL REFERENCES maarch_entities(id) ON DELETE CASCADE,
        user_role TEXT NOT NULL DEFAULT '',
        primary_entity TEXT NOT NULL DEFAULT 'N' CHECK (primary_entity IN ('Y', 'N')),
        PRIMARY KEY (user_id, entity_id)
    );
    CREATE TABLE maarch_tokens (
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES maarch_users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX maarch_tokens_by_expiry ON maarch_tokens(expires_at);
"#];

/// The seed's literal data, `assets/seed/maarch.toml`: embedded, read once.
static DATA: LazyLock<MaarchSeed> = LazyLock::new(|| {
    toml::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/seed/maarch.toml"
    )))
    .expect("the embedded assets/seed/maarch.toml is invalid")
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaarchSeed {
    groups: Vec<Group>,
    /// Parents first.
    entities: Vec<Entity>,
    /// The simulated Maarch Parapheur directory.
    parapheur_users: Vec<ParapheurUser>,
    /// `admin` first: the one account without demo data.
    users: Vec<SeedUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    id: String,
    desc: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entity {
    id: String,
    label: String,
    parent: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParapheurUser {
    id: i64,
    login: String,
    firstname: String,
    lastname: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedUser {
    id: i64,
    login: String,
    firstname: String,
    lastname: String,
    mail: Option<String>,
    phone: Option<String>,
    #[serde(default = "standard")]
    mode: String,
    #[serde(default = "ok")]
    status: String,
    password: Option<String>,
    #[serde(default)]
    admin: bool,
    parapheur_id: Option<i64>,
    #[serde(default)]
    groups: Vec<String>,
    /// Its role in each of its groups ("Chef de service"), if any.
    group_role: Option<String>,
    /// The first one is the primary entity.
    #[serde(default)]
    entities: Vec<String>,
}

fn standard() -> String {
    "standard".into()
}

fn ok() -> String {
    "OK".into()
}

/// Creates the Maarch tables and, when they are empty, the demo directory (`--seed demo`) or
/// the `admin` web-service account with the bootstrap password.
/// Returns whether `admin` was created with the bootstrap password.
pub fn prepare(c: &mut Connection, seed: SeedMode, bootstrap: Option<&str>) -> HttpResult<bool> {
    migrate_named(c, "maarch", MIGRATIONS)?;
    let tx = c.transaction()?;
    let users: i64 = tx.query_row("SELECT COUNT(*) FROM maarch_users", [], |r| r.get(0))?;
    if users > 0 {
        return Ok(false);
    }
    for g in &DATA.groups {
        tx.execute(
            "INSERT OR IGNORE INTO maarch_groups(group_id, group_desc) VALUES (?1, ?2)",
            params![g.id, g.desc],
        )?;
    }
    for e in &DATA.entities {
        tx.execute(
            "INSERT OR IGNORE INTO maarch_entities(entity_id, entity_label, parent_entity_id)
             VALUES (?1, ?2, ?3)",
            params![e.id, e.label, e.parent],
        )?;
    }
    match seed {
        SeedMode::Demo => {
            for p in &DATA.parapheur_users {
                tx.execute(
                    "INSERT OR IGNORE INTO maarch_parapheur_users(id, login, firstname, lastname)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![p.id, p.login, p.firstname, p.lastname],
                )?;
            }
            for u in &DATA.users {
                insert(&tx, u, u.password.as_deref())?;
            }
            // A user's role in a group, as Maarch shows it ("Chef").
            for u in &DATA.users {
                if let Some(role) = &u.group_role {
                    tx.execute(
                        "UPDATE maarch_user_groups SET role = ?1 WHERE user_id = ?2",
                        params![role, u.id],
                    )?;
                }
            }
        }
        SeedMode::None => insert(&tx, &DATA.users[0], bootstrap)?,
    }
    tx.commit()?;
    Ok(seed == SeedMode::None && bootstrap.is_some())
}

fn insert(tx: &Transaction, u: &SeedUser, password: Option<&str>) -> HttpResult<()> {
    tx.execute(
        "INSERT INTO maarch_users(id, user_id, firstname, lastname, mail, phone, mode, status,
                                  password_hash, is_admin, parapheur_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            u.id,
            u.login,
            u.firstname,
            u.lastname,
            u.mail,
            u.phone,
            u.mode,
            u.status,
            password.map(hash_password),
            u.admin,
            u.parapheur_id,
        ],
    )?;
    for group in &u.groups {
        tx.execute(
            "INSERT INTO maarch_user_groups(user_id, group_id)
             SELECT ?1, id FROM maarch_groups WHERE group_id = ?2",
            params![u.id, group],
        )?;
    }
    for (i, entity) in u.entities.iter().enumerate() {
        tx.execute(
            "INSERT INTO maarch_user_entities(user_id, entity_id, primary_entity)
             SELECT ?1, id, ?3 FROM maarch_entities WHERE entity_id = ?2",
            params![u.id, entity, if i == 0 { "Y" } else { "N" }],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::DATA;

    /// The embedded data reads, and its references hold.
    #[test]
    fn seed_data_reads() {
        let d = &*DATA;
        assert_eq!(
            d.users[0].login, "admin",
            "the bootstrap account comes first"
        );
        for (i, e) in d.entities.iter().enumerate() {
            if let Some(p) = &e.parent {
                assert!(
                    d.entities[..i].iter().any(|x| &x.id == p),
                    "{}: parent after",
                    e.id
                );
            }
        }
        for u in &d.users {
            for g in &u.groups {
                assert!(
                    d.groups.iter().any(|x| &x.id == g),
                    "{}: no group {g}",
                    u.login
                );
            }
            for e in &u.entities {
                assert!(
                    d.entities.iter().any(|x| &x.id == e),
                    "{}: no entity {e}",
                    u.login
                );
            }
            if let Some(p) = u.parapheur_id {
                assert!(d.parapheur_users.iter().any(|x| x.id == p), "{}", u.login);
            }
        }
    }
}
