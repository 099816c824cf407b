//! Every text the UI shows exists in French and in English: the texts given to `tr`/`trf` in
//! the sources, and those the screens take from data (column titles, field labels, form titles,
//! detail labels, help and footer keys).

mod console_fixtures;

use std::collections::HashSet;

use console_fixtures::*;
use vigie::api::maarch::MaarchUserDetails;
use vigie::app::form::Form;
use vigie::app::list::Record;
use vigie::i18n::has_french;

fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
}

/// The string literals passed as first argument to `tr(` or `trf(`.
fn tr_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for start in ["tr(\"", "trf(\"", "tr(\n", "trf(\n"] {
        let mut rest = text;
        while let Some(i) = rest.find(start) {
            // Only whole words: `str(` or `attr(` are not ours.
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let lit = if start.ends_with('\n') {
                let t = rest.trim_start();
                match t.strip_prefix('"') {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                rest
            };
            let mut s = String::new();
            let mut chars = lit.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            s.push(n);
                        }
                    }
                    '"' => break,
                    c => s.push(c),
                }
            }
            out.push(s);
        }
    }
    out
}

fn all_forms() -> Vec<Form> {
    let ind = individus();
    let mu = maarch_users();
    vec![
        Form::site(None, Vec::new()),
        Form::site(sites().first(), Vec::new()),
        Form::equipement(None, Vec::new(), None),
        Form::equipement(equipements().first(), Vec::new(), None),
        Form::user(None, Vec::new()),
        Form::user(users().first(), Vec::new()),
        Form::role(None, &catalogue()),
        Form::role(roles().first(), &catalogue()),
        Form::individu(None, &ind),
        Form::individu(ind.first(), &ind),
        Form::assign_entity(&ind[0], &ind),
        Form::change_password(),
        Form::password_reset("admin"),
        Form::maarch_user(None),
        Form::element_type("ONGLET"),
        Form::maarch_user(
            mu.first()
                .cloned()
                .map(MaarchUserDetails::from_list)
                .as_ref(),
        ),
        Form::maarch_link(&mu[0], false, Vec::new()),
        Form::maarch_link(&mu[0], true, Vec::new()),
        Form::parapheur_link(&mu[0]),
        Form::parapheur_create(&mu[0]),
    ]
}

#[test]
fn every_ui_text_has_its_french() {
    let mut missing: Vec<String> = Vec::new();
    let mut check = |text: &str, whence: &str| {
        if !has_french(text) && !missing.iter().any(|m| m.starts_with(&format!("{text:?}"))) {
            missing.push(format!("{text:?} ({whence})"));
        }
    };
    let mut files = Vec::new();
    sources(std::path::Path::new("src"), &mut files);
    let mut found = 0;
    for (path, text) in &files {
        if path.ends_with("i18n.rs") {
            continue;
        }
        for lit in tr_literals(text) {
            found += 1;
            check(&lit, path);
        }
    }
    assert!(found > 150, "the scan found only {found} texts");
    for f in all_forms() {
        vigie::i18n::set_thread_lang(Some(vigie::i18n::Lang::En));
        check(f.title().split(" · ").next().unwrap(), "form title");
        for field in &f.fields {
            check(&field.label, "field label");
            if !field.section.is_empty() {
                check(&field.section, "section");
            }
        }
    }
    fn columns<T: Record>(check: &mut dyn FnMut(&str, &str)) {
        for c in T::columns() {
            check(c.title, "column");
        }
    }
    columns::<vigie::api::model::SiteSummary>(&mut check);
    columns::<vigie::api::model::Equipement>(&mut check);
    columns::<vigie::api::model::User>(&mut check);
    columns::<vigie::api::model::Role>(&mut check);
    columns::<vigie::api::ocean::Individu>(&mut check);
    columns::<vigie::api::maarch::MaarchUser>(&mut check);
    for t in vigie::app::Tab::ALL {
        check(t.title(), "tab");
    }
    for b in vigie::app::keymap::bindings() {
        check(b.what, "key action");
    }
    // Help and footer of every kind of screen.
    let screens: Vec<vigie::app::App> = {
        let mut v = vec![loaded("admin")];
        let mut a = loaded("admin");
        a.on_key(key(crossterm::event::KeyCode::Enter));
        serve(&mut a);
        v.push(a);
        for k in ['5', '@', 'n'] {
            let mut a = loaded("admin");
            a.on_key(ch('5'));
            serve(&mut a);
            if k != '5' {
                a.on_key(ch(k));
                let _ = a.take_requests();
            }
            v.push(a);
        }
        let mut a = loaded("admin");
        a.on_key(ch('3'));
        a.on_key(ch('U'));
        serve(&mut a);
        a.on_key(key(crossterm::event::KeyCode::Enter));
        serve(&mut a);
        v.push(a);
        v
    };
    for mut app in screens {
        for (_, hint) in vigie::ui::footer_hints(&app) {
            check(hint, "footer");
        }
        app.on_key(ch('?'));
        for (k, v) in vigie::ui::help_lines(&app) {
            check(v, "help");
            // A key column that holds words (not key names) is translated too.
            if k.split_whitespace()
                .any(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase()))
            {
                check(&k, "help key");
            }
        }
    }
    for d in detail_targets() {
        for (label, _) in vigie::ui::detail_fields(&d) {
            check(label, "detail label");
        }
    }
    assert!(
        missing.is_empty(),
        "{} text(s) without French:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

fn detail_targets() -> Vec<vigie::app::Detail> {
    use vigie::app::{Detail, DetailTarget};
    let mu = maarch_details(9).unwrap();
    [
        DetailTarget::Site(sites()[0].clone()),
        DetailTarget::Equipement(equipements()[0].clone()),
        DetailTarget::User(users()[0].clone()),
        DetailTarget::Role(roles()[0].clone()),
        DetailTarget::Individu(individus()[0].clone()),
        DetailTarget::MaarchUser(mu),
    ]
    .into_iter()
    .map(Detail::new)
    .collect()
}

#[test]
fn the_catalogue_has_no_twin_keys_and_no_empty_text() {
    let mut seen = HashSet::new();
    for (en, fr) in vigie::i18n::catalogue() {
        assert!(seen.insert(*en), "{en:?} is listed twice");
        assert!(!fr.trim().is_empty(), "{en:?} has an empty French text");
        assert_eq!(
            en.matches("{}").count(),
            fr.matches("{}").count(),
            "{en:?} and {fr:?} have different holes"
        );
    }
}
