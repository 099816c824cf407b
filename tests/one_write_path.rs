//! Only the change room (`src/change/`) sends a mutation: no other code of the console, the
//! worker or the CLI calls a client's writing method (the clients in `src/api/` define them,
//! the reference server in `src/server/` answers them).

use std::path::Path;

/// Every method of the three clients that changes something on a server.
const WRITES: &[&str] = &[
    "create_site(",
    "update_site(",
    "delete_site(",
    "create_equipement(",
    "update_equipement(",
    "delete_equipement(",
    "create_user(",
    "update_user(",
    "deactivate_user(",
    "create_role(",
    "update_role(",
    "add_permissions(",
    "delete_role(",
    "create_individu(",
    "update_individu(",
    "delete_individu(",
    "assign_entity(",
    "change_password(",
    "change_password_in(",
    "request_password_reset(",
    "add_group(",
    "add_group_as(",
    "remove_group(",
    "add_entity(",
    "add_entity_as(",
    "remove_entity(",
    "set_group_role(",
    "set_entity_role(",
    "set_primary_entity(",
    "link_parapheur(",
    "unlink_parapheur(",
    "create_in_parapheur(",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn only_the_change_room_sends_a_mutation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut callers = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if ["change/", "api/", "server/"]
            .iter()
            .any(|d| rel.starts_with(d))
        {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for w in WRITES {
                if code.contains(&format!(".{w}")) {
                    callers.push(format!("src/{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        callers.is_empty(),
        "mutations sent outside src/change/:\n{}",
        callers.join("\n")
    );
    // And the change room does send them (the list above is not stale).
    let change: String = files
        .iter()
        .filter(|f| f.starts_with(root.join("change")))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for w in WRITES {
        let inner = matches!(*w, "add_group(" | "add_entity(" | "change_password(");
        assert!(
            inner || change.contains(&format!(".{w}")),
            "the change room never calls {w}"
        );
    }
}
