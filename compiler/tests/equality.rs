//! `==` compares values, not where they were written (architecture review bug 3: lists, maps
//! and constructor values compared their elements' source locations, so `["a"] == ["a"]` was
//! false).

fn retention(cond: &str) -> String {
    let dir = std::env::temp_dir().join(format!("gstack-eq-{}-{}", std::process::id(), cond.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = format!("stack s {{\n  prometheus {{ retention = if {cond} then 15d else 1d }}\n  grafana {{}}\n}}\n");
    std::fs::write(dir.join("s.gstack"), src).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gstackc")).args(["build", "s.gstack", "-o", "out", "--emit", "ir"]).current_dir(&dir).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ir: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    ir["prometheus"]["retention"].as_str().unwrap().to_string()
}

#[test]
fn lists_maps_and_values_compare_by_what_they_are() {
    for yes in [r#"["a", "b"] == ["a", "b"]"#, r#"["a"] != ["b"]"#, r#"["k": "v"] == ["k": "v"]"#, "[15s, 1m] == [15s, 1m]", r#"[["a"]] == [["a"]]"#] {
        assert_eq!(retention(yes), "15d", "{yes} should hold");
    }
    for no in [r#"["a", "b"] == ["b", "a"]"#, r#"["a"] == ["a", "a"]"#, "[15s] == [16s]"] {
        assert_eq!(retention(no), "1d", "{no} should not hold");
    }
}
