//! Schemas: for every block kind, its fields (name, type, default, doc) and nested blocks.
//! The checker validates evaluated blocks against these tables; the LSP reads them for hover
//! and completion. Defaults follow the programs' own documentation (see
//! `docs/language.md` for links).

use crate::ir::QueryLang;

mod components;
mod contact_points;
mod correlations;
mod dashboards;
mod datasources;
mod grafana_alerting;
mod panel_options;
mod panel_records;
mod targets;
mod transformations;
/// Fields a user may look for that are deliberately not typed: (schema, field, why and what
/// to use instead), the hint of their E0200.
pub const NOT_TYPED: &[(&str, &str, &str)] = &[(
    "receiver",
    "wechat",
    "WeChat is not typed for Alertmanager: its `wechat_configs` take `api_secret` only in plain text before Alertmanager 0.31 (`api_secret_file`), and the stack renders 0.28, whose config would then hold the secret. Grafana's contact point `wecom = { url = secret.env(\"WECOM_URL\") }` reads it by reference",
)];

pub use components::*;
pub use contact_points::*;
pub use correlations::*;
pub use dashboards::*;
pub use datasources::*;
pub use grafana_alerting::*;
pub use panel_options::*;
pub use panel_records::*;
pub use targets::*;
pub use transformations::*;


/// A field's type.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// A nested record `{ a = 1 }` with its own schema.
    Record(&'static Schema),
    /// A bare word or a string (ids such as Grafana units: `unit = reqps`).
    Word,
    Str,
    Int,
    Num,
    Bool,
    /// `15s`, `10m`, `30d` (Prometheus units).
    Duration,
    /// `512MiB`, `50GiB`.
    Bytes,
    /// `500m`, `2`.
    Cpu,
    /// 1–65535.
    Port,
    /// `127.0.0.1`
    Addr,
    Secret,
    /// A string, or a secret reference.
    StrOrSecret,
    /// One of these bare words.
    Enum(&'static [&'static str]),
    ListOf(&'static Ty),
    /// `{ key = "value" }` or `["key": "value"]`: string to string.
    StrMap,
    /// A query literal in one of these languages.
    Query(&'static [QueryLang]),
    /// The name of something declared elsewhere.
    Ref(RefKind),
    /// `[0.8: yellow, 0.9: red]`
    Thresholds,
    /// A dashboard variable constructor: `query(…)`, `custom(…)`, …
    Variable,
}

/// What a [`Ty::Ref`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// An Alertmanager `receiver` of this stack.
    Receiver,
    /// A datasource: a declared `datasource`, or a stack component (`prometheus`, `loki`, `tempo`).
    Datasource,
}

impl Ty {
    /// How the type is shown in messages and hover.
    pub fn describe(&self) -> String {
        match self {
            Ty::Str => "string".into(),
            Ty::Int => "whole number".into(),
            Ty::Num => "number".into(),
            Ty::Bool => "bool".into(),
            Ty::Duration => "duration (e.g. `15s`, `10m`, `30d`)".into(),
            Ty::Bytes => "byte size (e.g. `512MiB`, `50GiB`)".into(),
            Ty::Cpu => "CPU amount (e.g. `500m`, `2`)".into(),
            Ty::Port => "port (1–65535)".into(),
            Ty::Addr => "IPv4 address (e.g. `127.0.0.1`)".into(),
            Ty::Secret => "secret (`secret.file(\"…\")` or `secret.env(\"…\")`)".into(),
            Ty::StrOrSecret => "string or secret".into(),
            Ty::Enum(vs) => format!("one of {}", vs.join(", ")),
            Ty::ListOf(t) => format!("list of {}", t.describe()),
            Ty::StrMap => "map of strings (`{ key = \"value\" }`)".into(),
            Ty::Query(ls) => {
                let names: Vec<_> = ls.iter().map(|l| format!("{}`…`", format!("{l:?}").to_lowercase())).collect();
                format!("query ({})", names.join(" or "))
            }
            Ty::Ref(RefKind::Receiver) => "receiver name".into(),
            Ty::Ref(RefKind::Datasource) => "datasource name".into(),
            Ty::Thresholds => "thresholds (`[0.8: yellow, 0.9: red]`)".into(),
            Ty::Word => "name or string".into(),
            Ty::Record(s) => format!("record `{{ … }}` ({})", s.name),
            Ty::Variable => "variable (`query(…)`, `custom([…])`, `interval([…])`, `datasource(…)`, `constant(…)`)".into(),
        }
    }
}

