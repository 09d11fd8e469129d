//! How `documentSymbol` (the outline, `gstack::ide::document_symbols`) grows with the file
//! (issue #14: 31 s at 20,000 dashboards): one file of N dashboards (a row of two panels each)
//! and N alerts; the parse and the index are computed first, the outline is timed alone.
//!
//!   cargo run --release -p gstack --example outline_scale -- [N…]     default: 2000 8000 20000
use gstack::db::Database;
use std::time::Instant;

fn main() {
    let ns: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let ns = if ns.is_empty() { vec![2000, 8000, 20000] } else { ns };
    println!("{:>10} {:>8} {:>10} {:>12} {:>14}", "dashboards", "MB", "symbols", "outline ms", "µs/dashboard");
    for n in ns {
        let mut s = String::from("fn p(t: string) = stat \"${t}\" { query = promql`up` }\n");
        for i in 0..n {
            s.push_str(&format!("dashboard d{i} {{\n  row \"r\" {{\n    stat \"a\" {{ query = promql`up` }}\n    stat \"b\" {{ query = promql`up` }}\n  }}\n}}\nalert A{i} {{ expr = promql`up == 0` }}\n"));
        }
        let mb = s.len() as f64 / 1e6;
        let mut db = Database::default();
        let f = db.set_file(std::path::Path::new("/outline/big.gstack"), s);
        let _ = gstack::ide::document_symbols::document_symbols(&db, f);
        let t = Instant::now();
        let syms = gstack::ide::document_symbols::document_symbols(&db, f);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        println!("{n:>10} {mb:>8.1} {:>10} {ms:>12.1} {:>14.2}", syms.len(), ms * 1e3 / n as f64);
    }
}
