//! Imported files: `import_dashboard(…)` and `import_rules(…)` read through the database,
//! checked, and kept in the IR (see [`super::super::imports`]).

use super::*;

impl<'a> Checker<'a> {
    /// The path an `import_dashboard(…)`/`import_rules(…)` argument names, relative to the
    /// declaring file; E0102/E0105 (through the database, so a file created later is found)
    /// when it cannot be read.
    pub(super) fn import_path(&mut self, v: &V, file: SourceFile) -> Option<String> {
        match &v.val {
            Val::Str(p) => {
                let base = file.path(self.db).parent().map(|p| p.to_path_buf()).unwrap_or_default();
                let full = db::normalize(&base.join(p));
                if !file.path(self.db).starts_with("<std>") {
                    if let Err(e) = self.db.load_file(&full) {
                        let d = self.error(e.code(), v.loc, format!("cannot read `{p}`: {e}"));
                        d.hint = Some("paths are relative to the declaring file".into());
                        return None;
                    }
                }
                Some(full.display().to_string())
            }
            _ => {
                self.error("E0201", v.loc, format!("expected a file path string, found {}", v.val.type_name()));
                None
            }
        }
    }

    // ---- imported files (see [`imports`]) -------------------------------------------------

    /// The text of an imported file (through the database, so editors see it change).
    pub(super) fn read_import(&mut self, path: &str, shown: &str, call: Loc) -> Option<String> {
        match self.db.load_file(std::path::Path::new(path)) {
            Ok(f) => Some(f.text(self.db).clone()),
            Err(e) => {
                let d = self.error(e.code(), call, format!("cannot read `{shown}` as text: {e}"));
                d.hint = Some("paths are relative to the declaring file".into());
                None
            }
        }
    }

    /// Read, check and describe an imported dashboard, and keep its JSON rewritten for the
    /// stack in the IR (written as it is by the Grafana backend).
    pub(super) fn import_dashboard(&mut self, dash: &mut ir::Dashboard, path: &str, shown: &str, call: Loc, ds: &imports::Datasources) {
        let Some(text) = self.read_import(path, shown, call) else { return };
        let imp = match imports::rewrite_dashboard(&text, &dash.uid, ds) {
            Ok(imp) => imp,
            Err(why) => {
                let d = self.error("E0305", call, format!("`{shown}` is not a Grafana dashboard: {why}"));
                d.label = Some("imported here".into());
                d.hint = Some("export it from Grafana: the dashboard's Export → Export as JSON".into());
                return;
            }
        };
        if !imp.title.is_empty() {
            dash.title = imp.title.clone();
        }
        dash.source = ir::DashboardSource::Imported { path: path.to_string(), json: Arc::from(imp.to_text()) };
        dash.tags = imp.tags.clone();
        let name = dash.name.clone();
        let kinds = ds.kinds();
        for (title, uid) in &imp.library_panels {
            let d = self.error("E0304", call, format!("dashboard `{name}`: panel \"{title}\" is library panel `{uid}`, and the file does not ship its model"));
            d.label = Some("imported here".into());
            d.hint = Some("Grafana's file provisioning does not create library panels, so it would show \"Unable to load library panel\": export the dashboard for sharing externally (its `__elements` carry the models, which gstack inlines), or write the panel in gstack".into());
        }
        for u in &imp.unmapped {
            let more = match u.count {
                1 => String::new(),
                2 => " and 1 more place".to_string(),
                n => format!(" and {} more places", n - 1),
            };
            let place = match u.panel.as_str() {
                "" => format!("at {}{more}", u.path),
                p => format!("in panel \"{p}\" at {}{more}", u.path),
            };
            let why = match &u.kind {
                Some(k) => format!("the stack has no {k} datasource"),
                None => "its type is unknown".to_string(),
            };
            let d = self.error("E0304", call, format!("dashboard `{name}`: {} cannot be mapped: {why}; used {place}", u.what));
            d.label = Some("imported here".into());
            d.hint = Some(match &u.kind {
                Some(k) if schema::DATASOURCE_TYPES.contains(&k.as_str()) => {
                    format!("declare one: `datasource {k} {{ type = {k}, url = \"…\" }}` (the stack has: {})", kinds.join(", "))
                }
                _ => format!("the stack's datasource types: {}; edit the file to use one of them", kinds.join(", ")),
            });
        }
        let problems: Vec<(String, String, String)> = imp
            .promql
            .iter()
            .filter_map(|t| super::super::query::promql_problem(&t.expr, true).map(|p| (format!("panel \"{}\" ({})", t.panel, t.path), p, t.expr.clone())))
            .collect();
        self.promql_warnings(&format!("dashboard `{name}`"), problems, call, "Grafana still shows the dashboard; this query fails when it runs (Grafana's variables were substituted before parsing)");
        // TraceQL of Tempo targets: W0402, at most 20
        // every error of each query (recovery), each with its byte offset when there are several
        let bad: Vec<_> = imp
            .traceql
            .iter()
            .filter_map(|t| crate::sema::traceql::check_all(&t.expr).err().map(|v| (t, v)))
            .flat_map(|(t, v)| {
                let several = v.len() > 1;
                v.into_iter().map(move |mut e| {
                    if several {
                        e.message = format!("at byte {}: {}", e.offset, e.message);
                    }
                    (t, e)
                })
            })
            .collect();
        for (t, e) in bad.iter().take(20) {
            let d = self.error("W0402", call, format!("dashboard `{name}`: panel \"{}\" ({}): invalid TraceQL: {} in `{}`", t.panel, t.path, e.message, t.expr.split_whitespace().collect::<Vec<_>>().join(" ")));
            d.label = Some("imported here".into());
            d.hint = Some(e.hint.clone().unwrap_or_else(|| "Grafana still shows the dashboard; this query fails when it runs".into()));
        }
        if bad.len() > 20 {
            self.error("W0402", call, format!("dashboard `{name}`: {} more TraceQL errors", bad.len() - 20));
        }
        // the targets on a Loki datasource: the LogQL parser (Loki's own errors, no lints)
        let problems: Vec<(String, String, String)> = imp
            .logql
            .iter()
            .flat_map(|t| crate::sema::logql::problems(&t.expr).into_iter().map(|p| (format!("panel \"{}\" ({})", t.panel, t.path), p, t.expr.clone())))
            .collect();
        self.query_warnings("LogQL", &format!("dashboard `{name}`"), problems, call, "Grafana still shows the dashboard; this query fails when it runs (Grafana's variables were substituted before parsing)");
    }