/// A field's default, typed: what lowering uses when the field is not written, and (through
/// [`Lit::text`]) what hover and `docs/reference.md` show. Each variant goes with the [`Ty`]
/// of the same name (`Sym` with [`Ty::Enum`], `List` with a [`Ty::ListOf`] strings or words);
/// the unit test `every_default_has_its_fields_type` holds them together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lit {
    Port(u16),
    Int(i64),
    /// A duration in **milliseconds** (as [`crate::ir::Duration`]); write it with the unit
    /// constants [`SEC`], [`MIN`], [`HOUR`], [`DAY`]: `Lit::Dur(15 * DAY)`.
    Dur(u64),
    Str(&'static str),
    /// A bare word of a [`Ty::Enum`].
    Sym(&'static str),
    Bool(bool),
    Addr(&'static str),
    /// A list of strings (shown quoted: `["a", "b"]`).
    List(&'static [&'static str]),
}

/// Milliseconds in one unit, for [`Lit::Dur`].
pub const SEC: u64 = 1000;
pub const MIN: u64 = 60 * SEC;
pub const HOUR: u64 = 60 * MIN;
pub const DAY: u64 = 24 * HOUR;

impl Lit {
    /// The default as gstack source text, as hover and the reference show it: `3200`, `14d`,
    /// `"2.9"`, `false`, `[]`, `http`, `127.0.0.1`.
    pub fn text(&self) -> String {
        fn quote(s: &str) -> String {
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        }
        match self {
            Lit::Port(p) => p.to_string(),
            Lit::Int(i) => i.to_string(),
            Lit::Dur(ms) => crate::ir::Duration { millis: *ms }.to_prometheus(),
            Lit::Str(s) => quote(s),
            Lit::Sym(s) | Lit::Addr(s) => s.to_string(),
            Lit::Bool(b) => b.to_string(),
            Lit::List(xs) => format!("[{}]", xs.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// The form a string field's value must have, because it becomes a name, a path or a word in
/// a generated file that no encoding could make safe (issue #14: encode, or refuse here). The
/// checker refuses a value outside it with E0204 at the value, naming the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grammar {
    /// A program version: `12.2`, `3.5.1`, `0.28.0-rc.1` (digits and dots, then an optional
    /// `-` suffix of letters, digits and dots).
    Version,
    /// A Kubernetes namespace: an RFC 1123 label (`a-z`, `0-9`, `-`, at most 63), and not one
    /// the stack's default-deny policy must never cover (`kube-system`, `kube-public`,
    /// `kube-node-lease`, `default`).
    Namespace,
    /// A Helm chart name, also a directory under `helm/`: lower-case letters, digits and `-`,
    /// starting with a letter (Helm's naming convention), at most 53.
    ChartName,
    /// A compose project name: lower-case letters, digits, `-` and `_`, starting with a letter
    /// or digit (compose's own rule).
    ComposeProject,
    /// A path on the host: no control characters (a newline would end a unit line or a shell
    /// word), not empty, and no `${GSTACK_` (the start of the targets' own run-time variables,
    /// which stay live in the command lines a path reaches: [`crate::encode::GSTACK_REF`]).
    Path,
    /// A secret file's path: a [`Grammar::Path`] without `}`, which would end Grafana's
    /// `$__file{…}` early.
    SecretPath,
    /// A node-exporter collector name (`--collector.<name>`): lower-case letters, digits, `_`
    /// and `.`, starting with a letter.
    Collector,
    /// A stack's name, which becomes unit, object, chart and directory names: letters, digits,
    /// `-` and `_`, starting with a letter, at most 53.
    StackName,
    /// An egress rule of the kubernetes target: a port (`443`), or a CIDR block and a port
    /// (`10.0.0.0/8:5432`, `[fd00::/8]:5432`).
    Egress,
    /// A stack's name when the stack is deployed to Kubernetes (it names Secrets and
    /// ClusterRoles, RFC 1123): lower-case letters, digits and `-`, starting with a letter, at
    /// most 53.
    KubernetesStackName,
    /// A [`Grammar::Host`] and a port 1–65535: `smtp.example.com:587`, `[fd00::1]:25`.
    HostPort,
    /// An environment variable's name (`secret.env("…")`, in source and in overrides): a
    /// letter or `_`, then letters, digits and `_` (what a shell's `${NAME}` takes).
    EnvName,
    /// A host name or address that becomes the host of a `host:port`: a DNS name (letters,
    /// digits, `-` and `.`, at most 253), an IPv4 address, or a bracketed IPv6 address.
    Host,
    /// An HTTP URL as Alertmanager's `URL` type takes it (config/config.go `parseURL`):
    /// `http://` or `https://`, then a non-empty host; no whitespace or control characters.
    HttpUrl,
}

impl Grammar {
    /// Whether `s` has this form.
    pub fn accepts(self, s: &str) -> bool {
        fn lower_digit(c: char) -> bool {
            c.is_ascii_lowercase() || c.is_ascii_digit()
        }
        let all = |f: &dyn Fn(char) -> bool| s.chars().all(f);
        match self {
            Grammar::Version => {
                let (main, suffix) = s.split_once('-').unwrap_or((s, ""));
                !main.is_empty()
                    && main.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    && (s.find('-').is_none() || (!suffix.is_empty() && suffix.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')))
            }
            Grammar::Namespace => {
                !s.is_empty()
                    && s.len() <= 63
                    && all(&|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !s.starts_with('-')
                    && !s.ends_with('-')
                    && !["kube-system", "kube-public", "kube-node-lease", "default"].contains(&s)
            }
            Grammar::ChartName => {
                s.len() <= 53 && s.starts_with(|c: char| c.is_ascii_lowercase()) && all(&|c| lower_digit(c) || c == '-') && !s.ends_with('-')
            }
            Grammar::ComposeProject => !s.is_empty() && s.starts_with(lower_digit) && all(&|c| lower_digit(c) || c == '-' || c == '_'),
            // `${GSTACK_` is `crate::encode::GSTACK_REF` (this layer does not import encoders)
            Grammar::Path => !s.is_empty() && !s.chars().any(char::is_control) && !s.contains("${GSTACK_"),
            // Grafana reads file secrets as `$__file{path}`, which ends at the first `}`
            Grammar::SecretPath => Grammar::Path.accepts(s) && !s.contains('}'),
            Grammar::Collector => s.starts_with(|c: char| c.is_ascii_lowercase()) && all(&|c| lower_digit(c) || c == '_' || c == '.'),
            Grammar::Egress => crate::ir::EgressRule::parse(s).is_some(),
            Grammar::StackName => {
                s.len() <= 53 && s.starts_with(|c: char| c.is_ascii_alphabetic()) && all(&|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            }
            Grammar::KubernetesStackName => {
                s.len() <= 53 && s.starts_with(|c: char| c.is_ascii_lowercase()) && all(&|c| lower_digit(c) || c == '-') && !s.ends_with('-')
            }
            Grammar::EnvName => s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && all(&|c| c.is_ascii_alphanumeric() || c == '_'),
            Grammar::HostPort => s.rsplit_once(':').is_some_and(|(h, p)| Grammar::Host.accepts(h) && p.parse::<u16>().is_ok_and(|p| p > 0)),
            Grammar::HttpUrl => {
                let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
                rest.is_some_and(|r| !r.is_empty() && !r.starts_with(['/', '?', '#', ':'])) && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            Grammar::Host => match s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
                None => {
                    !s.is_empty()
                        && s.len() <= 253
                        && s.split('.').all(|l| {
                            !l.is_empty()
                                && l.len() <= 63
                                && !l.starts_with('-')
                                && !l.ends_with('-')
                        })
                        && all(&|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                }
            },
        }
    }

    /// The rule, for the hint and the reference.
    pub fn describe(self) -> &'static str {
        match self {
            Grammar::Version => "a version: digits and dots (`12.2`), optionally `-` and a suffix of letters, digits and dots",
            Grammar::Namespace => "a Kubernetes namespace: lower-case letters, digits and `-` (at most 63), not `kube-system`, `kube-public`, `kube-node-lease` or `default`",
            Grammar::ChartName => "a Helm chart name: lower-case letters, digits and `-`, starting with a letter (at most 53)",
            Grammar::ComposeProject => "a compose project name: lower-case letters, digits, `-` and `_`",
            Grammar::Path => "a path without control characters (no newline, tab or NUL) and without `${GSTACK_` (the targets' own variables in command lines)",
            Grammar::SecretPath => "a path without control characters, `${GSTACK_` or `}` (Grafana reads it as `$__file{path}`, which ends at the first `}`)",
            Grammar::Collector => "a collector name: lower-case letters, digits, `_` and `.`, starting with a letter",
            Grammar::StackName => "letters, digits, `-` and `_`, starting with a letter (at most 53)",
            Grammar::Egress => "a port 1–65535 (`443`), or an IPv4 or bracketed IPv6 CIDR block and a port (`10.0.0.0/8:5432`, `[fd00::/8]:5432`); a NetworkPolicy names addresses, not host names",
            Grammar::KubernetesStackName => "lower-case letters, digits and `-`, starting with a letter (at most 53)",
            Grammar::EnvName => "an environment variable name: a letter or `_`, then letters, digits and `_`",
            Grammar::HostPort => "a host name or address and a port (`smtp.example.com:587`)",
            Grammar::Host => "a host name (letters, digits, `-` and `.`), an IPv4 address or a bracketed IPv6 address",
            Grammar::HttpUrl => "an `http://` or `https://` URL with a host, without spaces",
        }
    }
}

/// One field of a block.
#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// The form a string value must have ([`Grammar`]); `None`: any text (encoded by the
    /// emitters for each format).
    pub grammar: Option<Grammar>,
    /// The default lowering applies when the field is not written (hover and the reference
    /// show [`Lit::text`]). `None`: unset, or computed by lowering (the field's doc says how).
    pub default: Option<Lit>,
    pub doc: &'static str,
}

/// Whether a block kind takes a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelRule {
    None,
    Required,
}

/// A nested block kind.
#[derive(Debug)]
pub struct BlockDef {
    pub kind: &'static str,
    pub label: LabelRule,
    /// May appear more than once.
    pub many: bool,
    pub schema: &'static Schema,
    pub doc: &'static str,
}

/// A block kind's schema.
#[derive(Debug)]
pub struct Schema {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [FieldDef],
    pub blocks: &'static [BlockDef],
    /// Has a freeform `settings { … }` block passed through to the program's file.
    pub settings: bool,
    /// Accepts panels (blocks of a panel kind, or panel values from functions).
    pub panels: bool,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn block(&self, kind: &str) -> Option<&'static BlockDef> {
        self.blocks.iter().find(|b| b.kind == kind)
    }

    /// The default of field `name`, when it has one.
    pub fn default_of(&self, name: &str) -> Option<&'static Lit> {
        self.field(name).and_then(|f| f.default.as_ref())
    }

    /// The default of field `name` through `get`; a schema without such a default is a bug of
    /// the caller: it panics in debug builds (`tests/defaults.rs` lowers every default) and
    /// gives `T::default()` in release ones.
    fn typed_default<T: Default>(&self, name: &str, what: &str, get: impl Fn(&'static Lit) -> Option<T>) -> T {
        match self.default_of(name).and_then(get) {
            Some(v) => v,
            None => {
                debug_assert!(false, "schema `{}` has no {what} default for `{name}`: {:?}", self.name, self.default_of(name));
                T::default()
            }
        }
    }
    pub fn port_default(&self, name: &str) -> u16 {
        self.typed_default(name, "port", |d| if let Lit::Port(p) = d { Some(*p) } else { None })
    }
    pub fn dur_default(&self, name: &str) -> crate::ir::Duration {
        self.typed_default(name, "duration", |d| if let Lit::Dur(ms) = d { Some(crate::ir::Duration { millis: *ms }) } else { None })
    }
    pub fn str_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "string", |d| if let Lit::Str(s) = d { Some(*s) } else { None })
    }
    pub fn sym_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "word", |d| if let Lit::Sym(s) = d { Some(*s) } else { None })
    }
    pub fn addr_default(&self, name: &str) -> &'static str {
        self.typed_default(name, "address", |d| if let Lit::Addr(a) = d { Some(*a) } else { None })
    }
    pub fn int_default(&self, name: &str) -> i64 {
        self.typed_default(name, "integer", |d| if let Lit::Int(i) = d { Some(*i) } else { None })
    }
    pub fn bool_default(&self, name: &str) -> bool {
        self.typed_default(name, "bool", |d| if let Lit::Bool(b) = d { Some(*b) } else { None })
    }
    pub fn list_default(&self, name: &str) -> Vec<String> {
        self.typed_default(name, "list", |d| if let Lit::List(xs) = d { Some(xs.iter().map(|x| x.to_string()).collect()) } else { None })
    }
}

