//! The checked-value model: [`CV`], [`Rec`] with its accessors, and the helpers that build
//! settings maps.

use super::*;

/// A checked value.
#[derive(Clone, Debug)]
pub enum CV {
    Str(String),
    Int(i64),
    Num(f64),
    Bool(bool),
    Dur(ir::Duration),
    Bytes(ir::Bytes),
    Cpu(ir::Cpu),
    Port(u16),
    Addr(String),
    Secret(SecretRef),
    StrOrSecret(StrOrSecret),
    Sym(String),
    List(Vec<CV>),
    Map(BTreeMap<String, String>),
    Query(Arc<QueryVal>, Loc),
    Ref(String, Loc),
    Thresholds(Vec<ir::Threshold>),
    Variable(&'static str, Arc<Vec<V>>),
    Record(Rec),
}

/// A checked block: its fields (defaults not filled: readers apply them), nested blocks and
/// panel values.
#[derive(Clone, Debug)]
pub struct Rec {
    pub kind: String,
    /// The schema it was checked against: the `*_d` accessors read its defaults.
    pub schema: &'static Schema,
    pub label: Option<(String, Span)>,
    pub doc: Option<String>,
    pub loc: Loc,
    pub fields: HashMap<&'static str, (CV, Loc)>,
    pub blocks: Vec<(&'static str, Rec)>,
    pub panels: Vec<Rec>,
    pub settings: Settings,
    /// Where each `settings` entry was written, by its dotted key (`auth.anonymous.enabled`):
    /// what a refusal of a generated file names (`crate::sema::check::Origins::locate`).
    pub settings_at: BTreeMap<String, Loc>,
    /// For `kind label = expr` blocks.
    pub value: Option<V>,
    /// Dashboard variables (`var name = query(…)`).
    pub vars: Vec<VarDecl>,
}

impl Rec {
    pub(super) fn get(&self, name: &str) -> Option<&CV> {
        self.fields.get(name).map(|(v, _)| v)
    }
    pub(super) fn str(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(CV::Str(s)) => Some(s.clone()),
            _ => None,
        }
    }
    /// A required field's text; empty when it is missing (the checker reported that).
    pub(super) fn req_str(&self, name: &str) -> String {
        self.str(name).unwrap_or_default()
    }
    /// A string field, else its schema default.
    pub(super) fn str_d(&self, name: &str) -> String {
        self.str(name).unwrap_or_else(|| self.schema.str_default(name).to_string())
    }
    /// A port field, else its schema default.
    pub(super) fn port_d(&self, name: &str) -> u16 {
        match self.get(name) {
            Some(CV::Port(p)) => *p,
            _ => self.schema.port_default(name),
        }
    }
    /// An integer field, else its schema default.
    pub(super) fn int_d(&self, name: &str) -> i64 {
        match self.get(name) {
            Some(CV::Int(i)) => *i,
            _ => self.schema.int_default(name),
        }
    }
    pub(super) fn dur(&self, name: &str) -> Option<ir::Duration> {
        match self.get(name) {
            Some(CV::Dur(d)) => Some(*d),
            _ => None,
        }
    }
    /// A duration field, else its schema default.
    pub(super) fn dur_d(&self, name: &str) -> ir::Duration {
        self.dur(name).unwrap_or_else(|| self.schema.dur_default(name))
    }
    /// A bool field, else its schema default.
    pub(super) fn bool_d(&self, name: &str) -> bool {
        match self.get(name) {
            Some(CV::Bool(b)) => *b,
            _ => self.schema.bool_default(name),
        }
    }
    /// An address field, else its schema default.
    pub(super) fn addr_d(&self, name: &str) -> String {
        match self.get(name) {
            Some(CV::Addr(a)) => a.clone(),
            _ => self.schema.addr_default(name).to_string(),
        }
    }
    /// An enum field's word, else its schema default.
    pub(super) fn sym_d(&self, name: &str) -> String {
        self.sym(name).unwrap_or_else(|| self.schema.sym_default(name).to_string())
    }
    /// A list of strings or words, else (when not written) its schema default.
    pub(super) fn strs_d(&self, name: &str) -> Vec<String> {
        if self.fields.contains_key(name) {
            self.strs(name)
        } else {
            self.schema.list_default(name)
        }
    }
    pub(super) fn strs(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(CV::List(xs)) => xs
                .iter()
                .filter_map(|x| match x {
                    CV::Str(s) | CV::Sym(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        }
    }
    pub(super) fn map(&self, name: &str) -> BTreeMap<String, String> {
        match self.get(name) {
            Some(CV::Map(m)) => m.clone(),
            _ => BTreeMap::new(),
        }
    }
    pub(super) fn secret(&self, name: &str) -> Option<SecretRef> {
        match self.get(name) {
            Some(CV::Secret(s)) => Some(s.clone()),
            _ => None,
        }
    }
    pub(super) fn sym(&self, name: &str) -> Option<String> {
        match self.get(name) {
            Some(CV::Sym(s)) => Some(s.clone()),
            _ => None,
        }
    }
    pub(super) fn label(&self) -> String {
        self.label.as_ref().map(|l| l.0.clone()).unwrap_or_default()
    }
    pub(super) fn label_span(&self) -> Span {
        self.label.as_ref().map(|l| l.1).unwrap_or(self.loc.span)
    }
    pub(super) fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Rec> + 'a {
        self.blocks.iter().filter(move |(k, _)| *k == kind).map(|(_, r)| r)
    }
}


/// A dashboard variable declaration `var name = ctor(…)`.
#[derive(Clone, Debug)]
pub struct VarDecl {
    pub name: String,
    pub value: V,
}

pub(super) trait ThenNone {
    fn then_none<T>(self) -> Option<T>;
}
impl ThenNone for () {
    fn then_none<T>(self) -> Option<T> {
        None
    }
}

pub(super) trait RelatedMut {
    fn with_related_mut(&mut self, file: &std::path::Path, span: Span, msg: &str) -> &mut Self;
}
impl RelatedMut for Diagnostic {
    fn with_related_mut(&mut self, file: &std::path::Path, span: Span, msg: &str) -> &mut Self {
        self.related.push(crate::diag::Related {
            location: crate::diag::Location { file: file.to_path_buf(), span },
            message: msg.to_string(),
        });
        self
    }
}

pub(super) fn fmt(n: f64) -> String {
    super::super::types::fmt_num(n)
}

/// Insert `v` at the dotted `path` of a settings map, creating objects on the way.
pub(super) fn insert_path(out: &mut Settings, path: &[String], v: serde_json::Value) {
    if path.len() == 1 {
        out.insert(path[0].clone(), v);
        return;
    }
    let e = out.entry(path[0].clone()).or_insert_with(|| serde_json::json!({}));
    if !e.is_object() {
        *e = serde_json::json!({});
    }
    let mut cur = e;
    for seg in &path[1..path.len() - 1] {
        let obj = cur.as_object_mut().expect("made an object above");
        cur = obj.entry(seg.clone()).or_insert_with(|| serde_json::json!({}));
        if !cur.is_object() {
            *cur = serde_json::json!({});
        }
    }
    cur.as_object_mut().expect("made an object above").insert(path[path.len() - 1].clone(), v);
}

pub(super) fn merge_settings(into: &mut Settings, from: Settings) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(serde_json::Value::Object(a)), serde_json::Value::Object(b)) => {
                for (k2, v2) in b {
                    a.insert(k2, v2);
                }
            }
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// A Grafana uid from a declaration name: lower-case, `-` for other characters, at most 40.
pub use crate::ir::uid_from;
