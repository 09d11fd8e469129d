//! Snapshots of every file `gstackc build` generates for the bundled example, so a change in
//! any backend or target shows up in review as a diff of the generated file.

use gstack::db::Database;
use gstack::sema::check::check_stack;
use std::path::Path;

#[test]
fn every_generated_file_of_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut db = Database::default();
    // a relative path keeps machine-specific paths out of the snapshots
    std::env::set_current_dir(root).unwrap();
    let path = Path::new("examples/default.gstack");
    let f = db.set_file(path, std::fs::read_to_string(path).unwrap());
    let checked = check_stack(&db, f);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let stack = checked.stack.as_ref().unwrap();
    let outputs = gstack::targets::render(stack, None).expect("the example renders");
    assert!(outputs.len() > 10);
    for o in outputs {
        let name = o.path.replace('/', "__");
        insta::assert_snapshot!(name, o.content);
    }
}
