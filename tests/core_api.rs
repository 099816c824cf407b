//! Every route of the core API, through the typed `CoreClient` against the reference server
//! over real HTTP: success shapes, each error class, token refresh and persistence.

mod common;

use std::time::Duration;

use common::{ADMIN, LECTEUR, TECH};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vigie::api::ApiError;
use vigie::api::core::{CoreAuth, CoreClient};
use vigie::api::error::{Family, classify};
use vigie::api::model::{
    EquipementUpdate, NewEquipement, NewRole, NewSite, NewUser, PermissionRef, RoleUpdate,
    SiteUpdate, UserUpdate,
};
use vigie::server::seed::{
    BICEC_ID, LOUM_CAMERA_ID, LOUM_EQUIPEMENTS, LOUM_ID, SAMPLE_EQUIPEMENT_ID, YASSA_ID, role_id,
};

/// A UUID no record has.
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";
/// Doc sites plus one per generated place (22 around Douala, 19 around Yaoundé).
const SEEDED_SITES: usize = 3 + 22 + 19;
/// The doc's sample equipement, LOUM's devices and the generated ones.
const SEEDED_EQUIPEMENTS: u64 = 1 + LOUM_EQUIPEMENTS as u64 + common::SEED_SIZE as u64;

fn perm(ressource: &str, action: &str) -> PermissionRef {
    PermissionRef::from(&vigie::api::model::Permission::new(ressource, action))
}

fn new_user(matricule: i64, email: &str, role: &str) -> NewUser {
    NewUser {
        matricule,
        nom: format!("Utilisateur {matricule}"),
        email: email.into(),
        password: "mot-de-passe-1".into(),
        role_id: role_id(role).expect("seeded role").into(),
    }
}

fn new_site(name: &str) -> NewSite {
    NewSite {
        client_id: BICEC_ID.into(),
        name: name.into(),
        longitude: 9.7,
        latitude: 4.05,
        description: "agence de test".into(),
    }
}

fn new_equipement(site_id: &str, ip: &str) -> NewEquipement {
    NewEquipement {
        ip: ip.into(),
        site_id: site_id.into(),
        marque: "Hikvision".into(),
        sources: vec![format!("rtsp://{ip}:554/Streaming/Channels/101")],
        port: 554,
        username: "admin".into(),
        password: "s3cret".into(),
        description: "Caméra de test".into(),
        modele: "DS-2CD2143G2-I".into(),
    }
}

/// The fields of a validation error, or a panic naming what came instead.
fn fields(r: Result<impl std::fmt::Debug, ApiError>) -> Vec<String> {
    match r {
        Err(e @ ApiError::Validation(_)) => {
            e.field_errors().iter().map(|f| f.field.clone()).collect()
        }
        Err(e) => panic!("expected a validation error, got {e:?}"),
        Ok(v) => panic!("expected a validation error, got Ok({})", short(&v)),
    }
}

fn expect_err<T: std::fmt::Debug>(r: Result<T, ApiError>) -> ApiError {
    match r {
        Ok(v) => panic!("expected an error, got Ok({})", short(&v)),
        Err(e) => e,
    }
}

/// The start of a value's `Debug`, so a failure does not print a whole page of records.
fn short(v: &impl std::fmt::Debug) -> String {
    let s = format!("{v:?}");
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

async fn raw_json(resp: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body");
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, headers, v)
}