    /// Read and check an imported Prometheus rule file; its text (copied as it is by the
    /// backend), `None` when it cannot be read.
    pub(super) fn import_rules(&mut self, name: &str, path: &str, shown: &str, call: Loc) -> Option<String> {
        let text = self.read_import(path, shown, call)?;
        let c = imports::check_rules(&text);
        const MAX: usize = 20;
        let n = c.errors.len();
        for e in c.errors.iter().take(MAX) {
            let d = self.error("E0306", call, format!("rules `{name}` (`{shown}`): {e}"));
            d.label = Some("imported here".into());
            d.hint = Some("Prometheus refuses a rule file with this problem; see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/".into());
        }
        if n > MAX {
            self.error("E0306", call, format!("rules `{name}`: {} more problems in `{shown}`", n - MAX));
        }
        let mut problems: Vec<(String, String, String)> = vec![];
        for x in &c.exprs {
            match super::super::query::promql_problem(&x.expr, false) {
                Some(p) => problems.push((x.rule.clone(), p, x.expr.clone())),
                // the `job` matchers of a rule that parses, judged with the stack's scrape jobs
                None => {
                    for (_, _, value, regex) in super::jobs::job_matchers(&x.expr) {
                        self.job_refs.push(super::jobs::JobRef { value, regex, at: call, query: call, imported: Some(format!("rules `{name}`: {}", x.rule)), label: false });
                    }
                }
            }
        }
        self.promql_warnings(
            &format!("rules `{name}`"),
            problems,
            call,
            "Prometheus does not load a rule file with an expression it cannot parse: fix the file unless this is syntax newer than gstackc's PromQL parser",
        );
        Some(text)
    }

    /// W0400 for PromQL of an imported file that does not parse (at most 20, then a count);
    /// `problems` are (where, what, expression).
    pub(super) fn promql_warnings(&mut self, what: &str, problems: Vec<(String, String, String)>, call: Loc, hint: &str) {
        self.query_warnings("PromQL", what, problems, call, hint)
    }

    /// W0400 for each (where, problem, expression) of an imported file's `lang` queries.
    pub(super) fn query_warnings(&mut self, lang: &str, what: &str, problems: Vec<(String, String, String)>, call: Loc, hint: &str) {
        const MAX: usize = 20;
        let n = problems.len();
        for (at, p, expr) in problems.into_iter().take(MAX) {
            let mut expr = expr.split_whitespace().collect::<Vec<_>>().join(" ");
            if expr.chars().count() > 100 {
                expr = expr.chars().take(99).collect::<String>() + "…";
            }
            let d = self.error("W0400", call, format!("{what}: {at}: invalid {lang}: {p} in `{expr}`"));
            d.label = Some("imported here".into());
            d.hint = Some(hint.to_string());
        }
        if n > MAX {
            self.error("W0400", call, format!("{what}: {} more {lang} expressions do not parse", n - MAX));
        }
    }

}

pub(super) fn imported_dashboard(name: &str, path: &str, loc: Loc) -> (ir::Dashboard, Loc, Vec<DsRef>) {
    let d = ir::Dashboard {
        name: name.to_string(),
        uid: uid_from(name),
        title: name.to_string(),
        folder: None,
        tags: vec![],
        refresh: None,
        time_from: ir::Duration::from_secs(6 * 3600),
        timezone: "browser".into(),
        links: vec![],
        variables: vec![],
        panels: vec![],
        rows: vec![],
        source: ir::DashboardSource::Imported { path: path.to_string(), json: Arc::from("") },
        needs: vec![],
    };
    (d, loc, vec![])
}
