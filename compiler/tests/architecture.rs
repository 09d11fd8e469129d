//! Architecture tests: the layering rules of `docs/contributing.md`, checked on the source text
//! of `compiler/src` and `lsp/src` (no compiler internals, no extra dependencies).
//!
//! - `backends/` reads only the IR: no `sema`, no file IO;
//! - `targets/` names no program: they render service records;
//! - no hand list of components outside `programs.rs` and `sema/schema/` (two component
//!   names as string literals on one line; unit-test modules' fixtures excepted);
//! - each layer imports only the layers below it ([`ALLOWED`]), and there is no import circle
//!   between modules, at the granularity of subsystems and their direct children
//!   (`sema::check` is its `mod.rs` and all its files; a subsystem's `mod.rs` calling into its
//!   own children, as `backends/mod.rs` calls `loki::service`, is how it is assembled and
//!   not counted);
//! - no source file over [`MAX_LINES`] lines;
//! - the language server goes through `gstack::ide`, never `gstack::sema`.
//!
//! Paths are read with a small lexer: comments (doc comments included) are blanked, string
//! literals are collected, and `use` trees and `crate::`/`super::`/`self::` paths are resolved
//! against the module each file (or inline `mod x { … }`) is.

use gstack::programs::Component;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

// --- reading sources -------------------------------------------------------------------------

/// A Rust source file, lexed just enough for these checks.
struct Src {
    /// Path relative to the repository root, with `/` separators.
    path: String,
    /// The module path of the file within its crate (`["sema", "check"]` for
    /// `compiler/src/sema/check/mod.rs` and `["sema", "check", "lower"]` for its `lower.rs`).
    module: Vec<String>,
    /// The text with comments and the contents of string and char literals replaced by spaces
    /// (line breaks kept, so byte offsets and line numbers are the original's).
    code: String,
    /// String literals outside comments: (line, content as written).
    strings: Vec<(usize, String)>,
    /// Inline modules: (byte offset of `{`, byte offset of the matching `}`, name, `#[cfg(test)]`).
    inline_mods: Vec<(usize, usize, String, bool)>,
    lines: usize,
}

impl Src {
    fn line_of(&self, offset: usize) -> usize {
        self.code[..offset].matches('\n').count() + 1
    }
    /// The module at `offset`: the file's module and the inline modules around the offset.
    fn module_at(&self, offset: usize) -> Vec<String> {
        let mut m = self.module.clone();
        m.extend(self.inline_mods.iter().filter(|(a, b, ..)| *a < offset && offset < *b).map(|(_, _, n, _)| n.clone()));
        m
    }
    /// `offset` is inside a `#[cfg(test)] mod … { … }`.
    fn in_test_mod(&self, offset: usize) -> bool {
        self.inline_mods.iter().any(|(a, b, _, test)| *test && *a < offset && offset < *b)
    }
    fn line_in_test_mod(&self, line: usize) -> bool {
        let offset = self.code.split_inclusive('\n').take(line - 1).map(str::len).sum::<usize>();
        self.in_test_mod(offset)
    }
    fn under(&self, dir: &str) -> bool {
        self.path.starts_with(dir)
    }
}

