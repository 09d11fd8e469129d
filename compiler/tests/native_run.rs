//! The file handling of the generated `native/run`, run for real with bash in a temporary
//! HOME: it never deletes what it did not create (issue #14) and no text of the source runs
//! as a command. `process-compose` and `prometheus` are stubs on PATH that exit 0 (the stub
//! process-compose leaves `ran` next to itself): these tests are about what `run` does before
//! it starts process-compose. PATH is the stubs and `/usr/bin:/bin`.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// Build `target native { data_dir = DATA }` (a Prometheus-only stack, on a free port) into
/// `dir/out`.
fn build(dir: &Path, data_dir: &str) -> std::path::PathBuf {
    build_with(dir, data_dir, &format!("prometheus {{ port = {} }}", free_port()), "")
}

/// Build `stack s { BLOCKS }` with `target native { data_dir = DATA EXTRA }` into `dir/out`.
fn build_with(dir: &Path, data_dir: &str, blocks: &str, extra: &str) -> std::path::PathBuf {
    let src = dir.join("stack.gstack");
    let data = data_dir.replace('\\', "\\\\").replace('"', "\\\"");
    std::fs::write(&src, format!("stack s {{\n  {blocks}\n}}\n\ntarget native {{\n  data_dir = \"{data}\"\n  {extra}\n}}\n")).unwrap();
    let out = dir.join("out");
    gstackc_build(&src, &out, &["--target", "native"]);
    out.join("native/run")
}

/// The directory of the stubs `run_script` puts first on PATH.
fn stub_dir(home: &Path) -> std::path::PathBuf {
    home.parent().unwrap().join("stub")
}

/// Run `run` with HOME=`home`, the stubs first on PATH, in `cwd`.
fn run_script(run: &Path, home: &Path, cwd: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let stub = stub_dir(home);
    std::fs::create_dir_all(&stub).unwrap();
    use std::os::unix::fs::PermissionsExt;
    for (name, body) in [("process-compose", format!("#!/bin/sh\n: > '{}'\nexit 0\n", stub.join("ran").display())), ("prometheus", "#!/bin/sh\nexit 0\n".into())] {
        std::fs::write(stub.join(name), body).unwrap();
        std::fs::set_permissions(stub.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", stub.display());
    let mut cmd = Command::new("bash");
    cmd.arg(run).current_dir(cwd).env("HOME", home).env("PATH", path).env_remove("GSTACK_DATA").env_remove("PROCESS_COMPOSE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    common::run(&mut cmd)
}

#[test]
fn run_with_data_dir_home_keeps_the_users_dot_config() {
    let dir = TempDir::new("native-run-home");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".config")).unwrap();
    std::fs::write(home.join(".config/keep"), "mine").unwrap();
    let run = build(dir.path(), "~");
    for _ in 0..2 {
        // twice: the second run replaces the copy the first one made
        let (ok, out) = run_script(&run, &home, dir.path(), &[]);
        assert!(ok, "run failed:\n{out}");
        assert_eq!(std::fs::read_to_string(home.join(".config/keep")).unwrap(), "mine", "run deleted ~/.config");
        assert!(home.join(".gstack/config/.gstack-owned").is_file(), "the config copy carries its marker");
        assert!(home.join(".gstack/config/prometheus/prometheus.yml").is_file(), "the config was copied");
    }
    // GSTACK_DATA=$HOME overrides the same way
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let run2 = build(&other, "/nonexistent/never");
    let (ok, out) = run_script(&run2, &home, dir.path(), &[("GSTACK_DATA", home.to_str().unwrap())]);
    assert!(ok, "run failed:\n{out}");
    assert_eq!(std::fs::read_to_string(home.join(".config/keep")).unwrap(), "mine");
}

#[test]
fn run_refuses_to_replace_a_config_directory_it_did_not_make() {
    let dir = TempDir::new("native-run-foreign");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".gstack/config")).unwrap();
    std::fs::write(home.join(".gstack/config/notes"), "mine").unwrap();
    let run = build(dir.path(), "~");
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(!ok, "run replaced a directory without its marker:\n{out}");
    assert!(out.contains(".gstack-owned"), "the error names the marker:\n{out}");
    assert_eq!(std::fs::read_to_string(home.join(".gstack/config/notes")).unwrap(), "mine");
    // a symlink there is refused too, and what it points to is left alone
    std::fs::remove_dir_all(home.join(".gstack/config")).unwrap();
    std::fs::create_dir_all(home.join("precious")).unwrap();
    std::fs::write(home.join("precious/.gstack-owned"), "").unwrap();
    std::fs::write(home.join("precious/data"), "mine").unwrap();
    std::os::unix::fs::symlink(home.join("precious"), home.join(".gstack/config")).unwrap();
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(!ok, "run followed a symlink:\n{out}");
    assert_eq!(std::fs::read_to_string(home.join("precious/data")).unwrap(), "mine");
}

