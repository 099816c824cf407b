//! Fixed console fixtures shared by `console_update` and `console_render`: the doc's client,
//! sites and equipement plus a few more, fixed timestamps and a fixed server. Nothing here
//! depends on the clock or on randomness, so snapshots stay stable.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vigie::api::ApiError;
use vigie::api::model::*;
use vigie::app::{App, Session};
use vigie::protocol::{Event, Payload, Request};

pub const SERVER: &str = "https://core.vigie.test";

pub const BICEC_ID: &str = "48f41668-650f-4179-9a8e-a00945bda333";
pub const LOUM_ID: &str = "0c5c5381-c357-4abc-ba1f-9fb584006a3a";
pub const YASSA_ID: &str = "22e308e7-4869-484d-bd86-233f5c4816c5";
pub const BONABERI2_ID: &str = "cb96e92e-08ea-494a-be82-9d664934e3d6";
pub const LOUM_EQUIPEMENT_ID: &str = "70e97152-76f0-4d16-9d28-dc2f6d9b41ab";

pub fn ts(s: &str) -> Option<Timestamp> {
    Some(Timestamp::parse(s))
}

pub fn session(role: &str) -> Session {
    Session {
        profile: "prod".into(),
        server: SERVER.into(),
        user: Some(format!("{role}@vigie.local")),
        role: Some(role.into()),
        read_only: false,
        insecure_tls: false,
        ..Default::default()
    }
}

pub fn bicec() -> Client {
    Client {
        client_id: BICEC_ID.into(),
        nom: "BICEC Bank".into(),
        code: Some(984),
        timestamp: ts("2025-08-07T08:12:20"),
    }
}

fn site(id: &str, name: &str, lon: f64, lat: f64, t: &str, count: usize) -> SiteSummary {
    SiteSummary {
        problem: None,
        site_id: id.into(),
        client_id: Some(BICEC_ID.into()),
        name: name.into(),
        longitude: Some(lon),
        latitude: Some(lat),
        description: "site du client de bonaberi".into(),
        timestamp: ts(t),
        client: Some(bicec()),
        equipement_count: count,
    }
}

/// The doc's three sites, in server order.
pub fn sites() -> Vec<SiteSummary> {
    vec![
        site(
            BONABERI2_ID,
            "BONABERI 2",
            26.45,
            43.56,
            "2025-08-13T09:48:52",
            1,
        ),
        site(LOUM_ID, "LOUM", 26.45, 43.56, "2025-08-13T09:49:13", 2),
        site(YASSA_ID, "YASSA", 27.45, 48.56, "2025-08-13T09:49:31", 1),
    ]
}

pub fn site_ref(id: &str) -> SiteRef {
    let s = sites()
        .into_iter()
        .find(|s| s.site_id == id)
        .expect("fixture site");
    SiteRef {
        site_id: s.site_id,
        client_id: BICEC_ID.into(),
        name: s.name,
        longitude: s.longitude,
        latitude: s.latitude,
        description: s.description,
    }
}

#[allow(clippy::too_many_arguments)]
fn equipement(
    id: &str,
    site_id: &str,
    ip: &str,
    port: i64,
    marque: &str,
    modele: &str,
    sources: &[&str],
    t: &str,
) -> Equipement {
    Equipement {
        problem: None,
        equipement_id: id.into(),
        ip: ip.into(),
        marque: marque.into(),
        sources: Sources(sources.iter().map(|s| s.to_string()).collect()),
        port: Some(port),
        username: "4470".into(),
        password: Credential("passoword_hashed".into()),
        description: "jjjjjj".into(),
        modele: modele.into(),
        timestamp: ts(t),
        site_id: Some(site_id.into()),
        client_site: Some(std::sync::Arc::new(site_ref(site_id))),
        reach: None,
    }
}