// ---- users ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_list_get_create_update_deactivate() {
    let srv = common::start().await;
    let admin = srv.admin();

    let users = admin.list_users().await.unwrap();
    let demo: Vec<(Option<i64>, &str, &str)> = users
        .iter()
        .map(|u| (u.matricule, u.email.as_str(), u.role_name.as_str()))
        .collect();
    assert_eq!(
        demo,
        [
            (Some(1000), "admin@vigie.local", "admin"),
            (Some(1001), "tech@vigie.local", "technicien"),
            (Some(1002), "lecteur@vigie.local", "lecteur"),
        ]
    );
    assert!(
        users
            .iter()
            .all(|u| u.status == "activated" && u.is_active())
    );

    // By UUID and by matricule.
    let tech = &users[1];
    let got = admin.get_user(&tech.user_id).await.unwrap();
    assert_eq!(&got, tech);
    let by_matricule = admin.get_user("1001").await.unwrap();
    assert_eq!(by_matricule.user_id, tech.user_id);

    // Create.
    let created = admin
        .create_user(&new_user(2000, "nouveau@vigie.local", "lecteur"))
        .await
        .unwrap();
    assert_eq!(created.matricule, Some(2000));
    assert_eq!(created.email, "nouveau@vigie.local");
    assert_eq!(created.nom, "Utilisateur 2000");
    assert_eq!(created.role_name, "lecteur");
    assert_eq!(created.role_id, role_id("lecteur").unwrap());
    assert_eq!(created.status, "activated");
    assert!(uuid::Uuid::parse_str(&created.user_id).is_ok());
    assert_eq!(admin.list_users().await.unwrap().len(), 4);
    // The new account can log in with its password.
    let newcomer = common::client_for(&srv.url(), "nouveau@vigie.local", "mot-de-passe-1");
    let claims = newcomer.login().await.unwrap();
    assert_eq!(claims.role_name, "lecteur");
    assert_eq!(claims.user_id, created.user_id);

    // Update one field: only it changes.
    let updated = admin
        .update_user(&UserUpdate {
            user_id: created.user_id.clone(),
            nom: Some("Nom Modifié".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.nom, "Nom Modifié");
    assert_eq!(updated.matricule, created.matricule);
    assert_eq!(updated.email, created.email);
    assert_eq!(updated.role_id, created.role_id);
    assert_eq!(updated.status, created.status);
    assert_eq!(admin.get_user(&created.user_id).await.unwrap(), updated);

    // Two more fields, by matricule; the untouched ones stay.
    let updated = admin
        .update_user(&UserUpdate {
            user_id: "2000".into(),
            matricule: Some(2001),
            role_id: Some(role_id("technicien").unwrap().into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.matricule, Some(2001));
    assert_eq!(updated.role_name, "technicien");
    assert_eq!(updated.nom, "Nom Modifié");
    assert_eq!(updated.email, "nouveau@vigie.local");

    // A new password replaces the old one.
    admin
        .update_user(&UserUpdate {
            user_id: created.user_id.clone(),
            password: Some("autre-mot-de-passe".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let old = common::client_for(&srv.url(), "nouveau@vigie.local", "mot-de-passe-1");
    assert!(matches!(old.login().await, Err(ApiError::Unauthorized(_))));
    let renewed = common::client_for(&srv.url(), "nouveau@vigie.local", "autre-mot-de-passe");
    assert_eq!(renewed.login().await.unwrap().role_name, "technicien");
    // Logged in before the deactivation: the session must not survive it.
    renewed.list_sites().await.unwrap();

    // Deactivate: 204, status flips, logins and live sessions stop.
    admin.deactivate_user(&created.user_id).await.unwrap();
    let gone = admin.get_user(&created.user_id).await.unwrap();
    assert_eq!(gone.status, "deactivated");
    assert!(!gone.is_active());
    assert_eq!(gone.nom, "Nom Modifié");
    let e = expect_err(
        common::client_for(&srv.url(), "nouveau@vigie.local", "autre-mot-de-passe")
            .login()
            .await,
    );
    assert!(e.to_string().contains("Inactive user"), "{e}");
    assert!(renewed.list_sites().await.is_err());

    // The raw answer of the deactivation is an empty 204.
    let other = admin
        .create_user(&new_user(2002, "autre@vigie.local", "lecteur"))
        .await
        .unwrap();
    let token = common::raw_token(&srv.url(), ADMIN).await;
    let resp = reqwest::Client::new()
        .delete(format!("{}/users/delete/{}", srv.url(), other.user_id))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.bytes().await.unwrap().is_empty());
    assert_eq!(admin.get_user("2002").await.unwrap().status, "deactivated");

    // An admin cannot lock themself out.
    let me = admin.get_user("1000").await.unwrap();
    assert!(matches!(
        admin.deactivate_user(&me.user_id).await,
        Err(ApiError::Conflict(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_answers_never_carry_a_password() {
    let srv = common::start().await;
    let token = common::raw_token(&srv.url(), ADMIN).await;
    let http = reqwest::Client::new();
    let check = |v: &Value| {
        let o = v.as_object().expect("a user object");
        assert!(o.contains_key("user_id"), "{v}");
        assert_eq!(o.get("password"), Some(&Value::Null), "{v}");
        assert!(!o.contains_key("password_hash"), "{v}");
        let text = v.to_string();
        assert!(!text.contains("$argon2"), "{text}");
        assert!(!text.contains("-demo"), "{text}");
    };

    let (status, _, list) = raw_json(
        http.get(format!("{}/users/list", srv.url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let list = list.as_array().expect("a list");
    assert_eq!(list.len(), 3);
    list.iter().for_each(check);

    let (status, _, one) = raw_json(
        http.get(format!("{}/users/1000", srv.url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    check(&one);

    let body = json!({"matricule": 3000, "nom": "X", "email": "x@vigie.local",
                      "password": "clair-et-net", "role_id": role_id("lecteur")});
    let (status, _, created) = raw_json(
        http.post(format!("{}/users/create", srv.url()))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    check(&created);
    assert!(!created.to_string().contains("clair-et-net"));

    let body = json!({"user_id": created["user_id"], "password": "encore-plus-clair"});
    let (status, _, updated) = raw_json(
        http.put(format!("{}/users/update", srv.url()))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    check(&updated);
    assert!(!updated.to_string().contains("encore-plus-clair"));
}

// ---- roles ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_create_update_add_permissions_list_delete() {
    let srv = common::start().await;
    let admin = srv.admin();

    let roles = admin.list_roles().await.unwrap();
    let mut names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["admin", "lecteur", "technicien"]);
    let admin_role = roles.iter().find(|r| r.name == "admin").unwrap();
    assert_eq!(admin_role.permissions.len(), 16);
    let lecteur_role = roles.iter().find(|r| r.name == "lecteur").unwrap();
    assert!(lecteur_role.permissions.iter().all(|p| p.action == "read"));

    let created = admin
        .create_role(&NewRole {
            name: "auditeur".into(),
            description: "Lit les sites".into(),
            permissions: vec![perm("client_site", "read"), perm("equipements", "read")],
        })
        .await
        .unwrap();
    assert_eq!(created.name, "auditeur");
    assert_eq!(created.description, "Lit les sites");
    let keys = |r: &vigie::api::model::Role| {
        let mut k: Vec<String> = r.permissions.iter().map(|p| p.key()).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&created), ["client_site:read", "equipements:read"]);
    assert!(
        created
            .permissions
            .iter()
            .all(|p| !p.permission_id.is_empty())
    );

    // Only the description: name and permissions stay.
    let updated = admin
        .update_role(&RoleUpdate {
            role_id: created.role_id.clone(),
            description: Some("Lit tout".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.description, "Lit tout");
    assert_eq!(updated.name, "auditeur");
    assert_eq!(keys(&updated), keys(&created));

    // A permissions list replaces the grants.
    let updated = admin
        .update_role(&RoleUpdate {
            role_id: created.role_id.clone(),
            name: Some("auditeur-2".into()),
            permissions: Some(vec![perm("users", "read")]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.name, "auditeur-2");
    assert_eq!(keys(&updated), ["users:read"]);

    // add_permissions adds (and ignores one already granted).
    let added = admin
        .add_permissions(
            &created.role_id,
            &[perm("roles", "read"), perm("users", "read")],
        )
        .await
        .unwrap();
    assert_eq!(added.role_id, created.role_id);
    assert_eq!(keys(&added), ["roles:read", "users:read"]);

    let roles = admin.list_roles().await.unwrap();
    assert_eq!(roles.len(), 4);
    let listed = roles.iter().find(|r| r.role_id == created.role_id).unwrap();
    assert_eq!(listed.name, "auditeur-2");
    assert_eq!(listed.description, "Lit tout");
    assert_eq!(keys(listed), ["roles:read", "users:read"]);

    // An unknown permission is a validation error on `permissions`.
    let f = fields(
        admin
            .add_permissions(&created.role_id, &[perm("bananes", "eat")])
            .await,
    );
    assert_eq!(f, ["permissions"]);

    admin.delete_role(&created.role_id).await.unwrap();
    let roles = admin.list_roles().await.unwrap();
    assert_eq!(roles.len(), 3);
    assert!(roles.iter().all(|r| r.role_id != created.role_id));
    assert!(matches!(
        admin.delete_role(&created.role_id).await,
        Err(ApiError::NotFound(_))
    ));
}

// ---- client sites ---------------------------------------------------------------------------

/// LOUM, the README's running example, holds a real site's devices — cameras, a switch, an
/// access controller, an NVR — and not the swagger's sample, which sits on YASSA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_loum_holds_a_real_sites_devices_not_the_sample() {
    let srv = common::start().await;
    let admin = srv.admin();
    let loum = admin.site_equipements(LOUM_ID, 1, 50).await.unwrap();
    assert_eq!(loum.total, Some(LOUM_EQUIPEMENTS as u64));
    let rows: Vec<(&str, &str, &str, Option<i64>)> = loum
        .items
        .iter()
        .map(|e| (e.ip.as_str(), e.marque.as_str(), e.modele.as_str(), e.port))
        .collect();
    assert_eq!(
        rows,
        [
            ("10.100.0.11", "Hikvision", "DS-2CD2143G2-I", Some(554)),
            ("10.100.0.12", "Axis", "P3245-LVE", Some(554)),
            ("10.100.0.2", "Cisco", "Catalyst 2960X-24PS-L", Some(22)),
            ("10.100.0.21", "HID", "VertX EVO V1000", Some(4070)),
            ("10.100.0.31", "Hikvision", "DS-7616NI-K2/16P", Some(8000)),
        ]
    );
    // Each kind of device, as its description says it.
    for kind in ["Caméra", "Switch", "Contrôleur d'accès", "Enregistreur NVR"] {
        assert!(
            loum.items.iter().any(|e| e.description.starts_with(kind)),
            "no {kind} on LOUM"
        );
    }
    // Cameras stream over RTSP; every device has a credential and a source.
    for e in &loum.items {
        assert!(
            !e.sources.0.is_empty() && !e.password.expose().is_empty(),
            "{e:?}"
        );
        if e.port == Some(554) {
            assert!(
                e.sources.0.iter().all(|s| s.starts_with("rtsp://")),
                "{e:?}"
            );
        }
    }
    assert!(loum.items.iter().all(|e| e.ip != "1.1.1.1"
        && e.marque != "mmmm"
        && e.equipement_id != SAMPLE_EQUIPEMENT_ID));
    let yassa = admin.site_equipements(YASSA_ID, 1, 50).await.unwrap();
    let ids: Vec<&str> = yassa
        .items
        .iter()
        .map(|e| e.equipement_id.as_str())
        .collect();
    assert_eq!(ids, [SAMPLE_EQUIPEMENT_ID]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_register_all_paging_update_delete() {
    let srv = common::start().await;
    let admin = srv.admin();

    let sites = admin.list_sites().await.unwrap();
    assert_eq!(sites.len(), SEEDED_SITES);
    let loum = sites.iter().find(|s| s.site_id == LOUM_ID).expect("LOUM");
    assert_eq!(loum.name, "LOUM");
    let client = loum.client.as_ref().expect("embedded client");
    assert_eq!(client.nom, "BICEC Bank");
    assert_eq!(client.code, Some(984));
    assert_eq!(client.client_id, BICEC_ID);
    assert_eq!(loum.client_id(), Some(BICEC_ID));
    assert_eq!((loum.longitude, loum.latitude), (Some(26.45), Some(43.56)));
    assert_eq!(loum.equipements.len(), LOUM_EQUIPEMENTS);
    let eq = &loum.equipements[0];
    assert_eq!(eq.equipement_id, LOUM_CAMERA_ID);
    assert_eq!(eq.ip, "10.100.0.11");
    assert_eq!(eq.port, Some(554));
    assert_eq!(
        eq.sources.0,
        [
            "rtsp://10.100.0.11:554/Streaming/Channels/101",
            "rtsp://10.100.0.11:554/Streaming/Channels/102"
        ]
    );
    assert_eq!(eq.password.expose(), "Lm-4c7e-011");
    // The swagger's sample, as the doc writes it, on YASSA.
    let yassa = sites.iter().find(|s| s.site_id == YASSA_ID).expect("YASSA");
    assert_eq!(yassa.equipements.len(), 1);
    let eq = &yassa.equipements[0];
    assert_eq!(eq.equipement_id, SAMPLE_EQUIPEMENT_ID);
    assert_eq!(eq.ip, "1.1.1.1");
    assert_eq!(eq.port, Some(100));
    assert_eq!(eq.sources.0, ["hhhhhhh", "jjjjjjjjj"]);
    assert_eq!(eq.password.expose(), "passoword_hashed");
    let total: usize = sites.iter().map(|s| s.equipements.len()).sum();
    assert_eq!(total as u64, SEEDED_EQUIPEMENTS);
    let summaries = admin.list_site_summaries().await.unwrap();
    assert_eq!(summaries.len(), SEEDED_SITES);
    assert_eq!(
        summaries
            .iter()
            .find(|s| s.site_id == LOUM_ID)
            .unwrap()
            .equipement_count,
        LOUM_EQUIPEMENTS
    );

    // Paging of a site's equipements: LOUM's five on pages of 2.
    let p = admin.site_equipements(LOUM_ID, 1, 2).await.unwrap();
    assert_eq!(
        (p.total, p.page, p.size, p.pages),
        (Some(5), Some(1), Some(2), Some(3))
    );
    let ips: Vec<&str> = p.items.iter().map(|e| e.ip.as_str()).collect();
    assert_eq!(ips, ["10.100.0.11", "10.100.0.12"]);
    let last = admin.site_equipements(LOUM_ID, 3, 2).await.unwrap();
    assert_eq!(last.items.len(), 1);
    assert_eq!(last.items[0].ip, "10.100.0.31");
    let past = admin.site_equipements(LOUM_ID, 4, 2).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(
        (past.total, past.page, past.pages),
        (Some(5), Some(4), Some(3))
    );

    // Register.
    let created = admin.create_site(&new_site("AGENCE TEST")).await.unwrap();
    assert!(uuid::Uuid::parse_str(&created.site_id).is_ok());
    assert_eq!(created.name, "AGENCE TEST");
    assert_eq!(
        (created.longitude, created.latitude),
        (Some(9.7), Some(4.05))
    );
    assert_eq!(created.description, "agence de test");
    assert_eq!(created.client_id(), Some(BICEC_ID));
    assert!(created.equipements.is_empty());
    assert!(created.timestamp.as_ref().and_then(|t| t.parsed).is_some());
    assert_eq!(admin.list_sites().await.unwrap().len(), SEEDED_SITES + 1);

    // Five equipements, pages of two: 3 pages, the last with one, the 4th empty.
    for i in 1..=5 {
        admin
            .create_equipement(&new_equipement(&created.site_id, &format!("192.168.1.{i}")))
            .await
            .unwrap();
    }
    let p1 = admin
        .site_equipements(&created.site_id, 1, 2)
        .await
        .unwrap();
    assert_eq!((p1.total, p1.pages, p1.size), (Some(5), Some(3), Some(2)));
    assert_eq!(
        p1.items.iter().map(|e| e.ip.as_str()).collect::<Vec<_>>(),
        ["192.168.1.1", "192.168.1.2"]
    );
    let p3 = admin
        .site_equipements(&created.site_id, 3, 2)
        .await
        .unwrap();
    assert_eq!(p3.items.len(), 1);
    assert_eq!(p3.items[0].ip, "192.168.1.5");
    let p4 = admin
        .site_equipements(&created.site_id, 4, 2)
        .await
        .unwrap();
    assert!(p4.items.is_empty());
    assert_eq!((p4.total, p4.pages), (Some(5), Some(3)));
    let all = vigie::list::site_equipements(&admin, &created.site_id)
        .await
        .unwrap();
    assert_eq!(all.len(), 5);

    // Update one field: only it changes.
    let updated = admin
        .update_site(&SiteUpdate {
            site_id: created.site_id.clone(),
            latitude: Some(-3.5),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.latitude, Some(-3.5));
    assert_eq!(updated.longitude, Some(9.7));
    assert_eq!(updated.name, "AGENCE TEST");
    assert_eq!(updated.description, "agence de test");
    assert_eq!(updated.equipements.len(), 5);
    let updated = admin
        .update_site(&SiteUpdate {
            site_id: created.site_id.clone(),
            name: Some("AGENCE RENOMMÉE".into()),
            description: Some(String::new()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.name, "AGENCE RENOMMÉE");
    assert_eq!(updated.description, "");
    assert_eq!(updated.latitude, Some(-3.5));

    // Delete: once empty.
    assert!(matches!(
        admin.delete_site(&created.site_id).await,
        Err(ApiError::Conflict(_))
    ));
    for e in all {
        admin.delete_equipement(&e.equipement_id).await.unwrap();
    }
    admin.delete_site(&created.site_id).await.unwrap();
    let sites = admin.list_sites().await.unwrap();
    assert_eq!(sites.len(), SEEDED_SITES);
    assert!(sites.iter().all(|s| s.site_id != created.site_id));
    assert!(matches!(
        admin.site_equipements(&created.site_id, 1, 10).await,
        Err(ApiError::NotFound(_))
    ));
}

// ---- equipements ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equipements_register_all_update_delete() {
    let srv = common::start().await;
    let admin = srv.admin();

    let p = admin.list_equipements(1, 25).await.unwrap();
    assert_eq!(p.total, Some(SEEDED_EQUIPEMENTS));
    assert_eq!((p.page, p.size), (Some(1), Some(25)));
    assert_eq!(p.pages, Some(SEEDED_EQUIPEMENTS.div_ceil(25)));
    assert_eq!(p.items.len(), 25);
    for e in &p.items {
        let cs = e.client_site.as_ref().expect("client_site embedded");
        assert!(uuid::Uuid::parse_str(&cs.site_id).is_ok(), "{cs:?}");
        assert!(!cs.name.is_empty());
        assert!(!cs.client_id.is_empty());
        assert_eq!(e.site_id(), Some(cs.site_id.as_str()));
    }
    let doc = p
        .items
        .iter()
        .find(|e| e.equipement_id == SAMPLE_EQUIPEMENT_ID)
        .expect("the doc's equipement comes first");
    let cs = doc.client_site.as_ref().unwrap();
    assert_eq!((cs.site_id.as_str(), cs.name.as_str()), (YASSA_ID, "YASSA"));
    assert_eq!(cs.client_id, BICEC_ID);
    assert_eq!(doc.ip, "1.1.1.1");

    // The last page holds the rest; past it, 200 and nothing.
    let last_page = SEEDED_EQUIPEMENTS.div_ceil(25) as u32;
    let last = admin.list_equipements(last_page, 25).await.unwrap();
    assert_eq!(
        last.items.len() as u64,
        SEEDED_EQUIPEMENTS - 25 * u64::from(last_page - 1)
    );
    let past = admin.list_equipements(last_page + 1, 25).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, Some(SEEDED_EQUIPEMENTS));
    let every = admin
        .all_pages(|n| admin.list_equipements(n, 100))
        .await
        .unwrap();
    assert_eq!(every.len() as u64, SEEDED_EQUIPEMENTS);

    // Register.
    let created = admin
        .create_equipement(&new_equipement(LOUM_ID, "10.99.0.1"))
        .await
        .unwrap();
    assert!(uuid::Uuid::parse_str(&created.equipement_id).is_ok());
    assert_eq!(created.ip, "10.99.0.1");
    assert_eq!(created.port, Some(554));
    assert_eq!(created.marque, "Hikvision");
    assert_eq!(created.modele, "DS-2CD2143G2-I");
    assert_eq!(created.username, "admin");
    assert_eq!(created.password.expose(), "s3cret");
    assert_eq!(
        created.sources.0,
        ["rtsp://10.99.0.1:554/Streaming/Channels/101"]
    );
    assert_eq!(created.site_id(), Some(LOUM_ID));
    let p = admin.list_equipements(1, 10).await.unwrap();
    assert_eq!(p.total, Some(SEEDED_EQUIPEMENTS + 1));
    assert_eq!(
        admin.site_equipements(LOUM_ID, 1, 10).await.unwrap().total,
        Some(1 + LOUM_EQUIPEMENTS as u64)
    );

    // The same ip:port on the same site is a conflict.
    assert!(matches!(
        admin
            .create_equipement(&new_equipement(LOUM_ID, "10.99.0.1"))
            .await,
        Err(ApiError::Conflict(_))
    ));

    // Update one field: only it changes.
    let updated = admin
        .update_equipement(&EquipementUpdate {
            equipement_id: created.equipement_id.clone(),
            port: Some(8554),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.port, Some(8554));
    assert_eq!(updated.ip, created.ip);
    assert_eq!(updated.marque, created.marque);
    assert_eq!(updated.sources, created.sources);
    assert_eq!(updated.password, created.password);
    assert_eq!(updated.description, created.description);
    assert_eq!(updated.site_id(), Some(LOUM_ID));
    let updated = admin
        .update_equipement(&EquipementUpdate {
            equipement_id: created.equipement_id.clone(),
            ip: Some("10.99.0.2".into()),
            sources: Some(vec!["a".into(), "b".into()]),
            description: Some("déplacée".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.ip, "10.99.0.2");
    assert_eq!(updated.sources.0, ["a", "b"]);
    assert_eq!(updated.description, "déplacée");
    assert_eq!(updated.port, Some(8554));
    assert_eq!(updated.modele, created.modele);

    // Delete.
    admin
        .delete_equipement(&created.equipement_id)
        .await
        .unwrap();
    assert_eq!(
        admin.list_equipements(1, 10).await.unwrap().total,
        Some(SEEDED_EQUIPEMENTS)
    );
    assert!(matches!(
        admin.delete_equipement(&created.equipement_id).await,
        Err(ApiError::NotFound(_))
    ));
}

// ---- error classes --------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_without_credentials_or_with_a_bad_password() {
    let srv = common::start().await;
    let url = srv.url();

    // No credentials at all: refused before any request.
    let anon = CoreClient::new(&url, CoreAuth::None, &common::http_options()).unwrap();
    assert!(!anon.has_credentials());
    assert!(matches!(
        anon.list_sites().await,
        Err(ApiError::Unauthorized(_))
    ));

    // Wrong password, unknown user: the server's 401 words.
    for (user, pass) in [
        ("admin@vigie.local", "wrong-password"),
        ("nobody@vigie.local", "x"),
    ] {
        let c = common::client_for(&url, user, pass);
        let e = expect_err(c.list_sites().await);
        assert_eq!(
            e,
            ApiError::Unauthorized("Incorrect username or password".into()),
            "{user}"
        );
        assert_eq!(e.status(), Some(401));
        assert_eq!(
            expect_err(c.login().await),
            ApiError::Unauthorized("Incorrect username or password".into())
        );
    }

    // The raw 401 of a failed login.
    let resp = reqwest::Client::new()
        .post(format!("{url}/auth/login"))
        .form(&[("username", "admin@vigie.local"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    let (status, headers, body) = raw_json(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"detail": "Incorrect username or password"}));
    assert_eq!(headers.get("www-authenticate").unwrap(), "Bearer");

    // A token the server did not sign.
    let forged = CoreClient::new(
        &url,
        CoreAuth::Token(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
                .to_string()
                .into(),
        ),
        &common::http_options(),
    )
    .unwrap();
    assert!(matches!(
        forged.list_users().await,
        Err(ApiError::Unauthorized(_))
    ));

    // Login by matricule works.
    let by_matricule = common::client_for(&url, "1001", "tech-demo");
    assert_eq!(by_matricule.login().await.unwrap().role_name, "technicien");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_bearer_is_a_fastapi_401() {
    let srv = common::start().await;
    let http = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::GET, "/users/list".to_string()),
        (reqwest::Method::GET, "/client_site/all".to_string()),
        (reqwest::Method::GET, "/equipements/all".to_string()),
        (reqwest::Method::DELETE, format!("/client_site/{LOUM_ID}")),
    ] {
        let resp = http
            .request(method.clone(), format!("{}{path}", srv.url()))
            .send()
            .await
            .unwrap();
        let (status, headers, body) = raw_json(resp).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            headers.get("www-authenticate").map(|h| h.to_str().unwrap()),
            Some("Bearer"),
            "{method} {path}"
        );
        assert_eq!(
            body,
            json!({"detail": "Not authenticated"}),
            "{method} {path}"
        );
    }
    // And nothing was deleted.
    let sites = srv.admin().list_sites().await.unwrap();
    assert!(sites.iter().any(|s| s.site_id == LOUM_ID));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_by_role() {
    let srv = common::start().await;
    let admin = srv.admin();
    let lecteur = srv.client(LECTEUR);
    let tech = srv.client(TECH);

    // A lecteur reads, but cannot delete a site nor create a user.
    assert_eq!(lecteur.list_sites().await.unwrap().len(), SEEDED_SITES);
    let e = expect_err(lecteur.delete_site(LOUM_ID).await);
    let ApiError::Forbidden(msg) = &e else {
        panic!("expected Forbidden, got {e:?}")
    };
    assert!(msg.contains("lecteur"), "{msg}");
    assert_eq!(e.status(), Some(403));
    let e = expect_err(
        lecteur
            .create_user(&new_user(4000, "interdit@vigie.local", "lecteur"))
            .await,
    );
    let ApiError::Forbidden(msg) = &e else {
        panic!("expected Forbidden, got {e:?}")
    };
    assert!(msg.contains("lecteur"), "{msg}");
    assert!(matches!(
        lecteur
            .update_equipement(&EquipementUpdate {
                equipement_id: LOUM_CAMERA_ID.into(),
                port: Some(101),
                ..Default::default()
            })
            .await,
        Err(ApiError::Forbidden(_))
    ));
    // Nothing changed.
    assert!(
        admin
            .list_sites()
            .await
            .unwrap()
            .iter()
            .any(|s| s.site_id == LOUM_ID)
    );
    assert_eq!(admin.list_users().await.unwrap().len(), 3);

    // A technicien updates an equipement but cannot delete it.
    let updated = tech
        .update_equipement(&EquipementUpdate {
            equipement_id: LOUM_CAMERA_ID.into(),
            description: Some("vérifiée par le technicien".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.description, "vérifiée par le technicien");
    assert_eq!(updated.ip, "10.100.0.11");
    let e = expect_err(tech.delete_equipement(LOUM_CAMERA_ID).await);
    let ApiError::Forbidden(msg) = &e else {
        panic!("expected Forbidden, got {e:?}")
    };
    assert!(msg.contains("technicien"), "{msg}");
    let loum = admin.site_equipements(LOUM_ID, 1, 10).await.unwrap();
    assert_eq!(loum.items.len(), LOUM_EQUIPEMENTS);
    assert_eq!(loum.items[0].description, "vérifiée par le technicien");
    assert!(matches!(tech.list_roles().await, Ok(r) if r.len() == 3));
    assert!(matches!(
        tech.create_site(&new_site("PAS LE DROIT")).await,
        Err(ApiError::Forbidden(_))
    ));

    // A role's permissions change under a live session: the next request obeys them.
    let tech_role = role_id("technicien").expect("seeded role").to_string();
    let before = admin
        .list_roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.role_id == tech_role)
        .expect("technicien role")
        .permissions;
    let revoke = |keep: bool| RoleUpdate {
        role_id: tech_role.clone(),
        permissions: Some(
            before
                .iter()
                .filter(|p| {
                    keep || (p.ressource.as_str(), p.action.as_str()) != ("equipements", "read")
                })
                .map(|p| perm(&p.ressource, &p.action))
                .collect(),
        ),
        ..Default::default()
    };
    tech.list_equipements(1, 10).await.unwrap();
    admin.update_role(&revoke(false)).await.unwrap();
    assert!(matches!(
        tech.list_equipements(1, 10).await,
        Err(ApiError::Forbidden(_))
    ));
    admin.update_role(&revoke(true)).await.unwrap();
    assert_eq!(tech.list_equipements(1, 10).await.unwrap().items.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_for_unknown_ids() {
    let srv = common::start().await;
    let admin = srv.admin();
    let nf = |r: Result<(), ApiError>, what: &str| match r {
        Err(ApiError::NotFound(m)) => assert!(m.contains("not found"), "{what}: {m}"),
        other => panic!("{what}: expected NotFound, got {other:?}"),
    };
    nf(admin.get_user(UNKNOWN_ID).await.map(drop), "get_user");
    nf(
        admin.get_user("987654").await.map(drop),
        "get_user by matricule",
    );
    nf(admin.deactivate_user(UNKNOWN_ID).await, "deactivate_user");
    nf(
        admin
            .update_user(&UserUpdate {
                user_id: UNKNOWN_ID.into(),
                nom: Some("x".into()),
                ..Default::default()
            })
            .await
            .map(drop),
        "update_user",
    );
    nf(
        admin
            .create_user(&NewUser {
                role_id: UNKNOWN_ID.into(),
                ..new_user(5000, "sans-role@vigie.local", "lecteur")
            })
            .await
            .map(drop),
        "create_user with an unknown role",
    );
    nf(admin.delete_role(UNKNOWN_ID).await, "delete_role");
    nf(
        admin
            .update_role(&RoleUpdate {
                role_id: UNKNOWN_ID.into(),
                name: Some("x".into()),
                ..Default::default()
            })
            .await
            .map(drop),
        "update_role",
    );
    nf(
        admin
            .add_permissions(UNKNOWN_ID, &[perm("users", "read")])
            .await
            .map(drop),
        "add_permissions",
    );
    nf(admin.delete_site(UNKNOWN_ID).await, "delete_site");
    nf(
        admin
            .update_site(&SiteUpdate {
                site_id: UNKNOWN_ID.into(),
                name: Some("x".into()),
                ..Default::default()
            })
            .await
            .map(drop),
        "update_site",
    );
    nf(
        admin.site_equipements(UNKNOWN_ID, 1, 10).await.map(drop),
        "site_equipements",
    );
    nf(
        admin
            .create_site(&NewSite {
                client_id: UNKNOWN_ID.into(),
                ..new_site("ORPHELIN")
            })
            .await
            .map(drop),
        "create_site with an unknown client",
    );
    nf(
        admin.delete_equipement(UNKNOWN_ID).await,
        "delete_equipement",
    );
    nf(
        admin
            .update_equipement(&EquipementUpdate {
                equipement_id: UNKNOWN_ID.into(),
                port: Some(1),
                ..Default::default()
            })
            .await
            .map(drop),
        "update_equipement",
    );
    nf(
        admin
            .create_equipement(&new_equipement(UNKNOWN_ID, "10.0.0.1"))
            .await
            .map(drop),
        "create_equipement on an unknown site",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts() {
    let srv = common::start().await;
    let admin = srv.admin();
    let conflict = |r: Result<(), ApiError>, what: &str, words: &str| match r {
        Err(ApiError::Conflict(m)) => assert!(m.contains(words), "{what}: {m}"),
        other => panic!("{what}: expected Conflict, got {other:?}"),
    };

    conflict(
        admin
            .create_user(&new_user(1001, "unique@vigie.local", "lecteur"))
            .await
            .map(drop),
        "duplicate matricule",
        "matricule 1001",
    );
    conflict(
        admin
            .create_user(&new_user(6000, "tech@vigie.local", "lecteur"))
            .await
            .map(drop),
        "duplicate email",
        "tech@vigie.local",
    );
    conflict(
        admin
            .create_user(&new_user(6001, "TECH@Vigie.Local", "lecteur"))
            .await
            .map(drop),
        "duplicate email in another case",
        "already exists",
    );
    // Taking another user's matricule by update is refused too.
    conflict(
        admin
            .update_user(&UserUpdate {
                user_id: "1002".into(),
                matricule: Some(1001),
                ..Default::default()
            })
            .await
            .map(drop),
        "update to a taken matricule",
        "matricule 1001",
    );
    assert_eq!(admin.list_users().await.unwrap().len(), 3);

    // A site still holding equipements.
    conflict(admin.delete_site(LOUM_ID).await, "delete LOUM", "LOUM");
    assert!(
        admin
            .list_sites()
            .await
            .unwrap()
            .iter()
            .any(|s| s.site_id == LOUM_ID)
    );

    // A role still assigned.
    conflict(
        admin.delete_role(role_id("lecteur").unwrap()).await,
        "delete an assigned role",
        "1 user",
    );
    assert_eq!(admin.list_roles().await.unwrap().len(), 3);

    // Names that must stay unique.
    conflict(
        admin
            .create_role(&NewRole {
                name: "admin".into(),
                ..Default::default()
            })
            .await
            .map(drop),
        "duplicate role name",
        "admin",
    );
    conflict(
        admin.create_site(&new_site("LOUM")).await.map(drop),
        "duplicate site name for a client",
        "LOUM",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_map_to_fields() {
    let srv = common::start().await;
    let admin = srv.admin();

    let f = fields(
        admin
            .create_user(&new_user(7000, "pas-une-adresse", "lecteur"))
            .await,
    );
    assert_eq!(f, ["email"]);
    let e = expect_err(admin.create_user(&new_user(7000, "a@b", "lecteur")).await);
    assert_eq!(e.field_errors()[0].field, "email");
    assert_eq!(e.field_errors()[0].kind, "value_error");
    assert_eq!(e.field_errors()[0].loc, ["body", "email"]);
    assert_eq!(e.status(), Some(422));
    let f = fields(
        admin
            .update_user(&UserUpdate {
                user_id: "1001".into(),
                email: Some("pas@valide".into()),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(f, ["email"]);

    let e = expect_err(
        admin
            .create_equipement(&new_equipement(LOUM_ID, "1.2.3"))
            .await,
    );
    assert_eq!(fields(Err::<(), _>(e.clone())), ["ip"]);
    assert_eq!(e.field_errors()[0].kind, "ip_any_address");
    let e = expect_err(
        admin
            .create_equipement(&NewEquipement {
                port: 70000,
                ..new_equipement(LOUM_ID, "10.0.0.9")
            })
            .await,
    );
    assert_eq!(e.field_errors().len(), 1);
    assert_eq!(e.field_errors()[0].field, "port");
    assert_eq!(e.field_errors()[0].kind, "less_than_equal");
    assert_eq!(
        e.field_errors()[0].msg,
        "Input should be less than or equal to 65535"
    );
    let f = fields(
        admin
            .update_equipement(&EquipementUpdate {
                equipement_id: SAMPLE_EQUIPEMENT_ID.into(),
                ip: Some("999.1.1.1".into()),
                port: Some(0),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(f, ["ip", "port"]);

    let e = expect_err(
        admin
            .create_site(&NewSite {
                latitude: 91.0,
                ..new_site("TROP AU NORD")
            })
            .await,
    );
    assert_eq!(e.field_errors().len(), 1);
    assert_eq!(e.field_errors()[0].field, "latitude");
    assert_eq!(
        e.field_errors()[0].msg,
        "Input should be less than or equal to 90"
    );
    let e = expect_err(
        admin
            .create_site(&NewSite {
                longitude: -181.0,
                ..new_site("TROP À L'OUEST")
            })
            .await,
    );
    assert_eq!(e.field_errors().len(), 1);
    assert_eq!(e.field_errors()[0].field, "longitude");
    assert_eq!(e.field_errors()[0].kind, "greater_than_equal");
    let f = fields(
        admin
            .update_site(&SiteUpdate {
                site_id: LOUM_ID.into(),
                latitude: Some(-90.5),
                longitude: Some(180.5),
                ..Default::default()
            })
            .await,
    );
    assert_eq!(f, ["longitude", "latitude"]);
    // Nothing was written by the refused requests.
    let sites = admin.list_sites().await.unwrap();
    assert_eq!(sites.len(), SEEDED_SITES);
    let loum = sites.iter().find(|s| s.site_id == LOUM_ID).unwrap();
    assert_eq!(loum.latitude, Some(43.56));

    // Query parameters: the typed client sends them as given.
    let e = expect_err(admin.list_equipements(1, 101).await);
    assert_eq!(e.field_errors()[0].field, "size");
    assert_eq!(e.field_errors()[0].loc, ["query", "size"]);
    assert_eq!(e.field_errors()[0].kind, "less_than_equal");
    let e = expect_err(admin.list_equipements(0, 10).await);
    assert_eq!(e.field_errors()[0].field, "page");
    assert_eq!(e.field_errors()[0].kind, "greater_than_equal");
    assert_eq!(
        fields(admin.list_equipements(0, 101).await),
        ["page", "size"]
    );
    assert_eq!(
        fields(admin.site_equipements(LOUM_ID, 1, 101).await),
        ["size"]
    );

    // Non-UUID path ids, through the typed client.
    assert_eq!(fields(admin.delete_site("pas-un-uuid").await), ["site_id"]);
    assert_eq!(
        fields(admin.delete_equipement("xyz").await),
        ["equipement_id"]
    );
    assert_eq!(fields(admin.delete_role("42-42").await), ["role_id"]);
    assert_eq!(fields(admin.get_user("abc").await), ["user_id"]);
    assert_eq!(fields(admin.deactivate_user("abc").await), ["user_id"]);
    assert_eq!(
        fields(admin.site_equipements("nope", 0, 10).await),
        ["site_id", "page"]
    );

    // The same and what the typed client cannot send, raw.
    let token = common::raw_token(&srv.url(), ADMIN).await;
    let http = reqwest::Client::new();
    let url = srv.url();

    for (query, field) in [
        ("size=101", "size"),
        ("page=0", "page"),
        ("size=abc", "size"),
    ] {
        let resp = http
            .get(format!("{url}/equipements/all?{query}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let (status, headers, body) = raw_json(resp).await;
        assert_eq!(status, 422, "{query}");
        assert_eq!(body["detail"][0]["loc"], json!(["query", field]), "{query}");
        let e = classify(Family::Core, status, &headers, body.to_string().as_bytes());
        assert_eq!(e.field_errors()[0].field, field, "{query}");
    }

    let resp = http
        .delete(format!("{url}/equipements/not-a-uuid"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = raw_json(resp).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["type"], "uuid_parsing");
    assert_eq!(body["detail"][0]["loc"], json!(["path", "equipement_id"]));
    assert_eq!(body["detail"][0]["input"], "not-a-uuid");
    let resp = http
        .get(format!("{url}/client_site/not-a-uuid/all_equipements"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = raw_json(resp).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["loc"], json!(["path", "site_id"]));

    // A missing field.
    let resp = http
        .post(format!("{url}/client_site/register"))
        .bearer_auth(&token)
        .json(&json!({"client_id": BICEC_ID, "longitude": 9.7, "latitude": 4.0}))
        .send()
        .await
        .unwrap();
    let (status, headers, body) = raw_json(resp).await;
    assert_eq!(status, 422);
    let e = classify(Family::Core, status, &headers, body.to_string().as_bytes());
    assert_eq!(e.field_errors().len(), 1, "{body}");
    assert_eq!(e.field_errors()[0].field, "name");
    assert_eq!(e.field_errors()[0].kind, "missing");
    assert_eq!(e.field_errors()[0].msg, "Field required");
    let resp = http
        .post(format!("{url}/equipements/register"))
        .bearer_auth(&token)
        .json(&json!({"site_id": LOUM_ID, "ip": "10.1.1.1", "marque": "m", "modele": "m"}))
        .send()
        .await
        .unwrap();
    let (status, headers, body) = raw_json(resp).await;
    assert_eq!(status, 422);
    let e = classify(Family::Core, status, &headers, body.to_string().as_bytes());
    assert_eq!(fields(Err::<(), _>(e)), ["port"]);

    // A malformed JSON body.
    let resp = http
        .post(format!("{url}/client_site/register"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"client_id": "#)
        .send()
        .await
        .unwrap();
    let (status, headers, body) = raw_json(resp).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "json_invalid", "{body}");
    assert_eq!(body["detail"][0]["loc"][0], "body");
    let e = classify(Family::Core, status, &headers, body.to_string().as_bytes());
    assert_eq!(e.field_errors()[0].kind, "json_invalid");
    let resp = http
        .put(format!("{url}/equipements/update"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json}")
        .send()
        .await
        .unwrap();
    let (status, _, body) = raw_json(resp).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["type"], "json_invalid", "{body}");
}

// ---- sessions and persistence ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_access_token_is_renewed_by_the_client() {
    let srv = common::start_with(|c| c.access_ttl = Duration::from_secs(1)).await;
    let admin = srv.admin();
    assert_eq!(admin.list_sites().await.unwrap().len(), SEEDED_SITES);
    let first = admin.claims().await.expect("logged in");
    let raw = common::raw_token(&srv.url(), ADMIN).await;
    // The technicien logs in, then their password changes: only the refresh token can keep
    // their session going, a fresh login with the old password would fail.
    let tech = srv.client(TECH);
    assert_eq!(tech.list_roles().await.unwrap().len(), 3);
    admin
        .update_user(&UserUpdate {
            user_id: "1001".into(),
            password: Some("nouveau-secret".into()),
            ..Default::default()
        })
        .await
        .unwrap();

    tokio::time::sleep(Duration::from_millis(2500)).await;

    // The server really refuses an access token that old...
    let resp = reqwest::Client::new()
        .get(format!("{}/client_site/all", srv.url()))
        .bearer_auth(&raw)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // ...and the client renews its own without the caller noticing.
    assert_eq!(admin.list_sites().await.unwrap().len(), SEEDED_SITES);
    let p = admin.list_equipements(1, 5).await.unwrap();
    assert_eq!(p.items.len(), 5);
    let second = admin.claims().await.expect("still logged in");
    assert!(second.exp > first.exp, "{first:?} then {second:?}");
    assert_eq!(second.user_id, first.user_id);
    assert_eq!(tech.list_roles().await.unwrap().len(), 3);
    assert!(matches!(
        common::client_for(&srv.url(), TECH.0, TECH.1).login().await,
        Err(ApiError::Unauthorized(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_a_restart() {
    let srv = common::start().await;
    let admin = srv.admin();
    let site = admin.create_site(&new_site("PERSISTANT")).await.unwrap();
    let eq = admin
        .create_equipement(&new_equipement(&site.site_id, "172.16.0.1"))
        .await
        .unwrap();
    let (db_path, dir) = srv.stop().await;

    let again = common::serve(common::demo_config(db_path.clone())).await;
    assert!(
        !again.prepared.seeded_demo,
        "an existing database is not seeded again"
    );
    let admin = common::client_for(&again.url(), ADMIN.0, ADMIN.1);
    let sites = admin.list_sites().await.unwrap();
    assert_eq!(sites.len(), SEEDED_SITES + 1);
    let kept = sites
        .iter()
        .find(|s| s.site_id == site.site_id)
        .expect("the site survived");
    assert_eq!(kept.name, "PERSISTANT");
    assert_eq!(kept.equipements.len(), 1);
    assert_eq!(kept.equipements[0].equipement_id, eq.equipement_id);
    assert_eq!(admin.list_users().await.unwrap().len(), 3);
    again.stop().await;
    drop(dir);
}

/// A server of 1,250 equipements (the sample and LOUM's besides the generated): 13 pages of
/// 100, the last short; and its rows read one page after another.
async fn thirteen_pages() -> (common::TestServer, Vec<vigie::api::model::Equipement>) {
    let srv = common::start_with(|cfg| cfg.seed_size = 1_250 - 1 - LOUM_EQUIPEMENTS).await;
    let admin = srv.admin();
    let sequential = admin
        .all_pages(|n| admin.list_equipements(n, 100))
        .await
        .unwrap();
    (srv, sequential)
}

/// The console's loader: pages asked a few at a time, each decoded in its own task, come
/// back as the same rows in the same order as one page after another, with its progress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_all_gives_every_row_in_order_whatever_the_concurrency() {
    let (srv, sequential) = thirteen_pages().await;
    let admin = srv.admin();
    assert_eq!(sequential.len(), 1_250);
    let ids = |rows: &[vigie::api::model::Equipement]| -> Vec<String> {
        rows.iter().map(|e| e.equipement_id.clone()).collect()
    };
    for concurrency in [1, 3, vigie::worker::LOAD_ALL_CONCURRENCY, 40] {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let rows = vigie::worker::load_all_with(&admin, 7, &tx, concurrency)
            .await
            .unwrap();
        assert_eq!(ids(&rows), ids(&sequential), "{concurrency} in flight");
        assert_eq!(rows, sequential);
        // Held in one list of the announced size, not grown by doubling.
        assert_eq!(rows.capacity(), 1_250, "{concurrency} in flight");
        drop(tx);
        let mut seen = Vec::new();
        while let Some(ev) = rx.recv().await {
            match ev {
                vigie::protocol::Event::Progress { id, loaded, total } => {
                    assert_eq!((id, total), (7, 1_250));
                    seen.push(loaded);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(seen.len(), 13, "one progress a page");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&1_250));
    }
    // A page that fails fails the load with the server's own answer.
    let lecteur = srv.client(LECTEUR);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let outsider = common::client_for(&srv.url(), ADMIN.0, "not-the-password");
    let err = vigie::worker::load_all(&outsider, 1, &tx)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)), "{err:?}");
    assert_eq!(
        vigie::worker::load_all(&lecteur, 1, &tx)
            .await
            .unwrap()
            .len(),
        1_250,
        "a read-only role may load"
    );
}

/// The console's load through the worker: each page packed and made searchable in its own
/// task, appended in order — every row, in order, as the pages one after another; the rows a
/// filter finds are those of the rows prepared at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_load_packs_every_page_in_order() {
    use vigie::app::list::ListView;
    use vigie::protocol::{Event, Payload, Request};
    use vigie::rows::{Prepared, Rows};
    let (srv, sequential) = thirteen_pages().await;
    let admin = srv.admin();
    let (tx, mut rx) = vigie::worker::spawn(vigie::change::Clients {
        core: Some(admin.clone()),
        ..Default::default()
    });
    tx.send((9, Request::AllEquipements)).unwrap();
    let mut progress = Vec::new();
    let prepared = loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Event::Progress { id: 9, loaded, .. })) => progress.push(loaded),
            Ok(Some(Event::Done { id: 9, result })) => match result {
                Ok(Payload::AllEquipementsPrepared(p)) => break p,
                other => panic!("unexpected {other:?}"),
            },
            Ok(Some(_)) => {}
            other => panic!("no answer: {other:?}"),
        }
    };
    assert_eq!(progress.last(), Some(&1_250));
    assert_eq!(prepared.items.len(), sequential.len());
    for (i, r) in sequential.iter().enumerate() {
        assert_eq!(prepared.items.row(i).as_deref(), Some(r), "row {i}");
    }
    let filtered = |p: Prepared<vigie::api::model::Equipement>, filter: &str| {
        let mut l = ListView::<vigie::api::model::Equipement>::default();
        l.filter = filter.into();
        l.set_prepared(p);
        l.view
    };
    for filter in ["hikv", "loum", "10.1", "é"] {
        let once = filtered(Prepared::new(sequential.clone()), filter);
        assert!(!once.is_empty() || filter == "é", "{filter}");
        assert_eq!(filtered((*prepared).clone(), filter), once, "{filter}");
    }
}

/// What the server keeps between requests (callers' permissions, the count behind pages,
/// the whole `/client_site/all` answer) follows changes written to its database by another
/// process, not only its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_written_by_another_process_are_seen() {
    let srv = common::start().await;
    let admin = srv.admin();
    let tech = srv.client(TECH);
    // Everything read once, so that it is kept.
    for _ in 0..2 {
        tech.list_equipements(1, 10).await.unwrap();
        assert_eq!(admin.list_sites().await.unwrap().len(), SEEDED_SITES);
        let page = admin.list_equipements(1, 100).await.unwrap();
        assert_eq!(page.total, Some(SEEDED_EQUIPEMENTS));
    }
    let outside = rusqlite::Connection::open(&srv.db_path).expect("open db");
    outside
        .execute(
            "UPDATE sites SET name = 'RENOMMÉ' WHERE site_id = ?1",
            [LOUM_ID],
        )
        .unwrap();
    assert!(
        admin
            .list_sites()
            .await
            .unwrap()
            .iter()
            .any(|s| s.site_id == LOUM_ID && s.name == "RENOMMÉ")
    );
    outside
        .execute(
            "DELETE FROM equipements WHERE equipement_id = ?1",
            [SAMPLE_EQUIPEMENT_ID],
        )
        .unwrap();
    let page = admin.list_equipements(1, 100).await.unwrap();
    assert_eq!(page.total, Some(SEEDED_EQUIPEMENTS - 1));
    assert!(
        page.items
            .iter()
            .all(|e| e.equipement_id != SAMPLE_EQUIPEMENT_ID)
    );
    outside
        .execute(
            "UPDATE users SET status = 'deactivated' WHERE email = ?1",
            [TECH.0],
        )
        .unwrap();
    let e = expect_err(tech.list_equipements(1, 10).await);
    assert!(e.to_string().contains("Inactive user"), "{e}");
}
