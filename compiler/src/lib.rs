//! gstack: a typed language for a whole Grafana observability stack, and its compiler.
//!
//! Layers, each a module whose boundary is visible in its path:
//! - [`syntax`]: spans, lexer, parser, formatter (no salsa, no schemas);
//! - [`diag`]: the one [`diag::Diagnostic`] type, rendered with ariadne or as JSON;
//! - [`db`]: the salsa database: source files are inputs; parse, evaluate, check and lower are queries;
//! - [`sema`]: evaluation, schemas, types and units, cross-references, query checks;
//! - [`ir`]: the typed stack IR, plain serde data that backends read;
//! - [`programs`]: the facts table of the programs a stack runs ([`programs::Component`]);
//! - [`backends`]: one module per program, filling normalized service records;
//! - [`targets`]: one renderer per deployment, reading only service records;
//! - [`outdir`]: writing the output directory (only inside it, by manifest, swapped whole);
//! - [`upgrade`]: the new Kubernetes workloads against the previous build's in the output
//!   directory (fields the API server will not change on an existing object, W0604).

pub mod backends;
pub mod db;
pub mod diag;
pub mod encode;
pub mod ide;
pub mod ir;
pub mod outdir;
pub mod programs;
pub mod sema;
pub mod syntax;
pub mod targets;
pub mod upgrade;
