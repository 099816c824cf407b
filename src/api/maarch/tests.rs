use serde_json::json;

use super::records::list_of;
use super::{MaarchGroup, MaarchUser, MaarchUserDetails, MaarchUserUpdate, NewMaarchUser};

#[test]
fn users_and_details_decode_loosely() {
    let u: MaarchUser = serde_json::from_str(
        r#"{"id":"21","user_id":"bwayne","firstname":"Bruce","lastname":"Wayne","status":"SPD","mail":null,"mode":"standard"}"#,
    )
    .unwrap();
    assert_eq!(u.id, 21);
    assert_eq!(u.status_label(), "suspended");
    let d = MaarchUserDetails::from_value(json!({
        "id": 9, "user_id": "bboule", "firstname": "Bruno", "lastname": "BOULE",
        "groups": [{"group_id": "ELU", "group_desc": "Elus"}],
        "entities": [{"entity_id": "PJS", "entity_label": "Pôle", "primary_entity": "Y"}],
        "external_id": "{\"maarchParapheur\":19}"
    }))
    .unwrap();
    assert_eq!(d.groups[0].group_id, "ELU");
    assert!(d.entities[0].is_primary());
    assert_eq!(d.parapheur_id, Some(19));
    let g: Vec<MaarchGroup> = list_of(&json!({"groups":[{"group_id":"A"}, 3]}), "groups");
    assert_eq!(g.len(), 1);
}

#[test]
fn create_body_uses_camel_case() {
    let b = serde_json::to_value(NewMaarchUser {
        user_id: "bwayne".into(),
        mode: Some("rest".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(b["userId"], "bwayne");
    assert!(b.get("phone").is_none());
    let u = serde_json::to_value(MaarchUserUpdate {
        id: 3,
        firstname: "B".into(),
        ..Default::default()
    })
    .unwrap();
    assert!(u.get("id").is_none());
}
