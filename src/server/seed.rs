//! Seeding: the permission catalogue and roles always; the doc's sample records plus
//! generated, realistic data with `--seed demo`; otherwise one admin with a random password.

use std::collections::HashMap;
use std::sync::LazyLock;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, Transaction, params};
use serde::Deserialize;
use serde_json::json;

use super::auth::hash_password;
use super::core::{ACTIONS, RESSOURCES};
use super::fastapi::HttpResult;

/// The seed's literal records and word lists, `assets/seed/core.toml`: embedded, read once.
static DATA: LazyLock<CoreSeed> = LazyLock::new(|| {
    toml::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/seed/core.toml"
    )))
    .expect("the embedded assets/seed/core.toml is invalid")
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoreSeed {
    roles: Vec<SeedRole>,
    accounts: Vec<SeedAccount>,
    clients: Vec<SeedClient>,
    doc_sites: Vec<DocSite>,
    doc_equipement: SeedEquipement,
    loum_equipements: Vec<SeedEquipement>,
    cities: Vec<City>,
    kinds: Vec<Kind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedRole {
    name: String,
    id: String,
    description: String,
    timestamp: String,
}

/// A demo account, one per seeded role.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedAccount {
    email: String,
    matricule: i64,
    nom: String,
    password: String,
    role: String,
    timestamp: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedClient {
    id: String,
    nom: String,
    code: i64,
    timestamp: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocSite {
    id: String,
    client_id: String,
    name: String,
    longitude: f64,
    latitude: f64,
    description: String,
    timestamp: String,
}

/// An equipement written as the TOML has it: the doc's sample, LOUM's devices.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedEquipement {
    id: String,
    site_id: String,
    ip: String,
    marque: String,
    sources: Vec<String>,
    port: i64,
    username: String,
    password: String,
    description: String,
    modele: String,
    timestamp: String,
}

/// The districts generated sites are named after, and where they sit.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct City {
    name: String,
    latitude: f64,
    longitude: f64,
    /// (latitude, longitude) added per district, wrapping at `spread`.
    step: [f64; 2],
    spread: [f64; 2],
    districts: Vec<String>,
}

/// The doc's sample client, sites and equipement (also in `assets/seed/core.toml`).
pub const BICEC_ID: &str = "48f41668-650f-4179-9a8e-a00945bda333";
pub const LOUM_ID: &str = "0c5c5381-c357-4abc-ba1f-9fb584006a3a";
pub const YASSA_ID: &str = "22e308e7-4869-484d-bd86-233f5c4816c5";
pub const BONABERI2_ID: &str = "cb96e92e-08ea-494a-be82-9d664934e3d6";
/// The doc's sample equipement (1.1.1.1, "mmmm mmm"): it sits on YASSA, so LOUM, the
/// README's example, shows a real site's devices.
pub const SAMPLE_EQUIPEMENT_ID: &str = "70e97152-76f0-4d16-9d28-dc2f6d9b41ab";
/// LOUM's first device, its entrance camera (Hikvision, 10.100.0.11:554).
pub const LOUM_CAMERA_ID: &str = "3c1f8a52-6d4e-4b7a-9e21-5f0a7c8d9b10";
/// How many devices LOUM holds in the demo seed.
pub const LOUM_EQUIPEMENTS: usize = 5;

