//! The gstack language server. Only this crate will know LSP; it reuses the compiler's
//! salsa database ([`gstack::db::Database`]). Not implemented yet (see the LSP issue).
pub use gstack::db::Database;
