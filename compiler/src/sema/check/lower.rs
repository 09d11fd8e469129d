//! Lowering: the declaration loop, per-file declarations ([`check_file`]'s part), and the
//! assembly of [`ir::Stack`] from the per-concern lowerings.

use super::*;

impl<'a> Checker<'a> {
    // ---- lowering --------------------------------------------------------------------------

    /// Check a declaration that needs nothing outside itself (see [`FileChecked`]); `None`
    /// for every other declaration, which [`Checker::lower`] checks with the whole stack.
    pub(super) fn local(&mut self, d: &BlockVal) -> Option<Lowered> {
        let kind = d.kind.as_ref()?;
        if d.label.is_none() || d.value.is_some() {
            return None;
        }
        let (_, sch) = schema::TOP_LEVEL.iter().find(|(k, _)| *k == kind.name)?;
        match kind.name.as_str() {
            "dashboard" => {
                let r = self.record(d, sch, "dashboard");
                let (dash, loc, refs) = self.dashboard(&r);
                Some(Lowered::Dashboard(Arc::new(dash), loc, Arc::new(refs)))
            }
            "alert" | "log_alert" => {
                let r = self.record(d, sch, &kind.name);
                let a = self.alert(&r);
                Some(Lowered::Alert(a, Loc { file: r.loc.file, span: r.label_span() }))
            }
            _ => None,
        }
    }

    /// The [`Checker::local`] result of a declaration: memoised by [`check_file`] when there is
    /// one (its diagnostics replayed), computed here otherwise.
    pub(super) fn local_or_memo(&mut self, d: &BlockVal, memo: Option<&Arc<Local>>) -> Option<Lowered> {
        match memo {
            Some(l) => {
                self.diags.extend(l.diags.iter().cloned());
                self.job_refs.extend(l.jobs.iter().cloned());
                Some(l.lowered.clone())
            }
            None => self.local(d),
        }
    }

