use serde_json::{Value, json};

use super::{Edit, FieldChange, Status, decide, journal_states, undo_fields, verify};
use crate::journal::Entry;
use crate::journal::Op as JournalOp;

fn edit(fields: Vec<FieldChange>) -> Edit {
    Edit {
        fields,
        ..Default::default()
    }
}

#[test]
fn only_the_same_field_changed_on_both_sides_is_a_conflict() {
    let now = json!({"port": 101, "username": "them", "description": "old"});
    let e = Edit {
        fields: vec![
            // Mine only.
            FieldChange::new("description", Some(json!("old")), json!("mine")),
            // Both, to different values.
            FieldChange::new("username", Some(json!("admin")), json!("me")),
            // Both, to the same value: nothing to send.
            FieldChange::new("port", Some(json!(100)), json!("101")),
        ],
        watch: vec![("marque".into(), json!("Axis"))],
        erase: Vec::new(),
    };
    let d = decide(&e, |k| now.get(k).cloned().or(Some(json!("Axis"))));
    assert_eq!(d.send, [0]);
    assert_eq!(d.already, [2]);
    assert_eq!(d.clashes.len(), 1);
    assert_eq!(d.clashes[0].key, "username");
    assert_eq!(d.clashes[0].theirs, json!("them"));
    assert!(d.theirs.is_empty(), "marque unchanged on the server");
}

#[test]
fn a_field_no_read_shows_is_sent_never_a_conflict() {
    let e = edit(vec![FieldChange::new(
        "password",
        Some(json!("a")),
        json!("b"),
    )]);
    let d = decide(&e, |_| None);
    assert_eq!(d.send, [0]);
    assert!(d.clashes.is_empty());
}

#[test]
fn an_unknown_seen_value_is_sent_unless_already_so() {
    let e = edit(vec![FieldChange::new("group:AGENT", None, Value::Null)]);
    assert_eq!(
        decide(&e, |_| Some(Value::Null)).already,
        [0],
        "never had it"
    );
    assert_eq!(decide(&e, |_| Some(json!({"role": ""}))).send, [0]);
}

#[test]
fn a_field_the_server_kept_is_not_applied() {
    let f = FieldChange::new("role_id", Some(json!("r1")), json!("r2"));
    let g = FieldChange::new("nom", Some(json!("A")), json!("B"));
    let h = FieldChange::new("email", Some(json!("a@x")), json!("B@X.ORG"));
    let p = FieldChange::new("password", None, json!("secret"));
    let before = json!({"role_id": "r1", "nom": "A", "email": "a@x"});
    let after = json!({"role_id": "r1", "nom": "B", "email": "B@x.org"});
    let r = verify(
        &[&f, &g, &h, &p],
        |k| before.get(k).cloned(),
        |k| after.get(k).cloned(),
    );
    assert_eq!(r[0].status, Status::NotApplied(json!("r1")));
    assert_eq!(r[1].status, Status::Applied);
    assert_eq!(r[2].status, Status::AppliedAs(json!("B@x.org")));
    assert_eq!(r[3].status, Status::Unchecked);
    let (b, a) = journal_states(&r, |k| before.get(k).cloned(), |k| after.get(k).cloned()).unwrap();
    assert_eq!(b, json!({"nom": "A", "email": "a@x"}), "only what changed");
    assert_eq!(a, json!({"nom": "B", "email": "B@x.org"}));
}

#[test]
fn a_link_still_listed_after_its_removal_is_not_applied() {
    let f = FieldChange::new("group:AGENT", None, Value::Null);
    let r = verify(
        &[&f],
        |_| Some(json!({"role": "x"})),
        |_| Some(json!({"role": "y"})),
    );
    assert!(matches!(r[0].status, Status::NotApplied(_)));
}

#[test]
fn undo_takes_the_journaled_fields_back() {
    let mut e = Entry::now("core", "equipements", "e1", JournalOp::Update);
    e.before = Some(json!({"description": "old", "timestamp": "t"}));
    e.after = Some(json!({"description": "new", "timestamp": "t"}));
    assert_eq!(
        undo_fields(&e),
        [FieldChange::new(
            "description",
            Some(json!("new")),
            json!("old")
        )]
    );
    // A journal of whole records (written before the change room): what differs.
    e.before = Some(json!({"port": 100, "ip": "1.1.1.1", "password": "x"}));
    e.after = Some(json!({"port": 101, "ip": "1.1.1.1", "password": "y"}));
    assert_eq!(
        undo_fields(&e),
        [FieldChange::new("port", Some(json!(101)), json!(100))]
    );
    e.before = None;
    e.after = None;
    e.link = Some(crate::journal::Link {
        to: "group".into(),
        id: "AGENT".into(),
        added: true,
    });
    assert_eq!(
        undo_fields(&e),
        [FieldChange::new(
            "group:AGENT",
            Some(json!({})),
            Value::Null
        )]
    );
}
