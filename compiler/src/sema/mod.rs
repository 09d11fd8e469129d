//! Semantics: evaluation ([`eval`]), types and units ([`types`]), schemas ([`schema`]), and
//! checking + lowering to the IR ([`check`]), imported
//! dashboards and rule files ([`imports`]), query text ([`query`]).

pub mod check;
pub mod eval;
pub mod imports;
pub mod logql;
pub mod overrides;
pub mod query;
pub mod reference;
pub mod schema;
pub mod traceql;
pub mod types;
pub mod value;
