//! The gstack language server. `gstackc lsp` runs the `gstack-lsp` binary of this crate
//! (the compiler cannot depend on this crate, which depends on it).
//!
//! It speaks LSP over stdio with `tower-lsp-server` and shares the compiler's salsa database
//! ([`gstack::db::Database`]): opening or editing a file sets one input, and only the queries
//! that read it run again. Features come from [`gstack::ide`] (plain data, no LSP types); this
//! crate converts positions ([`line_index`]: UTF-8 byte offsets ↔ UTF-16 line/character) and
//! shapes, keeps the open documents, and runs the diagnostics worker ([`workspace`]).
//!
//! Capabilities: diagnostics (the CLI's codes, messages, hints and related spans), hover,
//! completion, go to definition, find references, rename (with prepare), document symbols,
//! formatting (the `gstackc fmt` formatter), semantic tokens, inlay hints (parameter names).

pub mod line_index;
pub mod memory;
pub mod server;
pub mod transport;
pub mod workspace;

pub use server::Backend;
use tower_lsp_server::{ClientSocket, LspService, Server};

/// A service and its client socket, for driving the server in-process (tests, benchmarks).
pub fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(Backend::new).custom_method("gstack/memoryUsage", Backend::memory_usage).finish()
}

/// Serve LSP on the given streams until the client says `exit` or closes `input`. Messages
/// pass through [`transport::filter`] first: a malformed one is answered with a JSON-RPC
/// error and the server goes on (`tower-lsp-server` alone would stop reading).
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite + Unpin,
{
    let (service, socket) = service();
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (stopped, stop) = tokio::sync::oneshot::channel::<()>();
    let errors = tx.clone();
    let server = async move {
        Server::new(server_in, server_out, socket).serve(service).await;
        let _ = stopped.send(());
    };
    // the filter ends with the input, or when the server has stopped (after `exit`)
    let filter = async move {
        tokio::select! {
            r = transport::filter(input, to_server, errors) => {
                if let Err(e) = r {
                    eprintln!("gstack-lsp: reading input: {e}");
                }
            }
            _ = stop => {}
        }
    };
    let pump = async move {
        let _ = transport::pump(from_server, tx).await;
    };
    let write = async move {
        if let Err(e) = transport::write_out(rx, output).await {
            eprintln!("gstack-lsp: writing output: {e}");
        }
    };
    tokio::join!(server, filter, pump, write);
}
