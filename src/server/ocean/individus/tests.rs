use serde_json::{Value, json};

use super::{CRITERIA, check, date_param, iso_param, matches, stamp};
use crate::server::ocean::Params;
use crate::server::ocean::dates::{AFFECTATION_PATTERN, format_iso, parse_affectation};

fn err(body: Value) -> String {
    check(&body).unwrap_err().message
}

#[test]
fn check_reads_the_keys_and_names_bad_fields() {
    let ok = json!({
        "individu": {"nomInd": " Mbarga ", "prenomInd": "Jean", "matriculeInd": "M1", "id": "7", "idCivilite": 1},
        "entite": {"id": 3},
        "propSpecifiqueDTO": {"dateFCO": "2025-11-27T15:30:15.353Z", "dateVisiteMedicale": ""},
        "utilisateur": {"dateFinValidite": null, "loginUti": "jm"},
        "extra": {"kept": true}
    });
    let c = check(&ok).unwrap();
    assert_eq!(
        (c.id, c.nom.as_str(), c.entite),
        (Some(7), "Mbarga", Some(3))
    );
    assert_eq!(c.matricule.as_deref(), Some("M1"));

    assert_eq!(err(json!({})), "individu: must not be null");
    assert_eq!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": " "}})),
        "individu.prenomInd: must not be blank"
    );
    assert_eq!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B"},
            "propSpecifiqueDTO": {"dateFCO": "2025-13-01T00:00:00.000Z"}})),
        "propSpecifiqueDTO.dateFCO: '2025-13-01T00:00:00.000Z' is not a date (expected yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"
    );
    assert_eq!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B"},
            "utilisateur": {"dateFinValidite": 1700000000000_i64}})),
        "utilisateur.dateFinValidite: 1700000000000 is not a date (expected yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"
    );
    assert!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B", "idCivilite": 4}}))
            .starts_with("individu.idCivilite: 4 is not one of")
    );
    // No address format is stated: any text is kept, anything else refused.
    assert!(
        check(&json!({"individu": {"nomInd": "A", "prenomInd": "B", "email": "nope"}})).is_ok()
    );
    assert!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B", "email": 5}}))
            .starts_with("individu.email: ")
    );
    assert_eq!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B"}, "entite": {"id": "x"}})),
        "entite.id: 'x' is not a number"
    );
    assert_eq!(
        err(json!({"individu": {"nomInd": "A", "prenomInd": "B"}, "entite": 1})),
        "entite: must be an object"
    );
    assert_eq!(err(json!([1])), "The body must be a JSON object");
}

#[test]
fn criteria_read_the_stored_body() {
    let bare = json!({"individu": {"gsm": ""}, "utilisateur": null, "entite": {"id": ""}});
    let full = json!({
        "individu": {"gsm": "677"},
        "utilisateur": {"loginUti": "x"},
        "entite": {"id": 2},
        "vehicleFieldsDTO": {"immatriculation": "LT 1"}
    });
    for k in CRITERIA {
        assert_ne!(matches(&bare, k), matches(&full, k), "{k}");
    }
    assert!(matches(&bare, "WITHOUT_USER"));
}

#[test]
fn query_dates_hint_at_a_raw_plus() {
    let p = Params::new(Some(
        "startDate=27/11/2025+08:00:00++0100&entityStart=2025-11-27T08:00:00.000+01:00\
         &endDate=27%2F11%2F2025%2008%3A00%3A00%20%2B0100&entityEnd=2025-02-30T00:00:00.000Z"
            .into(),
    ));
    let hint = "; a '+' in a query string must be sent as %2B";
    let e = date_param(&p, "startDate", parse_affectation, AFFECTATION_PATTERN).unwrap_err();
    assert!(
        e.message
            .starts_with("startDate: '27/11/2025 08:00:00  0100' is not a date")
    );
    assert!(e.message.ends_with(hint));
    assert!(
        iso_param(&p, "entityStart")
            .unwrap_err()
            .message
            .ends_with(hint)
    );
    let e = iso_param(&p, "entityEnd").unwrap_err();
    assert!(!e.message.ends_with(hint));
    let end = date_param(&p, "endDate", parse_affectation, AFFECTATION_PATTERN).unwrap();
    assert_eq!(
        end.map(|d| format_iso(&d)).as_deref(),
        Some("2025-11-27T08:00:00.000+01:00")
    );
    assert_eq!(iso_param(&p, "missing").unwrap(), None);
}

#[test]
fn stamp_writes_ids() {
    let mut b = json!({"individu": {"id": ""}, "utilisateur": {"individu": {"id": ""}}, "entite": {"id": "2", "nom": ""}});
    stamp(&mut b, 9, Some((2, "Agence Douala")));
    assert_eq!(b["individu"]["id"], 9);
    assert_eq!(b["utilisateur"]["individu"]["id"], 9);
    assert_eq!(b["entite"], json!({"id": 2, "nom": "Agence Douala"}));
}