/// Blank comments and literal contents; collect string literals.
fn lex(text: &str) -> (String, Vec<(usize, String)>) {
    let c: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut strings = vec![];
    let mut line = 1;
    let mut i = 0;
    // push `ch` as is, or as spaces of the same UTF-8 length (line breaks kept)
    fn blank(code: &mut String, ch: char) {
        if ch == '\n' {
            code.push('\n');
        } else {
            code.extend(std::iter::repeat(' ').take(ch.len_utf8()));
        }
    }
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut code, c[i]);
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += (c[i] == '\n') as usize;
                    blank(&mut code, c[i]);
                    i += 1;
                }
            }
        } else if ch == 'r' && (i == 0 || !ident(c[i - 1]) || (c[i - 1] == 'b' && (i < 2 || !ident(c[i - 2])))) && matches!(next, Some('"' | '#')) {
            // raw string r"…", r#"…"#, br"…"
            let mut j = i + 1;
            while c.get(j) == Some(&'#') {
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                code.push(ch);
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            code.extend(c[i..=j].iter());
            let start_line = line;
            let mut s = String::new();
            i = j + 1;
            while i < c.len() && !(c[i] == '"' && (0..hashes).all(|h| c.get(i + 1 + h) == Some(&'#'))) {
                line += (c[i] == '\n') as usize;
                s.push(c[i]);
                blank(&mut code, c[i]);
                i += 1;
            }
            code.push('"');
            code.extend(std::iter::repeat('#').take(hashes));
            i += 1 + hashes;
            strings.push((start_line, s));
        } else if ch == '"' {
            code.push('"');
            let start_line = line;
            let mut s = String::new();
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' && i + 1 < c.len() {
                    s.push(c[i]);
                    blank(&mut code, c[i]);
                    i += 1;
                }
                line += (c[i] == '\n') as usize;
                s.push(c[i]);
                blank(&mut code, c[i]);
                i += 1;
            }
            code.push('"');
            i += 1;
            strings.push((start_line, s));
        } else if ch == '\'' {
            // a char literal ('x', '\n', '\u{1F600}', '"') or a lifetime ('a)
            let end = if next == Some('\\') {
                (i + 3..c.len()).find(|&j| c[j] == '\'')
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    code.push('\'');
                    c[i + 1..e].iter().for_each(|x| blank(&mut code, *x));
                    code.push('\'');
                    i = e + 1;
                }
                None => {
                    code.push('\'');
                    i += 1;
                }
            }
        } else {
            line += (ch == '\n') as usize;
            code.push(ch);
            i += 1;
        }
    }
    (code, strings)
}

/// Inline `mod name { … }` blocks of lexed code: (offset of `{`, offset of its `}`, name, is test).
fn inline_mods(code: &str) -> Vec<(usize, usize, String, bool)> {
    let re = Regex::new(r"(#\[cfg\(test\)\]\s*)?(?:pub(?:\([^)]*\))?\s+)?\bmod\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{").unwrap();
    let bytes = code.as_bytes();
    re.captures_iter(code)
        .map(|cap| {
            let open = cap.get(0).unwrap().end() - 1;
            let mut depth = 0usize;
            let mut close = code.len();
            for (k, b) in bytes.iter().enumerate().skip(open) {
                match b {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            (open, close, cap[2].to_string(), cap.get(1).is_some())
        })
        .collect()
}

/// Every `.rs` file under `dir` (relative to the repository), sorted.
fn rs_files(dir: &str) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = vec![];
    walk(&repo().join(dir), &mut out);
    out.sort();
    out
}

/// The sources of one crate's `src` directory (`compiler/src` or `lsp/src`).
fn crate_sources(src_dir: &str) -> Vec<Src> {
    let root = repo().join(src_dir);
    rs_files(src_dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let rel = p.strip_prefix(&root).unwrap();
            let mut module: Vec<String> = rel.with_extension("").iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            let (code, strings) = lex(&text);
            let inline_mods = inline_mods(&code);
            Src {
                path: format!("{src_dir}/{}", rel.to_string_lossy().replace('\\', "/")),
                module,
                code,
                strings,
                inline_mods,
                lines: text.lines().count(),
            }
        })
        .collect()
}

fn compiler_sources() -> Vec<Src> {
    crate_sources("compiler/src")
}

// --- names of the programs -------------------------------------------------------------------

/// Every spelling of each component that would name it in code: its name, program and host name
/// (`node_exporter`, `node-exporter`), from the facts table.
fn program_names() -> BTreeMap<String, Component> {
    let mut out = BTreeMap::new();
    for c in Component::ALL {
        let f = c.facts();
        for n in [f.name.to_string(), f.program.to_string(), f.name.replace('_', "-")] {
            out.insert(n, c);
        }
    }
    out
}