/// The doc's equipement (1.1.1.1 on LOUM) and three more.
pub fn equipements() -> Vec<Equipement> {
    vec![
        equipement(
            LOUM_EQUIPEMENT_ID,
            LOUM_ID,
            "1.1.1.1",
            100,
            "mmmm",
            "mmm",
            &["hhhhhhh", "jjjjjjjjj"],
            "2025-08-22T16:38:51",
        ),
        equipement(
            "3f0d9b5e-1c2a-4e8f-9a7b-6c5d4e3f2a10",
            LOUM_ID,
            "10.12.0.21",
            554,
            "Hikvision",
            "DS-2CD2143G2-I",
            &["rtsp://10.12.0.21:554/Streaming/Channels/101"],
            "2025-08-23T10:02:00",
        ),
        equipement(
            "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
            YASSA_ID,
            "10.14.0.5",
            37777,
            "Dahua",
            "NVR4216-16P-4KS2/L",
            &["http://10.14.0.5:37777/ISAPI", "events"],
            "2025-08-24T08:15:00",
        ),
        equipement(
            "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
            BONABERI2_ID,
            "10.11.0.2",
            22,
            "Cisco",
            "Catalyst 2960X-24PS-L",
            &["snmp", "syslog"],
            "2025-08-25T14:40:00",
        ),
    ]
}

/// `n` equipements, the fixtures' four again and again under their own ids and addresses.
pub fn many_equipements(n: usize) -> Vec<Equipement> {
    let base = equipements();
    (0..n)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            e.equipement_id = format!("{:08x}-0000-4000-8000-{:012x}", i, i);
            e.ip = format!("10.{}.{}.{}", 10 + i % 7, (i / 7) % 250, i % 251).into();
            e
        })
        .collect()
}

/// A fleet device's model: what, marque, modele, port, username, sources with `{ip}`.
type Model = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static [&'static str],
);

/// The `i`th device of a fixture fleet varied as the demo seed's (cameras mostly, switches,
/// access controllers, NVRs), dealt to the three sites in turn, as the server's rows come.
pub fn fleet_device(i: usize) -> Equipement {
    // Cameras about 60%, as the seed draws them.
    #[rustfmt::skip]
    const MODELS: &[Model] = &[
        ("Caméra", "Hikvision", "DS-2CD2143G2-I", 554, "admin", &["rtsp://{ip}:554/Streaming/Channels/101"]),
        ("Caméra", "Axis", "P3245-LVE", 554, "admin", &["rtsp://{ip}/axis-media/media.amp"]),
        ("Caméra", "Dahua", "IPC-HFW2431S-S-S2", 554, "admin", &["rtsp://{ip}:554/cam/realmonitor?channel=1&subtype=0"]),
        ("Switch", "Cisco", "Catalyst 2960X-24PS-L", 22, "netadmin", &["snmp", "syslog"]),
        ("Caméra", "Hanwha Vision", "XNV-6080R", 554, "admin", &["rtsp://{ip}:554/profile1"]),
        ("Caméra", "Uniview", "IPC2124LB-SF28KM-G", 554, "admin", &["rtsp://{ip}:554/profile1"]),
        ("Contrôleur d'accès", "HID", "VertX EVO V1000", 4070, "admin", &["events", "badges"]),
        ("Caméra", "Hikvision", "DS-2CD2387G2-LU", 554, "admin", &["rtsp://{ip}:554/Streaming/Channels/101"]),
        ("Caméra", "Dahua", "IPC-HDBW3541E-AS", 554, "admin", &["rtsp://{ip}:554/cam/realmonitor?channel=1&subtype=0"]),
        ("Enregistreur NVR", "Hikvision", "DS-7616NI-K2/16P", 8000, "admin", &["http://{ip}:8000/ISAPI", "events"]),
        ("Caméra", "Axis", "M3106-L Mk II", 554, "admin", &["rtsp://{ip}/axis-media/media.amp"]),
        ("Contrôleur d'accès", "ZKTeco", "inBio460", 4370, "admin", &["events", "badges"]),
        ("Switch", "HPE Aruba", "2530-24G-PoE+", 443, "netadmin", &["snmp", "syslog"]),
    ];
    const SPOTS: &[&str] = &[
        "entrée principale",
        "parking",
        "guichet",
        "couloir",
        "local technique",
    ];
    // Each site its own network, as in the fixtures above.
    let (site_id, net) = [(BONABERI2_ID, 11), (LOUM_ID, 12), (YASSA_ID, 14)][i % 3];
    let k = i / 3;
    let (what, marque, modele, port, username, sources) = MODELS[(i + k) % MODELS.len()];
    let ip = format!("10.{net}.0.{}", k + 1);
    let sources: Vec<String> = sources.iter().map(|s| s.replace("{ip}", &ip)).collect();
    let mut e = equipement(
        &format!("{i:08x}-f1ee-4000-8000-{:012x}", i * 7919),
        site_id,
        &ip,
        port,
        marque,
        modele,
        &sources.iter().map(String::as_str).collect::<Vec<_>>(),
        &format!(
            "2025-09-{:02}T{:02}:{:02}:00",
            1 + i / 5,
            8 + (i * 3) % 10,
            (i * 17) % 60
        ),
    );
    e.username = username.into();
    e.password = Credential(format!("Vg-{:04x}", i * 2654 % 65536).into());
    e.description = format!("{what} {} {}", SPOTS[i % SPOTS.len()], 1 + k / SPOTS.len()).into();
    e
}

