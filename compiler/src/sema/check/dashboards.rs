//! Dashboards: panels, variables, field overrides and links, lowered per file.

use super::*;

impl<'a> Checker<'a> {
    /// Lower a dashboard; returns it with the datasource references to check once the stack is known.
    pub(super) fn dashboard(&mut self, r: &Rec) -> (ir::Dashboard, Loc, Vec<DsRef>) {
        let name = r.label();
        let mut refs = vec![];
        let mut variables = vec![];
        let mut var_names: Vec<String> = vec![];
        let mut many: Vec<String> = vec![];
        let uid = self.uid(r, "dashboard");
        self.chained_variable_order(r);
        for var in &r.vars {
            match self.variable(var, &mut refs) {
                Some(v) => {
                    var_names.push(v.name().to_string());
                    if v.many() {
                        many.push(v.name().to_string());
                    }
                    variables.push(v);
                }
                None => {}
            }
        }
        for p in r.panels.iter().chain(r.blocks_of("row").flat_map(|row| row.panels.iter())) {
            self.equality_on_many(p, &many);
        }
        let panels: Vec<ir::Panel> = r.panels.iter().map(|p| self.panel(p, &mut refs, &var_names)).collect();
        let rows = r
            .blocks_of("row")
            .map(|row| ir::Row {
                title: row.label(),
                collapsed: row.bool_d("collapsed"),
                panels: row.panels.iter().map(|p| self.panel(p, &mut refs, &var_names)).collect(),
            })
            .collect();
        (
            ir::Dashboard {
                name: name.clone(),
                uid,
                title: r.str("title").unwrap_or(name),
                folder: r.str("folder"),
                tags: r.strs_d("tags"),
                refresh: r.dur("refresh"),
                time_from: r.dur_d("time_from"),
                timezone: r.sym_d("timezone"),
                links: links(r),
                variables,
                panels,
                rows,
                source: ir::DashboardSource::Native,
                needs: r.strs("needs"),
            },
            Loc { file: r.loc.file, span: r.label_span() },
            refs,
        )
    }

    /// Chained variables (E0303): `query` variables whose queries use each other in a cycle
    /// (`a` on `$b`, `b` on `$a`), or a query on its own variable. Grafana refreshes a variable
    /// once the variables its query uses are set (the dependency graph of Scenes'
    /// `SceneVariableSet`, in any order of declaration), so in a cycle none is ever set and
    /// the dashboard waits on them for ever.
    fn chained_variable_order(&mut self, r: &Rec) {
        let names: Vec<&str> = r.vars.iter().map(|v| v.name.as_str()).collect();
        // each query variable's uses of the dashboard's variables, and where its query is
        let mut uses: Vec<(Vec<usize>, Option<Loc>)> = vec![(vec![], None); names.len()];
        for (i, var) in r.vars.iter().enumerate() {
            let Val::Ctor { name: "query", args } = &var.value.val else { continue };
            let Some(q) = args.get(1) else { continue };
            let text = match &q.val {
                Val::Str(s) => s.as_str(),
                Val::Query(qv) => qv.text.as_str(),
                _ => continue,
            };
            for (_, v) in grafana_vars(text) {
                if let Some(j) = names.iter().position(|n| *n == v) {
                    if !uses[i].0.contains(&j) {
                        uses[i].0.push(j);
                    }
                }
            }
            uses[i].1 = Some(q.loc);
        }
        // a variable is in a cycle when it reaches itself
        for i in 0..names.len() {
            let Some(at) = uses[i].1 else { continue };
            let mut path: Vec<usize> = vec![i];
            let mut stack: Vec<(usize, Vec<usize>)> = uses[i].0.iter().map(|j| (*j, vec![i])).collect();
            let mut seen = vec![false; names.len()];
            let mut cycle = None;
            while let Some((j, via)) = stack.pop() {
                if j == i {
                    cycle = Some(via);
                    break;
                }
                if std::mem::replace(&mut seen[j], true) {
                    continue;
                }
                let mut via2 = via.clone();
                via2.push(j);
                stack.extend(uses[j].0.iter().map(|k| (*k, via2.clone())));
            }
            let Some(via) = cycle else { continue };
            path = if via.len() > 1 { via } else { path };
            let (msg, hint) = if path.len() == 1 {
                (format!("variable `{}` uses itself (`${}`) in its query", names[i], names[i]), "a variable's query can use the dashboard's other variables, never its own value".to_string())
            } else {
                let chain: Vec<String> = path.iter().chain(std::iter::once(&i)).map(|k| format!("`{}`", names[*k])).collect();
                (
                    format!("variables {} use each other in a cycle", chain.join(" → ")),
                    format!("Grafana sets a variable once those its query uses are set: in a cycle none is ever set. Drop `${}` from `{}`'s query", names[path[1]], names[i]),
                )
            };
            self.error("E0303", at, msg).hint = Some(hint);
        }
    }

