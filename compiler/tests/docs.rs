//! Generated documentation: `docs/reference.md` from the schemas, and the code table of
//! `docs/language.md` from `compiler/src/diag/codes.rs`, and `nix/components.nix` from the facts
//! table (`compiler/src/programs.rs`). These fail when they are stale; run
//! them with `GSTACK_UPDATE_DOCS=1` to rewrite them.

use std::path::{Path, PathBuf};

fn doc(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs").join(name)
}

#[test]
fn docs_reference_is_current() {
    let path = doc("reference.md");
    let want = gstack::sema::reference::markdown();
    if std::env::var_os("GSTACK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/reference.md is stale: run `GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs`");
}

/// The lines that open and close the generated code table of `docs/language.md`.
const CODES_BEGIN: &str = "<!-- codes: generated from compiler/src/diag/codes.rs by the test docs_language_codes_are_current; run it with GSTACK_UPDATE_DOCS=1 to refresh -->\n";
const CODES_END: &str = "<!-- end of codes -->\n";

#[test]
fn docs_language_codes_are_current() {
    let path = doc("language.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    let (Some(b), Some(e)) = (have.find(CODES_BEGIN), have.find(CODES_END)) else {
        panic!("docs/language.md lacks the lines that enclose the code table:\n{CODES_BEGIN}{CODES_END}");
    };
    assert!(b < e, "docs/language.md: the code table's end marker comes before its start");
    let start = b + CODES_BEGIN.len();
    let want = format!("{}\n{}\n{}", &have[..start], gstack::diag::explain::markdown(), &have[e..]);
    if std::env::var_os("GSTACK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "the code table of docs/language.md is stale: run `GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs`"
    );
}

/// A port field's default in the component's schema (`schema::STACK`): the typed default.
fn schema_port_default(c: gstack::programs::Component, field: &str) -> u16 {
    let block = gstack::sema::schema::STACK.block(c.name()).unwrap_or_else(|| panic!("no `{}` block in schema::STACK", c.name()));
    block.schema.port_default(field)
}

#[test]
fn nix_components_are_generated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../nix/components.nix");
    let want = gstack::programs::components_nix(schema_port_default);
    if std::env::var_os("GSTACK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "nix/components.nix is stale: run `GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs` (it is generated from compiler/src/programs.rs)"
    );
}
