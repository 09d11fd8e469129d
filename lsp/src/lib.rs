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
pub mod server;
pub mod workspace;

pub use server::Backend;
use tower_lsp_server::{ClientSocket, LspService, Server};

/// A service and its client socket, for driving the server in-process (tests, benchmarks).
pub fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::new(Backend::new)
}

/// Serve LSP on the given streams until the client says `exit`.
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (service, socket) = service();
    Server::new(input, output, socket).serve(service).await;
}