#[test]
fn data_dir_text_never_runs_as_a_command() {
    let dir = TempDir::new("native-run-inject");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let cwd = dir.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    let data = format!("{}/d $(touch pwned) `touch pwned2` 'q", cwd.display());
    let run = build(dir.path(), &data);
    let (ok, out) = run_script(&run, &home, &cwd, &[]);
    assert!(ok, "run failed:\n{out}");
    assert!(!cwd.join("pwned").exists() && !cwd.join("pwned2").exists(), "text of data_dir ran as a command");
    assert!(Path::new(&data).join(".gstack/config/.gstack-owned").is_file(), "the data directory is data_dir, literally");
}

#[test]
fn a_missing_binary_stops_run_before_anything_starts() {
    let dir = TempDir::new("native-run-missing");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let data = dir.path().join("data");
    // node-exporter is not on PATH (PATH is the stubs and /usr/bin:/bin); Alertmanager's path
    // in the `bin` map does not exist
    let missing = dir.path().join("nowhere/alertmanager");
    let run = build_with(
        dir.path(),
        data.to_str().unwrap(),
        "prometheus {}\n  node_exporter {}\n  alertmanager {}",
        &format!("bin = {{ alertmanager = \"{}\" }}", missing.display()),
    );
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(!ok, "run started with missing binaries:\n{out}");
    assert!(out.contains("cannot start node_exporter") && out.contains("put node_exporter on PATH"), "names the program and PATH:\n{out}");
    assert!(out.contains(&format!("cannot start alertmanager: no executable {}", missing.display())), "names the missing path:\n{out}");
    assert!(out.contains("bin = { alertmanager"), "says where the path is set:\n{out}");
    assert!(!out.contains("cannot start prometheus"), "prometheus is there:\n{out}");
    assert!(!stub_dir(&home).join("ran").exists(), "process-compose was started");
    assert!(!data.exists(), "run created the data directory before refusing");
    // process-compose itself: PROCESS_COMPOSE names a file that is not there
    std::fs::create_dir_all(dir.path().join("pc")).unwrap();
    let run = build(&dir.path().join("pc"), data.to_str().unwrap());
    let (ok, out) = run_script(&run, &home, dir.path(), &[("PROCESS_COMPOSE", "/nonexistent/process-compose")]);
    assert!(!ok && out.contains("cannot start process-compose") && out.contains("PROCESS_COMPOSE"), "{out}");
}

#[test]
fn run_refuses_a_port_in_use_before_it_replaces_anything() {
    let dir = TempDir::new("native-run-port");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let data = dir.path().join("data");
    let (pp, np) = (free_port(), free_port());
    let run = build_with(dir.path(), data.to_str().unwrap(), &format!("prometheus {{ port = {pp} }}\n  node_exporter {{ port = {np} }}"), "bin = { node_exporter = \"prometheus\" }");
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(ok, "{out}");
    let copy = data.join(".gstack/config/prometheus/prometheus.yml");
    assert!(copy.is_file());
    std::fs::remove_file(stub_dir(&home).join("ran")).unwrap();
    // something listens on Prometheus' port (an orphan of a dead process-compose, say)
    let taken = std::net::TcpListener::bind(("127.0.0.1", pp)).unwrap();
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(!ok, "run started while port {pp} was taken:\n{out}");
    assert!(out.contains(&format!("cannot start prometheus: its http port {pp} on 127.0.0.1 is in use")), "names the component and port:\n{out}");
    assert!(!out.contains(&format!("port {np}")), "only the taken port:\n{out}");
    assert!(copy.is_file(), "run deleted the running programs' config");
    assert!(!stub_dir(&home).join("ran").exists(), "process-compose was started");
    drop(taken);
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(ok, "the port is free again:\n{out}");
}

#[test]
fn run_refuses_while_another_run_of_the_stack_holds_its_lock() {
    let flock = require("flock");
    let dir = TempDir::new("native-run-lock");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let data = dir.path().join("data");
    let run = build_with(dir.path(), data.to_str().unwrap(), &format!("prometheus {{ port = {} }}", free_port()), "");
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    assert!(ok, "{out}");
    let lock = data.join(".gstack/lock");
    assert!(lock.is_file(), "run takes its lock at $GSTACK_DATA/.gstack/lock");
    std::fs::remove_file(stub_dir(&home).join("ran")).unwrap();
    // another holder of the lock (a running process-compose, or the programs it left behind)
    let mut holder = Command::new(flock).arg("-n").arg(&lock).args(["sleep", "60"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(holder.try_wait().unwrap().is_none(), "the holder got the lock");
    let (ok, out) = run_script(&run, &home, dir.path(), &[]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert!(!ok, "run started while the lock was held:\n{out}");
    assert!(out.contains("is held: this stack is already running"), "says why:\n{out}");
    assert!(data.join(".gstack/config/prometheus/prometheus.yml").is_file(), "run deleted the running programs' config");
    assert!(!stub_dir(&home).join("ran").exists(), "process-compose was started");
}