/// Page `n` (of 50 rows) of a fleet of `total` devices.
pub fn fleet_page(n: u64, total: u64) -> Vec<Equipement> {
    let start = (n.saturating_sub(1) * 50).min(total) as usize;
    let end = (n * 50).min(total) as usize;
    (start..end).map(fleet_device).collect()
}

/// A page of equipements as the server sends it.
pub fn page(items: Vec<Equipement>, page: u64, pages: u64, total: u64) -> Page<Equipement> {
    Page {
        items,
        total: Some(total),
        page: Some(page),
        size: Some(50),
        pages: Some(pages),
    }
}

pub fn users() -> Vec<User> {
    [
        (
            "admin@vigie.local",
            1000,
            "Administrateur Démo",
            "admin",
            "676f48d0-11fb-493b-8266-be3a247c4026",
        ),
        (
            "tech@vigie.local",
            1001,
            "Technicien Démo",
            "technicien",
            "5b0e7c2a-3f1d-4c6e-9a2b-1d4e5f6a7b8c",
        ),
        (
            "lecteur@vigie.local",
            1002,
            "Lecteur Démo",
            "lecteur",
            "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f",
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (email, matricule, nom, role, role_id))| User {
        problem: None,
        user_id: format!("00000000-0000-4000-8000-00000000000{i}"),
        matricule: Some(*matricule),
        nom: (*nom).into(),
        email: (*email).into(),
        role_name: (*role).into(),
        role_id: (*role_id).into(),
        status: "activated".into(),
        timestamp: ts("2025-08-07T08:30:00"),
    })
    .collect()
}

/// Every permission of the fixtures' roles: the role form's grid.
pub fn catalogue() -> Vec<Permission> {
    roles().into_iter().flat_map(|r| r.permissions).collect()
}

pub fn roles() -> Vec<Role> {
    let perms = |list: &[(&str, &str)]| list.iter().map(|(r, a)| Permission::new(r, a)).collect();
    vec![
        Role {
            problem: None,
            role_id: "676f48d0-11fb-493b-8266-be3a247c4026".into(),
            name: "admin".into(),
            description: "Tous les droits".into(),
            permissions: perms(&[
                ("sites", "create"),
                ("sites", "read"),
                ("sites", "update"),
                ("sites", "delete"),
            ]),
            timestamp: ts("2025-08-07T08:00:00"),
        },
        Role {
            problem: None,
            role_id: "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f".into(),
            name: "lecteur".into(),
            description: "Lecture seule".into(),
            permissions: perms(&[("sites", "read"), ("equipements", "read")]),
            timestamp: ts("2025-08-07T08:00:00"),
        },
    ]
}

// ---- keys -----------------------------------------------------------------------------------

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ch(c: char) -> KeyEvent {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), m)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_key(ch(c));
    }
}

// ---- fake worker ----------------------------------------------------------------------------

pub fn ok(app: &mut App, id: u64, p: Payload) {
    app.on_event(Event::Done { id, result: Ok(p) });
}

pub fn fail(app: &mut App, id: u64, e: ApiError) {
    app.on_event(Event::Done { id, result: Err(e) });
}

/// The one request taken matching `f`; panics when there is not exactly one.
pub fn only<F: Fn(&Request) -> bool>(reqs: &[(u64, Request)], f: F) -> u64 {
    let found: Vec<u64> = reqs
        .iter()
        .filter(|(_, r)| f(r))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one matching request in {reqs:?}"
    );
    found[0]
}

