//! A real editor as the client: headless Neovim (Debian's `neovim`, 0.7.2 here), configured
//! with `editors/nvim/gstack.lua` as a user would, opens a copy of the bundled example with one
//! mistake; the configuration starts the server with `gstackc lsp` (or `gstack-lsp` when
//! `gstackc` is not built next to it). The script waits for the stack-level diagnostic, asks
//! for a hover, and writes both back as JSON for the assertions.
//!
//! Neovim 0.7 has no `vim.lsp.start`; the configuration falls back to `start_client` +
//! `buf_attach_client`, so this runs on Debian 12's Neovim.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(program)).find(|p| p.is_file())
}

const SCRIPT: &str = r#"
vim.g.gstack_lsp_cmd = vim.split(os.getenv("GSTACK_LSP_CMD"), "\t")
-- the configuration users copy (editors/nvim/gstack.lua): filetype + server start
dofile(os.getenv("GSTACK_NVIM_CONFIG"))
local file = os.getenv("GSTACK_FILE")
local expect = os.getenv("GSTACK_EXPECT")
local result = { diagnostics = {}, hover = vim.NIL, errors = {}, version = vim.version() }
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[buf].filetype
  result.attached = vim.wait(20000, function() return next(vim.lsp.buf_get_clients(buf)) ~= nil end, 50)
  result.got_diagnostics = vim.wait(60000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if string.find(d.message, expect, 1, true) then return true end
    end
    return false
  end, 50)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity, source = d.source, code = code })
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = tonumber(os.getenv("GSTACK_LINE")), character = tonumber(os.getenv("GSTACK_COL")) },
  }
  local resp = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 30000)
  for _, r in pairs(resp or {}) do
    if r.result then result.hover = r.result.contents.value end
    if r.err then table.insert(result.errors, vim.inspect(r.err)) end
  end
  vim.lsp.stop_client(vim.lsp.get_active_clients())
end)
if not ok then table.insert(result.errors, tostring(err)) end
local f = assert(io.open(os.getenv("GSTACK_OUT"), "w"))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd("qa!")
"#;

#[test]
fn neovim_shows_diagnostics_and_hover() {
    let nvim = which("nvim").unwrap_or_else(|| panic!("`nvim` is not on PATH: run .ci/run (it installs Debian's neovim), or apt-get install -y neovim"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("gstack-lsp-nvim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("teams")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/default.gstack")).unwrap();
    // one mistake the whole-stack check finds: a unit Prometheus does not know
    let broken = example.replacen("for = 10m\n", "for = 10min\n", 1);
    assert_ne!(broken, example, "the example has an alert with `for = 10m`");
    let file = dir.join("default.gstack");
    std::fs::write(&file, &broken).unwrap();
    std::fs::copy(root.join("examples/teams/payments.gstack"), dir.join("teams/payments.gstack")).unwrap();
    let script = dir.join("test.lua");
    std::fs::write(&script, SCRIPT).unwrap();
    let out = dir.join("out.json");

    // `gstackc lsp` when gstackc was built next to the server (as `cargo test --workspace` does)
    let server = PathBuf::from(env!("CARGO_BIN_EXE_gstack-lsp"));
    let gstackc = server.with_file_name(format!("gstackc{}", std::env::consts::EXE_SUFFIX));
    let cmd = if gstackc.is_file() { format!("{}\tlsp", gstackc.display()) } else { server.display().to_string() };
    println!("neovim starts: {}", cmd.replace('\t', " "));

    let line_of = |needle: &str| broken[..broken.find(needle).unwrap()].matches('\n').count();
    let retention = broken.find("retention").unwrap();
    let hover_line = line_of("retention");
    let hover_col = retention - broken[..retention].rfind('\n').map_or(0, |i| i + 1) + 2;

    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("GSTACK_LSP_CMD", &cmd)
        .env("GSTACK_FILE", &file)
        .env("GSTACK_NVIM_CONFIG", root.join("editors/nvim/gstack.lua"))
        .env("GSTACK_EXPECT", "10min")
        .env("GSTACK_OUT", &out)
        .env("GSTACK_LINE", hover_line.to_string())
        .env("GSTACK_COL", hover_col.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "nvim exited with {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("nvim did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let res: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("the script wrote its result")).unwrap();
    println!("neovim {}: {res:#}", res["version"]);
    assert_eq!(res["errors"], serde_json::json!([]), "{res:#}");
    assert_eq!(res["filetype"], "gstack", "editors/nvim/gstack.lua sets the filetype");
    assert_eq!(res["attached"], true, "the server attached to the buffer: {res:#}");
    assert_eq!(res["got_diagnostics"], true, "no diagnostic mentioning 10min: {res:#}");
    let diags = res["diagnostics"].as_array().unwrap();
    let d = diags.iter().find(|d| d["message"].as_str().unwrap().contains("`10min` is not a duration")).expect("the unit error");
    assert_eq!(d["lnum"], line_of("for = 10min"));
    assert_eq!(d["col"], 8, "after `  for = `");
    assert_eq!(d["source"], "gstack");
    assert_eq!(d["code"], "E0203");
    assert_eq!(d["severity"], 1, "an error");
    assert_eq!(diags.len(), 1, "only that mistake: {diags:#?}");
    let hover = res["hover"].as_str().expect("a hover");
    assert!(hover.contains("**retention**") && hover.contains("Default: `15d`"), "{hover}");
    let _ = std::fs::remove_dir_all(&dir);
}