    pub(super) fn variable(&mut self, var: &VarDecl, refs: &mut Vec<DsRef>) -> Option<ir::Variable> {
        let name = var.name.clone();
        let (ctor, args) = match &var.value.val {
            Val::Ctor { name, args } => (*name, args.clone()),
            Val::Error => return None,
            other => {
                let t = other.type_name();
                let d = self.error("E0201", var.value.loc, format!("variable `{name}` expects {}, found {t}", Ty::Variable.describe()));
                d.hint = Some("e.g. `var job = query(prometheus, \"label_values(up, job)\")`".into());
                return None;
            }
        };
        let text = |ck: &mut Self, v: &V| -> Option<String> {
            match &v.val {
                Val::Str(s) => Some(s.clone()),
                Val::Query(q) => Some(q.text.clone()),
                Val::Qty { text, .. } => Some(text.clone()),
                Val::Num(n) => Some(fmt(*n)),
                Val::Error => None,
                other => {
                    let t = other.type_name();
                    ck.error("E0201", v.loc, format!("expected text, found {t}"));
                    None
                }
            }
        };
        let list = |ck: &mut Self, v: &V| -> Option<Vec<String>> {
            match &v.val {
                Val::List(xs) => xs.iter().map(|x| text(ck, x)).collect(),
                other => {
                    let t = other.type_name();
                    ck.error("E0201", v.loc, format!("expected a list, found {t}"));
                    None
                }
            }
        };
        // a datasource by name, recorded for the check once the stack's are known
        let datasource = |ck: &mut Self, v: &V, refs: &mut Vec<DsRef>| -> Option<String> {
            let (Val::Sym(s) | Val::Str(s)) = &v.val else {
                let t = v.val.type_name();
                ck.error("E0201", v.loc, format!("expected a datasource name, found {t}"));
                return None;
            };
            refs.push(DsRef::Named { name: s.clone(), loc: v.loc, lang: None });
            Some(s.clone())
        };
        Some(match ctor {
            "query" => {
                let ds = datasource(self, &args[0], refs)?;
                let options = self.variable_options(args.get(2), true);
                ir::Variable::Query { name, datasource: ds, query: text(self, &args[1])?, options }
            }
            "custom" => {
                let options = self.variable_options(args.get(1), false);
                ir::Variable::Custom { name, values: list(self, &args[0])?, options }
            }
            "interval" => ir::Variable::Interval { name, values: list(self, &args[0])? },
            "datasource" => match &args[0].val {
                Val::Sym(s) | Val::Str(s) if schema::DATASOURCE_TYPES.contains(&s.as_str()) => ir::Variable::Datasource { name, plugin: s.clone() },
                _ => {
                    let d = self.error("E0205", args[0].loc, "`datasource(…)` takes a datasource type");
                    d.hint = Some(format!("one of: {}", schema::DATASOURCE_TYPES.join(", ")));
                    return None;
                }
            },
            "constant" => ir::Variable::Constant { name, value: text(self, &args[0])? },
            "textbox" => ir::Variable::Textbox { name, default: text(self, &args[0])? },
            "adhoc" => {
                let ds = datasource(self, &args[0], refs)?;
                ir::Variable::AdHoc { name, datasource: ds }
            }
            _ => return None,
        })
    }

    /// The options record of a `query` or `custom` variable (its constructor's last argument,
    /// typed by [`schema::VARIABLE_OPTIONS`]); Grafana's defaults when there is none, but
    /// `include_all` only for query variables (`all`).
    fn variable_options(&mut self, arg: Option<&V>, all: bool) -> ir::VariableOptions {
        let mut o = ir::VariableOptions { include_all: all, ..Default::default() };
        let Some(v) = arg else { return o };
        let Val::Block(b) = &v.val else {
            if !matches!(v.val, Val::Error) {
                let t = v.val.type_name();
                let d = self.error("E0201", v.loc, format!("a variable's options are a record, found {t}"));
                d.hint = Some("`{ multi = false, include_all = false, sort = natural }`".into());
            }
            return o;
        };
        let r = self.record(b, &schema::VARIABLE_OPTIONS, "variable options");
        o.multi = r.bool_d("multi");
        if let Some(CV::Bool(a)) = r.get("include_all") {
            o.include_all = *a;
        }
        o.all_value = r.str("all_value");
        if let (Some((_, at)), false) = (r.fields.get("all_value"), o.include_all) {
            let d = self.error("E0202", *at, "`all_value` is what `All` stands for, and this variable has no `All`");
            d.hint = Some("set `include_all = true`, or drop `all_value`".into());
        }
        o.refresh = if r.sym_d("refresh") == "time_range" { 2 } else { 1 };
        let sort = r.sym_d("sort");
        o.sort = schema::VARIABLE_SORTS.iter().position(|s| *s == sort).unwrap_or(1) as u8;
        o.regex = r.str("regex");
        o.label = r.str("label");
        o.description = r.str("description");
        o.hide = match r.sym("hide").as_deref() {
            Some("label") => 1,
            Some("variable") => 2,
            _ => 0,
        };
        o
    }

