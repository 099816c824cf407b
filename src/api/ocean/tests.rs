use chrono::DateTime;
use serde_json::json;

use super::{
    Individu, OceanStatus, dmy_date, element_type_key, id_of, iso_date, wants_passwords_in_url,
};
use crate::api::ApiError;

#[test]
fn a_refusal_that_may_mean_passwords_in_the_url() {
    let bad = |m: &str| ApiError::BadRequest(m.into());
    for m in [
        "Required request parameter 'actualPassword' for method parameter type String is not present",
        "newPassword is required",
        "Bad Request",
        "",
    ] {
        assert!(wants_passwords_in_url(&bad(m)), "{m}");
    }
    for m in [
        "Required request body is missing: public ResponseEntity changePassword(Dto)",
        "newPasswordConfirmed: differs from newPassword",
        "newPassword: must have at least 8 characters",
    ] {
        assert!(!wants_passwords_in_url(&bad(m)), "{m}");
    }
    assert!(!wants_passwords_in_url(&ApiError::Forbidden(
        "Bad Request".into()
    )));
}

#[test]
fn element_types_compare_whatever_their_spelling() {
    for (a, b) in [
        ("Onglets", "ONGLET"),
        ("onglet", "ONGLET"),
        ("WsAction", "WS"),
        ("Web service", "WS"),
        ("ws", "WS"),
        ("Lien", "LIEN"),
        ("Actions", "ACTION"),
        ("menu", "MENU"),
    ] {
        assert_eq!(element_type_key(a), element_type_key(b), "{a} / {b}");
    }
    assert_ne!(element_type_key("LIEN"), element_type_key("MENU"));
    assert_eq!(element_type_key("RAPPORT"), "RAPPORT");
}

#[test]
fn records_keep_unknown_keys_and_read_loose_ids() {
    let mut i: Individu = serde_json::from_str(
        r#"{"individu":{"id":"42","nomInd":"EKANI","gsm":null},"entite":{"id":3,"nom":"DG"},"zz":{"a":1}}"#,
    )
    .unwrap();
    assert_eq!(i.id(), Some(42));
    assert_eq!(i.entite_id(), Some(3));
    assert_eq!(i.text("individu.gsm"), "");
    i.set("propSpecifiqueDTO.numeroPermis", json!("P-1"));
    i.set("individu.nomInd", json!("EKANI B."));
    let back = serde_json::to_value(&i).unwrap();
    assert_eq!(back["zz"]["a"], 1);
    assert_eq!(back["propSpecifiqueDTO"]["numeroPermis"], "P-1");
    assert_eq!(back["individu"]["nomInd"], "EKANI B.");
    assert_eq!(id_of(Some(&json!(""))), None);
}

#[test]
fn dates_in_both_formats() {
    let d = DateTime::parse_from_rfc3339("2025-11-27T15:30:15.353Z").unwrap();
    assert_eq!(iso_date(&d), "2025-11-27T15:30:15.353Z");
    let d = DateTime::parse_from_rfc3339("2025-11-27T08:00:00+01:00").unwrap();
    assert_eq!(iso_date(&d), "2025-11-27T08:00:00.000+01:00");
    assert_eq!(dmy_date(&d), "27/11/2025 08:00:00 +0100");
}

#[test]
fn failure_statuses_inside_a_2xx() {
    for (s, bad) in [
        ("SUCCESS", false),
        ("OK", false),
        ("ERROR", true),
        ("KO", true),
    ] {
        let st = OceanStatus {
            ocean_status: s.into(),
            message: String::new(),
        };
        assert_eq!(st.is_failure(), bad, "{s}");
    }
}