pub(super) const fn f(name: &'static str, ty: Ty, default: Option<Lit>, doc: &'static str) -> FieldDef {
    FieldDef { name, ty, required: false, grammar: None, default, doc }
}
pub(super) const fn req(name: &'static str, ty: Ty, doc: &'static str) -> FieldDef {
    FieldDef { name, ty, required: true, grammar: None, default: None, doc }
}
/// `fd` whose string values must have the form `g`.
pub(super) const fn g(fd: FieldDef, g: Grammar) -> FieldDef {
    FieldDef { grammar: Some(g), ..fd }
}
pub(super) const fn b(kind: &'static str, label: LabelRule, many: bool, schema: &'static Schema, doc: &'static str) -> BlockDef {
    BlockDef { kind, label, many, schema, doc }
}
pub(super) const fn schema(name: &'static str, doc: &'static str, fields: &'static [FieldDef], blocks: &'static [BlockDef]) -> Schema {
    Schema { name, doc, fields, blocks, settings: false, panels: false }
}

use LabelRule::{None as NoLabel, Required as Labelled};

pub(super) const STRS: Ty = Ty::ListOf(&Ty::Str);

pub static RULES: Schema = schema("rules", "Rules imported from a Prometheus rule file: `rules host = import_rules(\"./x.yml\")`.", &[], &[]);

