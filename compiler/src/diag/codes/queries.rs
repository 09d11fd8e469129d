//! The codes of queries (`4xx`: PromQL, LogQL, TraceQL, in literals and imported files), in
//! order: rows of [`super::CODES`].

use super::CodeInfo;

/// The codes `4xx`, in order.
pub(super) static QUERIES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0400",
        title: "invalid PromQL (position mapped into the literal)",
        explanation: "A promql`…` literal does not parse as PromQL, or a range selector has no unit \
            (`[5]`). The error points at the place in the literal.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard checkout {
  timeseries "Requests" {
    query = promql`sum(rate(http_requests_total{service="checkout"[5m]))`
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0401",
        title: "invalid LogQL",
        explanation: "A logql`…` literal that Loki would refuse, or that cannot mean what it says. gstack \
            parses LogQL as Loki 3.5 does (its grammar `pkg/logql/syntax/expr.y` and lexer `lex.go`): \
            a stream selector like `{service=\"app\"}` first, with at least one matcher that does not \
            match the empty value; line filters, parsers, label filters, formats and `unwrap`; range \
            aggregations with a range like `[5m]`, vector aggregations and binary operators over metric \
            queries. Also an error: an empty line filter (`|= \"\"` keeps every line), and a log query as \
            the condition of a `log_alert` (Loki's ruler needs a metric query). Each problem of a query \
            is its own E0401 (at most 10 a query: a broken pipeline stage, matcher or operand is \
            skipped and the rest still checked), pointing at it, with the fix in the help when it is \
            known (did-you-mean for functions and stages, the missing range, the missing `unwrap`).",
        example: r#"stack shop {
  prometheus {}
  grafana {}
  loki {}
}

dashboard checkout {
  logs "Errors" {
    query = logql`|= "error"`
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0402",
        title: "invalid TraceQL, or an unknown query language",
        explanation: "A traceql`…` literal does not parse as TraceQL (gstack's parser follows Tempo 2.9's \
            grammar, `pkg/traceql/expr.y`): an unclosed `{`, an operator without its operand \
            (`{ duration > 2s && }`), an unknown intrinsic, scope or function (with a did-you-mean), an \
            attribute without its scope dot (`foo` for `.foo`), `==` for `=`, a duration compared with a \
            number without a unit, two sides whose types cannot be compared (`name > 2s`); or a TraceQL \
            metrics query in a `traces` panel, a search in a panel that draws series (each problem \
            of a query is its own E0402, at most 10: a broken condition between `&&`/`||` or a broken \
            pipeline stage is skipped and the rest still checked); or a backtick \
            literal names a language gstack does not know (the languages are `promql`, `logql`, \
            `traceql` and `sql`).",
        example: r#"stack shop {
  prometheus {}
  grafana {}
  tempo {}
}

dashboard traces {
  traces "Slow" { query = traceql`{ duration > 2s` }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0403",
        title: "a PromQL query longer than 16 KiB",
        explanation: "gstack parses PromQL queries of at most 16 KiB (a `promql` literal, an imported \
            dashboard's or rule file's expression): the PromQL parser's time grows with the square of a \
            query's length (32,000 terms `a + a + …` take 9 s), so a longer query is reported at its \
            literal and not parsed, and a check never stalls on one. Split it: recording rules, or \
            several shorter queries.",
        example: r#"// a query of more than 16 KiB (compiler/tests/bounded.rs writes one)
dashboard d {
  timeseries "p" { query = promql`a + a + a` }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0400",
        title: "PromQL or LogQL of an imported dashboard or rule file that does not parse (a warning)",
        explanation: "An expression in an imported dashboard or rule file does not parse as PromQL (or, for a \
            dashboard target on a Loki datasource, as LogQL: the parser of E0401). Imported \
            files are often third-party, so this is a warning and the file is imported as it is; the \
            message names the panel or rule group and rule.",
        example: r#"stack shop {
  prometheus {}
}

rules http = import_rules("./data/rules.yml")
"#,
        files: &[(
            "data/rules.yml",
            r#"groups:
  - name: http
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_errors_total[5m]) > 1
"#,
        )],
    },
    CodeInfo {
        code: "W0402",
        title: "TraceQL of an imported dashboard that does not parse (a warning)",
        explanation: "A Tempo query (`queryType` `traceql`) of an imported dashboard does not parse as \
            TraceQL (gstack's parser, Tempo 2.9's grammar; Grafana's variables substituted first). \
            Imported files are often third-party, so this is a warning and the file is imported as \
            it is; the message names the panel and the query's JSON path.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
  tempo {}
}

dashboard traces = import_dashboard("./data/traces.json")
"#,
        files: &[(
            "data/traces.json",
            r#"{
  "title": "Traces",
  "panels": [
    { "type": "traces", "title": "Slow", "datasource": { "type": "tempo", "uid": "tempo" },
      "targets": [{ "refId": "A", "queryType": "traceql", "query": "{ duration > 2s && }" }] }
  ]
}
"#,
        )],
    },
    CodeInfo {
        code: "W0403",
        title: "a query selects a `job` no scrape job produces (a warning)",
        explanation: "A PromQL selector matches `job=\"…\"` (or `job=~\"…\"`) and no scrape job of the \
            stack's Prometheus has that name: Prometheus sets `job` to the scrape config's `job_name` \
            (or a target's `job` label), so the selector matches no series. A panel stays empty, and \
            `absent(up{job=\"apiserver\"})` fires forever. The jobs are the components' own \
            (`prometheus`, `node`, `grafana`, …) and each `scrape NAME`. Alert rules, imported rule \
            files, panels and Grafana-managed rules on the stack's Prometheus are checked; not when \
            that Prometheus also takes pushed series (`remote_write_receiver`, `otlp_receiver`) or \
            scrape configs through `settings`, whose jobs are not known at compile time.",
        example: r#"stack shop {
  prometheus {
    scrape web { targets = ["127.0.0.1:8080"] }
  }
}

alert ApiserverDown {
  expr     = promql`absent(up{job="apiserver"})`
  for      = 5m
  severity = critical
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0404",
        title: "a LogQL selector uses a stream label no log shipper sets (a warning)",
        explanation: "The `loki` block declares the stream labels the stack's log shippers set \
            (`stream_labels`), and a LogQL stream selector matches a label outside them with `=` or \
            `=~` (`{namespce=\"shop\"}`): no stream has it, so the panel shows no line and the rule \
            never fires. Loki's own `service_name` (Loki 3 gives every stream one) is always known. \
            Panels and `log_alert` rules on the stack's Loki are checked; queries on another Loki \
            datasource, imported dashboards and the bundled modules are not, and without \
            `stream_labels` nothing is judged (the labels are the shippers', outside gstack).",
        example: r#"stack shop {
  prometheus {}
  alertmanager { receiver oncall { webhook = "https://hooks.example.com/oncall" } }
  loki { stream_labels = ["app", "namespace"] }
}

log_alert CheckoutErrors {
  expr     = logql`sum(rate({namespce="shop"} |= "error" [5m])) > 1`
  severity = warning
}
"#,
        files: &[],
    },
];
