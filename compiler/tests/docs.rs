//! `docs/reference.md` is generated from the schemas; this fails when it is stale.

#[test]
fn docs_reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reference.md");
    let want = gstack::sema::reference::markdown();
    if std::env::var_os("GSTACK_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/reference.md is stale: run `GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs`");
}