/// Top-level declaration kinds.
pub const TOP_LEVEL: &[(&str, &Schema)] = &[
    ("stack", &STACK),
    ("datasource", &DATASOURCE),
    ("dashboard", &DASHBOARD),
    ("alert", &ALERT),
    ("log_alert", &LOG_ALERT),
    ("rules", &RULES),
    ("grafana_alert", &GRAFANA_ALERT),
    ("target", &TARGET_NATIVE),
];

/// Every schema reachable from the declarations, targets and panels (nested blocks and record
/// fields included), each once.
pub fn every_schema() -> Vec<&'static Schema> {
    fn walk(s: &'static Schema, out: &mut Vec<&'static Schema>) {
        if out.iter().any(|o| std::ptr::eq(*o, s)) {
            return;
        }
        out.push(s);
        for f in s.fields {
            let mut t = &f.ty;
            while let Ty::ListOf(inner) = t {
                t = inner;
            }
            if let Ty::Record(r) = t {
                walk(r, out);
            }
        }
        for b in s.blocks {
            walk(b.schema, out);
        }
    }
    let mut out = vec![];
    for (_, s) in TOP_LEVEL.iter().chain(TARGETS) {
        walk(s, &mut out);
    }
    walk(&PANEL, &mut out);
    for k in PANEL_KIND_DEFS {
        walk(k.schema, &mut out);
    }
    for (_, t) in TRANSFORMATIONS {
        walk(t, &mut out);
    }
    // a variable constructor's last argument
    walk(&VARIABLE_OPTIONS, &mut out);
    out
}

