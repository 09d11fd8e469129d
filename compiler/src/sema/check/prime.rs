//! Cache priming, as rust-analyzer's `prime_caches`: parse along the imports and run
//! [`check_file`] for every file on every core before [`check_stack`] merges.

use super::*;

/// How many threads [`warm`] should use: the cores this process may run on (1 if unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Compute the per-file queries of the stack rooted at `root` on every core, so that a
/// following [`check_stack`] only merges: files are parsed level by level along the imports
/// (a level's files in parallel), then [`check_file`] (evaluation, schema, PromQL) runs for
/// every file in parallel. Each thread works through its own handle of the same database, so
/// the results are memoised exactly as if computed in one thread. `threads` ≤ 1 does nothing.
/// A panic in a worker (salsa's `Cancelled` included) is resumed on the calling thread.
pub fn warm(db: &db::Database, root: SourceFile, threads: usize) {
    if threads <= 1 {
        return;
    }
    let run = |files: &[SourceFile], f: &(dyn Fn(&db::Database, SourceFile) + Sync)| {
        if files.len() < 2 {
            files.iter().for_each(|x| f(db, *x));
            return;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let panicked = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads.min(files.len()))
                .map(|_| {
                    let db = db.clone();
                    let next = &next;
                    s.spawn(move || loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        f(&db, *file);
                    })
                })
                .collect();
            // every worker joined here, so the first panic keeps its own payload (a salsa
            // `Cancelled` when a write interrupts a language server's check)
            workers.into_iter().filter_map(|w| w.join().err()).next()
        });
        if let Some(payload) = panicked {
            std::panic::resume_unwind(payload);
        }
    };
    // parse along the imports, one level at a time
    let mut seen: HashSet<SourceFile> = HashSet::from([root]);
    let mut all = vec![root];
    let mut level = vec![root];
    while !level.is_empty() {
        run(&level, &|db, f| {
            file_imports(db, f);
        });
        level = level
            .iter()
            .flat_map(|f| file_imports(db, *f).iter().filter_map(|e| e.target).collect::<Vec<_>>())
            .filter(|t| seen.insert(*t))
            .collect();
        all.extend(&level);
    }
    // leaves first: a file's evaluation reads the modules it imports
    all.reverse();
    run(&all, &|db, f| {
        check_file(db, f);
    });
}