/// The `Component` variants, as written in code (`NodeExporter`).
fn variant_names() -> Vec<String> {
    Component::ALL.iter().map(|c| format!("{c:?}")).collect()
}

// --- paths -----------------------------------------------------------------------------------

/// The paths a `use` tree names, flattened: `a::{b, c::{self, d}}` → `a::b`, `a::c`, `a::c::d`.
fn use_paths(tree: &str) -> Vec<Vec<String>> {
    let alias = Regex::new(r"\s+as\s+[A-Za-z_][A-Za-z0-9_]*").unwrap();
    let t: String = alias.replace_all(tree, "").chars().filter(|c| !c.is_whitespace()).collect();
    fn expand(prefix: &[String], s: &str, out: &mut Vec<Vec<String>>) {
        // split on top-level commas
        let mut depth = 0;
        let mut items = vec![];
        let mut start = 0;
        for (k, ch) in s.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&s[start..k]);
                    start = k + 1;
                }
                _ => {}
            }
        }
        items.push(&s[start..]);
        for item in items.into_iter().filter(|i| !i.is_empty()) {
            let (head, rest) = match item.find('{') {
                Some(b) => (&item[..b], Some(&item[b + 1..item.len() - 1])),
                None => (item, None),
            };
            let mut p = prefix.to_vec();
            p.extend(head.split("::").filter(|x| !x.is_empty() && *x != "self" || (prefix.is_empty() && *x == "self")).map(str::to_string));
            if p.last().is_some_and(|x| x == "*") {
                p.pop();
            }
            match rest {
                Some(r) => expand(&p, r, out),
                None => out.push(p),
            }
        }
    }
    let mut out = vec![];
    expand(&[], t.trim_start_matches("::"), &mut out);
    out
}

/// A reference from one module to a path: where it is written.
struct PathRef {
    file: usize,
    line: usize,
    /// The path as written, resolved against the module it is written in when it starts with
    /// `crate`, `super`, `self` or a child module; `None` when it is another crate's.
    resolved: Option<Vec<String>>,
    written: String,
}