    /// W0310 for each PromQL or LogQL matcher `label="$var"` (or `!=`) of panel `p` over a
    /// variable that can hold several values (`many`): Grafana writes such a variable as a
    /// regex alternation (`(a|b)`, or every value for `All`), which an equality matcher takes
    /// literally, so the panel shows nothing as soon as two values are picked.
    fn equality_on_many(&mut self, p: &Rec, many: &[String]) {
        if many.is_empty() {
            return;
        }
        let queries: Vec<(Arc<QueryVal>, Loc)> = panel_queries(p).into_iter().map(|(q, l, _)| (q, l)).collect();
        for (q, l) in queries.iter().filter(|(q, _)| matches!(q.lang, QueryLang::Promql | QueryLang::Logql)) {
            for (off, len, label, var, negated) in equality_matchers(&q.text) {
                if !many.contains(&var) {
                    continue;
                }
                let span = super::promql::query_span(q, off, len).unwrap_or(l.span);
                let (op, re) = if negated { ("!=", "!~") } else { ("=", "=~") };
                let d = self.error("W0310", Loc { file: l.file, span }, format!("`{label}{op}\"${var}\"` takes `${var}` literally, and it can hold several values"));
                d.hint = Some(format!("write `{label}{re}\"${var}\"` (Grafana gives a multi-value or `All` variable as a regex), or give the variable `{{ multi = false, include_all = false }}`"));
            }
        }
    }

