//! Ocean's tables, its reference data (functionalities, entities) and the demo records.

use std::sync::LazyLock;

use rusqlite::{Connection, params};
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::SeedMode;
use super::super::auth::hash_password;
use super::super::db::migrate_named;
use super::super::fastapi::{HttpError, HttpResult};
use super::individus;

const SCHEMA: &str = r#"
CREATE TABLE ocean_accounts (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    nom TEXT NOT NULL DEFAULT '',
    prenom TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    read_only INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds; the login answer counts the days left before it expires.
    password_changed_at INTEGER NOT NULL
);
CREATE TABLE ocean_account_customers (
    account_id INTEGER NOT NULL REFERENCES ocean_accounts(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (account_id, customer_id)
);
CREATE TABLE ocean_tokens (
    token TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES ocean_accounts(id) ON DELETE CASCADE,
    -- Unix milliseconds.
    expires_at INTEGER NOT NULL
);
CREATE TABLE ocean_functionalities (
    id INTEGER PRIMARY KEY,
    enum_code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    ordre INTEGER NOT NULL,
    type_element TEXT NOT NULL
);
CREATE TABLE ocean_account_functionalities (
    account_id INTEGER NOT NULL REFERENCES ocean_accounts(id) ON DELETE CASCADE,
    functionality_id INTEGER NOT NULL REFERENCES ocean_functionalities(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, functionality_id)
);
CREATE TABLE ocean_entites (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    nom TEXT NOT NULL
);
-- AUTOINCREMENT: the id of a deleted individu is never given again.
CREATE TABLE ocean_individus (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL,
    nom TEXT NOT NULL,
    prenom TEXT NOT NULL,
    matricule TEXT,
    body TEXT NOT NULL,
    UNIQUE (customer_id, matricule)
);
CREATE TABLE ocean_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL,
    url TEXT,
    requested_by INTEGER NOT NULL,
    at TEXT NOT NULL,
    login_exists INTEGER NOT NULL,
    email TEXT
);
"#;

