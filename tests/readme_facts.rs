//! What the README tells a newcomer, checked against the files that decide it: what CI runs,
//! what a build needs, and the keys of its tour.

use vigie::app::Scope;
use vigie::app::keymap::{Act, bindings};

fn readme() -> String {
    // Words wrapped over lines read as one line.
    std::fs::read_to_string("README.md")
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every command `.ci/run` runs is in the README's CI line (`--locked` included), and every
/// script it calls.
#[test]
fn the_readme_says_what_ci_runs() {
    let readme = readme();
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    let mut said = 0;
    for line in ci.lines().map(str::trim) {
        if line.starts_with("cargo ") {
            assert!(readme.contains(line), "the README omits `{line}`");
            said += 1;
        }
        for word in line.split_whitespace() {
            if word.starts_with("scripts/") {
                assert!(readme.contains(word), "the README omits {word}");
                said += 1;
            }
        }
    }
    assert!(said >= 8, "only {said} commands found in .ci/run");
}

/// The toolchain the README asks for is at least the package's, and each crate that compiles
/// C (hence the C compiler it asks for) is one the build really has.
#[test]
fn the_readme_says_what_a_build_needs() {
    let readme = readme();
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap();
    let lock = std::fs::read_to_string("Cargo.lock").unwrap();
    let version = |s: &str| -> (u32, u32) {
        let mut it = s.split('.').map(|n| n.parse::<u32>().unwrap());
        (it.next().unwrap(), it.next().unwrap())
    };
    let package = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .map(|v| version(v.trim_end_matches('"')))
        .unwrap();
    let asked = readme
        .split("**Rust ")
        .nth(1)
        .and_then(|r| r.split(" or later").next())
        .map(version)
        .expect("the README says which Rust");
    assert!(
        asked >= package,
        "README {asked:?} < Cargo.toml {package:?}"
    );
    assert!(manifest.contains("edition = \"2024\"") && readme.contains("edition 2024"));
    assert!(readme.contains("C compiler"));
    for c in [
        "aws-lc-sys",
        "zstd-sys",
        "libsqlite3-sys",
        "libmimalloc-sys",
    ] {
        assert!(readme.contains(&format!("`{c}`")), "the README omits {c}");
        assert!(
            lock.contains(&format!("name = \"{c}\"")),
            "{c} is no longer built"
        );
    }
}

/// The tour's keys are the key table's defaults.
#[test]
fn the_readme_tour_uses_the_shipped_keys() {
    let readme = readme();
    let tour = readme
        .split("### A one-minute tour")
        .nth(1)
        .and_then(|t| t.split("| Keys |").next())
        .expect("a tour before the key table");
    let key = |scope: Scope, act: Act| {
        bindings()
            .iter()
            .find(|b| b.scope == scope && b.action == act)
            .map(|b| b.key.label())
            .unwrap()
    };
    for (scope, act, said) in [
        (Scope::List, Act::Palette, "type `{}site LOUM`"),
        (Scope::Detail, Act::Reveal, "`{}` reveals its password"),
        (Scope::List, Act::Tab2, "`{}` shows the Equipements tab"),
        (Scope::List, Act::Filter, "type `{}` then `hik`"),
        (Scope::List, Act::Edit, "`{}` on a row opens its form"),
        (Scope::Form, Act::Save, "then `{}` saves"),
        (Scope::List, Act::Undo, "`{}` brings the form back"),
    ] {
        let said = said.replace("{}", &key(scope, act));
        assert!(
            tour.contains(&said),
            "the tour does not say {said:?}:\n{tour}"
        );
    }
}
