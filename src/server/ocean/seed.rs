//! Ocean's tables, its reference data (functionalities, entities) and the demo records.

use rusqlite::{Connection, params};
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

/// (id, enumCode, description, typeElement, ordre, granted to read-only accounts)
const FUNCTIONALITIES: [(i64, &str, &str, &str, i64, bool); 16] = [
    (1, "MENU_INDIVIDUS", "Menu Individus", "MENU", 1, true),
    (2, "MENU_VEHICULES", "Menu Véhicules", "MENU", 2, true),
    (3, "MENU_RAPPORTS", "Menu Rapports", "MENU", 3, true),
    (
        4,
        "MENU_ADMINISTRATION",
        "Menu Administration",
        "MENU",
        4,
        false,
    ),
    (
        10,
        "ONGLET_IDENTITE",
        "Onglet Identité de l'individu",
        "ONGLET",
        1,
        true,
    ),
    (
        11,
        "ONGLET_PERMIS",
        "Onglet Permis de conduire",
        "ONGLET",
        2,
        true,
    ),
    (
        12,
        "ONGLET_AFFECTATIONS",
        "Onglet Affectations aux entités",
        "ONGLET",
        3,
        true,
    ),
    (
        20,
        "ACTION_CREER_INDIVIDU",
        "Créer un individu",
        "ACTION",
        1,
        false,
    ),
    (
        21,
        "ACTION_MODIFIER_INDIVIDU",
        "Modifier un individu",
        "ACTION",
        2,
        false,
    ),
    (
        22,
        "ACTION_SUPPRIMER_INDIVIDU",
        "Supprimer un individu",
        "ACTION",
        3,
        false,
    ),
    (
        23,
        "ACTION_AFFECTER_ENTITE",
        "Affecter un individu à une entité",
        "ACTION",
        4,
        false,
    ),
    (
        24,
        "ACTION_EXPORTER",
        "Exporter la liste des individus",
        "ACTION",
        5,
        true,
    ),
    (
        30,
        "LIEN_CARTOGRAPHIE",
        "Lien vers la cartographie",
        "LIEN",
        1,
        true,
    ),
    (
        31,
        "LIEN_AIDE",
        "Lien vers l'aide en ligne",
        "LIEN",
        2,
        true,
    ),
    (
        40,
        "WS_INDIVIDUS_LECTURE",
        "Web service de lecture des individus",
        "WS",
        1,
        true,
    ),
    (
        41,
        "WS_INDIVIDUS_ECRITURE",
        "Web service d'écriture des individus",
        "WS",
        2,
        false,
    ),
];

/// (id, customer, nom)
const ENTITES: [(i64, i64, &str); 6] = [
    (1, 1, "Direction Générale"),
    (2, 1, "Agence Douala"),
    (3, 1, "Agence Yaoundé"),
    (4, 1, "Atelier Bonabéri"),
    (5, 2, "Siège Garoua"),
    (6, 2, "Dépôt Maroua"),
];

struct Account {
    login: &'static str,
    password: &'static str,
    prenom: &'static str,
    nom: &'static str,
    email: &'static str,
    customers: &'static [i64],
    read_only: bool,
}

const DEMO_ACCOUNTS: [Account; 2] = [
    Account {
        login: "admin",
        password: "admin-demo",
        prenom: "Alain",
        nom: "Ekotto",
        email: "admin@ocean.demo",
        customers: &[1, 2],
        read_only: false,
    },
    Account {
        login: "lecteur",
        password: "lecteur-demo",
        prenom: "Lucie",
        nom: "Ndzana",
        email: "lecteur@ocean.demo",
        customers: &[1],
        read_only: true,
    },
];

