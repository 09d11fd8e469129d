//! Where does checking time go? A finer split than `incremental` can see through salsa.
//!
//! `cargo run --release -p gstack --example phases -- DIR`
//!
//! For the `part_NNN.gstack` files of a stack written by `gen_stack`, times the lexer
//! (`syntax::lexer::lex`) and the parser (`syntax::parser::parse_tokens`) separately, then the
//! whole `syntax::parse` keeping every tree alive (as the database does), then
//! parses every PromQL literal with `promql_parser` on its own (what the checker does for each
//! panel and alert query), then the whole `check_stack` for comparison.


/// The allocator `gstackc` and `gstack-lsp` use, so the figures are theirs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use gstack::db::Database;
use gstack::sema::check::check_stack;
use gstack::syntax::{lexer, parser};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: phases DIR");
        std::process::exit(2)
    }));
    let mut parts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read DIR")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("part_")))
        .collect();
    parts.sort();
    let texts: Vec<String> = parts.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();

    let t = Instant::now();
    let lexed: Vec<_> = texts.iter().map(|s| lexer::lex(s)).collect();
    let t_lex = t.elapsed();
    let tokens: usize = lexed.iter().map(|l| l.tokens.len()).sum();
    let t = Instant::now();
    for (l, s) in lexed.iter().zip(&texts) {
        let _ = parser::parse_tokens(&l.tokens, s.len());
    }
    let t_parse = t.elapsed();
    // the same, keeping every tree alive (as the database does): heap growth and page faults
    let t = Instant::now();
    let kept: Vec<_> = texts.iter().map(|s| gstack::syntax::parse(s)).collect();
    let t_parse_kept = t.elapsed();
    // one more file parsed while all those trees are alive (an edit in a big stack)
    let t = Instant::now();
    let _ = gstack::syntax::parse(&texts[0]);
    let t_one_more = t.elapsed();
    drop(kept);

    // PromQL literals as the checker sees them (Grafana `$var`s replaced by a same-length name)
    let queries: Vec<String> = texts
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|l| {
            let start = l.find("promql`")? + 7;
            let end = l.rfind('`')?;
            Some(l[start..end].replace('$', "x"))
        })
        .collect();
    let t = Instant::now();
    let mut failed = 0;
    for q in &queries {
        if promql_parser::parser::parse(q).is_err() {
            failed += 1;
        }
    }
    let t_promql = t.elapsed();

    let root_path = dir.join("main.gstack");
    let mut db = Database::default();
    let root = db.set_file(&root_path, std::fs::read_to_string(&root_path).unwrap());
    let t = Instant::now();
    let _ = check_stack(&db, root);
    let t_all = t.elapsed();

    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("{} part files, {:.1} MB, {tokens} tokens", parts.len(), bytes as f64 / 1e6);
    println!("  lex:            {:8.1} ms ({:.2} ms per file)", ms(t_lex), ms(t_lex) / parts.len() as f64);
    println!("  parse (chumsky): {:7.1} ms ({:.2} ms per file)", ms(t_parse), ms(t_parse) / parts.len() as f64);
    println!(
        "  lex+parse keeping every tree: {:.1} ms ({:.2} ms per file); one more file then: {:.2} ms",
        ms(t_parse_kept),
        ms(t_parse_kept) / parts.len() as f64,
        ms(t_one_more)
    );
    println!(
        "  promql_parser:  {:8.1} ms for {} queries ({:.1} µs each, {failed} rejected)",
        ms(t_promql),
        queries.len(),
        ms(t_promql) * 1000.0 / queries.len().max(1) as f64
    );
    println!("  check_stack (everything, cold): {:.1} ms", ms(t_all));
}
