//! Incremental re-check benchmark for the salsa database.
//!
//! `cargo run --release -p gstack --example incremental -- DIR [EDITS]`
//!
//! DIR is a stack written by `gen_stack` (`main.gstack` importing `part_NNN.gstack`). The
//! example loads it into one [`gstack::db::Database`], runs `check_stack` once (cold), then
//! EDITS times (default 20) changes one panel title in one dashboard file with
//! `Database::set_file` and re-runs `check_stack`, printing the median and max re-check time.
//!
//! It then repeats a few edits with each phase forced separately (parse of the edited file,
//! its evaluation, its `check_file` — schema, units, PromQL of its dashboards and alerts —
//! then `check_stack`, whose remaining work is verifying the other files' memos and merging
//! every file's result into the stack), to show where the re-check time goes.
//!
//! The cold check is timed twice: in one thread, and as `gstackc check` does it
//! (`sema::check::warm` on every core, then `check_stack`).


/// The allocator `gstackc` and `gstack-lsp` use, so the figures are theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use gstack::db::{self, Database};
use gstack::sema::check::{check_file, check_stack, reachable_files, warm};
use gstack::sema::eval::eval_module;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Replace the title of the first panel of the `nth` dashboard in `text` (one line changes).
fn edit(text: &str, nth: usize, tag: &str) -> String {
    let needle = "    timeseries \"Requests/s";
    let mut count = 0;
    let mut out = String::with_capacity(text.len() + 32);
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with(needle) {
            if count == nth {
                out.push_str(&format!("    timeseries \"Requests/s ({tag})\" {{\n"));
                done = true;
                count += 1;
                continue;
            }
            count += 1;
        }
        out.push_str(line);
    }
    assert!(done, "no dashboard #{nth} in the file");
    out
}

fn panel_titles(db: &Database, root: gstack::db::SourceFile) -> usize {
    let checked = check_stack(db, root);
    checked
        .stack
        .as_ref()
        .map(|s| s.dashboards.iter().map(|d| d.rows.iter().map(|r| r.panels.len()).sum::<usize>() + d.panels.len()).sum())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| {
        eprintln!("usage: incremental DIR [EDITS]");
        std::process::exit(2)
    }));
    let edits: usize = args.next().map(|s| s.parse().expect("EDITS is a number")).unwrap_or(20);

    let root_path = dir.join("main.gstack");
    let text = std::fs::read_to_string(&root_path).expect("read main.gstack");
    let mut db = Database::default();
    let root = db.set_file(&root_path, text);

    // cold: the whole pipeline, with files loaded from disk on first import
    let t = Instant::now();
    let checked = check_stack(&db, root);
    let cold = t.elapsed();
    let n_diags = checked.diagnostics.len();
    let files: Vec<PathBuf> = checked.files.iter().map(|f| f.path(&db).clone()).collect();
    let n_dash = checked.stack.as_ref().map(|s| s.dashboards.len()).unwrap_or(0);
    let n_alerts = checked.stack.as_ref().map(|s| s.alerts.len()).unwrap_or(0);
    println!(
        "loaded {} files: {n_dash} dashboards, {} panels, {n_alerts} alerts, {n_diags} diagnostics",
        files.len(),
        panel_titles(&db, root)
    );
    println!("cold check_stack, one thread: {:.1} ms", ms(cold));
    {
        let threads = gstack::sema::check::cores();
        let mut db3 = Database::default();
        let root3 = db3.set_file(&root_path, std::fs::read_to_string(&root_path).unwrap());
        let t = Instant::now();
        warm(&db3, root3, threads);
        let _ = check_stack(&db3, root3);
        println!("cold check, warm() on {threads} threads then check_stack (what `gstackc check` does): {:.1} ms", ms(t.elapsed()));
    }
    if n_diags != 0 {
        for d in checked.diagnostics.iter().take(5) {
            eprintln!("  {d:?}");
        }
    }

    // cold, phase by phase, on a second fresh database (same files, read from disk)
    {
        let mut db2 = Database::default();
        let root2 = db2.set_file(&root_path, std::fs::read_to_string(&root_path).unwrap());
        let t = Instant::now();
        let fs = reachable_files(&db2, root2); // loads + parses every file (imports are read from the tree)
        let t_parse = t.elapsed();
        let t = Instant::now();
        for f in &fs {
            let _ = eval_module(&db2, *f);
        }
        let t_eval = t.elapsed();
        let t = Instant::now();
        let _ = check_stack(&db2, root2);
        let t_check = t.elapsed();
        println!(
            "cold phases: read+parse {:.1} ms, eval {:.1} ms, check+lower {:.1} ms",
            ms(t_parse),
            ms(t_eval),
            ms(t_check)
        );
    }

    let parts: Vec<&PathBuf> = files.iter().filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("part_"))).collect();
    assert!(!parts.is_empty(), "no part_NNN.gstack files under {}", dir.display());
    let mut texts: Vec<String> = parts.iter().map(|p| db.source_text(p).unwrap()).collect();
    let per_file = texts[0].matches("\n    timeseries \"Requests/s").count().max(1);

    // the headline: edit one line, re-run check_stack
    let mut times = vec![];
    for i in 0..edits {
        let k = (i * 7) % parts.len();
        let nth = (i * 13) % per_file;
        let new = edit(&texts[k], nth, &format!("edit {i}"));
        texts[k] = new.clone();
        let t = Instant::now();
        db.set_file(Path::new(parts[k]), new);
        let c = check_stack(&db, root);
        let e = t.elapsed();
        assert_eq!(c.diagnostics.len(), n_diags, "an edit changed the diagnostics");
        times.push(ms(e));
    }
    // the last edit is visible in the IR
    let last = format!("Requests/s (edit {})", edits - 1);
    let seen = check_stack(&db, root)
        .stack
        .as_ref()
        .is_some_and(|s| s.dashboards.iter().any(|d| d.rows.iter().any(|r| r.panels.iter().any(|p| p.title == last))));
    assert!(seen || edits == 0, "the edited title is not in the IR");
    let max = times.iter().cloned().fold(0.0, f64::max);
    let mut sorted = times.clone();
    let med = median(&mut sorted);
    println!("re-check after a one-line edit ({edits} edits): median {med:.2} ms, max {max:.2} ms");

    // the same, phase by phase
    let (mut raw, mut p, mut ev, mut cf, mut ck) = (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..5 {
        let k = (i * 3 + 1) % parts.len();
        let new = edit(&texts[k], (i * 5) % per_file, &format!("phase {i}"));
        texts[k] = new.clone();
        // the bare parser on the same text, outside salsa, for comparison
        let t = Instant::now();
        drop(gstack::syntax::parse(&new));
        raw.push(ms(t.elapsed()));
        let f = db.set_file(Path::new(parts[k]), new);
        let t = Instant::now();
        let _ = db::parse(&db, f);
        p.push(ms(t.elapsed()));
        let t = Instant::now();
        let _ = eval_module(&db, f);
        ev.push(ms(t.elapsed()));
        let t = Instant::now();
        let _ = check_file(&db, f);
        cf.push(ms(t.elapsed()));
        let t = Instant::now();
        let _ = check_stack(&db, root);
        ck.push(ms(t.elapsed()));
    }
    println!(
        "re-check phases (median of 5): parse edited file {:.2} ms (bare syntax::parse of it: {:.2} ms), eval edited file {:.2} ms, check_file edited file {:.2} ms, check_stack (merge) {:.2} ms",
        median(&mut p),
        median(&mut raw),
        median(&mut ev),
        median(&mut cf),
        median(&mut ck)
    );
}