    pub(super) fn panel(&mut self, p: &Rec, refs: &mut Vec<DsRef>, vars: &[String]) -> ir::Panel {
        let with_targets = panel_queries(p);
        let lowered = self.panel_targets(&with_targets);
        let queries: Vec<(Arc<QueryVal>, Loc)> = with_targets.into_iter().map(|(q, l, _)| (q, l)).collect();
        // the datasource: explicit, or the component answering the query language
        let ds = match p.get("datasource") {
            Some(CV::Ref(name, loc)) => {
                refs.push(DsRef::Named { name: name.clone(), loc: *loc, lang: queries.first().map(|q| q.0.lang) });
                // another server's series or streams: their jobs and labels are not the stack's
                self.forget_refs(&queries.iter().map(|q| q.1).collect::<Vec<_>>(), name);
                Some(name.clone())
            }
            _ => match queries.first() {
                Some((q, l)) => {
                    refs.push(DsRef::Lang { lang: q.lang, loc: *l });
                    Component::answering(q.lang).map(|c| c.name().to_string())
                }
                None => None,
            },
        };
        // languages of several queries must agree
        if let Some((first, _)) = queries.first() {
            for (q, l) in &queries[1..] {
                if q.lang != first.lang {
                    self.error("E0302", *l, format!("a panel's queries share one datasource; found {} and {}", lang_name(first.lang), lang_name(q.lang)));
                }
            }
        }
        // LogQL's kind against the panel's: lines for `logs`, samples for the plotting panels
        for (q, l) in &queries {
            if q.lang != QueryLang::Logql {
                continue;
            }
            let plots = ["timeseries", "gauge", "bargauge", "heatmap"].contains(&p.kind.as_str());
            match crate::sema::logql::kind(&q.text) {
                Some(crate::sema::logql::Kind::Metric) if p.kind == "logs" => {
                    let d = self.error("E0401", *l, "a `logs` panel shows lines; this LogQL is a metric query (it returns samples)");
                    d.hint = Some("plot it in a `timeseries` panel, or keep only the log query (the stream selector and its pipeline) here".into());
                }
                Some(crate::sema::logql::Kind::Log) if plots => {
                    let d = self.error("E0401", *l, format!("a `{}` panel plots samples; this LogQL is a log query (it returns lines)", p.kind));
                    d.hint = Some(format!("count the lines: logql`sum(count_over_time({} [$__auto]))`, or show them in a `logs` panel", q.text.trim()));
                }
                _ => {}
            }
        }
        // dashboard variables used in queries must exist
        for (q, l) in &queries {
            for (off, v) in grafana_vars(&q.text) {
                if !vars.contains(&v) {
                    let span = q.span_of(off).map(|s| Span { start: s.start, end: s.start + v.len() as u32 + 1 }).unwrap_or(l.span);
                    let d = self.error("E0303", Loc { file: l.file, span }, format!("the dashboard has no variable `{v}`"));
                    d.hint = Some(did_you_mean(&v, vars.iter().map(String::as_str)).unwrap_or_else(|| {
                        format!("declare it: `var {v} = query(prometheus, \"label_values(…)\")`")
                    }));
                }
            }
        }
        // a TraceQL metrics query in a `traces` panel, a search in a `timeseries` panel
        for (q, l) in queries.iter().filter(|(q, _)| q.lang == QueryLang::Traceql) {
            if let Some((msg, hint)) = crate::sema::traceql::panel_problem(&p.kind, &q.text) {
                self.error("E0402", *l, msg).hint = Some(hint);
            }
        }
        if schema::panel_kind(&p.kind).is_some_and(|d| d.queries) && queries.is_empty() {
            let d = self.error("E0202", Loc { file: p.loc.file, span: p.label_span() }, format!("this `{}` panel has no query", p.kind));
            d.hint = Some("add `query = promql`…`` (or logql/traceql/sql)".into());
        }
        if let Some((CV::Str(u), loc)) = p.fields.get("unit") {
            if !schema::UNITS.contains(&u.as_str()) && !u.starts_with("suffix:") && !u.starts_with("prefix:") {
                let d = self.error("E0205", *loc, format!("`{u}` is not a Grafana unit id"));
                d.hint = Some(did_you_mean(u, schema::UNITS.iter().copied()).unwrap_or_else(|| "see Grafana's unit list; `suffix:x` makes a custom unit".into()));
            }
        }
        let int = |k: &str| match p.get(k) {
            Some(CV::Int(i)) => Some(*i as u32),
            _ => None,
        };
        // a repeated panel repeats over a variable of its dashboard
        let repeat = match p.fields.get("repeat") {
            Some((CV::Str(v), loc)) => {
                if !vars.contains(v) {
                    let d = self.error("E0303", *loc, format!("the dashboard has no variable `{v}` to repeat over"));
                    d.hint = did_you_mean(v, vars.iter().map(String::as_str));
                }
                Some(v.clone())
            }
            _ => None,
        };
        let overrides = self.overrides(p);
        ir::Panel {
            kind: schema::panel_kind(&p.kind).map_or(p.kind.as_str(), |d| d.plugin).to_string(),
            title: p.label(),
            description: p.str("description"),
            datasource: ds,
            queries: lowered,
            legend: p.str("legend"),
            unit: p.str("unit"),
            thresholds: match p.get("thresholds") {
                Some(CV::Thresholds(t)) => t.clone(),
                _ => vec![],
            },
            width: int("width"),
            height: int("height"),
            position: self.position(p),
            content: p.str("content"),
            options: panel_options::grafana_json(p.blocks_of("options").next()),
            custom: panel_options::grafana_json(p.blocks_of("custom").next()),
            transformations: self.transformations(p),
            settings: p.settings.clone(),
            repeat,
            links: links(p),
            time_from: p.dur("time_from"),
            time_shift: p.dur("time_shift"),
            overrides,
            display: self.display(p),
        }
    }

    /// A panel's field overrides, with units and colours checked.
    pub(super) fn overrides(&mut self, p: &Rec) -> Vec<ir::FieldOverride> {
        let mut out = vec![];
        for o in p.blocks_of("override") {
            let word = |ck: &mut Self, k: &str, allowed: &[&str], what: &str| -> Option<String> {
                let (cv, loc) = o.fields.get(k)?;
                let CV::Str(v) = cv else { return None };
                if !allowed.contains(&v.as_str()) && !v.starts_with('#') && !v.starts_with("suffix:") {
                    let d = ck.error("E0205", *loc, format!("`{v}` is not a {what}"));
                    d.hint = did_you_mean(v, allowed.iter().copied());
                }
                Some(v.clone())
            };
            let unit = word(self, "unit", schema::UNITS, "Grafana unit id");
            let color = word(self, "color", schema::COLORS, "colour Grafana knows");
            let num = |k: &str| match o.get(k) {
                Some(CV::Num(n)) => Some(ir::Num(*n)),
                _ => None,
            };
            out.push(ir::FieldOverride {
                field: o.label(),
                regex: o.bool_d("regex"),
                unit,
                color,
                display_name: o.str("display_name"),
                decimals: match o.get("decimals") {
                    Some(CV::Int(i)) => Some(*i),
                    _ => None,
                },
                min: num("min"),
                max: num("max"),
                custom: match o.fields.get("custom") {
                    Some((CV::Record(r), _)) => panel_options::grafana_json(Some(r)),
                    _ => Settings::new(),
                },
            });
        }
        out
    }
}

