use crate::app::Equipement;
use crate::app::Form;
use crossterm::event::KeyCode;
use crossterm::event::KeyModifiers;

use crossterm::event::KeyEvent;

fn typed(f: &mut Form, s: &str) {
    for c in s.chars() {
        f.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

#[test]
fn validates_as_you_type_and_maps_server_errors() {
    let mut f = Form::equipement(None, vec![("s1".into(), "LOUM".into())], None);
    f.focus = 1;
    // No document says the ip is an address nor the port under 65536: advice, not refusal.
    typed(&mut f, "10.0.0.");
    assert!(f.fields[1].advice.as_deref().unwrap().contains("IPv4"));
    assert_eq!(f.fields[1].error, None);
    typed(&mut f, "1");
    assert_eq!(f.fields[1].advice, None);
    f.focus = 2;
    typed(&mut f, "70000");
    assert!(f.fields[2].advice.as_deref().unwrap().contains("65535"));
    assert_eq!(f.fields[2].error, None);
    // What cannot be sent at all (no brand, a port that is not a number) blocks.
    assert!(!f.validate_all());
    assert_eq!(
        f.field("marque").unwrap().error.as_deref(),
        Some("Field required")
    );
    f.focus = 2;
    typed(&mut f, "x");
    assert!(f.fields[2].error.as_deref().unwrap().contains("integer"));
    f.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    let rest = f.apply_server_errors(&[
        crate::api::FieldError::new("marque", "String should have at least 1 character"),
        crate::api::FieldError::new("zzz", "odd"),
    ]);
    assert_eq!(rest, vec!["zzz: odd"]);
    // Moving on keeps the server's word until the value changes.
    f.apply_server_errors(&[crate::api::FieldError::new(
        "ip",
        "already used on this site",
    )]);
    assert_eq!(f.focus, 1);
    f.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(
        f.fields[1].error.as_deref(),
        Some("already used on this site")
    );
    f.focus = 1;
    typed(&mut f, "0");
    assert_eq!(
        f.fields[1].error, None,
        "an edit replaces it with the local check"
    );
    assert_eq!(
        f.field("marque").unwrap().error.as_deref(),
        Some("String should have at least 1 character")
    );
    assert_eq!(
        f.field("ip").unwrap().value(),
        "10.0.0.10",
        "typed text kept"
    );
}

#[test]
fn choice_searches_and_edit_sends_only_changes() {
    let sites = vec![("a".into(), "LOUM".into()), ("b".into(), "YASSA".into())];
    let mut f = Form::equipement(None, sites.clone(), None);
    typed(&mut f, "yas");
    assert_eq!(f.field("site_id").unwrap().value(), "b");
    let e = Equipement {
        equipement_id: "e1".into(),
        ip: "1.1.1.1".into(),
        port: Some(100),
        site_id: Some("a".into()),
        marque: "m".into(),
        modele: "x".into(),
        ..Default::default()
    };
    let mut f = Form::equipement(Some(&e), sites, None);
    assert!(!f.dirty());
    f.focus = 2;
    f.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    typed(&mut f, "1");
    let c = f.change().unwrap();
    assert_eq!(c.fields().len(), 1, "only the port: {c:?}");
    assert_eq!(c.wanted("port"), Some(&serde_json::json!(101)));
    assert_eq!(
        c.fields()[0].seen,
        Some(serde_json::json!(100)),
        "as the form opened it"
    );
    assert_eq!(c.site.as_deref(), Some("a"), "the site it was seen on");
    assert!(
        f.without_secrets()
            .field("password")
            .unwrap()
            .value()
            .is_empty()
    );
}

/// A restored draft (no record read) whose conflict set one field's "seen": the others
/// still compare with what the form started from (a sparse record made them unseen).
#[test]
fn a_seen_value_set_on_a_draft_leaves_the_other_fields_as_started() {
    let site = crate::api::model::SiteSummary {
        site_id: "s1".into(),
        name: "Before".into(),
        description: "Desc".into(),
        ..Default::default()
    };
    let mut f = Form::site(Some(&site), Vec::new());
    f.seen = None;
    f.fields
        .iter_mut()
        .find(|x| x.key == "name")
        .unwrap()
        .set_text("Mine");
    f.fields
        .iter_mut()
        .find(|x| x.key == "description")
        .unwrap()
        .set_text("Other");
    f.set_seen(
        crate::change::Kind::Site,
        "name",
        serde_json::json!("Theirs"),
    );
    let c = f.site_change().unwrap();
    let seen = |k: &str| c.fields().iter().find(|x| x.key == k).unwrap().seen.clone();
    assert_eq!(seen("name"), Some(serde_json::json!("Theirs")));
    assert_eq!(seen("description"), Some(serde_json::json!("Desc")));
}