    /// Lower every declaration of the stack. `pre[i]` is `decls[i]`'s memoised local result,
    /// when there is one (`pre` is shorter or empty when nothing is memoised).
    pub(super) fn lower(&mut self, decls: &[Arc<BlockVal>], pre: &[Option<Arc<Local>>], root: SourceFile) -> Option<ir::Stack> {
        let mut stack_rec: Option<Rec> = None;
        let mut datasources = vec![];
        let mut dashboards = vec![];
        let mut alerts = vec![];
        let mut log_alerts = vec![];
        let mut rule_imports: Vec<(ir::RuleImport, Loc)> = vec![];
        // `import_dashboard(…)` calls by dashboard name: (call, path as written)
        let mut dashboard_imports: HashMap<String, (Loc, String)> = HashMap::new();
        let mut targets: Vec<(String, Rec)> = vec![];
        let mut names: HashMap<(String, String), Loc> = HashMap::new();

        for (i, d) in decls.iter().enumerate() {
            let memo = pre.get(i).and_then(Option::as_ref);
            let kind = d.kind.as_ref().unwrap();
            let kloc = Loc { file: d.loc.file, span: kind.span };
            let Some((_, sch)) = schema::TOP_LEVEL.iter().find(|(k, _)| *k == kind.name) else {
                let hint = did_you_mean(&kind.name, schema::TOP_LEVEL.iter().map(|(k, _)| *k)).unwrap_or_else(|| {
                    format!("declarations: {}", schema::TOP_LEVEL.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "))
                });
                self.error("E0208", kloc, format!("unknown declaration `{}`", kind.name)).hint = Some(hint);
                continue;
            };
            let Some((label, lspan)) = d.label.clone() else {
                self.error("E0202", kloc, format!("`{}` needs a name", kind.name)).hint = Some(format!("write `{} name {{ … }}`", kind.name));
                continue;
            };
            // duplicate names per kind
            let key = (kind.name.clone(), label.clone());
            let lloc = Loc { file: d.loc.file, span: lspan };
            if let Some(prev) = names.get(&key) {
                let p = self.path(*prev);
                let ps = prev.span;
                self.error("E0101", lloc, format!("{} `{label}` is declared twice", kind.name)).with_related_mut(&p, ps, "first declared here");
                continue;
            }
            names.insert(key, lloc);
            match kind.name.as_str() {
                "target" => {
                    let Some((_, tsch)) = schema::TARGETS.iter().find(|(k, _)| *k == label) else {
                        let hint = did_you_mean(&label, schema::TARGETS.iter().map(|(k, _)| *k))
                            .unwrap_or_else(|| "targets: native, systemd, compose, kubernetes, helm".into());
                        self.error("E0205", lloc, format!("unknown target `{label}`")).hint = Some(hint);
                        continue;
                    };
                    let r = self.record(d, tsch, tsch.name);
                    targets.push((label, r));
                }
                "dashboard" | "rules" if d.value.is_some() => {
                    let v = d.value.clone().unwrap();
                    let want = if kind.name == "dashboard" { "import_dashboard" } else { "import_rules" };
                    match &v.val {
                        Val::Ctor { name, args } if *name == want => {
                            if let Some(p) = self.import_path(&args[0], d.loc.file) {
                                let shown = match &args[0].val {
                                    Val::Str(s) => s.clone(),
                                    _ => p.clone(),
                                };
                                if kind.name == "dashboard" {
                                    let (dash, loc, refs) = imported_dashboard(&label, &p, lloc);
                                    dashboards.push((Arc::new(dash), loc, Arc::new(refs)));
                                    dashboard_imports.insert(label, (v.loc, shown));
                                } else {
                                    let text = self.import_rules(&label, &p, &shown, v.loc).unwrap_or_default();
                                    rule_imports.push((ir::RuleImport { name: label, path: p, text }, v.loc));
                                }
                            }
                        }
                        Val::Error => {}
                        other => {
                            let t = other.type_name();
                            self.error("E0201", v.loc, format!("`{} {label} = …` expects `{want}(\"file\")`, found {t}", kind.name));
                        }
                    }
                }
                "rules" => {
                    self.error("E0201", kloc, "`rules` is declared as `rules name = import_rules(\"file.yml\")`");
                }
                _ if d.value.is_some() => {
                    self.error("E0201", kloc, format!("`{}` takes a `{{ … }}` body, not `= …`", kind.name));
                }
                "stack" => {
                    let r = self.record(d, sch, "stack");
                    if let Some(prev) = &stack_rec {
                        let p = self.path(prev.loc);
                        let ps = prev.label_span();
                        self.error("E0101", lloc, "a build has exactly one `stack`").with_related_mut(&p, ps, "the stack is declared here");
                    } else {
                        stack_rec = Some(r);
                    }
                }
                "datasource" => {
                    let r = self.record(d, sch, "datasource");
                    datasources.push(r);
                }
                "dashboard" | "alert" | "log_alert" => match self.local_or_memo(d, memo) {
                    Some(Lowered::Dashboard(dash, loc, refs)) => dashboards.push((dash, loc, refs)),
                    Some(Lowered::Alert(Some(a), loc)) if kind.name == "alert" => alerts.push((a, loc)),
                    Some(Lowered::Alert(Some(a), loc)) => log_alerts.push((a, loc)),
                    _ => {}
                },
                _ => {}
            }
        }

        let Some(st) = stack_rec else {
            let root_path = root.path(self.db).clone();
            // a root file with syntax errors may well declare its stack in the broken part
            let root_broken = !db::parse(self.db, root).diags.is_empty();
            if !root_broken && (!decls.is_empty() || self.diags.is_empty()) {
                self.diags.push(
                    Diagnostic::error("E0202", &root_path, Span::new(0, 0), "no `stack` is declared")
                        .with_hint("declare one: `stack name { prometheus {} grafana {} }`"),
                );
            }
            return None;
        };

        // where the stack's name and component blocks are, for the build's later checks
        self.origins.stack = Some(self.location(Loc { file: st.loc.file, span: st.label_span() }));
        for c in Component::ALL {
            if let Some(r) = st.blocks_of(c.name()).next() {
                let at = self.location(self.head(r));
                self.origins.components.insert(c.name().to_string(), at);
                let r = r.clone();
                self.note_fields(c.name(), &r);
            }
        }
        let comp = |k: &str| st.blocks_of(k).next().cloned();
        let grafana = comp("grafana").map(|r| self.grafana(&r));
        let mut prometheus = comp("prometheus").map(|r| self.prometheus(&r));
        // before Tempo's generator turns it on: series pushed by others carry their own `job`
        let remote_write_asked = comp("prometheus").is_some_and(|r| r.bool_d("remote_write_receiver"));
        // stream labels are Loki label names (Prometheus' grammar: `[a-zA-Z_][a-zA-Z0-9_]*`)
        if let Some((CV::List(xs), at)) = comp("loki").as_ref().and_then(|r| r.fields.get("stream_labels")) {
            for x in xs {
                if let CV::Str(l) = x {
                    let ok = l.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if !ok {
                        let d = self.error("E0204", *at, format!("`{}` is not a label name", l.escape_debug()));
                        d.hint = Some("a Loki label name is letters, digits and `_`, not starting with a digit (`k8s_namespace_name`, not `k8s.namespace.name`: Loki's OTLP ingest writes dots as `_`)".into());
                    }
                }
            }
        }
        let loki = comp("loki").map(|r| ir::Loki {
            version: r.str_d("version"),
            port: r.port_d("port"),
            grpc_port: r.port_d("grpc_port"),
            retention: r.dur_d("retention"),
            stream_labels: r.fields.contains_key("stream_labels").then(|| r.strs("stream_labels")),
            settings: r.settings.clone(),
        });
        let tempo_rec = comp("tempo");
        let tempo = tempo_rec.as_ref().map(|r| ir::Tempo {
            version: r.str_d("version"),
            port: r.port_d("port"),
            grpc_port: r.port_d("grpc_port"),
            otlp_grpc_port: r.port_d("otlp_grpc_port"),
            otlp_http_port: r.port_d("otlp_http_port"),
            memberlist_port: r.port_d("memberlist_port"),
            retention: r.dur_d("retention"),
            generator: r
                .strs_d("generator")
                .iter()
                .map(|g| match g.as_str() {
                    "service_graphs" => ir::GeneratorProcessor::ServiceGraphs,
                    "span_metrics" => ir::GeneratorProcessor::SpanMetrics,
                    _ => ir::GeneratorProcessor::LocalBlocks,
                })
                .collect(),
            settings: r.settings.clone(),
        });
        let alertmanager = comp("alertmanager").and_then(|r| self.alertmanager(&r));
        let node_exporter = comp("node_exporter").map(|r| ir::NodeExporter {
            version: r.str_d("version"),
            port: r.port_d("port"),
            collectors: r.strs_d("collectors"),
            settings: r.settings.clone(),
        });

        // Tempo's generator needs Prometheus with the remote-write receiver.
        if let (Some(t), Some(tr)) = (&tempo, &tempo_rec) {
            if !t.generator.is_empty() {
                match prometheus.as_mut() {
                    Some(p) => p.remote_write_receiver = true,
                    None => {
                        let loc = tr.fields.get("generator").map(|(_, l)| *l).unwrap_or(tr.loc);
                        self.error("E0300", loc, "Tempo's metrics generator writes to Prometheus, which this stack does not enable").hint =
                            Some("add `prometheus {}` to the stack, or remove `generator`".into());
                    }
                }
            }
        }

        let on = |c: Component| match c {
            Component::NodeExporter => node_exporter.is_some(),
            Component::Alertmanager => alertmanager.is_some(),
            Component::Prometheus => prometheus.is_some(),
            Component::Loki => loki.is_some(),
            Component::Tempo => tempo.is_some(),
            Component::Grafana => grafana.is_some(),
        };
        let enabled: Vec<&str> = Component::ALL.into_iter().filter(|c| on(*c)).map(Component::name).collect();

        // datasources
        let mut ds_ir = vec![];
        for r in &datasources {
            for k in r.settings.keys().filter(|k| ir::Datasource::TYPED_KEYS.contains(&k.as_str())) {
                let d = self.error("E0200", Loc { file: r.loc.file, span: r.label_span() }, format!("datasource `{}` sets `{k}` in `settings`", r.label()));
                d.hint = Some(match k.as_str() {
                    "secureJsonData" | "basicAuthPassword" | "password" => "a secret goes by reference in the typed field: `password = secret.env(\"…\")` (written to `secureJsonData`)".to_string(),
                    "orgId" => "gstack provisions every datasource into organisation 1".to_string(),
                    _ => format!("set it with the datasource's own field (`{}`), which the stack's references use", match k.as_str() { "isDefault" => "default", "name" => "the declaration's name", o => o }),
                });
            }
            let kind = r.sym("type").unwrap_or_default();
            let (json_data, secure) = self.datasource_json_data(r, &kind);
            ds_ir.push(ir::Datasource {
                json_data,
                secure,
                name: r.label(),
                uid: self.uid(r, "datasource"),
                kind,
                url: r.req_str("url"),
                database: r.str("database"),
                user: r.str("user"),
                password: r.secret("password"),
                is_default: r.bool_d("default"),
                settings: r.settings.clone(),
            });
        }
        // Grafana's datasource provisioning refuses to start on these (E0101)
        self.datasource_startup_rules(&datasources, &ds_ir, &on);
        // datasource name → type (the stack's components Grafana queries + declared), and the
        // resolved references backends write
        let mut ds_types: BTreeMap<String, String> = BTreeMap::new();
        let mut datasource_refs: BTreeMap<String, ir::DsRef> = BTreeMap::new();
        for (c, f) in Component::datasources() {
            if on(c) {
                ds_types.insert(c.name().to_string(), f.plugin.to_string());
                datasource_refs.insert(c.name().to_string(), ir::DsRef { kind: f.plugin.into(), uid: c.name().into() });
            }
        }
        for d in &ds_ir {
            ds_types.insert(d.name.clone(), d.kind.clone());
            datasource_refs.insert(d.name.clone(), ir::DsRef { kind: d.kind.clone(), uid: d.uid.clone() });
        }

        // how Grafana links the signals, now that the datasources are known
        let wiring = super::correlations::Wiring {
            on: &on,
            generator: tempo.as_ref().is_some_and(|t| !t.generator.is_empty()),
            service_graphs: tempo.as_ref().is_some_and(|t| t.generator.contains(&ir::GeneratorProcessor::ServiceGraphs)),
            ds_types: &ds_types,
            refs: &datasource_refs,
        };
        let correlations = self.correlations(comp("grafana").as_ref(), &wiring);

        // dashboards: imports, references, uids
        let stack_ds = imports::Datasources::new(&enabled, &ds_ir);
        let mut uids: HashMap<String, (String, Loc)> = HashMap::new();
        let mut folders: HashMap<String, (Option<String>, Loc)> = HashMap::new();
        let mut dash_ir = vec![];
        for (mut dash, loc, refs) in dashboards {
            // a dashboard of components the stack does not enable would stay empty
            if !dash.needs.iter().all(|c| enabled.contains(&c.as_str())) {
                continue;
            }
            if let ir::DashboardSource::Imported { path, .. } = dash.source.clone() {
                if let Some((call, shown)) = dashboard_imports.get(&dash.name).cloned() {
                    self.import_dashboard(Arc::make_mut(&mut dash), &path, &shown, call, &stack_ds);
                }
            }
            for rf in refs.iter() {
                self.check_ref(rf, &ds_types, &enabled);
            }
            if let Some((other, ploc)) = uids.get(&dash.uid) {
                let p = self.path(*ploc);
                let ps = ploc.span;
                let other = other.clone();
                self.error("E0101", loc, format!("dashboard uid `{}` is also used by `{other}`", dash.uid))
                    .with_related_mut(&p, ps, "the other dashboard");
            } else {
                uids.insert(dash.uid.clone(), (dash.name.clone(), loc));
            }
            // each folder is one dashboard provider reading one directory, named after the
            // folder's uid: two titles of one uid (`Ops Team`, `ops-team`; `general`, the
            // default folder's) would be two providers reading the same dashboards into two
            // folders, each moving them back and forth every 30s
            let dir = dash.folder.as_deref().map_or_else(|| "general".to_string(), ir::uid_from);
            match folders.get(&dir) {
                Some((title, _)) if *title != dash.folder => {
                    let shown = |t: &Option<String>| t.as_ref().map_or_else(|| "the default folder (none set)".to_string(), |t| format!("folder `{t}`"));
                    let d = self.error("E0101", loc, format!("dashboard `{}` is in {}, which has the uid `{dir}` of {}", dash.name, shown(&dash.folder), shown(title)));
                    d.hint = Some("folders are provisioned by their uid (the title in lower case, `-` for other characters): write the folder title one way".into());
                }
                Some(_) => {}
                None => {
                    folders.insert(dir, (dash.folder.clone(), loc));
                }
            }
            dash_ir.push(dash);
        }

        // alerts need their evaluator
        if let (Some((_, loc)), false) = (rule_imports.first(), enabled.contains(&"prometheus")) {
            self.error("E0300", *loc, "imported rules are evaluated by prometheus, which the stack does not enable").hint =
                Some("add `prometheus {}` to the stack".into());
        }
        for (list, evaluator) in [(&alerts, Component::Prometheus), (&log_alerts, Component::Loki)] {
            let comp_name = evaluator.name();
            if !list.is_empty() && !enabled.contains(&comp_name) {
                let loc = list[0].1;
                self.error("E0300", loc, format!("this rule is evaluated by {comp_name}, which the stack does not enable")).hint =
                    Some(format!("add `{comp_name} {{}}` to the stack"));
            }
        }

        // Loki's ruler sends its alerts to an Alertmanager: the stack's, or one its settings name
        let external_am = loki.as_ref().is_some_and(|l| l.settings.get("ruler").and_then(|r| r.get("alertmanager_url")).is_some_and(|u| u.as_str().is_some_and(|s| !s.is_empty())));
        if let (Some((_, loc)), false) = (log_alerts.first(), enabled.contains(&"alertmanager") || external_am) {
            self.error("E0300", *loc, "this rule's alerts go to Alertmanager, which the stack does not enable: Loki's ruler would evaluate it and notify no one").hint =
                Some("add `alertmanager { … }` to the stack, or name one outside it: `loki { settings { ruler = { alertmanager_url = \"http://…:9093\" } } }`".into());
        }

        // targets
        let mut tg = ir::Targets::default();
        // (where, target kind, field, address) of each listen/publish address written
        let mut published: Vec<(Loc, String, &str, String)> = vec![];
        let stack_name = st.label();
        // the stack's name becomes unit, object, chart and directory names
        let at = Loc { file: st.loc.file, span: st.label_span() };
        self.form(schema::Grammar::StackName, &stack_name, at, |shown| format!("a stack cannot be called \"{shown}\""), "a stack's name is");
        // on Kubernetes it also names Secrets and ClusterRoles (`<stack>-grafana`): RFC 1123
        if schema::Grammar::StackName.accepts(&stack_name) && targets.iter().any(|(kind, _)| *kind == "kubernetes" || *kind == "helm") {
            self.form(
                schema::Grammar::KubernetesStackName,
                &stack_name,
                at,
                |shown| format!("a stack deployed to Kubernetes cannot be called \"{shown}\""),
                "its name becomes Kubernetes object names (`<stack>-grafana`, a Secret): it takes",
            );
        }
        for (kind, r) in &targets {
            let resources = r
                .blocks_of("resources")
                .map(|rr| {
                    let c = rr.label();
                    if !enabled.contains(&c.as_str()) {
                        let d = self.error("E0300", Loc { file: rr.loc.file, span: rr.label_span() }, format!("`{c}` is not a component of this stack"));
                        let mut names = enabled.clone();
                        names.sort();
                        d.hint = Some(did_you_mean(&c, enabled.iter().copied()).unwrap_or_else(|| format!("enabled: {}", names.join(", "))));
                    }
                    let cpu = |f: &str| match rr.get(f) {
                        Some(CV::Cpu(c)) => Some(*c),
                        _ => None,
                    };
                    let bytes = |f: &str| match rr.get(f) {
                        Some(CV::Bytes(b)) => Some(*b),
                        _ => None,
                    };
                    // a request over its limit: the API server refuses the pod
                    let over = [
                        ("cpu_request", "cpu", cpu("cpu_request").zip(cpu("cpu")).is_some_and(|(r, l)| r.0 > l.0)),
                        ("memory_request", "memory", bytes("memory_request").zip(bytes("memory")).is_some_and(|(r, l)| r.0 > l.0)),
                    ];
                    for (req, lim, bad) in over {
                        if let (true, Some((_, loc))) = (bad, rr.fields.get(req)) {
                            let d = self.error("E0603", *loc, format!("`{req}` is more than the `{lim}` limit of {c}"));
                            d.hint = Some(format!("a request is at most its limit: lower `{req}` or raise `{lim}`"));
                        }
                    }
                    ir::Resources {
                        component: c,
                        cpu: cpu("cpu"),
                        memory: bytes("memory"),
                        cpu_request: cpu("cpu_request"),
                        memory_request: bytes("memory_request"),
                        storage: match rr.get("storage") {
                            Some(CV::Bytes(b)) => Some(*b),
                            _ => None,
                        },
                    }
                })
                .collect::<Vec<_>>();
            // a listen or publish address the user wrote (the defaults are loopback): W0606 below
            for f in ["listen", "publish_on"] {
                if let Some((CV::Addr(a), l)) = r.fields.get(f) {
                    published.push((*l, kind.clone(), f, a.clone()));
                }
            }
            let at = self.location(self.head(r));
            self.origins.fields.insert(format!("target.{kind}"), at);
            self.note_fields(&format!("target.{kind}"), r);
            match kind.as_str() {
                "native" => {
                    tg.native = Some(ir::NativeTarget {
                        // computed: see the field's doc
                        data_dir: r.str("data_dir").unwrap_or_else(|| ir::NativeTarget::default_data_dir(&stack_name)),
                        listen: r.addr_d("listen"),
                        bin: r.map("bin"),
                    })
                }
                "systemd" => tg.systemd = Some(ir::SystemdTarget { user: r.bool_d("user"), data_dir: r.str("data_dir"), bin: r.map("bin") }),
                "compose" => {
                    tg.compose = Some(ir::ComposeTarget {
                        publish_on: r.addr_d("publish_on"),
                        project: r.str("project"),
                        images: r.map("images"),
                        resources,
                    })
                }
                "kubernetes" => {
                    self.origins.kubernetes = Some(self.location(self.head(r)));
                    self.origins.storage_class = r.fields.get("storage_class").map(|(_, l)| self.location(*l));
                    for rr in r.blocks_of("resources") {
                        // where each volume's size was written (W0604 points there)
                        if let Some((_, l)) = rr.fields.get("storage") {
                            let at = self.location(*l);
                            self.origins.storage.insert(rr.label(), at);
                        }
                        // a volume far smaller than the retention can plausibly need (64 MiB a day)
                        // the component's retention field (facts table), as lowered
                        let retention = Component::from_name(&rr.label())
                            .filter(|c| on(*c) && c.facts().retention_field.is_some())
                            .and_then(|c| match c {
                                Component::Prometheus => prometheus.as_ref().map(|p| p.retention),
                                Component::Loki => loki.as_ref().map(|l| l.retention),
                                Component::Tempo => tempo.as_ref().map(|t| t.retention),
                                Component::NodeExporter | Component::Alertmanager | Component::Grafana => None,
                            });
                        if let (Some(ret), Some((CV::Bytes(size), loc))) = (retention, rr.fields.get("storage")) {
                            let days = (ret.millis / 86_400_000).max(1);
                            let need = days * (64 << 20);
                            if size.0 < need {
                                let d = self.error(
                                    "W0600",
                                    *loc,
                                    format!("{} of storage for {} of {} retention may fill up", ir::Bytes(size.0).to_k8s(), ret.to_prometheus(), rr.label()),
                                );
                                d.hint = Some(format!("plan at least {} (64Mi a day), or shorten the retention", ir::Bytes(need).to_k8s()));
                            }
                        }
                    }
                    let ingress = r.blocks_of("ingress").next().map(|i| ir::Ingress {
                        host: i.req_str("host"),
                        tls_secret: i.str("tls_secret"),
                        class: i.str("class"),
                    });
                    tg.kubernetes = Some(ir::KubernetesTarget {
                        namespace: r.str_d("namespace"),
                        storage_class: r.str("storage_class"),
                        ingress,
                        service_discovery: r.bool_d("service_discovery"),
                        images: r.map("images"),
                        resources,
                        network_policies: r.bool_d("network_policies"),
                        // the grammar (E0204) refused any that does not parse
                        egress: r.strs_d("egress").iter().filter_map(|e| ir::EgressRule::parse(e)).collect(),
                        loopback_host: r.str("loopback_host"),
                    })
                }
                // `chart` is computed: the stack name (see the field's doc)
                "helm" => tg.helm = Some(ir::HelmTarget { chart: r.str("chart").unwrap_or_else(|| stack_name.clone()), version: r.str_d("version") }),
                _ => {}
            }
        }

        // a dashboard goes into a ConfigMap on Kubernetes: what one holds (its size as a
        // JSON string, as it stands in the object)
        if tg.kubernetes.is_some() || tg.helm.is_some() {
            for dash in &dash_ir {
                let (ir::DashboardSource::Imported { json, .. }, Some((call, shown))) = (&dash.source, dashboard_imports.get(&dash.name)) else { continue };
                let size = serde_json::to_string(&**json).map_or(0, |s| s.len());
                let kib = |n: usize| format!("{} KiB", n.div_ceil(1024));
                if size > ir::CONFIGMAP_LIMIT {
                    let d = self.error(
                        "E0601",
                        *call,
                        format!("dashboard `{}` is {} in a ConfigMap, over the {} a Kubernetes ConfigMap holds", dash.name, kib(size), kib(ir::CONFIGMAP_LIMIT)),
                    );
                    d.label = Some(format!("`{shown}`"));
                    d.hint = Some("split it into smaller dashboards (by row), or drop the kubernetes and helm targets".into());
                } else if size > ir::CONFIGMAP_BUDGET && tg.kubernetes.is_some() {
                    let d = self.error(
                        "W0602",
                        *call,
                        format!(
                            "dashboard `{}` is {} in its ConfigMap, over the {} a client-side `kubectl apply` can record",
                            dash.name,
                            kib(size),
                            kib(ir::CONFIGMAP_BUDGET)
                        ),
                    );
                    d.label = Some(format!("`{shown}`"));
                    d.hint = Some("apply the manifests server-side (`kubectl apply --server-side -k .`) or install the Helm chart; or split the dashboard".into());
                }
            }
        }

        // in a pod, a loopback address is the Prometheus pod itself, not the machine the
        // application runs on (the compose target rewrites it to the host; a cluster has no
        // one host to rewrite it to)
        if (tg.kubernetes.is_some() || tg.helm.is_some()) && tg.kubernetes.as_ref().is_none_or(|k| k.loopback_host.is_none()) {
            for s in comp("prometheus").iter().flat_map(|r| r.blocks_of("scrape").cloned().collect::<Vec<_>>()) {
                for t in s.strs("targets").iter().filter(|t| ir::Scrape::is_loopback(t)) {
                    let loc = s.fields.get("targets").map(|(_, l)| *l).unwrap_or(s.loc);
                    let d = self.error("W0605", loc, format!("scrape job `{}` targets `{t}`, which on Kubernetes is the Prometheus pod itself", s.label()));
                    d.hint = Some("set `loopback_host = \"app.<namespace>.svc\"` on the kubernetes target (where it runs in the cluster), name the application by its Service, or use `service_discovery = true`".into());
                }
            }
        }

        let stack = ir::Stack {
            name: stack_name,
            doc: st.doc.clone(),
            grafana: grafana.map(|g| ir::Grafana { correlations, ..g }),
            prometheus,
            loki,
            tempo,
            alertmanager,
            node_exporter,
            datasources: ds_ir,
            datasource_refs,
            dashboards: dash_ir,
            alerts: alerts.into_iter().map(|a| a.0).collect(),
            log_alerts: log_alerts.into_iter().map(|a| a.0).collect(),
            rule_imports: rule_imports.into_iter().map(|(r, _)| r).collect(),
            grafana_alerts: self.grafana_alerts(decls, &enabled, &ds_types),
            targets: tg,
        };
        // route and inhibit matchers no alert of the stack satisfies (W0309)
        if let Some(am) = comp("alertmanager") {
            self.unmatched_labels(&am, &stack);
        }
        // queries selecting a `job` no scrape job produces (W0403)
        // LogQL selecting a stream label no log shipper sets (W0404), then `job`s (W0403)
        self.check_stream_labels(stack.loki.as_ref().and_then(|l| l.stream_labels.as_deref()));
        self.check_jobs(jobs::scrape_jobs(&stack, remote_write_asked).as_ref());
        // programs whose API answers anyone, published beyond loopback
        let open: Vec<&str> = crate::programs::enabled(&stack).into_iter().filter(|c| !c.facts().authenticates).map(|c| c.name()).collect();
        if !open.is_empty() {
            for (loc, target, field, addr) in &published {
                let loopback = addr.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    let d = self.error("W0606", *loc, format!("the {target} target publishes {} on {addr}, and they answer without authentication", open.join(", ")));
                    d.hint = Some(format!("anyone who reaches this host on {addr} can read every series and log, push data and silence alerts: keep `{field} = 127.0.0.1` and put an authenticating proxy in front, or allow only trusted hosts with a firewall"));
                }
            }
        }
        // port clashes on one host: every port field of the facts table
        let mut ports: Vec<(u16, &str, &str)> = vec![];
        for c in Component::ALL {
            for (f, p) in crate::programs::ports_of(&stack, c) {
                ports.push((p, c.name(), f.field));
            }
        }
        // Alertmanager's peers on one host (native, systemd): `cluster_port`, and both ports
        // shifted by 2 per peer
        const PEER_FIELDS: [&str; 9] = ["port (peer 0)", "port (peer 1)", "port (peer 2)", "port (peer 3)", "port (peer 4)", "port (peer 5)", "port (peer 6)", "port (peer 7)", "port (peer 8)"];
        const PEER_CLUSTER: [&str; 9] = ["cluster_port (peer 0)", "cluster_port (peer 1)", "cluster_port (peer 2)", "cluster_port (peer 3)", "cluster_port (peer 4)", "cluster_port (peer 5)", "cluster_port (peer 6)", "cluster_port (peer 7)", "cluster_port (peer 8)"];
        // (peers on hosts of their own, compose and Kubernetes, share no host's ports)
        let t = &stack.targets;
        let one_host = t.native.is_some() || t.systemd.is_some() || (t.compose.is_none() && t.kubernetes.is_none() && t.helm.is_none());
        if let Some(a) = stack.alertmanager.as_ref().filter(|a| a.replicas > 1 && one_host) {
            let shift = |p: u16, i: usize| u32::from(p) + i as u32 * u32::from(ir::Alertmanager::PEER_PORT_BLOCK);
            let last = a.replicas as usize - 1;
            if let Some((field, p)) = [("port", a.port), ("cluster_port", a.cluster_port)].into_iter().find(|(_, p)| shift(*p, last) > 65535) {
                let at = st.blocks_of("alertmanager").next().map(|r| r.fields.get(field).map_or_else(|| self.head(r), |(_, l)| *l));
                if let Some(at) = at {
                    let d = self.error("E0500", at, format!("Alertmanager peer {last}'s `{field}` would be {}, past 65535", shift(p, last)));
                    d.hint = Some(format!("on one host peer `i` listens on `{field} + {}i`: set a lower `{field}`", ir::Alertmanager::PEER_PORT_BLOCK));
                }
            } else {
                for i in 0..=last {
                    if i > 0 {
                        ports.push((shift(a.port, i) as u16, "alertmanager", PEER_FIELDS[i]));
                    }
                    ports.push((shift(a.cluster_port, i) as u16, "alertmanager", PEER_CLUSTER[i]));
                }
            }
        }
        for i in 0..ports.len() {
            for j in 0..i {
                if ports[i].0 == ports[j].0 {
                    let (p, c, f) = ports[i];
                    let (_, c2, f2) = ports[j];
                    // point at a port the user wrote (a default has no place of its own), and
                    // show the other side too
                    let field = |f: &str| f.split(' ').next().unwrap().to_string();
                    let explicit = |c: &str, f: &str| st.blocks_of(c).next().and_then(|r| r.fields.get(field(f).as_str()).map(|(_, l)| *l));
                    let (li, lj) = (explicit(c, f), explicit(c2, f2));
                    let ((pc, pf, ploc), (oc, of, oloc)) = match (li, lj) {
                        (Some(_), _) | (None, None) => ((c, f, li), (c2, f2, lj)),
                        (None, Some(_)) => ((c2, f2, lj), (c, f, li)),
                    };
                    let ploc = ploc.unwrap_or_else(|| self.head(st.blocks_of(pc).next().unwrap_or(&st)));
                    let (orel, otext) = match oloc {
                        Some(l) => (l, format!("{oc} ({of}) is set to {p} here")),
                        None => (self.head(st.blocks_of(oc).next().unwrap_or(&st)), format!("{oc} ({of}) uses {p} by default")),
                    };
                    let opath = self.path(orel);
                    let d = self.error("E0500", ploc, format!("port {p} is used by both {c2} ({f2}) and {c} ({f})"));
                    d.with_related_mut(&opath, orel.span, &otext);
                    d.hint = Some(format!("set a different `{}` in `{pc}`", field(pf)));
                }
            }
        }

        Some(stack)
    }
}

