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

#[test]
fn the_readme_taste_checks_clean() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```gstack\n").expect("a gstack block in the README") + "```gstack\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = TempDir::new("readme");
    let src = dir.path().join("taste.gstack");
    std::fs::write(&src, &readme[start..end]).unwrap();
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_gstackc")).arg("check").arg(&src));
    assert!(ok, "the README's taste of the language does not check:\n{text}");
}