/// Resolve `path`, written in module `at`, to a path from the crate root, given the modules
/// that exist. `None`: another crate's path (`std::…`, `serde::…`).
fn resolve(path: &[String], at: &[String], modules: &BTreeSet<Vec<String>>, globs: &[Vec<String>]) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String>;
    let mut rest = path;
    match first.as_str() {
        "crate" => {
            base = vec![];
            rest = &path[1..];
        }
        "self" => {
            base = at.to_vec();
            rest = &path[1..];
        }
        "super" => {
            base = at.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        name => {
            // a child module of `at`, or of a module glob-imported here (`use super::*`)
            let parent = std::iter::once(at.to_vec()).chain(globs.iter().cloned()).find(|m| {
                let mut c = m.clone();
                c.push(name.to_string());
                modules.contains(&c)
            })?;
            base = parent;
        }
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Every crate-internal path each file names: in `use` trees and in code
/// (`crate::programs::enabled(…)`, `super::types::fmt_num`, `index::file_index`).
fn path_refs(srcs: &[Src], krate: &str) -> Vec<PathRef> {
    let use_re = Regex::new(r"\b(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);").unwrap();
    let path_re = Regex::new(r"(?:^|[^A-Za-z0-9_:$])((?:[A-Za-z_][A-Za-z0-9_]*)(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+)").unwrap();
    let mut modules: BTreeSet<Vec<String>> = BTreeSet::new();
    for s in srcs {
        modules.insert(s.module.clone());
        for (open, ..) in &s.inline_mods {
            modules.insert(s.module_at(*open + 1));
        }
    }
    let mut out = vec![];
    for (fi, s) in srcs.iter().enumerate() {
        let mut code = s.code.clone();
        // `use` trees first, then blank them so their prefixes are not read as paths again
        let mut uses = vec![];
        for m in use_re.captures_iter(&s.code) {
            let whole = m.get(0).unwrap();
            uses.push((whole.start(), m[1].to_string()));
            code.replace_range(whole.range(), &" ".repeat(whole.len()));
        }
        let mut globs: Vec<(Vec<String>, Vec<String>)> = vec![];
        for (at, t) in uses.iter().filter(|(_, t)| t.trim_end().ends_with('*')) {
            let m = s.module_at(*at);
            globs.extend(use_paths(t).into_iter().filter_map(|p| resolve(&p, &m, &modules, &[])).map(|r| (m.clone(), r)));
        }
        let globs_at = |m: &[String]| globs.iter().filter(|(g, _)| g == m).map(|(_, r)| r.clone()).collect::<Vec<_>>();
        let mut push = |at: usize, p: Vec<String>, written: String| {
            let m = s.module_at(at);
            let resolved = if p.first().is_some_and(|x| x == krate) {
                Some(p[1..].to_vec())
            } else {
                resolve(&p, &m, &modules, &globs_at(&m))
            };
            out.push(PathRef { file: fi, line: s.line_of(at), resolved, written });
        };
        for (at, tree) in &uses {
            for p in use_paths(tree) {
                let written = p.join("::");
                push(*at, p, written);
            }
        }
        for m in path_re.captures_iter(&code) {
            let g = m.get(1).unwrap();
            let p: Vec<String> = g.as_str().split("::").map(|x| x.trim().to_string()).collect();
            push(g.start(), p, g.as_str().to_string());
        }
    }
    out
}

// --- the module graph ------------------------------------------------------------------------

/// The node of a module path: a subsystem and its direct child (`sema::check`, `backends::loki`,
/// `ir`); deeper modules belong to their ancestor at depth two.
fn node(module: &[String], modules: &BTreeSet<Vec<String>>) -> String {
    let depth = (1..=module.len().min(2)).rev().find(|d| modules.contains(&module[..*d].to_vec())).unwrap_or(0);
    module[..depth].join("::")
}

/// Edges between nodes of `compiler/src`, each with the first place it is written.
fn module_graph() -> (Vec<Src>, BTreeMap<(String, String), (String, usize, String)>) {
    // `main.rs` is the `gstackc` binary, another crate (it uses the library as `gstack::`)
    let srcs: Vec<Src> = compiler_sources().into_iter().filter(|s| s.path != "compiler/src/main.rs").collect();
    let modules: BTreeSet<Vec<String>> = srcs.iter().map(|s| s.module.clone()).collect();
    let mut edges = BTreeMap::new();
    for r in path_refs(&srcs, "gstack") {
        let Some(target) = &r.resolved else { continue };
        let (from, to) = (node(&srcs[r.file].module, &modules), node(target, &modules));
        // a subsystem's own `mod.rs` assembling its children (`loki::service`, `compose::render`)
        // is not an import: the children build on it, not it on them
        if from.is_empty() || to.is_empty() || from == to || to.starts_with(&format!("{from}::")) {
            continue;
        }
        edges.entry((from, to)).or_insert_with(|| (srcs[r.file].path.clone(), r.line, r.written.clone()));
    }
    (srcs, edges)
}

/// Strongly connected components with more than one node (Tarjan).
fn cycles(nodes: &BTreeSet<String>, edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let names: Vec<&String> = nodes.iter().collect();
    let idx: BTreeMap<&String, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut succ = vec![vec![]; names.len()];
    for (a, b) in edges {
        succ[idx[a]].push(idx[b]);
    }
    struct T {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, succ: &[Vec<usize>], t: &mut T) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in &succ[v] {
            match t.index[w] {
                None => {
                    visit(w, succ, t);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(i) if t.on[w] => t.low[v] = t.low[v].min(i),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = vec![];
            loop {
                let w = t.stack.pop().unwrap();
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.out.push(comp);
            }
        }
    }
    let n = names.len();
    let mut t = T { index: vec![None; n], low: vec![0; n], on: vec![false; n], stack: vec![], next: 0, out: vec![] };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(v, &succ, &mut t);
        }
    }
    let mut out: Vec<Vec<String>> =
        t.out.into_iter().map(|c| c.into_iter().map(|i| names[i].clone()).collect::<BTreeSet<_>>().into_iter().collect()).collect();
    out.sort();
    out
}

/// The shortest circle through `start` inside `comp` (a strongly connected component), as
/// `start -> b -> … -> start`.
fn one_circle(comp: &[String], start: &String, edges: &BTreeSet<(String, String)>) -> Vec<String> {
    let inside: BTreeSet<&String> = comp.iter().collect();
    // breadth-first from start back to start
    let mut prev: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for (a, b) in edges.iter().filter(|(a, b)| a == v && inside.contains(b)) {
            if b == start {
                let mut path = vec![start.clone()];
                let mut cur = a;
                while cur != start {
                    path.push(cur.clone());
                    cur = prev[cur];
                }
                path.push(start.clone());
                path.reverse();
                return path;
            }
            if !prev.contains_key(b) {
                prev.insert(b, a);
                queue.push_back(b);
            }
        }
    }
    comp.to_vec()
}

