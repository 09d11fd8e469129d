//! Every diagnostic code, as data: one row per code with its title, what it means and a
//! small input that triggers it.
//!
//! This table is the one list of codes. `docs/language.md` renders it ([`super::explain::markdown`], kept
//! current by the test `docs_language_codes_are_current`), `gstackc explain CODE` prints a row
//! ([`CodeInfo::explain`], in `explain.rs`), the tests in `compiler/tests/codes.rs` check that every code the
//! sources use has a row, that every row is used, and that every example produces its code,
//! and [`Diagnostic::error`](super::Diagnostic::error) asserts (in debug builds) that its
//! code has a row.
//!
//! Codes are grouped by hundreds: `0xx` syntax, `1xx` names, files and imports, `2xx`
//! values and types, `3xx` references across the stack, `4xx` queries, `5xx` how the stack
//! runs (ports), `6xx` deployment targets, `7xx` overrides. `E` codes are errors, `W` codes
//! warnings. A code keeps its meaning for good: one no longer used stays as a reserved row
//! (an empty [`CodeInfo::example`]) so it is never given another meaning.

/// One diagnostic code: what `gstackc explain CODE` prints and `docs/language.md` lists.
#[derive(Debug)]
pub struct CodeInfo {
    /// The code, `E0xxx` (an error) or `W0xxx` (a warning).
    pub code: &'static str,
    /// A short phrase of what is wrong (the `docs/language.md` table's "meaning").
    pub title: &'static str,
    /// What the code covers, why it is a problem and how to fix it (a paragraph).
    pub explanation: &'static str,
    /// A small input that produces this code, checked as the file `example.gstack` (for the
    /// `7xx` codes, the overrides JSON given to `gstackc build --overrides`). Empty for a
    /// reserved code, which no diagnostic uses.
    pub example: &'static str,
    /// Other files the example reads, as (path relative to the example, text); usually none.
    pub files: &'static [(&'static str, &'static str)],
}

impl CodeInfo {
    /// Is the code reserved (kept so that it is not reused, but produced by nothing)?
    pub fn is_reserved(&self) -> bool {
        self.example.is_empty()
    }

    /// Is it a warning (`W…`) rather than an error?
    pub fn is_warning(&self) -> bool {
        self.code.starts_with('W')
    }
}

/// The row of `code` (exactly as written, e.g. `E0201`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code).copied()
}

/// Codes near an unknown `code`, for "did you mean": those one edit away (case-insensitive),
/// else those of its hundred (`E02…` for `E0299`). Possibly empty.
pub fn nearby(code: &str) -> Vec<&'static str> {
    let want = code.trim().to_uppercase();
    let close: Vec<&str> = CODES.iter().map(|c| c.code).filter(|c| super::levenshtein(&want, c) <= 1).collect();
    if !close.is_empty() {
        return close;
    }
    let series = want.get(..3).unwrap_or(&want);
    CODES.iter().map(|c| c.code).filter(|c| c.starts_with(series)).collect()
}

mod deploy;
mod queries;

/// Every code, in order (by hundreds; in each, the errors, then the warnings, by number): the language's (`0xx`–`3xx`, `5xx`,
/// below), the queries' (`4xx`, in `codes/queries.rs`) and the deployment targets' and
/// overrides' (`6xx`, `7xx`, in `codes/deploy.rs`).
pub static CODES: std::sync::LazyLock<Vec<&'static CodeInfo>> = std::sync::LazyLock::new(|| {
    let mut all: Vec<&'static CodeInfo> = LANGUAGE.iter().chain(queries::QUERIES).chain(deploy::DEPLOY).collect();
    all.sort_by_key(|c| (&c.code[1..3], &c.code[..1], &c.code[3..]));
    all
});