/// Ocean's literal seed, `assets/seed/ocean.toml`: embedded, read once.
static DATA: LazyLock<OceanSeed> = LazyLock::new(|| {
    toml::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/seed/ocean.toml"
    )))
    .expect("the embedded assets/seed/ocean.toml is invalid")
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OceanSeed {
    functionalities: Vec<Functionality>,
    entites: Vec<Entite>,
    accounts: Vec<Account>,
    individus: Vec<DemoIndividu>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Functionality {
    id: i64,
    /// `enumCode`.
    code: String,
    description: String,
    /// `typeElement`.
    #[serde(rename = "type")]
    kind: String,
    ordre: i64,
    /// Granted to read-only accounts too.
    readers: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entite {
    id: i64,
    customer: i64,
    nom: String,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Account {
    login: String,
    password: String,
    prenom: String,
    nom: String,
    email: String,
    customers: Vec<i64>,
    read_only: bool,
}

/// Returns whether `admin` was created with the bootstrap password.
pub fn prepare(c: &mut Connection, seed: SeedMode, bootstrap: Option<&str>) -> HttpResult<bool> {
    migrate_named(c, "ocean", &[SCHEMA])?;
    let tx = c.transaction()?;
    if count(&tx, "ocean_functionalities")? == 0 {
        for f in &DATA.functionalities {
            tx.execute(
                "INSERT INTO ocean_functionalities(id, enum_code, description, ordre, type_element)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![f.id, f.code, f.description, f.ordre, f.kind],
            )?;
        }
    }
    // Entities have no route of their own: they are reference data, like the rights.
    if count(&tx, "ocean_entites")? == 0 {
        for e in &DATA.entites {
            tx.execute(
                "INSERT INTO ocean_entites(id, customer_id, nom) VALUES (?1, ?2, ?3)",
                params![e.id, e.customer, e.nom],
            )?;
        }
    }
    tx.commit()?;
    if count(c, "ocean_accounts")? > 0 {
        return Ok(false);
    }
    match (seed, bootstrap) {
        (SeedMode::Demo, _) => {
            for a in &DATA.accounts {
                add_account(c, a, &hash_password(&a.password))?;
            }
            demo_individus(c)?;
            Ok(false)
        }
        (SeedMode::None, Some(password)) => {
            let admin = Account {
                password: String::new(),
                customers: vec![1],
                ..DATA.accounts[0].clone()
            };
            add_account(c, &admin, &hash_password(password))?;
            Ok(true)
        }
        (SeedMode::None, None) => Ok(false),
    }
}

fn count(c: &Connection, table: &str) -> rusqlite::Result<i64> {
    c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
}

fn add_account(c: &mut Connection, a: &Account, hash: &str) -> HttpResult<()> {
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO ocean_accounts(login, password_hash, nom, prenom, email, read_only,
                                    password_changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.login,
            hash,
            a.nom,
            a.prenom,
            a.email,
            a.read_only,
            chrono::Utc::now().timestamp()
        ],
    )?;
    let id = tx.last_insert_rowid();
    for customer in &a.customers {
        tx.execute(
            "INSERT INTO ocean_account_customers(account_id, customer_id) VALUES (?1, ?2)",
            params![id, customer],
        )?;
    }
    for f in &DATA.functionalities {
        if f.readers || !a.read_only {
            tx.execute(
                "INSERT INTO ocean_account_functionalities(account_id, functionality_id)
                 VALUES (?1, ?2)",
                params![id, f.id],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One demo individu; the rest of its record is derived (`demo_body`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoIndividu {
    customer: i64,
    civilite: i64,
    prenom: String,
    nom: String,
    matricule: String,
    #[serde(default)]
    gsm: String,
    /// Its user account's login, if it has one.
    #[serde(default)]
    login: String,
    /// The entity it is assigned to, and since when.
    entite: Option<Assignment>,
    vehicule: Option<Vehicle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Assignment {
    id: i64,
    depuis: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vehicle {
    immatriculation: String,
    marque: String,
    modele: String,
    couleur: String,
}

/// Lower-case ASCII of a name, for the demo e-mail addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'à' | 'â' | 'ä' => Some('a'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'ï' | 'î' => Some('i'),
            'ô' | 'ö' => Some('o'),
            'ù' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            '-' => Some('-'),
            _ => None,
        })
        .collect()
}

/// A body of the create route's shape, filled as a real record would be.
fn demo_body(n: usize, d: &DemoIndividu) -> Value {
    let (customer, civilite) = (d.customer, d.civilite);
    let (prenom, nom, matricule) = (d.prenom.as_str(), d.nom.as_str(), d.matricule.as_str());
    let (gsm, login) = (d.gsm.as_str(), d.login.as_str());
    let entite = d.entite.as_ref().map(|e| (e.id, e.depuis.as_str()));
    let vehicle = d.vehicule.as_ref().map(|v| {
        let (immat, marque) = (v.immatriculation.as_str(), v.marque.as_str());
        (immat, marque, v.modele.as_str(), v.couleur.as_str())
    });
    let email = format!("{}.{}@exemple.cm", ascii(prenom), ascii(nom));
    let initiales: String = [prenom, nom]
        .iter()
        .filter_map(|s| s.chars().next())
        .collect();
    let individu = json!({
        "nomInd": nom,
        "gsm": gsm,
        "matriculeInd": matricule,
        "initialesInd": initiales,
        "prenomInd": prenom,
        "id": "",
        "email": email,
        "suppressionLogique": false,
        "idCivilite": civilite,
    });
    let utilisateur = (!login.is_empty()).then(|| {
        json!({
            "emailUti": email,
            "prenomUti": prenom,
            "loginUti": login,
            "individu": individu.clone(),
            "nomUti": nom,
            "id": 100 + n,
            "dateFinValidite": "2026-12-31T23:59:59.000+01:00",
            "suppressionLogique": false,
            "utilisateurType": "CLASSIC",
        })
    });
    let entite_nom = entite
        .and_then(|(id, _)| DATA.entites.iter().find(|e| e.id == id))
        .map(|e| e.nom.as_str());
    let born = 1968 + (n * 7) % 30;
    let mut body = json!({
        "individu": individu,
        "entite": entite.map(|(id, _)| json!({ "id": id, "nom": entite_nom, "suppressionLogique": false })),
        "utilisateur": utilisateur,
        "groupe": vehicle.map(|_| json!({ "descriptionGrp": "Chauffeurs", "id": 1, "suppressionLogique": false })),
        "fonctionnalites": [],
        "propSpecifiqueDTO": {
            "proprietesSpecifiquesClient": { "psValues": {} },
            "ville": if customer == 1 { "Douala" } else { "Garoua" },
            "dateFCO": vehicle.map(|_| "2024-06-03T00:00:00.000+01:00"),
            "objectifMensuel": 0,
            "dateNaissanceConducteur": format!("{born}-0{}-1{}T00:00:00.000+01:00", 1 + n % 9, n % 10),
            "nationalitePermis": 120,
            "idClient": customer,
            "lieuNaissanceConducteur": if n % 2 == 0 { "Yaoundé" } else { "Bafoussam" },
            "numeroVoieAdresse": format!("{}", 10 + n),
            "typeObjet": "CLIENT",
            "idObjetRef": 0,
            "objectifHebdo": 0,
            "codePostal": "",
            "keyUser": "",
            "lieuDelivrancePermis": vehicle.map_or("", |_| "Douala"),
            "complementAdresse": "",
            "dateVisiteMedicale": vehicle.map(|_| "2025-02-14T09:00:00.000+01:00"),
            "categoriePermis": if vehicle.is_some() { json!(["B", "C"]) } else { json!([]) },
            "dateValiditePermis": vehicle.map(|_| "2030-05-01T00:00:00.000+01:00"),
            "numeroPermis": vehicle.map_or(String::new(), |_| format!("CM-{:06}", 104_233 + n * 37)),
            "adresse": "Rue des Palmiers",
            "dateDelivrancePermis": vehicle.map(|_| "2020-05-01T00:00:00.000+01:00"),
            "id": "",
            "pays": 120,
        },
        "vehicleFieldsDTO": vehicle.map(|(immat, marque, modele, couleur)| json!({
            "numeroSerie": format!("VF1{:014}", 7_310_000 + n),
            "typeMotorisation": "MONO",
            "categorie": "UNDEFINED",
            "nomImage": "",
            "odirectMode": "ODIRECT_UNIVERSEL",
            "couleur": couleur,
            "description": format!("{marque} {modele} de {prenom} {nom}"),
            "numeroParc": format!("P{:03}", n + 1),
            "marque": marque,
            "suppressionLogique": false,
            "privacyEnabled": false,
            "geolocalise": true,
            "libelleTypeAsset": {
                "categorie": "UNDEFINED",
                "ordre": 0,
                "libelle": "Pick-up",
                "nomIcone": "pickup",
                "id": "",
            },
            "modele": modele,
            "dispositifIdentifiant": false,
            "immobilisationCablee": false,
            "id": "",
            "dioEnabled": false,
            "immatriculation": immat,
            "numeroEmbarque": 350_000 + n,
            "geosecuriteEnabled": false,
            "detectionPorteEnabled": false,
        })),
    });
    if let Some((_, start)) = entite {
        body["periodeEntite"] = json!({ "startDate": start, "endDate": null });
    }
    body
}

fn demo_individus(c: &mut Connection) -> HttpResult<()> {
    for (n, d) in DATA.individus.iter().enumerate() {
        let body = demo_body(n, d);
        let checked = individus::check(&body).map_err(seed_error)?;
        individus::insert(c, d.customer, body, &checked).map_err(seed_error)?;
    }
    Ok(())
}

fn seed_error(e: super::OceanError) -> HttpError {
    HttpError::Internal(format!("ocean demo seed: {}", e.message))
}

#[cfg(test)]
mod tests {
    use super::{DATA, ascii, count, prepare};
    use crate::server::SeedMode;

    /// The embedded data reads, and its references hold.
    #[test]
    fn seed_data_reads() {
        let d = &*DATA;
        assert_eq!(
            d.accounts[0].login, "admin",
            "the bootstrap account comes first"
        );
        for i in &d.individus {
            if let Some(e) = &i.entite {
                let entite = d.entites.iter().find(|x| x.id == e.id);
                assert_eq!(entite.map(|x| x.customer), Some(i.customer), "{}", i.nom);
            }
        }
    }

    #[test]
    fn demo_seed_is_valid_and_runs_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::super::db::Db::open(&dir.path().join("o.db")).unwrap();
        db.call_blocking(|c| {
            prepare(c, SeedMode::Demo, None)?;
            prepare(c, SeedMode::Demo, None)?;
            assert_eq!(count(c, "ocean_individus")?, 15);
            assert_eq!(count(c, "ocean_accounts")?, 2);
            let reader_rights: i64 = c.query_row(
                "SELECT COUNT(*) FROM ocean_account_functionalities af
                 JOIN ocean_accounts a ON a.id = af.account_id WHERE a.login = 'lecteur'",
                [],
                |r| r.get(0),
            )?;
            assert!(reader_rights > 0 && reader_rights < DATA.functionalities.len() as i64);
            Ok(())
        })
        .unwrap();
        assert_eq!(ascii("Aïcha Ngo-Bassong"), "aichango-bassong");
    }

    #[test]
    fn without_demo_only_the_bootstrap_admin() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::super::db::Db::open(&dir.path().join("o.db")).unwrap();
        db.call_blocking(|c| {
            prepare(c, SeedMode::None, Some("mot-de-passe-initial"))?;
            assert_eq!(count(c, "ocean_individus")?, 0);
            assert_eq!(count(c, "ocean_entites")?, DATA.entites.len() as i64);
            let (login, customers): (String, i64) = c.query_row(
                "SELECT a.login, COUNT(*) FROM ocean_accounts a
                 JOIN ocean_account_customers ac ON ac.account_id = a.id GROUP BY a.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            assert_eq!((login.as_str(), customers), ("admin", 1));
            Ok(())
        })
        .unwrap();
    }
}