/// What each layer of `compiler/src` may import (its top-level module; a subsystem's children
/// may also import each other, subject only to the no-circle rule). `docs/contributing.md`
/// describes the same table.
const ALLOWED: &[(&str, &[&str])] = &[
    ("syntax", &[]),
    ("diag", &["syntax"]),
    ("ir", &[]),
    ("encode", &["ir"]),
    ("outdir", &[]),
    ("programs", &["ir"]),
    ("db", &["syntax", "diag"]),
    ("sema", &["syntax", "diag", "db", "ir", "programs"]),
    ("backends", &["ir", "programs", "encode"]),
    ("targets", &["backends", "ir", "encode", "outdir"]),
    ("upgrade", &["diag", "outdir"]),
    ("ide", &["syntax", "diag", "db", "sema", "ir", "programs"]),
];

/// Import circles known and being removed (issue #15): each entry is the exact set of nodes of
/// one circle (the test fails when one is gone, so that its entry goes too).
const ALLOWED_CIRCLES: &[&[&str]] = &[
];

// --- the tests -------------------------------------------------------------------------------

#[test]
fn backends_read_only_the_ir() {
    let (srcs, edges) = module_graph();
    let mut bad = vec![];
    // IO and the semantic layer, spelled out
    let io = Regex::new(r"\bstd\s*::\s*fs\b|\bfs\s*::|\bread_to_string\b|\bFile\s*::\s*open\b|\bsema\s*::").unwrap();
    for s in srcs.iter().filter(|s| s.under("compiler/src/backends/")) {
        for m in io.find_iter(&s.code) {
            bad.push(format!("{}:{}: `{}`", s.path, s.line_of(m.start()), m.as_str()));
        }
    }
    // and any import of `sema`, however written (`use crate::{sema, …}`)
    for ((from, to), (file, line, written)) in &edges {
        if from.starts_with("backends") && to.starts_with("sema") {
            bad.push(format!("{file}:{line}: `{written}` ({from} -> {to})"));
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "backends/ reads only the IR (no sema, no file IO):\n{}", bad.join("\n"));
}

#[test]
fn targets_name_no_program() {
    let names = program_names();
    let fields = names.keys().filter(|n| !n.contains('-')).cloned().collect::<Vec<_>>().join("|");
    // a component's IR field (`stack.grafana`, `s.loki`) or its variant (`Component::Tempo`)
    let field = Regex::new(&format!(r"\.\s*({fields})\b")).unwrap();
    let variant = Regex::new(&format!(r"\bComponent\s*::\s*({})\b", variant_names().join("|"))).unwrap();
    let mut bad = vec![];
    for s in compiler_sources().iter().filter(|s| s.under("compiler/src/targets/")) {
        for (line, lit) in &s.strings {
            if names.contains_key(lit) {
                bad.push(format!("{}:{line}: string literal {lit:?}", s.path));
            }
        }
        for m in field.find_iter(&s.code).chain(variant.find_iter(&s.code)) {
            bad.push(format!("{}:{}: `{}`", s.path, s.line_of(m.start()), m.as_str()));
        }
    }
    assert!(
        bad.is_empty(),
        "targets/ render service records and name no program (put the fact in programs.rs or the Service record):\n{}",
        bad.join("\n")
    );
}

/// Lines allowed to hold a hand list of components (`file:line`). Keep it empty: iterate over
/// `Component::ALL` or add a fact to `programs.rs` instead.
const HAND_LIST_ALLOWED: &[&str] = &[];

#[test]
fn no_hand_list_of_components() {
    let names = program_names();
    let mut bad = vec![];
    let srcs = compiler_sources().into_iter().chain(crate_sources("lsp/src"));
    for s in srcs.filter(|s| !(s.path == "compiler/src/programs.rs" || s.path.starts_with("compiler/src/sema/schema/"))) {
        let mut by_line: BTreeMap<usize, BTreeSet<Component>> = BTreeMap::new();
        for (line, lit) in &s.strings {
            if let Some(c) = names.get(lit) {
                by_line.entry(*line).or_default().insert(*c);
            }
        }
        for (line, comps) in by_line {
            // a unit test's fixture describes one stack, not which programs do what
            if comps.len() >= 2 && !s.line_in_test_mod(line) {
                let at = format!("{}:{line}", s.path);
                if !HAND_LIST_ALLOWED.contains(&at.as_str()) {
                    bad.push(format!("{at}: {comps:?}"));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "hand lists of components (iterate over Component::ALL, or add a fact to programs.rs):\n{}",
        bad.join("\n")
    );
}

/// The most lines a source file of `compiler/src` may have.
const MAX_LINES: usize = 800;

/// Files allowed over [`MAX_LINES`] for now. Issue #15: both are being split by another
/// developer; remove each entry when its split lands (the test fails while an entry is stale).
const LONG_FILES_ALLOWED: &[&str] = &[];

#[test]
fn no_file_over_max_lines() {
    let srcs = compiler_sources();
    let mut bad = vec![];
    for s in &srcs {
        if s.lines > MAX_LINES && !LONG_FILES_ALLOWED.contains(&s.path.as_str()) {
            bad.push(format!("{}: {} lines", s.path, s.lines));
        }
    }
    for allowed in LONG_FILES_ALLOWED {
        match srcs.iter().find(|s| s.path == *allowed) {
            Some(s) if s.lines > MAX_LINES => {}
            Some(s) => bad.push(format!("{allowed}: {} lines now; remove it from LONG_FILES_ALLOWED", s.lines)),
            None => bad.push(format!("{allowed}: gone; remove it from LONG_FILES_ALLOWED")),
        }
    }
    assert!(bad.is_empty(), "source files over {MAX_LINES} lines (split them by concern):\n{}", bad.join("\n"));
}

#[test]
fn layers_import_only_layers_below() {
    let (_, edges) = module_graph();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut bad = vec![];
    for ((from, to), (file, line, written)) in &edges {
        let (a, b) = (from.split("::").next().unwrap(), to.split("::").next().unwrap());
        if a == b {
            continue;
        }
        match allowed.get(a) {
            Some(ok) if ok.contains(&b) => {}
            Some(_) => bad.push(format!("{file}:{line}: {from} -> {to} (`{written}`)")),
            None => bad.push(format!("{file}:{line}: {from} is a layer the test does not know: add it to ALLOWED")),
        }
    }
    assert!(bad.is_empty(), "imports against the layering (see ALLOWED and docs/contributing.md):\n{}", bad.join("\n"));
}

#[test]
fn no_import_circle() {
    let (_, edges) = module_graph();
    let set: BTreeSet<(String, String)> = edges.keys().cloned().collect();
    let nodes: BTreeSet<String> = set.iter().flat_map(|(a, b)| [a.clone(), b.clone()]).collect();
    let found = cycles(&nodes, &set);
    let covers = |comp: &[String], a: &[&str]| a.iter().all(|n| comp.iter().any(|c| c == n));
    let mut bad = vec![];
    for comp in &found {
        if ALLOWED_CIRCLES.iter().any(|a| a.len() == comp.len() && covers(comp, a)) {
            continue;
        }
        // a circle through each node (those of no allowed circle first), each set once
        let mut starts: Vec<&String> = comp.iter().collect();
        starts.sort_by_key(|n| ALLOWED_CIRCLES.iter().any(|a| a.contains(&n.as_str())));
        let mut seen = BTreeSet::new();
        let mut text = format!("{} modules import each other: {}", comp.len(), comp.join(", "));
        for start in starts {
            let circle = one_circle(comp, start, &set);
            if !seen.insert(circle.iter().cloned().collect::<BTreeSet<_>>()) {
                continue;
            }
            text.push_str(&format!("\n  {}", circle.join(" -> ")));
            for w in circle.windows(2) {
                let (file, line, written) = &edges[&(w[0].clone(), w[1].clone())];
                text.push_str(&format!("\n    {} -> {}: {file}:{line} `{written}`", w[0], w[1]));
            }
        }
        bad.push(text);
    }
    for allowed in ALLOWED_CIRCLES {
        if !found.iter().any(|c| covers(c, allowed)) {
            bad.push(format!("{allowed:?} is no longer a circle: remove it from ALLOWED_CIRCLES"));
        }
    }
    assert!(bad.is_empty(), "import circles between modules of compiler/src:\n{}", bad.join("\n"));
}

/// What the language server may use of the compiler: features through `ide`, and the database,
/// diagnostics and syntax (positions, the formatter) they are expressed in.
const LSP_ALLOWED: &[&str] = &["ide", "db", "diag", "syntax"];

#[test]
fn lsp_goes_through_ide() {
    let srcs = crate_sources("lsp/src");
    let mut bad = vec![];
    for r in path_refs(&srcs, "gstack_lsp") {
        let written: Vec<&str> = r.written.split("::").map(str::trim).collect();
        if written.first() == Some(&"gstack") {
            let layer = written.get(1).copied().unwrap_or("");
            if !LSP_ALLOWED.contains(&layer) {
                bad.push(format!("{}:{}: `{}`", srcs[r.file].path, r.line, r.written));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "lsp/src uses the compiler through gstack::{{{}}} only (add a pass-through to compiler/src/ide/mod.rs):\n{}",
        LSP_ALLOWED.join(", "),
        bad.join("\n")
    );
}

#[test]
fn the_lexer_of_these_tests_blanks_comments_and_finds_literals() {
    let (code, strings) = lex("let a = \"x//y\"; // \"no\"\n/* \"no\" /* nested */ */ let b = r#\"q\"#; let c = '\"'; fn f<'a>() {}\n");
    assert_eq!(strings, vec![(1, "x//y".to_string()), (2, "q".to_string())]);
    assert!(!code.contains("no") && code.contains("fn f<'a>()"), "{code}");
    assert_eq!(code.len(), "let a = \"x//y\"; // \"no\"\n/* \"no\" /* nested */ */ let b = r#\"q\"#; let c = '\"'; fn f<'a>() {}\n".len());
    assert_eq!(
        use_paths("crate::sema::{self, eval::{a, b as c}, types::*}"),
        vec![
            vec!["crate", "sema"],
            vec!["crate", "sema", "eval", "a"],
            vec!["crate", "sema", "eval", "b"],
            vec!["crate", "sema", "types"],
        ]
    );
}
