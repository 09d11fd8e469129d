//! How PromQL checking grows with the size of one query (issue #14): `a + a + … + a` with N
//! terms, timed phase by phase (the `promql-parser` crate's parser alone, gstack's variable
//! substitution, and a whole `check_stack` of a file with the query in a panel and an alert).
//!
//!   cargo run --release -p gstack --example promql_scale -- [N…]     default: 2000 8000 32000
use std::time::Instant;

fn main() {
    let ns: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let ns = if ns.is_empty() { vec![2000, 8000, 32000] } else { ns };
    println!("{:>8} {:>10} {:>14} {:>14} {:>14}  diagnostics", "terms", "bytes", "parser ms", "substitute ms", "check ms");
    for n in ns {
        let q = vec!["a"; n].join(" + ");
        // the crate's parser alone, up to 32,000 terms (quadratic: 100,000 take over a minute)
        let t = Instant::now();
        let ok = n > 32_000 || promql_parser::parser::parse(&q).is_ok();
        let parse_ms = if n > 32_000 { f64::NAN } else { t.elapsed().as_secs_f64() * 1e3 };
        let t = Instant::now();
        let s = gstack::sema::query::substitute_grafana_vars(&q, false);
        let subst_ms = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(s.len(), q.len());
        let src = format!("stack s {{\n  prometheus {{}}\n  grafana {{}}\n}}\ndashboard d {{\n  row r {{\n    timeseries \"p\" {{ query = promql`{q}` }}\n  }}\n}}\nalert A {{ expr = promql`{q}` }}\n");
        let dir = std::env::temp_dir().join(format!("gstack-promql-scale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("main.gstack");
        std::fs::write(&path, &src).unwrap();
        let t = Instant::now();
        let out = std::process::Command::new(std::env::var("GSTACKC").unwrap_or_else(|_| "target/release/gstackc".into())).arg("check").arg(&path).output().unwrap();
        let check_ms = t.elapsed().as_secs_f64() * 1e3;
        let err = String::from_utf8_lossy(&out.stderr);
        let codes: Vec<&str> = err.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| w.len() == 5 && w.starts_with(['E', 'W']) && w[1..].bytes().all(|b| b.is_ascii_digit())).collect();
        std::fs::remove_dir_all(&dir).ok();
        println!("{n:>8} {:>10} {parse_ms:>14.1} {subst_ms:>14.1} {check_ms:>14.1}  {} {:?}", q.len(), if ok { "parses" } else { "parser rejects" }, codes);
    }
}