/// Confirms the delete asked: `y`, or its name typed then Enter when it asks for it (a site
/// that still holds equipements).
pub fn confirm_delete(app: &mut App) {
    let expect = match app.overlays.last() {
        Some(vigie::app::Overlay::Confirm(c)) => c.typed.as_ref().map(|(e, _)| e.clone()),
        _ => None,
    };
    match expect {
        Some(name) => {
            for c in name.chars() {
                app.on_key(ch(c));
            }
            app.on_key(key(crossterm::event::KeyCode::Enter));
        }
        None => app.on_key(ch('y')),
    }
}

/// The change a request sends (panics for any other request).
pub fn change_in(reqs: &[(u64, Request)], id: u64) -> vigie::change::Change {
    match reqs.iter().find(|(i, _)| *i == id) {
        Some((_, Request::Change(c))) => (**c).clone(),
        other => panic!("no change {id}: {other:?}"),
    }
}

/// Whether a request is a change (a write).
pub fn is_change(r: &Request) -> bool {
    matches!(r, Request::Change(_))
}

/// What the change room answers for a delete the server did: the record gone, journaled
/// with the record as the console held it (nobody changed it meanwhile).
pub fn deleted_as_asked(app: &App, c: &vigie::change::Change) -> vigie::change::Outcome {
    let kind = vigie::app::kinds::ListKind::of_change(c.kind);
    let before = app.record_json(kind, &c.id);
    let mut e = vigie::journal::Entry::now(
        c.kind.service().section(),
        c.kind.name(),
        &c.id,
        vigie::journal::Op::Delete,
    )
    .with_states(before, None);
    e.label = c.label.clone();
    e.who = c.who.clone();
    e.undoes = c.undoes;
    let mut o = vigie::change::Outcome::removed(&c.id);
    o.entry = Some(e);
    o
}

/// What the change room answers for a change the server applied as asked: `saved` the
/// record after.
pub fn applied(saved: vigie::protocol::Saved) -> Payload {
    Payload::Changed(Box::new(vigie::change::Outcome::applied(saved)))
}

/// Answers every request a fake server knows how to, until none is left: sites, users,
/// roles, equipement pages (all fixtures on one page), every equipement and site equipements.
pub fn serve(app: &mut App) {
    for _ in 0..10 {
        let reqs = app.take_requests();
        if reqs.is_empty() {
            return;
        }
        for (id, r) in reqs {
            let p = match r {
                Request::WhoAmI => Payload::LoggedIn(Claims {
                    sub: "1000".into(),
                    email: app.session.user.clone().unwrap_or_default(),
                    role_name: app.session.role.clone().unwrap_or_default(),
                    ..Default::default()
                }),
                Request::Sites => Payload::Sites(sites()),
                Request::Users => Payload::Users(users()),
                Request::Roles => Payload::Roles(roles()),
                Request::EquipementsPage { page: n, .. } => {
                    Payload::EquipementsPage(page(equipements(), u64::from(n), 1, 4))
                }
                Request::AllEquipements => Payload::AllEquipements(equipements()),
                Request::SiteEquipements { site_id, .. } => {
                    let items: Vec<Equipement> = equipements()
                        .into_iter()
                        .filter(|e| e.site_id.as_deref() == Some(site_id.as_str()))
                        // This route's items do not name their site.
                        .map(|e| Equipement {
                            site_id: None,
                            client_site: None,
                            ..e
                        })
                        .collect();
                    let n = items.len() as u64;
                    Payload::SiteEquipements {
                        site_id,
                        page: page(items, 1, 1, n),
                    }
                }
                Request::Individus => Payload::Individus(individus()),
                Request::MaarchUsers => Payload::MaarchUsers(maarch_users()),
                Request::MaarchDetails(uid) => Payload::MaarchDetails(uid, maarch_details(uid)),
                Request::MaarchCatalogue => Payload::MaarchCatalogue {
                    groups: vec![
                        ("AGENT".into(), "Agent".into()),
                        ("ELU".into(), "Elu".into()),
                    ],
                    entities: vec![
                        ("DGS".into(), "Direction Générale des Services".into()),
                        ("PJS".into(), "Pôle Jeunesse et Sport".into()),
                    ],
                },
                other => panic!("serve() does not answer {other:?}"),
            };
            ok(app, id, p);
        }
    }
    panic!("requests kept coming");
}