impl<'a> Checker<'a> {
    /// The rules Grafana's datasource provisioning checks at start-up
    /// (`pkg/services/provisioning/datasources/`), over the stack's own datasources (each
    /// enabled component Grafana queries, uid = its name, name = its title) and the declared
    /// ones, each an E0101 at the declared datasource:
    /// - at most one datasource per organisation is the default (`config_reader.go`,
    ///   `validateDefaultUniqueness`: "Only one datasource per organization can be marked as
    ///   default", and Grafana does not start);
    /// - no two have one uid (`AddDataSource` refuses "data source with the same uid already
    ///   exists");
    /// - no two have one name (datasources are upserted by (org, name), `upsertDataSource`:
    ///   the second would overwrite the first).
    fn datasource_startup_rules(&mut self, recs: &[Rec], ds: &[ir::Datasource], on: &dyn Fn(Component) -> bool) {
        if !on(Component::Grafana) {
            return;
        }
        let mut uids: Vec<(String, String)> = vec![];
        let mut names: Vec<(String, String)> = vec![];
        for (c, f) in Component::datasources() {
            if on(c) {
                uids.push((c.name().to_string(), format!("the stack's {} datasource", f.title)));
                names.push((f.title.to_string(), format!("the stack's {} datasource", f.title)));
            }
        }
        let mut default: Option<String> = None;
        for (r, d) in recs.iter().zip(ds) {
            let label = Loc { file: r.loc.file, span: r.label_span() };
            let at = |k: &str| r.fields.get(k).map_or(label, |(_, l)| *l);
            if let Some((_, who)) = uids.iter().find(|(u, _)| *u == d.uid) {
                let d2 = self.error("E0101", at("uid"), format!("datasource `{}` has the uid `{}` of {who}", d.name, d.uid));
                d2.hint = Some("Grafana refuses a second datasource with one uid (\"data source with the same uid already exists\") and does not start: set another `uid`".into());
            } else {
                uids.push((d.uid.clone(), format!("datasource `{}`", d.name)));
            }
            if let Some((_, who)) = names.iter().find(|(n, _)| *n == d.name) {
                let d2 = self.error("E0101", label, format!("datasource `{}` has the name of {who}", d.name));
                d2.hint = Some("Grafana provisions datasources by name: the second would replace the first. Rename it".into());
            } else {
                names.push((d.name.clone(), format!("datasource `{}`", d.name)));
            }
            if d.is_default {
                match &default {
                    Some(first) => {
                        let d2 = self.error("E0101", at("default"), format!("datasources `{first}` and `{}` are both the default", d.name));
                        d2.hint = Some("Grafana takes one default datasource (\"Only one datasource per organization can be marked as default\") and does not start otherwise: keep `default = true` on one".into());
                    }
                    None => default = Some(d.name.clone()),
                }
            }
        }
    }
}