/// Returns whether `admin` was created with the bootstrap password.
pub fn prepare(c: &mut Connection, seed: SeedMode, bootstrap: Option<&str>) -> HttpResult<bool> {
    migrate_named(c, "ocean", &[SCHEMA])?;
    let tx = c.transaction()?;
    if count(&tx, "ocean_functionalities")? == 0 {
        for (id, code, description, kind, ordre, _) in FUNCTIONALITIES {
            tx.execute(
                "INSERT INTO ocean_functionalities(id, enum_code, description, ordre, type_element)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, code, description, ordre, kind],
            )?;
        }
    }
    // Entities have no route of their own: they are reference data, like the rights.
    if count(&tx, "ocean_entites")? == 0 {
        for (id, customer, nom) in ENTITES {
            tx.execute(
                "INSERT INTO ocean_entites(id, customer_id, nom) VALUES (?1, ?2, ?3)",
                params![id, customer, nom],
            )?;
        }
    }
    tx.commit()?;
    if count(c, "ocean_accounts")? > 0 {
        return Ok(false);
    }
    match (seed, bootstrap) {
        (SeedMode::Demo, _) => {
            for a in &DEMO_ACCOUNTS {
                add_account(c, a, &hash_password(a.password))?;
            }
            demo_individus(c)?;
            Ok(false)
        }
        (SeedMode::None, Some(password)) => {
            let admin = Account {
                password: "",
                customers: &[1],
                ..DEMO_ACCOUNTS[0]
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
    for customer in a.customers {
        tx.execute(
            "INSERT INTO ocean_account_customers(account_id, customer_id) VALUES (?1, ?2)",
            params![id, customer],
        )?;
    }
    for (fid, .., for_readers) in FUNCTIONALITIES {
        if for_readers || !a.read_only {
            tx.execute(
                "INSERT INTO ocean_account_functionalities(account_id, functionality_id)
                 VALUES (?1, ?2)",
                params![id, fid],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// One demo individu: (customer, civilité, prénom, nom, matricule, gsm, login, entity with the
/// start of its assignment, vehicle (immatriculation, marque, modèle, couleur)).
type Demo = (
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(i64, &'static str)>,
    Option<(&'static str, &'static str, &'static str, &'static str)>,
);

const DEMO: [Demo; 15] = [
    (
        1,
        1,
        "Jean-Pierre",
        "Mbarga",
        "M0001",
        "+237 677 12 34 56",
        "jpmbarga",
        Some((1, "2023-01-02T08:00:00.000+01:00")),
        None,
    ),
    (
        1,
        2,
        "Aïcha",
        "Ngo Bassong",
        "M0002",
        "+237 699 45 67 01",
        "",
        Some((2, "2024-03-15T08:00:00.000+01:00")),
        Some(("LT 234 AB", "Toyota", "Hilux", "Blanc")),
    ),
    (
        1,
        1,
        "Samuel",
        "Fotso",
        "M0003",
        "",
        "",
        Some((3, "2022-09-01T07:30:00.000+01:00")),
        Some(("CE 567 CD", "Mitsubishi", "L200", "Gris")),
    ),
    (
        1,
        2,
        "Brigitte",
        "Atangana",
        "M0004",
        "+237 655 98 76 54",
        "batangana",
        None,
        None,
    ),
    (1, 1, "Emmanuel", "Nkoulou", "M0005", "", "", None, None),
    (
        1,
        3,
        "Clarisse",
        "Ekambi",
        "M0006",
        "+237 678 00 11 22",
        "",
        Some((2, "2025-06-01T08:00:00.000+01:00")),
        None,
    ),
    (
        1,
        1,
        "Hervé",
        "Tchoumi",
        "M0007",
        "",
        "htchoumi",
        Some((4, "2021-11-08T06:00:00.000+01:00")),
        Some(("LT 889 KP", "Renault", "Master", "Blanc")),
    ),
    (1, 2, "Odile", "Manga", "M0008", "", "", None, None),
    (
        1,
        1,
        "Paul",
        "Essomba",
        "M0009",
        "+237 690 33 44 55",
        "",
        Some((4, "2024-01-10T06:00:00.000+01:00")),
        Some(("LT 120 FG", "Isuzu", "D-Max", "Bleu")),
    ),
    (
        1,
        2,
        "Mireille",
        "Nana",
        "M0010",
        "",
        "mnana",
        Some((3, "2023-05-22T08:00:00.000+01:00")),
        None,
    ),
    (
        1,
        1,
        "Didier",
        "Kamga",
        "M0011",
        "+237 651 20 30 40",
        "",
        None,
        None,
    ),
    (1, 3, "Rosine", "Abena", "M0012", "", "", None, None),
    (
        2,
        1,
        "Ibrahim",
        "Moussa",
        "M0001",
        "+237 696 70 80 90",
        "imoussa",
        Some((5, "2022-02-01T07:00:00.000+01:00")),
        Some(("NO 345 GA", "Toyota", "Land Cruiser", "Beige")),
    ),
    (
        2,
        2,
        "Fadimatou",
        "Bello",
        "M0002",
        "",
        "",
        Some((6, "2024-08-19T07:00:00.000+01:00")),
        None,
    ),
    (
        2,
        1,
        "Hamadou",
        "Oumarou",
        "M0003",
        "+237 675 11 22 33",
        "",
        None,
        None,
    ),
];

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
fn demo_body(n: usize, d: &Demo) -> Value {
    let &(customer, civilite, prenom, nom, matricule, gsm, login, entite, vehicle) = d;
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
        .and_then(|(id, _)| ENTITES.iter().find(|e| e.0 == id))
        .map(|e| e.2);
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
    for (n, d) in DEMO.iter().enumerate() {
        let body = demo_body(n, d);
        let checked = individus::check(&body).map_err(seed_error)?;
        individus::insert(c, d.0, body, &checked).map_err(seed_error)?;
    }
    Ok(())
}

fn seed_error(e: super::OceanError) -> HttpError {
    HttpError::Internal(format!("ocean demo seed: {}", e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(reader_rights > 0 && reader_rights < FUNCTIONALITIES.len() as i64);
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
            assert_eq!(count(c, "ocean_entites")?, ENTITES.len() as i64);
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