/// A logged-in console with the sites loaded and nothing in flight.
pub fn loaded(role: &str) -> App {
    let mut app = App::new(session(role));
    app.start(true);
    serve(&mut app);
    assert!(!app.busy());
    app
}

/// Ocean individus in the documented nested shape.
pub fn individus() -> Vec<vigie::api::ocean::Individu> {
    let raw = serde_json::json!([
        {"individu": {"id": 1, "nomInd": "EKANI", "prenomInd": "Brice", "matriculeInd": "M0001",
                      "initialesInd": "BE", "gsm": "+237 690 00 00 01", "email": "brice.ekani@example.cm",
                      "idCivilite": 1, "suppressionLogique": false},
         "entite": {"id": 2, "nom": "Agence Douala", "suppressionLogique": false},
         "utilisateur": {"loginUti": "bekani", "utilisateurType": "CLASSIC"},
         "propSpecifiqueDTO": {"numeroPermis": "CM-12345", "categoriePermis": ["B", "C"],
                               "dateValiditePermis": "2030-01-31T00:00:00.000+01:00"}},
        {"individu": {"id": 2, "nomInd": "NGO", "prenomInd": "Aline", "matriculeInd": "M0002",
                      "idCivilite": 2, "suppressionLogique": false},
         "entite": {"id": 3, "nom": "Agence Yaoundé", "suppressionLogique": false}},
        {"individu": {"id": "3", "nomInd": "TCHOUA", "prenomInd": "Paul", "matriculeInd": "M0003"},
         "vehicleFieldsDTO": {"immatriculation": "LT 123 AB", "typeMotorisation": "DIESEL_X"}}
    ]);
    serde_json::from_value(raw).unwrap()
}

pub fn maarch_users() -> Vec<vigie::api::maarch::MaarchUser> {
    let raw = serde_json::json!([
        {"id": 9, "user_id": "bboule", "firstname": "Bruno", "lastname": "BOULE", "status": "OK",
         "mail": "bruno.boule@mail.org", "mode": "standard"},
        {"id": 21, "user_id": "bwayne", "firstname": "Bruce", "lastname": "Wayne", "status": "ABS",
         "mail": "bruce.wayne@wcorp.com", "mode": "standard"},
        {"id": 23, "user_id": "ddaull", "firstname": "Denis", "lastname": "DAULL", "status": "SPD",
         "mail": null, "mode": "rest"}
    ]);
    serde_json::from_value(raw).unwrap()
}

pub fn maarch_details(uid: i64) -> Option<vigie::api::maarch::MaarchUserDetails> {
    let user = maarch_users().into_iter().find(|u| u.id == uid)?;
    let groups = serde_json::from_value(serde_json::json!([
        {"group_id": "AGENT", "group_desc": "Agent", "role": "Chef"}
    ]))
    .unwrap();
    let entities = serde_json::from_value(serde_json::json!([
        {"entity_id": "DGS", "entity_label": "Direction Générale des Services", "primary_entity": "Y"}
    ]))
    .unwrap();
    Some(vigie::api::maarch::MaarchUserDetails {
        user,
        groups,
        entities,
        parapheur_id: (uid == 9).then_some(19),
        fetched: true,
    })
}

// ---- services, Ocean account, local dates ---------------------------------------------------

/// A session declaring only `services` (the others are "not configured").
pub fn session_with(role: &str, services: &[vigie::protocol::Service]) -> Session {
    Session {
        services: services.to_vec(),
        ..session(role)
    }
}

/// A logged-in console on `s`, with its first tab loaded and nothing in flight.
pub fn loaded_session(s: Session) -> App {
    let mut app = App::new(s);
    app.start(true);
    serve(&mut app);
    assert!(!app.busy());
    app
}

/// A wall-clock time in the machine's zone: what `YYYY-MM-DD HH:MM` typed in a form means.
pub fn local_dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::TimeZone;
    chrono::Local
        .with_ymd_and_hms(y, m, d, h, mi, 0)
        .earliest()
        .expect("a local time")
        .fixed_offset()
}

