//! The layering of docs/architecture.md, checked on the source: a change that breaks it
//! fails here, with the file and line to look at.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, found: &mut Vec<(PathBuf, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    let mut found = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut found);
    assert!(!found.is_empty(), "no sources under {dir}");
    found
}

/// Lines of code (comments left out) under `dir` that contain any of `needles`.
fn lines_with(dir: &str, needles: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if needles.iter().any(|needle| code.contains(needle)) {
                hits.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn the_web_layer_opens_no_transaction_and_records_no_audit_entry() {
    let hits = lines_with(
        "src/web",
        &[
            "begin_write",
            ".begin()",
            "audit::record",
            "outbox::enqueue",
        ],
    );
    assert!(
        hits.is_empty(),
        "changes belong in a use case of src/app:\n{}",
        hits.join("\n")
    );
}

#[test]
fn use_cases_open_their_transactions_with_begin_write() {
    // `begin()` on SQLite is DEFERRED: a read-then-write transaction then fails at once
    // with BUSY when another connection wrote meanwhile (`storage::begin_write`).
    let hits = lines_with("src/app", &[".begin()"]);
    assert!(
        hits.is_empty(),
        "use storage::begin_write:\n{}",
        hits.join("\n")
    );
}

#[test]
fn storage_decides_no_audit_renders_no_mail_and_calls_no_layer_above_it() {
    let hits = lines_with(
        "src/storage",
        &["audit::record", "crate::mail", "crate::app", "crate::web"],
    );
    // `storage::audit` itself defines `record`: it is the only place that may hold it.
    let hits: Vec<String> = hits
        .into_iter()
        .filter(|hit| !hit.contains("src/storage/audit.rs"))
        .collect();
    assert!(
        hits.is_empty(),
        "storage is queries and writes only:\n{}",
        hits.join("\n")
    );
}

#[test]
fn storage_refuses_nothing() {
    // A refusal is a rule: it belongs to a use case (`app`) or to `domain`. Storage only
    // fails for the database's reasons (`DbErr`).
    let hits = lines_with("src/storage", &["thiserror::Error", "Result<Result<"]);
    assert!(
        hits.is_empty(),
        "storage decides no rule:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_domain_uses_neither_actix_nor_sea_orm() {
    let hits = lines_with("src/domain", &["actix", "sea_orm"]);
    assert!(
        hits.is_empty(),
        "domain is plain Rust:\n{}",
        hits.join("\n")
    );
}

/// The modules of `src/storage` each one uses (`super::x` or `storage::x`), entities aside.
fn storage_imports() -> BTreeMap<String, BTreeSet<String>> {
    let files = sources("src/storage");
    let modules: BTreeSet<String> = files
        .iter()
        .filter(|(path, _)| path.parent().is_some_and(|p| p.ends_with("src/storage")))
        .map(|(path, _)| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "entities")
        .collect();
    let mut imports = BTreeMap::new();
    for (path, text) in &files {
        let Some(parent) = path.parent() else {
            continue;
        };
        if !parent.ends_with("src/storage") {
            continue;
        }
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        // Paths into `entities::{…}` name tables, not storage modules.
        let code: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let mut code = code;
        while let Some(start) = code.find("entities::{") {
            let end = code[start..]
                .find('}')
                .map_or(code.len(), |e| start + e + 1);
            code.replace_range(start..end, "");
        }
        let used: BTreeSet<String> = modules
            .iter()
            .filter(|other| **other != module)
            .filter(|other| {
                [
                    format!("super::{other}::"),
                    format!("storage::{other}::"),
                    format!("super::{other}}}"),
                    format!("super::{other},"),
                ]
                .iter()
                .any(|form| code.contains(form.as_str()))
                    || braced_import(&code, other)
            })
            .cloned()
            .collect();
        imports.insert(module, used);
    }
    imports
}

/// Whether `use super::{ …, other, … }` (or `other::…` inside it) names `other`.
fn braced_import(code: &str, other: &str) -> bool {
    let Some(start) = code.find("use super::{") else {
        return false;
    };
    let block = &code[start..];
    let end = block.find("};").unwrap_or(block.len());
    block[..end]
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .any(|word| word == other || word.starts_with(&format!("{other}::")))
}

#[test]
fn no_two_storage_modules_import_each_other() {
    let imports = storage_imports();
    assert!(
        imports
            .get("mobile_seats")
            .is_some_and(|m| m.contains("locks")),
        "the import scan finds nothing: {imports:?}"
    );
    let mut loops = Vec::new();
    for (module, used) in &imports {
        for other in used {
            if module < other && imports.get(other).is_some_and(|back| back.contains(module)) {
                loops.push(format!("{module} ↔ {other}"));
            }
        }
    }
    assert!(loops.is_empty(), "storage import loops: {loops:?}");
}