/// The codes `0xx`–`3xx` and `5xx`, in order.
static LANGUAGE: &[CodeInfo] = &[
    CodeInfo {
        code: "E0001",
        title: "syntax error (the parser recovers and goes on)",
        explanation: "The text does not parse: a token stands where the grammar wants another (`x = = 1`), a \
            `{` is never closed or a `}` closes nothing, or brackets, blocks and strings nest deeper than \
            the parser allows. The parser recovers and reports every syntax error it finds; semantic errors \
            on the same line are dropped, as they are usually the recovery's consequence.",
        example: r#"stack shop {
  prometheus {
    retention = = 15d
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0002",
        title: "unterminated or malformed string / query literal, bad escape",
        explanation: "A string or `${…}` interpolation runs to the end of the line or file, a string has an \
            unknown escape like `\\q`, or a backtick query literal has no language in front (write \
            promql`…`, logql`…`, traceql`…` or sql`…`).",
        example: r#"stack shop {
  prometheus {}
  grafana { version = "12.2 }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0003",
        title: "a character that cannot start a token",
        explanation: "The lexer met a character that begins no token of gstack. A common one is `#`: comments \
            are `// …` to the end of the line.",
        example: r#"stack shop {
  prometheus {}
  grafana {
    port = 3000 # the default
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0100",
        title: "a name that is not in scope",
        explanation: "A name is used that no `let`, `fn` parameter, `for` variable or `import` defines here, or \
            a `.field` is read that the value does not have: a field an imported module does not \
            define, a field of a record, or a source of `secret` other than `secret.file` and \
            `secret.env`. The hint names the closest name in scope.",
        example: r#"let service = "checkout"

stack shop {
  prometheus {}
  grafana {}
}

dashboard checkout {
  title = "Overview of ${servce}"
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0101",
        title: "something declared twice (names, dashboard uids, receivers, scrape jobs, stacks)",
        explanation: "Two things that must be unique share a name: a `let` or `fn` name of one file, two \
            declarations of one kind and name (dashboards, alerts, datasources, receivers, scrape jobs, \
            contact points, …), one block twice where only one may stand (a component in a stack), two \
            dashboards or Grafana alert rules with one uid, two Grafana rules with one title in a folder, \
            or more than one `stack` in a build. The other one is labelled.",
        example: r#"let window = 5m
let window = 10m

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0102",
        title: "a file that cannot be read (import, `import_dashboard`, `import_rules`)",
        explanation: "A file named in the source does not exist or cannot be read: an `import`, an \
            `import_dashboard(…)` or `import_rules(…)` file (paths are relative to the file that names \
            them), or the file given to `gstackc check`, `gstackc build` or `--overrides`.",
        example: r#"import "./teams/nowhere.gstack" as nowhere

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0103",
        title: "import cycle",
        explanation: "Files import each other in a circle (or a file imports itself), so none of them can be \
            evaluated first. The cycle is reported once, at the import that closes it, with the next \
            import along it. Move what the files share into another file that each imports.",
        example: r#"import "./example.gstack" as me

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0104",
        title: "no such std module",
        explanation: "An `import std.NAME` names no module bundled with the compiler; the hint lists the \
            closest one, or all of them.",
        example: r#"import std.panles

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0105",
        title: "a source file or import larger than 8 MiB",
        explanation: "gstackc reads at most 8 MiB of a `.gstack` file (the root file, an `import`, an \
            `--overrides` file), and only regular files: a device, a FIFO or a directory is E0102, so a \
            check can never hang or exhaust memory on what a path points at. Split a file that large \
            into several imports. (An imported dashboard or rule file over the limit is E0102.)",
        example: r#"// `big.gstack` is a file of 9 MiB (compiler/tests/bounded.rs writes one)
import "./big.gstack" as big

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0106",
        title: "evaluation of one file takes more than 10 million steps",
        explanation: "Evaluating one file may take at most 10 million steps (each expression evaluated is a \
            step), so exponential recursion ends with a diagnostic instead of freezing `gstackc` or the \
            language server. It is reported at the outermost call still running. Rewrite the function \
            so it does not call itself twice per step, or compute the values once with `let`.",
        example: r#"fn f(n) = if n == 0 then 0 else f(n - 1) + f(n - 1)

let x = f(40)

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0107",
        title: "evaluation of one file builds more than 256 MiB of lists and strings",
        explanation: "Evaluating one file may build at most 256 MiB of lists and strings, so a value that \
            doubles in size on every step ends with a diagnostic instead of exhausting memory.",
        example: r#"let a0 = "xxxxxxxxxxxxxxxx"
let a1 = a0 + a0
let a2 = a1 + a1
let a3 = a2 + a2
let a4 = a3 + a3
let a5 = a4 + a4
let a6 = a5 + a5
let a7 = a6 + a6
let a8 = a7 + a7
let a9 = a8 + a8
let a10 = a9 + a9
let a11 = a10 + a10
let a12 = a11 + a11
let a13 = a12 + a12
let a14 = a13 + a13
let a15 = a14 + a14
let a16 = a15 + a15
let a17 = a16 + a16
let a18 = a17 + a17
let a19 = a18 + a18
let a20 = a19 + a19
let a21 = a20 + a20
let a22 = a21 + a21
let a23 = a22 + a22
let a24 = a23 + a23

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0108",
        title: "calls nested too deep (endless recursion)",
        explanation: "Function calls nest deeper than the evaluator allows (64 levels), which in practice means \
            a function that calls itself, directly or through another, without end. gstack has no \
            loops by recursion: use `for` over a list or `range(n)`.",
        example: r#"fn forever(n: number) = forever(n + 1)

let x = forever(0)

stack shop {
  prometheus {}
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0200",
        title: "unknown field (with a \"did you mean\")",
        explanation: "A block has a field or block its schema does not know (a misspelling, or a field of \
            another block), a dotted field where the block takes none, or an overrides file has an \
            unknown key. The hint names the closest field, or lists what the block takes; \
            `docs/reference.md` lists every block's fields.",
        example: r#"stack shop {
  prometheus {
    retension = 15d
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0201",
        title: "type mismatch (names both types)",
        explanation: "A value has the wrong type for where it stands: a field given a number where it wants a \
            duration (`retention = 15` has no unit), text where it wants a query literal, a query of \
            the wrong language; a function argument of the wrong type; `for` over something other than \
            a list, `if` on something other than a bool, an operator on values it cannot combine; a \
            call of something that is not a function, an unknown type in a `fn` signature, a name \
            given to a block that takes none, or an overrides file of the wrong shape. The message \
            names the type wanted and the type found.",
        example: r#"stack shop {
  prometheus {
    retention = 15
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0202",
        title: "missing required field, name or title",
        explanation: "Something required is not there: a field the schema requires (a scrape job's \
            `targets`, an alert's `expr`), a block's or declaration's name, a panel's title or query, \
            a query's `datasource` where it cannot be inferred, a contact point's channel, a `var` \
            without `= query(…)`, or the `stack` itself (a file checked on its own that declares none).",
        example: r#"stack shop {
  prometheus {
    scrape app { interval = 15s }
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0203",
        title: "wrong unit (`for = 10min`, a duration where a size is wanted)",
        explanation: "A literal with a unit has the wrong kind of unit or an unknown one: a size (`512MiB`) \
            where a duration is wanted or the other way round, `min` for minutes (write `m`), or `GB` \
            where Kubernetes wants `GiB`. The hint shows the units the field takes.",
        example: r#"stack shop {
  prometheus {
    retention = 512MiB
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0204",
        title: "value out of range or malformed (ports, addresses, uids, scrape targets)",
        explanation: "A value has the right type but not an allowed value or form: a port outside 1–65535, an \
            IPv4 address with a part over 255, a scrape target that is not `host:port`, an invalid \
            dashboard or rule uid, an environment variable name `secret.env` cannot take, `range(n)` \
            past its limit, division by zero, a malformed label matcher, a mute timing's time range, \
            day, month or year that does not parse, or a Grafana rule evaluation interval that is not \
            a positive multiple of 10s or disagrees with its group's.",
        example: r#"stack shop {
  prometheus {}
  grafana {
    port = 70000
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0205",
        title: "not one of the allowed values (enum, colour, Grafana unit id, target kind)",
        explanation: "A value must be one of a fixed set and is not: an enum field (an alert's `severity`, a \
            datasource's `type`), a colour Grafana knows, a Grafana unit id, a `target` kind, a \
            weekday or month name. The hint names the closest allowed value.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

alert TargetDown {
  expr     = promql`up == 0`
  severity = critcal
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0206",
        title: "a secret used as text",
        explanation: "A `secret.file(…)` or `secret.env(…)` reaches a place that wants plain text: a string \
            field, an interpolation `\"${token}\"`, a concatenation, or freeform `settings`. Secrets \
            stay references so their values never reach the generated files: pass a secret whole to \
            a field that takes one.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

datasource warehouse {
  type = postgres
  url  = "db.internal:5432"
  user = secret.env("DB_USER")
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0207",
        title: "wrong number of arguments",
        explanation: "A function (one declared with `fn`, or a built-in like `len` or `join`) is called with \
            more or fewer arguments than it takes.",
        example: r#"fn rate_panel(svc: string) = timeseries "${svc} requests/s" {
  query = promql`sum(rate(http_requests_total{service="${svc}"}[5m]))`
}

stack shop {
  prometheus {}
  grafana {}
}

dashboard overview {
  rate_panel("checkout", "cart")
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0208",
        title: "unknown block or declaration kind, or an entry where it cannot stand",
        explanation: "A top-level declaration of a kind gstack does not have (`dashbaord`), an unknown \
            component in a `stack`, a field or bare expression at the top level of a file, or an \
            `import` or `fn` inside a block (they only stand at the top level).",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashbaord checkout {
  title = "Checkout"
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0209",
        title: "a field set twice",
        explanation: "One block sets a field twice. Fields are set once per block; the first one is labelled.",
        example: r#"stack shop {
  prometheus {
    retention = 15d
    retention = 30d
  }
  grafana {}
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0210",
        title: "no such function",
        explanation: "A call names a function that is neither declared with `fn` in scope nor built in; the \
            hint names the closest one.",
        example: r#"fn rate_panel(svc: string) = timeseries "${svc} requests/s" {
  query = promql`sum(rate(http_requests_total{service="${svc}"}[5m]))`
}

stack shop {
  prometheus {}
  grafana {}
}

dashboard overview {
  rate_panl("checkout")
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0211",
        title: "a Grafana credential as plain text",
        explanation: "Grafana's admin password (`security.admin_password`) or its `secret_key` \
            (`security.secret_key`) is written in the `grafana` block's freeform `settings`, where it \
            would be plain text in `grafana.ini` and in every copy of the generated files. Give it by \
            reference in the typed fields instead: `admin = { password = secret.file(\"…\") }` and \
            `secret_key = secret.env(\"…\")`. Without them the stack reads both from the environment \
            secrets `GRAFANA_ADMIN_PASSWORD` and `GRAFANA_SECRET_KEY`, which the user provides: it never \
            keeps Grafana's `admin`/`admin` or the `secret_key` every Grafana ships with.",
        example: r#"stack shop {
  prometheus {}
  grafana {
    settings { security.admin_password = "hunter2" }
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0212",
        title: "a value a generated file cannot carry exactly",
        explanation: "A string reaches a generated file whose reader has no way to be given exactly that \
            string: a newline or other control character in a `grafana.ini` value, a systemd unit line \
            or a command line; `${…}` or `$__env{…}` in a value Grafana, Loki or Tempo expands at start-up \
            and cannot escape; a key or section name go-ini would split. gstackc refuses it rather than \
            write a file whose structure or meaning the string changes: `gstackc check` reports it, and \
            `gstackc build` writes nothing. The error points at the field the value came from (its \
            component block when the value has no field of its own). Write the value without what the \
            file cannot hold, or give a credential by reference (`secret.env(…)`, `secret.file(…)`).",
        example: r#"stack shop {
  prometheus {}
  grafana {
    smtp = { host = "smtp.example.com:587", from_name = "ops $__env{HOME}" }
  }
}
target native {}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0300",
        title: "a reference to a component the stack does not enable",
        explanation: "Something needs a component the `stack` does not run: a LogQL query without Loki, an \
            alert or imported rules without the component that evaluates them, a `log_alert` without \
            the Alertmanager its alerts go to, a Grafana alert rule \
            without Grafana, Tempo's metrics generator without Prometheus, a datasource named after a \
            disabled component, or a target's `resources` block for a component not in the stack. \
            Enable the component, or drop what needs it.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard errors {
  logs "Error logs" {
    query = logql`{service="checkout"} |= "error"`
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0301",
        title: "an unresolved reference (receiver, datasource, contact point, mute timing)",
        explanation: "A name that must refer to something declared elsewhere in the stack does not: an \
            Alertmanager route's `receiver`, a panel's or rule's `datasource`, a notification \
            policy's contact point or mute timing. The hint names the closest declared one.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
  alertmanager {
    receiver oncall { webhook = secret.env("ONCALL_URL") }
    route { receiver = oncal }
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0302",
        title: "a query whose language does not match its datasource",
        explanation: "A query is sent to a datasource that does not speak its language (PromQL to Postgres), \
            or one panel mixes query languages, while a panel's queries share one datasource.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

datasource warehouse {
  type = postgres
  url  = "db.internal:5432"
}

dashboard sales {
  stat "Orders" {
    datasource = warehouse
    query      = promql`sum(orders_total)`
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0303",
        title: "a dashboard variable that is not declared",
        explanation: "A query uses `$name` (or a panel repeats over a variable) that its dashboard does not \
            declare with `var name = …`.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard checkout {
  var service = query(prometheus, "label_values(up, service)")
  timeseries "Requests" {
    query = promql`sum(rate(http_requests_total{service="$nope"}[5m]))`
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0304",
        title: "a datasource reference of an imported dashboard that no datasource of the stack can answer",
        explanation: "An imported dashboard uses a datasource (an `__inputs` entry or a panel's \
            `datasource`) whose type no datasource of the stack has, so it cannot be mapped onto the \
            stack. Declare a datasource of that type, or edit the file.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard hosts = import_dashboard("./data/hosts.json")
"#,
        files: &[(
            "data/hosts.json",
            r#"{
  "__inputs": [{ "name": "DS_INFLUXDB", "type": "datasource", "pluginId": "influxdb" }],
  "title": "Hosts",
  "panels": [
    { "type": "timeseries", "title": "Disk IO", "datasource": { "type": "influxdb", "uid": "${DS_INFLUXDB}" } }
  ]
}
"#,
        )],
    },
    CodeInfo {
        code: "E0305",
        title: "an imported dashboard file that is not a Grafana dashboard (not JSON, no `panels`, v2 schema)",
        explanation: "An `import_dashboard(…)` file is not a dashboard gstack can import: not JSON, JSON \
            without `panels`, or a dashboard of Grafana's v2 schema. Export it from Grafana with \
            Export → Export as JSON.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard overview = import_dashboard("./data/datasources.json")
"#,
        files: &[("data/datasources.json", "{ \"apiVersion\": 1, \"datasources\": [] }\n")],
    },
    CodeInfo {
        code: "E0306",
        title: "an imported rule file that Prometheus would refuse (structure, field, duration)",
        explanation: "An `import_rules(…)` file would be refused by Prometheus: not YAML of the rule file \
            format, an unknown or missing field, a rule that is both recording and alerting, or a \
            duration Prometheus does not read (`5min`).",
        example: r#"stack shop {
  prometheus {}
}

rules node = import_rules("./data/rules.yml")
"#,
        files: &[(
            "data/rules.yml",
            r#"groups:
  - name: node
    rules:
      - alert: HostDown
        expr: up == 0
        for: 5min
"#,
        )],
    },
    CodeInfo {
        code: "W0307",
        title: "an Alertmanager receiver no route sends to (a warning)",
        explanation: "A `receiver` of the `alertmanager` block is named by no route: Alertmanager loads it \
            and never notifies it, so whoever expects its pages gets none. Without a `route` block every \
            alert goes to the first receiver. Add a route to it (with the matchers of the alerts it \
            should get), or remove it.",
        example: r#"stack shop {
  prometheus {}
  alertmanager {
    receiver oncall { webhook = "https://hooks.example.com/oncall" }
    receiver tickets { webhook = "https://hooks.example.com/tickets" }
    route { receiver = oncall }
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0308",
        title: "an Alertmanager route no alert reaches (a warning)",
        explanation: "Alertmanager tries a route's children in order and stops at the first that matches \
            without `continue`; a route is also tried only for alerts its parents matched. A route \
            whose matchers contradict its parents' (`team=web` under `team=db`), or whose every alert \
            an earlier sibling without `continue` takes, never notifies its receiver. Reorder the \
            routes, set `continue = true` on the earlier one, or fix the matchers.",
        example: r#"stack shop {
  prometheus {}
  alertmanager {
    receiver db { webhook = "https://hooks.example.com/db" }
    receiver page { webhook = "https://hooks.example.com/page" }
    route {
      receiver = db
      route { receiver = db, matchers = ["team=db"] }
      route { receiver = page, matchers = ["team=db", "severity=critical"] }
    }
  }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0309",
        title: "an Alertmanager matcher no alert of the stack satisfies (a warning)",
        explanation: "A route's or inhibit rule's matcher tests a label that every alert rule of the stack \
            sets to a constant (`alertname`, `severity`, a rule's `labels`, Prometheus's \
            `external_labels`), against values none of them has: `severity=\"critcal\"` when the rules \
            say `critical` and `warning`. That route never notifies its receiver, and that inhibit \
            rule never applies. Labels some rule leaves to the queried series, and templated values, \
            are not judged; nor is anything when Grafana-managed rules or a Loki ruler with its own \
            settings may send alerts too.",
        example: r#"stack shop {
  prometheus {}
  alertmanager {
    receiver oncall { webhook = "https://hooks.example.com/oncall" }
    receiver page { webhook = "https://hooks.example.com/page" }
    route {
      receiver = oncall
      route { receiver = page, matchers = ["severity=critcal"] }
    }
  }
}

alert NodeDown {
  expr     = promql`up == 0`
  for      = 5m
  severity = critical
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0310",
        title: "an equality matcher over a variable that can hold several values (a warning)",
        explanation: "A panel's PromQL or LogQL matches `label=\"$var\"` (or `!=`) over a dashboard variable that \
            is `multi` or has `All` (a `query` variable has both unless its options say otherwise). \
            Grafana writes such a variable as a regex alternation, `(a|b)` or every value, which an \
            equality matcher compares literally: the panel goes blank as soon as two values, or `All`, \
            are picked. Match it with `=~` (`!~`), or make the variable single-valued: \
            `query(prometheus, \"label_values(up, instance)\", { multi = false, include_all = false })`.",
        example: r#"stack shop {
  prometheus {}
  grafana {}
}

dashboard nodes {
  var node = query(prometheus, "label_values(up, instance)")
  timeseries "Up" { query = promql`up{instance="$node"}` }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0500",
        title: "two components on one port of one host",
        explanation: "Two components of the stack would listen on the same port of the same host, so the \
            second could not start. Both are labelled; move one with its `port`.",
        example: r#"stack shop {
  prometheus {}
  grafana {
    port = 9090
  }
}
"#,
        files: &[],
    },
];
