//! Seeding: the permission catalogue and roles always; the doc's sample records plus
//! generated, realistic data with `--seed demo`; otherwise one admin with a random password.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};
use serde_json::json;

use super::auth::hash_password;
use super::core::{ACTIONS, RESSOURCES};
use super::fastapi::HttpResult;

/// The demo accounts, one per seeded role: (email, matricule, nom, password, role).
pub const DEMO_ACCOUNTS: [(&str, i64, &str, &str, &str); 3] = [
    (
        "admin@vigie.local",
        1000,
        "Administrateur Démo",
        "admin-demo",
        "admin",
    ),
    (
        "tech@vigie.local",
        1001,
        "Technicien Démo",
        "tech-demo",
        "technicien",
    ),
    (
        "lecteur@vigie.local",
        1002,
        "Lecteur Démo",
        "lecteur-demo",
        "lecteur",
    ),
];

/// Role ids are fixed so logs and docs stay comparable; `admin` is the doc's sample JWT role.
const ROLE_IDS: [(&str, &str, &str); 3] = [
    (
        "admin",
        "676f48d0-11fb-493b-8266-be3a247c4026",
        "Tous les droits",
    ),
    (
        "technicien",
        "5b0e7c2a-3f1d-4c6e-9a2b-1d4e5f6a7b8c",
        "Lecture de tout, mise à jour des équipements",
    ),
    (
        "lecteur",
        "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
        "Lecture seule",
    ),
];

/// The doc's sample client, sites and equipement.
pub const BICEC_ID: &str = "48f41668-650f-4179-9a8e-a00945bda333";
pub const LOUM_ID: &str = "0c5c5381-c357-4abc-ba1f-9fb584006a3a";
pub const YASSA_ID: &str = "22e308e7-4869-484d-bd86-233f5c4816c5";
pub const BONABERI2_ID: &str = "cb96e92e-08ea-494a-be82-9d664934e3d6";
pub const LOUM_EQUIPEMENT_ID: &str = "70e97152-76f0-4d16-9d28-dc2f6d9b41ab";

pub fn role_id(name: &str) -> Option<&'static str> {
    ROLE_IDS.iter().find(|r| r.0 == name).map(|r| r.1)
}

fn perm_id(ressource: &str, action: &str) -> String {
    // Stable ids: one name-based UUID per pair.
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("vigie:permission:{ressource}:{action}").as_bytes(),
    )
    .to_string()
}

fn granted(role: &str, ressource: &str, action: &str) -> bool {
    match role {
        "admin" => true,
        "technicien" => action == "read" || (ressource == "equipements" && action == "update"),
        "lecteur" => action == "read",
        _ => false,
    }
}