pub fn role_id(name: &str) -> Option<&'static str> {
    DATA.roles
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.id.as_str())
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
        for role in &DATA.roles {
            tx.execute(
                "INSERT INTO roles(role_id, name, description, timestamp) VALUES (?1, ?2, ?3, ?4)",
                params![role.id, role.name, role.description, role.timestamp],
            )?;
            for r in RESSOURCES {
                for a in ACTIONS {
                    if granted(&role.name, r, a) {
                        tx.execute(
                            "INSERT INTO role_permissions(role_id, permission_id) VALUES (?1, ?2)",
                            params![role.id, perm_id(r, a)],
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

struct Place<'a> {
    name: &'a str,
    city: &'a str,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Kind {
    what: String,
    weight: u32,
    models: Vec<Model>,
    ports: Vec<i64>,
    spots: Vec<String>,
    username: String,
    /// Templates: `{ip}` and `{port}` are the equipement's.
    sources: Vec<String>,
    /// A marque's own sources, in place of `sources`.
    #[serde(default)]
    sources_by_marque: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Model {
    marque: String,
    modele: String,
}

fn sources(kind: &Kind, marque: &str, ip: &str, port: i64) -> Vec<String> {
    kind.sources_by_marque
        .get(marque)
        .unwrap_or(&kind.sources)
        .iter()
        .map(|t| t.replace("{ip}", ip).replace("{port}", &port.to_string()))
        .collect()
}

/// Demo data: the doc's records, ~40 sites around Douala and Yaoundé, `equipements`
/// generated equipements. Deterministic, so every demo looks the same.
pub fn demo(c: &mut Connection, equipements: usize) -> HttpResult<()> {
    let mut rng = StdRng::seed_from_u64(0x5EED_0001);
    let data = &*DATA;
    let tx = c.transaction()?;
    doc_records(&tx, data)?;
    let site_ids = demo_sites(&tx, data, &mut rng)?;
    demo_equipements(&tx, data, &mut rng, &site_ids, equipements)?;
    tx.commit()?;
    // The seed went through the write-ahead log: copy it into the database file now, so
    // reads come from the file's memory map rather than from the log a page at a time.
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// The doc's own records: accounts, clients, sites, its equipement and LOUM's devices.
fn doc_records(tx: &Transaction, data: &CoreSeed) -> HttpResult<()> {
    for a in &data.accounts {
        tx.execute(
            "INSERT INTO users(user_id, matricule, nom, email, password_hash, role_id, status, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'activated', ?7)",
            params![
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, a.email.as_bytes()).to_string(),
                a.matricule,
                a.nom,
                a.email,
                hash_password(&a.password),
                role_id(&a.role),
                a.timestamp
            ],
        )?;
    }
    for cl in &data.clients {
        tx.execute(
            "INSERT INTO clients(client_id, nom, code, timestamp) VALUES (?1, ?2, ?3, ?4)",
            params![cl.id, cl.nom, cl.code, cl.timestamp],
        )?;
    }
    for s in &data.doc_sites {
        tx.execute(
            "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                s.id,
                s.client_id,
                s.name,
                s.longitude,
                s.latitude,
                s.description,
                s.timestamp
            ],
        )?;
    }
    // The sample first: it keeps the first row of the equipements list, as the doc shows it.
    for e in std::iter::once(&data.doc_equipement).chain(&data.loum_equipements) {
        tx.execute(
            "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username, password,
             description, modele, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
            params![
                e.id,
                e.site_id,
                e.ip,
                e.marque,
                json!(e.sources).to_string(),
                e.port,
                e.username,
                e.password,
                e.description,
                e.modele,
                e.timestamp
            ],
        )?;
    }
    Ok(())
}

/// A site per district of each city, each of a client in turn; their ids.
fn demo_sites(tx: &Transaction, data: &CoreSeed, rng: &mut StdRng) -> HttpResult<Vec<String>> {
    let mut places: Vec<Place> = Vec::new();
    for city in &data.cities {
        for (i, n) in city.districts.iter().enumerate() {
            places.push(Place {
                name: n,
                city: &city.name,
                lat: city.latitude + (i as f64 * city.step[0]) % city.spread[0],
                lon: city.longitude + (i as f64 * city.step[1]) % city.spread[1],
            });
        }
    }
    let mut site_ids = Vec::new();
    for (i, p) in places.iter().enumerate() {
        let client_id = &data.clients[i % data.clients.len()].id;
        let id = uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string();
        tx.execute(
            "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id,
                client_id,
                p.name,
                (p.lon * 10_000.0).round() / 10_000.0,
                (p.lat * 10_000.0).round() / 10_000.0,
                format!("Agence {} ({})", title(p.name), p.city),
                format!("2025-0{}-{:02}T10:{:02}:00", 8 + i % 2, 1 + i % 28, i % 60)
            ],
        )?;
        site_ids.push(id);
    }
    Ok(site_ids)
}

/// `equipements` equipements spread over the sites, of kinds drawn by their weight.
fn demo_equipements(
    tx: &Transaction,
    data: &CoreSeed,
    rng: &mut StdRng,
    site_ids: &[String],
    equipements: usize,
) -> HttpResult<()> {
    let mut ins = tx.prepare(
        "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username, password,
             description, modele, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    )?;
    let kinds = &data.kinds;
    let total_weight: u32 = kinds.iter().map(|k| k.weight).sum();
    let per_site = equipements.div_ceil(site_ids.len().max(1)).max(1);
    for n in 0..equipements {
        let s = n % site_ids.len();
        let k = n / site_ids.len();
        // Site s (1-based) holds 10.s.x.y: so 10.2.0.17 is the 17th device of site 2.
        let ip = format!("10.{}.{}.{}", (s + 1) % 256, (k / 250) % 256, k % 250 + 1);
        let mut roll = rng.random_range(0..total_weight);
        let kind = kinds
            .iter()
            .find(|kd| {
                if roll < kd.weight {
                    true
                } else {
                    roll -= kd.weight;
                    false
                }
            })
            .unwrap_or(&kinds[0]);
        let model = &kind.models[rng.random_range(0..kind.models.len())];
        let port = kind.ports[rng.random_range(0..kind.ports.len())];
        let spot = &kind.spots[rng.random_range(0..kind.spots.len())];
        let srcs = sources(kind, &model.marque, &ip, port);
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
            model.marque,
            json!(srcs).to_string(),
            port,
            kind.username,
            format!("Vg-{:04x}-{:03}", rng.random::<u16>(), n % 1000),
            format!("{} {} {}", kind.what, spot, k + 1),
            model.modele,
            ts
        ])?;
    }
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

#[cfg(test)]
mod tests {
    use super::{
        BICEC_ID, BONABERI2_ID, DATA, LOUM_CAMERA_ID, LOUM_EQUIPEMENTS, LOUM_ID,
        SAMPLE_EQUIPEMENT_ID, YASSA_ID, role_id,
    };

    /// The embedded data reads, and holds the records the tests name by id.
    #[test]
    fn seed_data_reads_and_holds_the_named_records() {
        let d = &*DATA;
        assert_eq!(d.clients[0].id, BICEC_ID);
        let sites: Vec<&str> = d.doc_sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(sites, [BONABERI2_ID, LOUM_ID, YASSA_ID]);
        assert_eq!(d.doc_equipement.id, SAMPLE_EQUIPEMENT_ID);
        assert_eq!(d.doc_equipement.site_id, YASSA_ID);
        assert_eq!(d.loum_equipements.len(), LOUM_EQUIPEMENTS);
        assert_eq!(d.loum_equipements[0].id, LOUM_CAMERA_ID);
        assert!(d.loum_equipements.iter().all(|e| e.site_id == LOUM_ID));
        // Generated site n holds 10.n.x.y: LOUM's addresses must stay out of that range.
        let generated: usize = d.cities.iter().map(|c| c.districts.len()).sum();
        for e in &d.loum_equipements {
            let second: usize = e.ip.split('.').nth(1).unwrap().parse().unwrap();
            assert!(second > generated, "{} clashes with a generated site", e.ip);
        }
        for a in &d.accounts {
            assert!(
                role_id(&a.role).is_some(),
                "{}: no role {}",
                a.email,
                a.role
            );
        }
        assert!(!d.cities.is_empty());
        for k in &d.kinds {
            assert!(k.weight > 0, "{}", k.what);
            assert!(!k.models.is_empty() && !k.ports.is_empty() && !k.spots.is_empty());
        }
    }
}
