//! The Maarch tables and their seed: the demo directory of Maarch-les-Bains, or one admin.

use rusqlite::{Connection, Transaction, params};

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

const GROUPS: [(&str, &str); 5] = [
    ("ADMINISTRATEUR", "Administrateur fonctionnel"),
    ("AGENT", "Agent de traitement"),
    ("ELU", "Élu municipal"),
    ("RESPONSABLE", "Responsable de service"),
    ("COURRIER", "Opérateur du service courrier"),
];

/// (entity_id, entity_label, parent), parents first.
const ENTITIES: [(&str, &str, Option<&str>); 6] = [
    ("VILLE", "Ville de Maarch-les-bains", None),
    ("DGS", "Direction Générale des Services", Some("VILLE")),
    ("PJS", "Pôle Jeunesse et Sport", Some("VILLE")),
    ("PE", "Petite enfance", Some("PJS")),
    ("SP", "Sport", Some("PJS")),
    ("COR", "Correspondants Archive", Some("VILLE")),
];

/// The simulated Maarch Parapheur directory: (id, login, firstname, lastname).
const PARAPHEUR_USERS: [(i64, &str, &str, &str); 5] = [
    (19, "bbain", "Barbara", "BAIN"),
    (20, "jjane", "Jenny", "JANE"),
    (21, "ccharles", "Charles", "CHARLES"),
    (22, "mmanfred", "Martin", "MANFRED"),
    (23, "ppetit", "Patricia", "PETIT"),
];

struct SeedUser {
    id: i64,
    login: &'static str,
    firstname: &'static str,
    lastname: &'static str,
    mail: Option<&'static str>,
    phone: Option<&'static str>,
    mode: &'static str,
    status: &'static str,
    password: Option<&'static str>,
    admin: bool,
    parapheur_id: Option<i64>,
    groups: &'static [&'static str],
    /// The first one is the primary entity.
    entities: &'static [&'static str],
}

const STANDARD: SeedUser = SeedUser {
    id: 0,
    login: "",
    firstname: "",
    lastname: "",
    mail: None,
    phone: None,
    mode: "standard",
    status: "OK",
    password: None,
    admin: false,
    parapheur_id: None,
    groups: &[],
    entities: &[],
};

const ADMIN: SeedUser = SeedUser {
    id: 1,
    login: "admin",
    firstname: "Super",
    lastname: "ADMIN",
    mail: Some("admin@maarch-les-bains.fr"),
    mode: "rest",
    password: Some("admin-demo"),
    admin: true,
    groups: &["ADMINISTRATEUR"],
    entities: &["VILLE"],
    ..STANDARD
};

/// Ids follow the doc's samples where it gives one (`bboule` 9, `bwayne` 21).
const DEMO_USERS: [SeedUser; 11] = [
    ADMIN,
    // Maarch's own root account: it logs in for a token (Basic is for `rest` accounts).
    SeedUser {
        id: 7,
        login: "superadmin",
        firstname: "Super",
        lastname: "UTILISATEUR",
        mail: Some("superadmin@maarch-les-bains.fr"),
        mode: "root_invisible",
        password: Some("superadmin-demo"),
        admin: true,
        groups: &["ADMINISTRATEUR"],
        entities: &["VILLE"],
        ..STANDARD
    },
    SeedUser {
        id: 2,
        login: "agent",
        firstname: "Agent",
        lastname: "DÉMO",
        mail: Some("agent@maarch-les-bains.fr"),
        password: Some("agent-demo"),
        groups: &["AGENT"],
        entities: &["COR"],
        ..STANDARD
    },
    SeedUser {
        id: 3,
        login: "ccordy",
        firstname: "Chloé",
        lastname: "CORDY",
        mail: Some("chloe.cordy@maarch-les-bains.fr"),
        status: "ABS",
        groups: &["COURRIER"],
        entities: &["COR"],
        ..STANDARD
    },
    SeedUser {
        id: 4,
        login: "ddaull",
        firstname: "Denis",
        lastname: "DAULL",
        mail: Some("denis.daull@maarch-les-bains.fr"),
        status: "SPD",
        groups: &["AGENT"],
        entities: &["DGS"],
        ..STANDARD
    },
    SeedUser {
        id: 5,
        login: "ppetit",
        firstname: "Patricia",
        lastname: "PETIT",
        mail: Some("patricia.petit@maarch-les-bains.fr"),
        status: "DEL",
        groups: &["AGENT"],
        entities: &["PE"],
        ..STANDARD
    },
    // A web-service account without an address: the list's `mail` may be null.
    SeedUser {
        id: 6,
        login: "ws_archives",
        firstname: "Connecteur",
        lastname: "ARCHIVES",
        mode: "rest",
        ..STANDARD
    },
    SeedUser {
        id: 9,
        login: "bboule",
        firstname: "Bruno",
        lastname: "BOULE",
        mail: Some("bruno.boule@mail.org"),
        groups: &["ELU"],
        entities: &["VILLE"],
        ..STANDARD
    },
    SeedUser {
        id: 12,
        login: "bbain",
        firstname: "Barbara",
        lastname: "BAIN",
        mail: Some("barbara.bain@maarch-les-bains.fr"),
        phone: Some("01 47 24 51 59"),
        parapheur_id: Some(19),
        groups: &["RESPONSABLE"],
        entities: &["DGS", "PJS"],
        ..STANDARD
    },
    SeedUser {
        id: 15,
        login: "jjane",
        firstname: "Jenny",
        lastname: "JANE",
        mail: Some("jenny.jane@maarch-les-bains.fr"),
        groups: &["RESPONSABLE", "AGENT"],
        entities: &["PE"],
        ..STANDARD
    },
    SeedUser {
        id: 21,
        login: "bwayne",
        firstname: "Bruce",
        lastname: "Wayne",
        mail: Some("bruce.wayne@wcorp.com"),
        phone: Some("+33120212223"),
        groups: &["AGENT"],
        entities: &["PJS", "SP"],
        ..STANDARD
    },
];

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
    for (group_id, desc) in GROUPS {
        tx.execute(
            "INSERT OR IGNORE INTO maarch_groups(group_id, group_desc) VALUES (?1, ?2)",
            params![group_id, desc],
        )?;
    }
    for (entity_id, label, parent) in ENTITIES {
        tx.execute(
            "INSERT OR IGNORE INTO maarch_entities(entity_id, entity_label, parent_entity_id)
             VALUES (?1, ?2, ?3)",
            params![entity_id, label, parent],
        )?;
    }
    match seed {
        SeedMode::Demo => {
            for (id, login, firstname, lastname) in PARAPHEUR_USERS {
                tx.execute(
                    "INSERT OR IGNORE INTO maarch_parapheur_users(id, login, firstname, lastname)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, login, firstname, lastname],
                )?;
            }
            for u in &DEMO_USERS {
                insert(&tx, u, u.password)?;
            }
            // A user's role in a group, as Maarch shows it ("Chef").
            tx.execute(
                "UPDATE maarch_user_groups SET role = 'Chef de service' WHERE user_id = 12",
                [],
            )?;
        }
        SeedMode::None => insert(&tx, &ADMIN, bootstrap)?,
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
    for group in u.groups {
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
