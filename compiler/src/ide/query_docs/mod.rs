//! What the words of the query languages mean, for hover and completion inside `promql`,
//! `logql` and `traceql` literals: each function, aggregation, pipeline stage and keyword
//! with its signature, one line on what it returns, and the upstream page documenting it.
//!
//! One table per language, kept to the parser's vocabulary by the tests of each module: the
//! LogQL and TraceQL tables name exactly the words of `sema::logql` and `sema::traceql`
//! (`RANGE_FUNCTIONS`, `VECTOR_FUNCTIONS`, `STAGES`, `METRICS_FUNCTIONS`, …); the PromQL
//! table names exactly the functions of the `promql-parser` crate (whose table is private:
//! the test asks its parser about each name and its arity, and compares with its source when
//! the crate's source is at hand) and the aggregation operators of its lexer.
//!
//! [`scan`] reads a query literal's text leniently (what is open at a byte), for both.

pub mod logql;
pub mod promql;
pub mod scan;
pub mod traceql;

/// What a documented word is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// A function called with parentheses (`rate(…)`).
    Function,
    /// An aggregation taking a grouping (`sum by (job) (…)`).
    Aggregation,
    /// A LogQL pipeline stage after `|` (`json`, `line_format "…"`).
    Stage,
    /// A keyword or modifier (`by`, `offset`, `bool`, `unwrap`'s conversions).
    Keyword,
}

/// One documented word of a query language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Doc {
    pub name: &'static str,
    pub kind: DocKind,
    /// The signature as the upstream docs write it: `rate(v range-vector) → instant vector`.
    pub sig: &'static str,
    /// One line: what it returns or does.
    pub desc: &'static str,
    /// The upstream page documenting it, with its anchor.
    pub url: &'static str,
    /// Prometheus only runs it with `--enable-feature=promql-experimental-functions`.
    pub experimental: bool,
}

/// A query language with documented words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Promql,
    Logql,
    Traceql,
}

impl Lang {
    /// `promql`, `logql`, `traceql` (a literal's tag); `None` for other tags (`sql`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "promql" => Some(Lang::Promql),
            "logql" => Some(Lang::Logql),
            "traceql" => Some(Lang::Traceql),
            _ => None,
        }
    }

    /// Every documented word of the language.
    pub fn docs(self) -> &'static [Doc] {
        match self {
            Lang::Promql => promql::DOCS,
            Lang::Logql => logql::DOCS,
            Lang::Traceql => traceql::DOCS,
        }
    }

    /// The documented words called `name` (LogQL's keywords are case-insensitive, as Loki's
    /// lexer reads them; PromQL's and TraceQL's are not). Several when a word is both a
    /// function and a keyword (TraceQL's `by`).
    pub fn lookup(self, name: &str) -> impl Iterator<Item = &'static Doc> + '_ {
        self.docs().iter().filter(move |d| if self == Lang::Logql { d.name.eq_ignore_ascii_case(name) } else { d.name == name })
    }

    fn tag(self) -> &'static str {
        match self {
            Lang::Promql => "promql",
            Lang::Logql => "logql",
            Lang::Traceql => "traceql",
        }
    }
}

impl Doc {
    /// The hover text: the signature as code, what it returns, the upstream link.
    pub fn markdown(&self, lang: Lang) -> String {
        let mut md = format!("```{}\n{}\n```\n\n{}", lang.tag(), self.sig, self.desc);
        if self.experimental {
            md.push_str("\n\n*Experimental*: Prometheus runs it only with `--enable-feature=promql-experimental-functions`.");
        }
        md.push_str(&format!("\n\n[Documentation]({})", self.url));
        md
    }
}

/// The smallest number of arguments a signature `f(a t, b=1 t, c t...)` takes: parameters
/// without a default (`=`) and not repeated (`...`).
#[cfg(test)]
pub(crate) fn min_args(sig: &str) -> usize {
    let Some(open) = sig.find('(') else { return 0 };
    let close = sig.rfind(')').unwrap_or(sig.len());
    let inner = &sig[open + 1..close];
    let mut depth = 0i32;
    let mut params = vec![];
    let mut cur = String::new();
    for c in inner.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                params.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    params.push(cur);
    params.iter().map(|p| p.trim()).filter(|p| !p.is_empty() && !p.contains('=') && !p.ends_with("...")).count()
}
