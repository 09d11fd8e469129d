//! Completion items for values: built-in functions' docs, the std modules, secret
//! references and the dashboard variable constructors.

use super::*;

/// A built-in's documentation (`sema::eval::BUILTINS`).
pub(super) fn builtin_doc(name: &str) -> String {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, d)| d.to_string()).unwrap_or_default()
}

pub(super) fn std_modules(db: &dyn Db, with_prefix: bool) -> Vec<Completion> {
    STD_MODULES
        .iter()
        .map(|(name, _)| {
            let doc = db.std_module(name).and_then(|f| crate::ide::module_doc(f.text(db))).unwrap_or_default();
            let label = if with_prefix { format!("std.{name}") } else { name.to_string() };
            Completion::new(label, CompletionKind::Module).detail("std module").doc(doc)
        })
        .collect()
}

pub(super) fn secret_items() -> Vec<Completion> {
    vec![
        Completion::new("secret.file(\"…\")", CompletionKind::Snippet).detail("secret read from a file").doc(builtin_doc("secret")).snippet("secret.file(\"${1:/run/secrets/name}\")"),
        Completion::new("secret.env(\"…\")", CompletionKind::Snippet).detail("secret read from an environment variable").doc(builtin_doc("secret")).snippet("secret.env(\"${1:NAME}\")"),
    ]
}

pub(super) fn variable_ctors() -> Vec<Completion> {
    [
        ("query", "query(${1:prometheus}, \"${2:label_values(up, job)}\")"),
        ("custom", "custom([\"${1:a}\", \"${2:b}\"])"),
        ("interval", "interval([${1:1m}, ${2:5m}, ${3:1h}])"),
        ("datasource", "datasource(${1:prometheus})"),
        ("constant", "constant(\"$1\")"),
        ("textbox", "textbox(\"$1\")"),
        ("adhoc", "adhoc(${1:prometheus})"),
    ]
    .iter()
    .map(|(n, s)| Completion::new(*n, CompletionKind::Function).detail("dashboard variable").doc(builtin_doc(n)).snippet(*s))
    .collect()
}