/// Grafana unit ids accepted by `unit` (a common subset of Grafana's unit catalogue,
/// `packages/grafana-data/src/valueFormats/categories.ts`).
pub const UNITS: &[&str] = &[
    "none", "short", "percent", "percentunit", "humidity", "decibel", "hex0x", "hex", "sci", "locale", "pixel",
    "bytes", "decbytes", "bits", "decbits", "kbytes", "mbytes", "gbytes", "tbytes", "deckbytes", "decmbytes", "decgbytes",
    "Bps", "bps", "KBs", "Kbits", "MBs", "Mbits", "GBs", "Gbits", "binBps", "binbps",
    "ns", "µs", "ms", "s", "m", "h", "d", "dtdurationms", "dtdurations", "dthms", "dtdhms", "timeticks", "clockms", "clocks",
    "hertz", "rps", "reqps", "reqpm", "rpm", "ops", "opm", "wps", "wpm", "iops", "cps", "cpm", "mps", "mpm",
    "currencyUSD", "currencyEUR", "currencyGBP", "celsius", "fahrenheit", "watt", "kwatt", "volt", "amp",
    "dateTimeAsIso", "dateTimeAsUS", "dateTimeFromNow", "bool", "bool_yes_no", "bool_on_off", "string",
];

/// A colour Grafana draws: a named one ([`COLORS`]), `#rrggbb`, or CSS `rgb(…)`/`rgba(…)`.
pub fn is_color(s: &str) -> bool {
    COLORS.contains(&s) || s.starts_with('#') || ((s.starts_with("rgba(") || s.starts_with("rgb(")) && s.ends_with(')'))
}

