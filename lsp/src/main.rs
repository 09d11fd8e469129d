//! `gstack-lsp`: the gstack language server on stdin/stdout (`gstackc lsp` runs it).

/// mimalloc, as in `gstackc` (the compiler allocates many small trees), counted for
/// `gstack/memoryUsage` ([`gstack_lsp::memory`]).
#[global_allocator]
static GLOBAL: gstack_lsp::memory::Counting<mimalloc::MiMalloc> = gstack_lsp::memory::Counting(mimalloc::MiMalloc);

fn main() {
    gstack_lsp::memory::installed();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("gstack-lsp {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("gstack-lsp: the gstack language server. It speaks the Language Server Protocol on stdin/stdout;\nstart it from an editor (see docs/editors.md). `--stdio` is accepted and ignored.");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // the compiler recurses once per nesting level; requests run it on these threads
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(gstack_lsp::serve(tokio::io::stdin(), tokio::io::stdout()));
    // after `exit` the client may keep our stdin open: tokio reads stdin on a blocking thread
    // that a normal runtime drop would wait for until the client closes it
    rt.shutdown_background();
}