/// Midnight of a day in the machine's zone, as Ocean writes dates: shown as that very day
/// whatever the zone the tests run in, so snapshots stay stable.
pub fn local_iso(y: i32, m: u32, d: u32) -> String {
    vigie::api::ocean::iso_date(&local_dt(y, m, d, 0, 0))
}

/// Rights of the Ocean account, as `functionalities_detailed` answers them.
pub fn functionalities() -> Vec<vigie::api::ocean::Functionality> {
    serde_json::from_value(serde_json::json!([
        {"enumCode": "CREER_INDIVIDU",
         "fonctionnaliteDto": {"description": "Créer un individu", "idFonctionnalite": 101,
                               "ordre": 1, "typeElement": "ACTION"}},
        {"enumCode": "SUPPRIMER_INDIVIDU",
         "fonctionnaliteDto": {"description": "Supprimer un individu", "idFonctionnalite": 102,
                               "ordre": 2, "typeElement": "ACTION"}},
        {"enumCode": "AFFECTER_ENTITE",
         "fonctionnaliteDto": {"description": "Affecter à une entité", "idFonctionnalite": 117,
                               "ordre": 3, "typeElement": "ACTION"}}
    ]))
    .unwrap()
}

/// Reset mails the demo Ocean server would have sent.
pub fn outbox_mails() -> Vec<vigie::api::ocean::OutboxMail> {
    serde_json::from_value(serde_json::json!([
        {"to": "brice.ekani@example.cm", "login": "bekani",
         "subject": "Réinitialisation de votre mot de passe", "body": "…",
         "at": "2025-09-02T10:15:00Z"},
        {"login": "ango", "subject": "Réinitialisation de votre mot de passe",
         "at": "2025-09-03T08:01:12Z"}
    ]))
    .unwrap()
}

/// A screen of the console, built from fixtures.
pub type Screen = fn() -> App;

/// Draws a screen at `w`×`h` into a test terminal.
pub fn render(build: Screen, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut app = build();
    app.on_resize(w, h);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(|f| vigie::ui::draw(f, &app)).expect("draw");
    terminal
}

/// The form on top of the console.
pub fn form(app: &App) -> &vigie::app::form::Form {
    match app.overlays.last() {
        Some(vigie::app::Overlay::Form(f)) => f,
        _ => panic!("no form on top"),
    }
}

/// Tab until the focus is on `key` (at most one lap); panics when it never gets there.
pub fn tab_to(app: &mut App, key_name: &str) {
    let n = form(app).fields.len();
    for _ in 0..=n {
        let f = form(app);
        if f.fields[f.focus].key == key_name {
            return;
        }
        app.on_key(key(KeyCode::Tab));
    }
    panic!("Tab never reaches {key_name}");
}

/// Equipements tab on page 1 of 3 of a fleet of 123 (prefetch of page 2 answered: nothing
/// in flight): full pages of 50, as the footer says.
pub fn equipements_list() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('2'));
    // Page 1 as asked, then the page 2 it prefetches.
    for n in [1, 2] {
        let reqs = app.take_requests();
        let id = only(
            &reqs,
            |r| matches!(r, Request::EquipementsPage { page: p, .. } if *p == n),
        );
        ok(
            &mut app,
            id,
            Payload::EquipementsPage(page(fleet_page(u64::from(n), 123), u64::from(n), 3, 123)),
        );
    }
    app.on_key(ch('j'));
    assert!(!app.busy());
    app
}

/// LOUM's detail with its two equipements.
pub fn site_detail() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    serve(&mut app);
    app
}

/// A new individu on the Individus tab, folded, the focus on the first name being typed.
pub fn individu_form() -> App {
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    serve(&mut app);
    assert_eq!(app.tab, vigie::app::Tab::Individus);
    app.on_key(ch('n'));
    tab_to(&mut app, "individu.nomInd");
    typed(&mut app, "MBALLA");
    app.on_key(key(KeyCode::Tab));
    typed(&mut app, "Jeanne");
    app
}

// ---- `:find` --------------------------------------------------------------------------------

