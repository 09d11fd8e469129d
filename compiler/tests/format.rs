//! The repository's own .gstack files are in `gstackc fmt` form.

mod common;
use common::*;
use std::process::Command;

#[test]
fn repository_gstack_files_are_formatted() {
    let root = root();
    let mut files = vec![];
    for dir in ["examples", "examples/teams", "stdlib", "templates/default"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "gstack") {
                files.push(e.path());
            }
        }
    }
    assert!(files.len() >= 5, "{files:?}");
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_gstackc")).args(["fmt", "--check"]).args(&files));
    assert!(ok, "run `gstackc fmt` on these:\n{text}");
}
