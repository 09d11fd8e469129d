//! Semantics: evaluation ([`eval`]), types and units ([`types`]), schemas ([`schema`]), and
//! checking + lowering to the IR ([`check`]).

pub mod check;
pub mod eval;
pub mod overrides;
pub mod reference;
pub mod schema;
pub mod types;
pub mod value;