/// A finder the tests answer for: the console only carries it to the worker.
pub struct Unused;

impl vigie::protocol::Finder for Unused {
    fn find(
        &self,
        _: String,
        _: Option<vigie::protocol::Own>,
    ) -> futures::future::BoxFuture<'static, Vec<vigie::protocol::ProfileFound>> {
        Box::pin(async { panic!("the tests answer :find themselves") })
    }
}

/// `:find TEXT` typed in the palette (a finder given): the id of the one search asked, which
/// names this console's profile as its own.
pub fn ask_find(app: &mut App, text: &str) -> u64 {
    app.prefs.finder = Some(vigie::protocol::FinderRef(std::sync::Arc::new(Unused)));
    app.on_key(ch(':'));
    typed(app, &format!("find {text}"));
    app.on_key(key(KeyCode::Enter));
    let reqs = app.take_requests();
    let here = app.session.profile.clone();
    only(
        &reqs,
        |r| matches!(r, Request::Find { text: t, own, .. } if t == text && *own == here),
    )
}

/// The console on profile "prod" of three ("prod", "port", "bank"), `:find 10.1.0.1` asked
/// and answered: one equipement here, the same address and a site on "port", "bank" down.
/// An exact `:find` hit of a site or an equipement in `profile`.
pub fn hit(
    profile: &str,
    label: &str,
    site: &str,
    record: vigie::protocol::FoundRecord,
) -> vigie::protocol::Found {
    use vigie::protocol::FoundRecord;
    vigie::protocol::Found {
        profile: profile.into(),
        kind: match record {
            FoundRecord::Site(_) => "site",
            _ => "equipement",
        },
        label: label.into(),
        site: site.into(),
        exact: true,
        record,
    }
}

pub fn found() -> App {
    use vigie::protocol::{FoundRecord, ProfileFound};
    let mut app = loaded("admin");
    app.prefs.profiles = vec!["bank".into(), "port".into(), "prod".into()];
    let id = ask_find(&mut app, "10.1.0.1");
    let eq = equipements().into_iter().next().unwrap();
    let quay = SiteSummary {
        name: "QUAI DES BRUMES".into(),
        ..app.lists.sites.items[0].clone()
    };
    ok(
        &mut app,
        id,
        Payload::Found(vec![
            ProfileFound {
                profile: "bank".into(),
                found: Err("no answer within 5 s".into()),
            },
            ProfileFound {
                profile: "port".into(),
                found: Ok((
                    vec![
                        hit(
                            "port",
                            "10.1.0.1:554",
                            "LOUM",
                            FoundRecord::Equipement(eq.clone()),
                        ),
                        hit(
                            "port",
                            "QUAI DES BRUMES",
                            "QUAI DES BRUMES",
                            FoundRecord::Site(quay),
                        ),
                    ],
                    0,
                )),
            },
            ProfileFound {
                profile: "prod".into(),
                found: Ok((
                    vec![hit(
                        "prod",
                        "10.1.0.1:554",
                        "LOUM",
                        FoundRecord::Equipement(eq),
                    )],
                    3,
                )),
            },
        ]),
    );
    app
}

/// The Users tab on the Maarch directory, the users loaded.
pub fn maarch_tab_of(mut app: App) -> App {
    app.on_key(ch('3'));
    serve(&mut app);
    app.on_key(ch('U'));
    serve(&mut app);
    assert_eq!(app.lists.users_dir, vigie::protocol::Service::Maarch);
    app
}

/// LOUM's equipements answered as page `n` of `pages` (120 in all).
pub fn loum_page(items: Vec<Equipement>, n: u64, pages: u64) -> Payload {
    Payload::SiteEquipements {
        site_id: LOUM_ID.into(),
        page: page(items, n, pages, 120),
    }
}

/// LOUM's detail opened from the sites `app` shows, on page 1 of 3 of `all` (120).
pub fn loum_of_three_pages(mut app: App, all: &[Equipement]) -> App {
    app.on_key(ch('j'));
    app.on_key(key(KeyCode::Enter));
    let id = only(&app.take_requests(), |r| {
        matches!(r, Request::SiteEquipements { .. })
    });
    ok(&mut app, id, loum_page(all[..50].to_vec(), 1, 3));
    app
}