/// Colours accepted in thresholds (Grafana's named colours; `#rrggbb` is accepted too).
pub const COLORS: &[&str] = &[
    "green", "yellow", "red", "orange", "blue", "purple", "transparent", "text", "dark-green", "dark-red", "dark-yellow",
    "dark-orange", "dark-blue", "dark-purple", "light-green", "light-red", "light-yellow", "light-orange", "light-blue",
    "light-purple", "semi-dark-green", "semi-dark-red", "super-light-green", "super-light-red",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `lit` is a value of `ty`.
    fn fits(lit: &Lit, ty: &Ty) -> bool {
        match (lit, ty) {
            (Lit::Port(p), Ty::Port) => *p > 0,
            (Lit::Int(_), Ty::Int) => true,
            (Lit::Dur(_), Ty::Duration) => true,
            (Lit::Str(_), Ty::Str | Ty::Word | Ty::StrOrSecret) => true,
            (Lit::Sym(s), Ty::Enum(vs)) => vs.contains(s),
            (Lit::Bool(_), Ty::Bool) => true,
            (Lit::Addr(a), Ty::Addr) => a.parse::<std::net::Ipv4Addr>().is_ok(),
            (Lit::List(xs), Ty::ListOf(t)) => match t {
                Ty::Str | Ty::Word => true,
                Ty::Enum(vs) => xs.iter().all(|x| vs.contains(x)),
                _ => xs.is_empty(),
            },
            _ => false,
        }
    }

    #[test]
    fn every_default_has_its_fields_type() {
        let schemas = every_schema();
        assert!(schemas.len() > 30, "walked only {} schemas", schemas.len());
        for s in schemas {
            for f in s.fields {
                if let Some(d) = &f.default {
                    assert!(!f.required, "`{}.{}` is required and has a default", s.name, f.name);
                    assert!(fits(d, &f.ty), "`{}.{}`: default {d:?} is not a {}", s.name, f.name, f.ty.describe());
                }
            }
        }
    }

    #[test]
    fn typed_defaults_read_the_schema() {
        assert_eq!(TEMPO.port_default("port"), 3200);
        assert_eq!(TEMPO.dur_default("retention"), crate::ir::Duration::from_secs(14 * 86400));
        assert_eq!(TEMPO.str_default("version"), "2.9");
        assert_eq!(TEMPO.list_default("generator"), Vec::<String>::new());
        assert_eq!(SCRAPE.sym_default("scheme"), "http");
        assert_eq!(TARGET_NATIVE.addr_default("listen"), "127.0.0.1");
        assert!(!PROMETHEUS.bool_default("otlp_receiver"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "schema `tempo` has no port default for `version`")]
    fn a_default_of_another_type_panics_in_debug() {
        TEMPO.port_default("version");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "schema `target helm` has no string default for `chart`")]
    fn a_missing_default_panics_in_debug() {
        TARGET_HELM.str_default("chart");
    }

    #[test]
    fn default_text_is_gstack_source() {
        assert_eq!(Lit::Port(3200).text(), "3200");
        assert_eq!(Lit::Dur(14 * DAY).text(), "14d");
        assert_eq!(Lit::Dur(15 * SEC).text(), "15s");
        assert_eq!(Lit::Dur(0).text(), "0s");
        assert_eq!(Lit::Dur(90 * MIN).text(), "1h30m");
        assert_eq!(Lit::Str("2.9").text(), "\"2.9\"");
        assert_eq!(Lit::Str("a\"b").text(), "\"a\\\"b\"");
        assert_eq!(Lit::Bool(false).text(), "false");
        assert_eq!(Lit::List(&[]).text(), "[]");
        assert_eq!(Lit::List(&["a", "b"]).text(), "[\"a\", \"b\"]");
        assert_eq!(Lit::Sym("http").text(), "http");
        assert_eq!(Lit::Addr("127.0.0.1").text(), "127.0.0.1");
    }
}
