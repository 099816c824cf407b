use super::planner::check_equipement;
use super::{MASK, Row, What, read, split_sources};

#[test]
fn french_semicolon_csv_with_bom_and_an_unknown_column() {
    let text = "\u{feff}adresse IP;Port;Marque;Modèle;Sources;Mot de passe\n10.0.0.1;80;Axis;P1;a;b|c;s3cret\n";
    let rows = read(What::Equipements, text.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].values["ip"], "10.0.0.1");
    assert_eq!(rows[0].values["modele"], "P1");
    let bad = "ip;port;couleur\n1.1.1.1;80;rouge\n";
    let e = read(What::Equipements, bad.as_bytes()).unwrap_err();
    assert!(
        e.contains("couleur") && e.contains("nothing was sent"),
        "{e}"
    );
}

#[test]
fn rows_are_checked_and_a_password_is_never_quoted() {
    let row = |pairs: &[(&'static str, &str)]| Row {
        line: 2,
        values: pairs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
    };
    let e = check_equipement(&row(&[
        ("ip", "10.0.0.999"),
        ("port", "x"),
        ("password", "hunter2"),
    ]))
    .err()
    .unwrap();
    assert!(e.contains("port") && e.contains("marque"), "{e}");
    assert!(!e.contains("hunter2"));
    // What no API states is advice, as in the form: the server decides.
    let (_, advice) = check_equipement(&row(&[
        ("ip", "camera-12"),
        ("port", "99999"),
        ("marque", "Axis"),
        ("modele", "Q"),
    ]))
    .unwrap();
    assert!(
        advice.iter().any(|a| a.contains("ip")) && advice.iter().any(|a| a.contains("port")),
        "{advice:?}"
    );
    let (ok, _) = check_equipement(&row(&[
        ("ip", "10.0.0.9"),
        ("port", "554"),
        ("marque", "Axis"),
        ("modele", "Q"),
        ("password", MASK),
    ]))
    .unwrap();
    assert_eq!(ok.password, None, "an export's mask is no password");
    assert_eq!(split_sources("a; b|c"), ["a", "b", "c"]);
    assert_eq!(
        split_sources("rtsp://x, http://y"),
        ["rtsp://x", "http://y"]
    );
}
