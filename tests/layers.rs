//! The crate's layers: a module only names modules below it (`crate::…`), so none imports one
//! that imports it back and none reaches up. A new top-level module must take its place in
//! `LAYERS`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom first; a module may name only modules of a lower layer.
const LAYERS: &[&[&str]] = &[
    // Text, files and keys: below everything.
    &["catalogue_fr", "text", "files", "keys", "term"],
    &["i18n"],
    &["config"],
    &["logging", "api"],
    // What the API's records become: journal entries, list rows, saved views, row commands;
    // the reference server, which only knows the API's types.
    &["journal", "views", "commands", "rows", "server", "probe"],
    // The one write path, then what plans on top of it.
    &["change"],
    &["import"],
    &["protocol"],
    &["worker"],
    &["app"],
    &["ui", "list"],
    &["tui"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a source file belongs to (`src/app/list/mod.rs` → `app`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every module a text names through `crate::` (paths and `use crate::{a, b::c}` groups),
/// comments left out.
fn named(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name = part.trim().split("::").next().unwrap_or("").trim();
                    out.push(name.to_string());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn no_module_names_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut modules: Vec<String> = files
        .iter()
        .map(|f| module_of(&src, f))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    modules.sort();
    modules.dedup();
    let unplaced: Vec<&String> = modules.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "modules without a layer in tests/layers.rs: {unplaced:?}"
    );
    // Both lists name the same modules.
    let listed: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    for m in &listed {
        assert!(
            modules.iter().any(|x| x == m),
            "{m} is in LAYERS but not in src/"
        );
    }
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(&src, f);
        let Some(mine) = layer_of(&m) else { continue };
        let text = std::fs::read_to_string(f).unwrap();
        for d in named(&text) {
            if d == m || !modules.contains(&d) {
                continue;
            }
            let theirs = layer_of(&d).unwrap_or(usize::MAX);
            if theirs >= mine {
                wrong
                    .entry(format!("{} ({m})", f.strip_prefix(&src).unwrap().display()))
                    .or_default()
                    .push(d);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules named from below them or beside them (layers in tests/layers.rs):\n{}",
        wrong
            .iter()
            .map(|(f, d)| format!("  {f} → {}", d.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The reader above sees what it must: a reach up written either way is caught.
#[test]
fn the_reader_finds_paths_and_groups_but_not_comments() {
    let text = "use crate::{api::Service, rows};\nlet x = crate::app::App::new(); // crate::cli\n";
    assert_eq!(named(text), vec!["api", "rows", "app"]);
}