/// Links of a panel or dashboard (`links = [{ title, url }]`).
pub(super) fn links(r: &Rec) -> Vec<ir::Link> {
    match r.get("links") {
        Some(CV::List(xs)) => xs
            .iter()
            .filter_map(|x| match x {
                CV::Record(l) => Some(ir::Link { title: l.req_str("title"), url: l.req_str("url"), new_tab: l.bool_d("new_tab") }),
                _ => None,
            })
            .collect(),
        _ => vec![],
    }
}

/// A panel's queries in order: its `query`, its `queries`, then each `target` block's (with
/// the block); each with where it was written.
pub(super) fn panel_queries(p: &Rec) -> Vec<(Arc<QueryVal>, Loc, Option<&Rec>)> {
    let mut out: Vec<(Arc<QueryVal>, Loc, Option<&Rec>)> = vec![];
    if let Some((CV::Query(q, _), l)) = p.fields.get("query") {
        out.push((q.clone(), *l, None));
    }
    if let Some((CV::List(qs), l)) = p.fields.get("queries") {
        out.extend(qs.iter().filter_map(|q| if let CV::Query(q, _) = q { Some((q.clone(), *l, None)) } else { None }));
    }
    for t in p.blocks_of("target") {
        if let Some((CV::Query(q, _), l)) = t.fields.get("query") {
            out.push((q.clone(), *l, Some(t)));
        }
    }
    out
}

/// The equality matchers over one Grafana variable in a query's text, outside strings'
/// contents: (offset, length, label, variable, whether it is `!=`) for `label="$var"`,
/// `label="${var}"` and `label!="$var"` (a `${var:format}` chooses its own form and is left
/// out).
pub(super) fn equality_matchers(text: &str) -> Vec<(usize, usize, String, String, bool)> {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        // a string: is it exactly `$var` or `${var}`, right after `label=` / `label!=`?
        let start = i + 1;
        let mut k = start;
        while k < b.len() && b[k] != b'"' {
            if b[k] == b'\\' {
                k += 1;
            }
            k += 1;
        }
        let inner = text.get(start..k.min(b.len())).unwrap_or_default();
        let var = inner.strip_prefix("${").and_then(|v| v.strip_suffix('}')).or_else(|| inner.strip_prefix('$'));
        if let Some(var) = var.filter(|v| !v.is_empty() && v.bytes().all(ident)) {
            let mut j = i;
            while j > 0 && b[j - 1] == b' ' {
                j -= 1;
            }
            let negated = j >= 2 && &b[j - 2..j] == b"!=";
            let eq = j >= 1 && b[j - 1] == b'=' && !(j >= 2 && matches!(b[j - 2], b'~' | b'=' | b'<' | b'>'));
            if negated || eq {
                let mut n = j - if negated { 2 } else { 1 };
                while n > 0 && b[n - 1] == b' ' {
                    n -= 1;
                }
                let end = n;
                while n > 0 && ident(b[n - 1]) {
                    n -= 1;
                }
                if n < end {
                    out.push((n, k + 1 - n, text[n..end].to_string(), var.to_string(), negated));
                }
            }
        }
        i = k + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::equality_matchers;

    #[test]
    fn equality_matchers_over_one_variable() {
        let m = |t: &str| equality_matchers(t).into_iter().map(|(o, l, label, var, neg)| (t[o..o + l].to_string(), label, var, neg)).collect::<Vec<_>>();
        assert_eq!(m(r#"up{instance="$node"}"#), [(r#"instance="$node""#.to_string(), "instance".to_string(), "node".to_string(), false)]);
        assert_eq!(m(r#"{app != "${app}"} |= "x""#), [(r#"app != "${app}""#.to_string(), "app".to_string(), "app".to_string(), true)]);
        // regex matchers, a variable inside a longer value, formats, comparisons are not
        for t in [r#"up{a=~"$x"}"#, r#"up{a!~"$x"}"#, r#"up{a="$x-1"}"#, r#"up{a="${x:pipe}"}"#, r#"| status == "$x""#, r#"| n >= "$x""#, r#"up{a="x"}"#] {
            assert_eq!(m(t), [], "{t}");
        }
    }
}