/// Permissions and roles, idempotent.
pub fn ensure_catalogue(c: &mut Connection) -> HttpResult<()> {
    let tx = c.transaction()?;
    for r in RESSOURCES {
        for a in ACTIONS {
            tx.execute(
                "INSERT OR IGNORE INTO permissions(permission_id, ressource, action) VALUES (?1, ?2, ?3)",
                params![perm_id(r, a), r, a],
            )?;
        }
    }
    let roles: i64 = tx.query_row("SELECT COUNT(*) FROM roles", [], |r| r.get(0))?;
    if roles == 0 {
        for (name, id, desc) in ROLE_IDS {
            tx.execute(
                "INSERT INTO roles(role_id, name, description, timestamp) VALUES (?1, ?2, ?3, '2025-08-07T08:00:00')",
                params![id, name, desc],
            )?;
            for r in RESSOURCES {
                for a in ACTIONS {
                    if granted(name, r, a) {
                        tx.execute(
                            "INSERT INTO role_permissions(role_id, permission_id) VALUES (?1, ?2)",
                            params![id, perm_id(r, a)],
                        )?;
                    }
                }
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Permissions beyond the usual catalogue, as a real core may hold (`--like
/// core-more-permissions`): `reports:export` and `audit:read`, the first held by `technicien`.
pub const MORE_PERMISSIONS: [(&str, &str); 2] = [("reports", "export"), ("audit", "read")];

pub fn more_permissions(c: &mut Connection) -> HttpResult<()> {
    let tx = c.transaction()?;
    for (r, a) in MORE_PERMISSIONS {
        tx.execute(
            "INSERT OR IGNORE INTO permissions(permission_id, ressource, action) VALUES (?1, ?2, ?3)",
            params![perm_id(r, a), r, a],
        )?;
    }
    if let Some(tech) = role_id("technicien") {
        tx.execute(
            "INSERT OR IGNORE INTO role_permissions(role_id, permission_id)
             SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM roles WHERE role_id = ?1)",
            params![tech, perm_id("reports", "export")],
        )?;
    }
    tx.commit()?;
    Ok(())
}

pub fn user_count(c: &Connection) -> HttpResult<i64> {
    Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

/// One admin with a random password, for a server started without demo data.
/// 20 characters that read unambiguously.
pub fn random_password() -> String {
    let mut rng = rand::rng();
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn bootstrap_admin(c: &mut Connection) -> HttpResult<String> {
    let password = random_password();
    c.execute(
        "INSERT INTO users(user_id, matricule, nom, email, password_hash, role_id, status, timestamp)
         VALUES (?1, 1000, 'Administrateur', 'admin@vigie.local', ?2, ?3, 'activated', ?4)",
        params![
            uuid::Uuid::new_v4().to_string(),
            hash_password(&password),
            role_id("admin"),
            super::db::now_ts()
        ],
    )?;
    Ok(password)
}

struct Place {
    name: &'static str,
    lat: f64,
    lon: f64,
}

const DOUALA: [&str; 22] = [
    "AKWA",
    "BONANJO",
    "DEIDO",
    "BALI",
    "BONAPRISO",
    "MAKEPE",
    "BÉPANDA",
    "NDOKOTI",
    "LOGBABA",
    "BONABÉRI",
    "KOTTO",
    "PK14",
    "JAPOMA",
    "NEW BELL",
    "BONAMOUSSADI",
    "NDOGBONG",
    "CITÉ DES PALMIERS",
    "BEPANDA OMNISPORT",
    "BASSA ZONE INDUSTRIELLE",
    "PORT DE DOUALA",
    "AÉROPORT DOUALA",
    "MBOPPI",
];
const YAOUNDE: [&str; 19] = [
    "BASTOS",
    "MVAN",
    "MOKOLO",
    "BIYEM-ASSI",
    "NLONGKAK",
    "EMANA",
    "EKOUNOU",
    "MENDONG",
    "ODZA",
    "OMNISPORT",
    "ESSOS",
    "NGOA-EKELLÉ",
    "TSINGA",
    "ETOUDI",
    "NKOLBISSON",
    "MIMBOMAN",
    "NSAM",
    "EFOULAN",
    "MESSA",
];

const CLIENTS: [(&str, &str, i64); 6] = [
    (BICEC_ID, "BICEC Bank", 984),
    (
        "a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f601",
        "Afriland First Bank",
        985,
    ),
    (
        "b4a2d3e5-6c7f-4081-9ba2-c3d4e5f60712",
        "Société Générale Cameroun",
        986,
    ),
    (
        "c5b3e4f6-7d80-4192-acb3-d4e5f6071823",
        "Port Autonome de Douala",
        987,
    ),
    ("d6c4f507-8e91-42a3-bdc4-e5f607182934", "ENEO Cameroun", 988),
    (
        "e7d50618-9fa2-43b4-ced5-f60718293a45",
        "Université de Yaoundé I",
        989,
    ),
];

struct Kind {
    weight: u32,
    models: &'static [(&'static str, &'static str)],
    ports: &'static [i64],
    what: &'static str,
    spots: &'static [&'static str],
}

const KINDS: [Kind; 4] = [
    Kind {
        weight: 60,
        models: &[
            ("Hikvision", "DS-2CD2143G2-I"),
            ("Hikvision", "DS-2CD2387G2-LU"),
            ("Dahua", "IPC-HFW2431S-S-S2"),
            ("Dahua", "IPC-HDBW3541E-AS"),
            ("Axis", "P3245-LVE"),
            ("Axis", "M3106-L Mk II"),
            ("Hanwha Vision", "XNV-6080R"),
            ("Uniview", "IPC2124LB-SF28KM-G"),
        ],
        ports: &[554, 80],
        what: "Caméra",
        spots: &[
            "entrée principale",
            "parking",
            "guichet",
            "salle des coffres",
            "couloir",
            "quai",
            "portail",
        ],
    },
    Kind {
        weight: 10,
        models: &[
            ("Hikvision", "DS-7616NI-K2/16P"),
            ("Dahua", "NVR4216-16P-4KS2/L"),
        ],
        ports: &[8000, 37777],
        what: "Enregistreur NVR",
        spots: &["salle serveur", "local technique"],
    },
    Kind {
        weight: 15,
        models: &[
            ("Cisco", "Catalyst 2960X-24PS-L"),
            ("HPE Aruba", "2530-24G-PoE+"),
            ("TP-Link", "TL-SG3428MP"),
        ],
        ports: &[22, 443],
        what: "Switch",
        spots: &["baie 1", "baie 2", "local technique"],
    },
    Kind {
        weight: 15,
        models: &[
            ("ZKTeco", "inBio460"),
            ("HID", "VertX EVO V1000"),
            ("Suprema", "BioStation 2"),
            ("Paxton", "Net2 Plus"),
        ],
        ports: &[4370, 443, 51211, 10001],
        what: "Contrôleur d'accès",
        spots: &[
            "porte principale",
            "salle serveur",
            "sas",
            "bureau direction",
        ],
    },
];

fn sources(marque: &str, ip: &str, port: i64, what: &str) -> Vec<String> {
    match (what, marque) {
        ("Caméra", "Hikvision") => vec![
            format!("rtsp://{ip}:554/Streaming/Channels/101"),
            format!("rtsp://{ip}:554/Streaming/Channels/102"),
        ],
        ("Caméra", "Dahua") => vec![
            format!("rtsp://{ip}:554/cam/realmonitor?channel=1&subtype=0"),
            format!("rtsp://{ip}:554/cam/realmonitor?channel=1&subtype=1"),
        ],
        ("Caméra", "Axis") => vec![format!("rtsp://{ip}/axis-media/media.amp")],
        ("Caméra", _) => vec![format!("rtsp://{ip}:554/profile1")],
        ("Enregistreur NVR", _) => vec![format!("http://{ip}:{port}/ISAPI"), "events".into()],
        ("Switch", _) => vec!["snmp".into(), "syslog".into()],
        _ => vec!["events".into(), "badges".into()],
    }
}

/// Demo data: the doc's records, ~40 sites around Douala and Yaoundé, `equipements`
/// generated equipements. Deterministic, so every demo looks the same.
pub fn demo(c: &mut Connection, equipements: usize) -> HttpResult<()> {
    let mut rng = StdRng::seed_from_u64(0x5EED_0001);
    let tx = c.transaction()?;
    for (email, matricule, nom, password, role) in DEMO_ACCOUNTS {
        tx.execute(
            "INSERT INTO users(user_id, matricule, nom, email, password_hash, role_id, status, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'activated', '2025-08-07T08:30:00')",
            params![
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, email.as_bytes()).to_string(),
                matricule,
                nom,
                email,
                hash_password(password),
                role_id(role)
            ],
        )?;
    }
    for (i, (id, nom, code)) in CLIENTS.iter().enumerate() {
        tx.execute(
            "INSERT INTO clients(client_id, nom, code, timestamp) VALUES (?1, ?2, ?3, ?4)",
            params![id, nom, code, format!("2025-08-0{}T08:12:20", 7 + i.min(2))],
        )?;
    }
    // The doc's three sites, with its coordinates.
    for (id, name, lon, lat, ts) in [
        (
            BONABERI2_ID,
            "BONABERI 2",
            26.45,
            43.56,
            "2025-08-13T09:48:52",
        ),
        (LOUM_ID, "LOUM", 26.45, 43.56, "2025-08-13T09:49:13"),
        (YASSA_ID, "YASSA", 27.45, 48.56, "2025-08-13T09:49:31"),
    ] {
        tx.execute(
            "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, 'site du client de bonaberi', ?6)",
            params![id, BICEC_ID, name, lon, lat, ts],
        )?;
    }
    tx.execute(
        "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username, password,
         description, modele, timestamp)
         VALUES (?1, ?2, '1.1.1.1', 'mmmm', ?3, 100, '4470', 'passoword_hashed', 'jjjjjj', 'mmm',
         '2025-08-22T16:38:51')",
        params![LOUM_EQUIPEMENT_ID, LOUM_ID, json!(["hhhhhhh", "jjjjjjjjj"]).to_string()],
    )?;

    let mut places: Vec<Place> = Vec::new();
    for (i, n) in DOUALA.iter().enumerate() {
        places.push(Place {
            name: n,
            lat: 4.02 + (i as f64 * 0.0071) % 0.09,
            lon: 9.66 + (i as f64 * 0.0113) % 0.12,
        });
    }
    for (i, n) in YAOUNDE.iter().enumerate() {
        places.push(Place {
            name: n,
            lat: 3.82 + (i as f64 * 0.0067) % 0.10,
            lon: 11.47 + (i as f64 * 0.0097) % 0.10,
        });
    }
    let mut site_ids = Vec::new();
    for (i, p) in places.iter().enumerate() {
        let (client_id, _, _) = CLIENTS[i % CLIENTS.len()];
        let id = uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string();
        let city = if i < DOUALA.len() {
            "Douala"
        } else {
            "Yaoundé"
        };
        tx.execute(
            "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                client_id,
                p.name,
                (p.lon * 10_000.0).round() / 10_000.0,
                (p.lat * 10_000.0).round() / 10_000.0,
                format!("Agence {} ({city})", title(p.name)),
                format!("2025-0{}-{:02}T10:{:02}:00", 8 + i % 2, 1 + i % 28, i % 60)
            ],
        )?;
        site_ids.push(id);
    }
    {
        let mut ins = tx.prepare(
            "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username, password,
             description, modele, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        )?;
        let total_weight: u32 = KINDS.iter().map(|k| k.weight).sum();
        let per_site = equipements.div_ceil(site_ids.len().max(1)).max(1);
        for n in 0..equipements {
            let s = n % site_ids.len();
            let k = n / site_ids.len();
            // Site s (1-based) holds 10.s.x.y: so 10.2.0.17 is the 17th device of site 2.
            let ip = format!("10.{}.{}.{}", (s + 1) % 256, (k / 250) % 256, k % 250 + 1);
            let mut roll = rng.random_range(0..total_weight);
            let kind = KINDS
                .iter()
                .find(|kd| {
                    if roll < kd.weight {
                        true
                    } else {
                        roll -= kd.weight;
                        false
                    }
                })
                .unwrap_or(&KINDS[0]);
            let (marque, modele) = kind.models[rng.random_range(0..kind.models.len())];
            let port = kind.ports[rng.random_range(0..kind.ports.len())];
            let spot = kind.spots[rng.random_range(0..kind.spots.len())];
            let srcs = sources(marque, &ip, port, kind.what);
            let ts = format!(
                "2025-{:02}-{:02}T{:02}:{:02}:{:02}",
                9 + (n * 3 / per_site.max(1)) % 3,
                1 + rng.random_range(0..28),
                rng.random_range(7..19),
                rng.random_range(0..60),
                rng.random_range(0..60)
            );
            ins.execute(params![
                uuid::Builder::from_random_bytes(rng.random())
                    .into_uuid()
                    .to_string(),
                site_ids[s],
                ip,
                marque,
                json!(srcs).to_string(),
                port,
                if kind.what == "Switch" {
                    "netadmin"
                } else {
                    "admin"
                },
                format!("Vg-{:04x}-{:03}", rng.random::<u16>(), n % 1000),
                format!("{} {} {}", kind.what, spot, k + 1),
                modele,
                ts
            ])?;
        }
    }
    tx.commit()?;
    // The seed went through the write-ahead log: copy it into the database file now, so
    // reads come from the file's memory map rather than from the log a page at a time.
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

fn title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &cs.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
