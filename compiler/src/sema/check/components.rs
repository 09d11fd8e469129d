//! Per-program lowering of the component blocks that need more than defaults: Grafana,
//! Prometheus (scrape jobs), Alertmanager (receivers and routes).

use super::*;

/// The most Alertmanager peers `replicas` takes.
pub const MAX_PEERS: i64 = 9;

impl<'a> Checker<'a> {
    pub(super) fn grafana(&mut self, r: &Rec) -> ir::Grafana {
        let (user, pw) = match r.get("admin") {
            Some(CV::Record(a)) => (a.str_d("user"), a.secret("password")),
            _ => (schema::ADMIN.str_default("user").to_string(), None),
        };
        ir::Grafana {
            version: r.str_d("version"),
            port: r.port_d("port"),
            admin_user: user,
            // Grafana's own defaults (`admin`, and a secret_key every installation shares) are
            // never kept: what the source does not give is a secret the user provides
            admin_password: pw.unwrap_or_else(|| SecretRef::Env(schema::GRAFANA_ADMIN_PASSWORD_ENV.into())),
            secret_key: r.secret("secret_key").unwrap_or_else(|| SecretRef::Env(schema::GRAFANA_SECRET_KEY_ENV.into())),
            smtp: match r.get("smtp") {
                Some(CV::Record(s)) => Some(ir::GrafanaSmtp {
                    host: s.req_str("host"),
                    user: s.str("user"),
                    password: s.secret("password"),
                    from_address: s.str("from_address"),
                    from_name: s.str("from_name"),
                    ehlo_identity: s.str("ehlo_identity"),
                    start_tls_policy: s.sym("startTLS_policy"),
                    skip_verify: match s.get("skip_verify") {
                        Some(CV::Bool(b)) => Some(*b),
                        _ => None,
                    },
                }),
                _ => None,
            },
            settings: r.settings.clone(),
            alerting: self.grafana_alerting(r),
            // resolved once the stack's components and datasources are known
            correlations: ir::Correlations::default(),
        }
    }

    pub(super) fn prometheus(&mut self, r: &Rec) -> ir::Prometheus {
        let mut scrapes = vec![];
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for s in r.blocks_of("scrape") {
            if !self.first_of_name("scrape job", s, &mut seen) {
                continue;
            }
            let name = s.label();
            let targets = s.strs("targets");
            for (i, t) in targets.iter().enumerate() {
                if !valid_target(t) {
                    let loc = s.fields.get("targets").map(|(_, l)| *l).unwrap_or(s.loc);
                    let d = self.error("E0204", loc, format!("scrape target #{} `{t}` is not `host:port`", i + 1));
                    d.hint = Some("Prometheus 3 adds no default port: write `host:port`".into());
                }
            }
            scrapes.push(ir::Scrape {
                name,
                targets,
                interval: s.dur("interval"),
                timeout: s.dur("timeout"),
                metrics_path: s.str_d("metrics_path"),
                scheme: s.sym_d("scheme"),
                labels: s.map("labels"),
            });
        }
        ir::Prometheus {
            version: r.str_d("version"),
            port: r.port_d("port"),
            retention: r.dur_d("retention"),
            retention_size: match r.get("retention_size") {
                Some(CV::Bytes(b)) => Some(*b),
                _ => None,
            },
            scrape_interval: r.dur_d("scrape_interval"),
            evaluation_interval: r.dur_d("evaluation_interval"),
            scrapes,
            remote_write_receiver: r.bool_d("remote_write_receiver"),
            otlp_receiver: r.bool_d("otlp_receiver"),
            external_labels: r.map("external_labels"),
            settings: r.settings.clone(),
        }
    }

    pub(super) fn alertmanager(&mut self, r: &Rec) -> Option<ir::Alertmanager> {
        let mut receivers = vec![];
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for rc in r.blocks_of("receiver") {
            if !self.first_of_name("receiver", rc, &mut seen) {
                continue;
            }
            let name = rc.label();
            let sos = |k: &str| match rc.get(k) {
                Some(CV::StrOrSecret(s)) => Some(s.clone()),
                _ => None,
            };
            // what Alertmanager refuses to load a config without ("no global SMTP smarthost
            // set", "no global SMTP from set", "no global Slack API URL set"): a receiver's
            // integration needs its server from the `global` section (config/config.go)
            let global = |key: &str| {
                r.str(key).is_some()
                    || r.settings.get("global").and_then(|g| g.get(key).or_else(|| g.get(&format!("{key}_file")))).is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
            };
            let missing: Vec<(&str, &str, &str)> = [
                ("email", "smtp_smarthost", "its SMTP server, `host:port`"),
                ("email", "smtp_from", "its sender address"),
            ]
            .into_iter()
            .filter(|(field, key, _)| rc.fields.contains_key(*field) && !global(key))
            .chain((rc.fields.contains_key("slack_channel") && !rc.fields.contains_key("slack_webhook") && !global("slack_api_url")).then_some(("slack_channel", "slack_api_url", "a Slack webhook URL")))
            .collect();
            for (field, key, what) in missing {
                let loc = rc.fields.get(field).map(|(_, l)| *l).unwrap_or(rc.loc);
                let d = self.error("E0202", loc, format!("receiver `{}` sends with `{field}`, but Alertmanager has no `{key}` for it", rc.label()));
                d.hint = Some(match key {
                    "slack_api_url" => "set the receiver's `slack_webhook`, or `settings { global = { slack_api_url = \"…\" } }`: Alertmanager refuses a Slack receiver without a URL".to_string(),
                    _ => format!("set `{key} = \"…\"` ({what}) on the alertmanager block: Alertmanager refuses to load an e-mail receiver without it"),
                });
            }
            let integrations = self.integrations(rc);
            receivers.push(ir::Receiver {
                name,
                webhook: sos("webhook"),
                email: rc.str("email"),
                slack_channel: rc.str("slack_channel"),
                slack_webhook: sos("slack_webhook"),
                integrations,
            });
        }
        let names: Vec<String> = receivers.iter().map(|r| r.name.clone()).collect();
        let mut time_intervals = vec![];
        let mut seen_ti: HashMap<String, Loc> = HashMap::new();
        for ti in r.blocks_of("time_interval") {
            if self.first_of_name("time interval", ti, &mut seen_ti) {
                time_intervals.push(self.mute_timing(ti, "time interval"));
            }
        }
        let interval_names: Vec<String> = time_intervals.iter().map(|t: &ir::MuteTiming| t.name.clone()).collect();
        // template files: the label names the file, `templates/<label>.tmpl`
        let mut templates = vec![];
        let mut seen_t: HashMap<String, Loc> = HashMap::new();
        for t in r.blocks_of("template") {
            if !self.first_of_name("template", t, &mut seen_t) {
                continue;
            }
            let name = t.label();
            let file_name = !name.is_empty() && !name.starts_with('.') && name.len() <= 100 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !file_name {
                let d = self.error("E0204", Loc { file: t.loc.file, span: t.label_span() }, format!("template name {name:?} cannot be a file name"));
                d.hint = Some("it names the file `templates/<name>.tmpl`: use letters, digits, `-`, `_` and `.` (not first); the names of the templates it defines are free".into());
                continue;
            }
            let content = t.req_str("content");
            if let Some(problem) = template_braces(&content) {
                let loc = t.fields.get("content").map(|(_, l)| *l).unwrap_or(t.loc);
                let d = self.error("E0204", loc, format!("template `{name}` is not valid Go template text: {problem}"));
                d.hint = Some("every `{{` needs its `}}` and every `define`, `if`, `range` or `with` its `{{ end }}`: Alertmanager refuses to start with a template that does not parse".into());
            }
            templates.push(ir::NotificationTemplate { name, content });
        }
        let route = match r.blocks_of("route").next() {
            Some(rt) => {
                let root = self.route(rt, &names, &interval_names);
                self.unreachable_routes(rt, &super::routing::matchers_of(&root.matchers));
                root
            }
            None => {
                if receivers.is_empty() {
                    // a null receiver keeps Alertmanager valid
                    receivers.push(ir::Receiver { name: "null".into(), webhook: None, email: None, slack_channel: None, slack_webhook: None, integrations: vec![] });
                }
                ir::Route {
                    receiver: receivers[0].name.clone(),
                    group_by: vec!["alertname".into()],
                    group_wait: None,
                    group_interval: None,
                    repeat_interval: None,
                    matchers: vec![],
                    continue_: false,
                    mute_time_intervals: vec![],
                    active_time_intervals: vec![],
                    routes: vec![],
                }
            }
        };
        // a receiver no route names never gets a notification (Alertmanager loads it quietly)
        fn named(r: &ir::Route, out: &mut Vec<String>) {
            out.push(r.receiver.clone());
            r.routes.iter().for_each(|c| named(c, out));
        }
        let mut used = vec![];
        named(&route, &mut used);
        // (not while a route names a receiver that does not exist: E0301 says that)
        let unresolved = used.iter().any(|u| !names.contains(u));
        for rc in r.blocks_of("receiver").filter(|_| !unresolved) {
            let name = rc.label();
            let at = Loc { file: rc.loc.file, span: rc.label_span() };
            if !used.contains(&name) && seen.get(&name) == Some(&at) {
                let d = self.error("W0307", at, format!("receiver `{name}` is never used: no route sends to it"));
                d.hint = Some(if r.blocks_of("route").next().is_some() {
                    format!("add `route {{ receiver = {name}, matchers = [\"…\"] }}` to the root route, or remove the receiver")
                } else {
                    format!("without a `route`, every alert goes to the first receiver (`{}`): add `route {{ receiver = …, route {{ receiver = {name}, matchers = [\"…\"] }} }}`", route.receiver)
                });
            }
        }
        let replicas = r.int_d("replicas");
        if let Some((_, at)) = r.fields.get("replicas").filter(|_| !(1..=MAX_PEERS).contains(&replicas)) {
            let d = self.error("E0204", *at, format!("`replicas` is 1–{MAX_PEERS}, found {replicas}"));
            d.hint = Some("1 runs a single Alertmanager; 3 is the usual cluster (each alert still notifies once, and one peer can be lost)".into());
        }
        Some(ir::Alertmanager {
            version: r.str_d("version"),
            port: r.port_d("port"),
            replicas: replicas.clamp(1, MAX_PEERS) as u16,
            cluster_port: r.port_d("cluster_port"),
            smtp_smarthost: r.str("smtp_smarthost"),
            smtp_from: r.str("smtp_from"),
            resolve_timeout: r.dur("resolve_timeout"),
            smtp_require_tls: match r.get("smtp_require_tls") {
                Some(CV::Bool(b)) => Some(*b),
                _ => None,
            },
            time_intervals,
            inhibit_rules: r
                .blocks_of("inhibit")
                .map(|i| {
                    for key in ["source_matchers", "target_matchers"] {
                        self.matchers(i, key);
                        if let Some((CV::List(ms), loc)) = i.fields.get(key) {
                            if ms.is_empty() {
                                let d = self.error("E0202", *loc, format!("`{key}` is empty: the rule would match every alert"));
                                d.hint = Some("give at least one matcher, like `alertname=\"NodeDown\"`".into());
                            }
                        }
                    }
                    ir::InhibitRule { source_matchers: i.strs("source_matchers"), target_matchers: i.strs("target_matchers"), equal: i.strs_d("equal") }
                })
                .collect(),
            receivers,
            route,
            templates,
            settings: r.settings.clone(),
        })
    }

    /// A receiver's integration records ([`crate::sema::schema::INTEGRATIONS`]), each field
    /// as the schema typed it, in the schema's order; and what Alertmanager refuses to load
    /// beyond the schema's required fields (config/notifiers.go): a PagerDuty integration
    /// without either key, a Telegram chat id of 0, an SNS integration without exactly one
    /// destination. Webex's `bot_token` becomes `http_config.authorization.credentials`, Jira's
    /// `user` and `api_token` `http_config.basic_auth`.
    fn integrations(&mut self, rc: &Rec) -> Vec<ir::Integration> {
        let mut out = vec![];
        for (kind, configs) in crate::sema::schema::INTEGRATIONS {
            let Some((CV::Record(rec), loc)) = rc.fields.get(kind) else { continue };
            let mut fields = self.integration_fields(rec);
            if *kind == "pagerduty" && rec.get("routing_key").is_none() && rec.get("service_key").is_none() {
                let d = self.error("E0202", *loc, format!("the PagerDuty integration of receiver `{}` has no key", rc.label()));
                d.hint = Some("set `routing_key = secret.env(\"…\")` (an Events API v2 integration key) or `service_key` (v1): Alertmanager refuses \"missing service or routing key in PagerDuty config\"".into());
            }
            if let Some((CV::Int(0), at)) = rec.fields.get("chat_id") {
                let d = self.error("E0202", *at, "a Telegram `chat_id` of 0 names no chat");
                d.hint = Some("the chat's id: a user's or a group's (negative, like `-1001234567890`); Alertmanager refuses \"missing chat_id on telegram_config\"".into());
            }
            if *kind == "sns" {
                let given: Vec<&str> = ["topic_arn", "phone_number", "target_arn"].into_iter().filter(|k| rec.get(k).is_some()).collect();
                if given.len() != 1 {
                    let at = given.get(1).and_then(|k| rec.fields.get(*k)).map(|(_, l)| *l).unwrap_or(*loc);
                    let what = if given.is_empty() { "no destination".to_string() } else { format!("both `{}` and `{}`", given[0], given[1]) };
                    let d = self.error("E0202", at, format!("the SNS integration of receiver `{}` has {what}", rc.label()));
                    d.hint = Some("give exactly one of `topic_arn`, `phone_number` or `target_arn`: Alertmanager refuses \"must provide either a Target ARN, Topic ARN, or Phone Number for SNS config\"".into());
                }
            }
            if *kind == "jira" && rec.get("api_token").is_some() && rec.get("user").is_none() {
                let at = rec.fields.get("api_token").map(|(_, l)| *l).unwrap_or(*loc);
                let d = self.error("E0202", at, format!("the Jira integration of receiver `{}` has an `api_token` but no `user`", rc.label()));
                d.hint = Some("add `user = \"…\"`, the account the token belongs to (Jira Cloud: its e-mail address): Jira refuses a token without one".into());
            }
            // the fields that are Alertmanager's `http_config`: the typed block (`tls` is
            // `tls_config`, a bearer token `authorization.credentials`), Webex's token, Jira's user
            let take = |fields: &mut Vec<(&'static str, ir::IntegrationValue)>, name: &str| fields.iter().position(|(k, _)| *k == name).map(|i| fields.remove(i).1);
            let mut http = match take(&mut fields, "http_config") {
                Some(ir::IntegrationValue::Record(h)) => h,
                _ => vec![],
            };
            for (k, v) in http.iter_mut() {
                match (*k, &*v) {
                    ("tls", _) => *k = "tls_config",
                    ("authorization", ir::IntegrationValue::Secret(_)) => *v = ir::IntegrationValue::Record(vec![("credentials", v.clone())]),
                    ("headers", ir::IntegrationValue::Map(m)) => {
                        let at = rec.fields.get("http_config").map(|(_, l)| *l).unwrap_or(*loc);
                        self.http_headers(m, at);
                        (*k, *v) = ("http_headers", ir::IntegrationValue::Headers(m.clone()));
                    }
                    _ => {}
                }
            }
            let mut auths: Vec<&str> = http
                .iter()
                .filter_map(|(k, _)| [("basic_auth", "http_config.basic_auth"), ("authorization", "http_config.authorization"), ("oauth2", "http_config.oauth2")].into_iter().find(|(a, _)| a == k).map(|(_, n)| n))
                .collect();
            match *kind {
                "webex" => {
                    if let Some(t) = take(&mut fields, "bot_token") {
                        auths.push("bot_token");
                        http.push(("authorization", ir::IntegrationValue::Record(vec![("credentials", t)])));
                    }
                }
                "jira" => {
                    let (user, token) = (take(&mut fields, "user"), take(&mut fields, "api_token"));
                    if let Some(u) = user {
                        auths.push("user");
                        http.push(("basic_auth", ir::IntegrationValue::Record(std::iter::once(("username", u)).chain(token.map(|t| ("password", t))).collect())));
                    }
                }
                _ => {}
            }
            if auths.len() > 1 {
                let at = rec.fields.get("http_config").map(|(_, l)| *l).unwrap_or(*loc);
                let d = self.error("E0202", at, format!("the {kind} integration of receiver `{}` authenticates twice (`{}`)", rc.label(), auths.join("` and `")));
                d.hint = Some(match *kind {
                    "webex" => "Webex's `bot_token` is its `http_config.authorization`: drop `http_config`'s `basic_auth` and `authorization`".into(),
                    "jira" => "Jira's `user` and `api_token` are its `http_config.basic_auth`: drop `http_config`'s `basic_auth` and `authorization`".into(),
                    _ => "give one of `basic_auth`, `authorization` and `oauth2`: Alertmanager refuses \"at most one of basic_auth, oauth2 & authorization must be configured\"".into(),
                });
            }
            if !http.is_empty() {
                fields.push(("http_config", ir::IntegrationValue::Record(http)));
            }
            out.push(ir::Integration { kind, configs, fields });
        }
        out
    }

    /// E0204 for each extra request header Alertmanager (prometheus/common 0.61's `Headers`)
    /// refuses or cannot send: a name that is not an HTTP token (RFC 9110 `tchar`s), one it sets
    /// itself (`reservedHeaders`: "setting header … is not allowed"), or a value with a control
    /// character (Go's client refuses the request, so the notification fails).
    fn http_headers(&mut self, headers: &BTreeMap<String, String>, at: Loc) {
        const RESERVED: &[&str] = &[
            "Authorization", "Host", "Content-Encoding", "Content-Length", "Content-Type", "User-Agent", "Connection", "Keep-Alive",
            "Proxy-Authenticate", "Proxy-Authorization", "Www-Authenticate", "Accept-Encoding", "X-Prometheus-Remote-Write-Version",
            "X-Prometheus-Remote-Read-Version", "X-Prometheus-Scrape-Timeout-Seconds", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256",
        ];
        let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        for (name, value) in headers {
            let shown: String = name.chars().map(|c| c.escape_debug().to_string()).collect();
            if name.is_empty() || !name.chars().all(tchar) {
                let d = self.error("E0204", at, format!("header name `{shown}` is not an HTTP header name"));
                d.hint = Some("letters, digits and `!#$%&'*+-.^_`|~`, like `X-Scope-OrgID`".into());
            } else if let Some(r) = RESERVED.iter().find(|r| r.eq_ignore_ascii_case(name)) {
                let d = self.error("E0204", at, format!("header `{r}` is set by Alertmanager itself"));
                d.hint = Some(if *r == "Authorization" {
                    "give a token as `authorization = secret.env(\"…\")`, a user as `basic_auth`, or `oauth2`: Alertmanager refuses \"setting header \\\"Authorization\\\" is not allowed\"".into()
                } else {
                    format!("drop it: Alertmanager refuses \"setting header \\\"{r}\\\" is not allowed\"")
                });
            }
            if value.chars().any(|c| c.is_control() && c != '\t') {
                let d = self.error("E0204", at, format!("the value of header `{shown}` holds a control character"));
                d.hint = Some("a header value is one line of text: Go's HTTP client refuses the request, and the notification is never sent".into());
            }
        }
    }

    /// An integration record's fields as the schema typed them, in the schema's order (a
    /// nested record, like SNS's `sigv4`, the same way); text fields are Go templates.
    pub(super) fn integration_fields(&mut self, rec: &Rec) -> Vec<(&'static str, ir::IntegrationValue)> {
        let mut fields = vec![];
        for fd in rec.schema.fields {
            let value = match rec.get(fd.name) {
                Some(CV::Str(s) | CV::Sym(s)) => {
                    // text fields are Go templates, parsed when Alertmanager loads the config
                    if let (Some(problem), Some((_, at))) = (template_braces(s), rec.fields.get(fd.name)) {
                        let d = self.error("E0204", *at, format!("`{}` is not valid Go template text: {problem}", fd.name));
                        d.hint = Some("every `{{` needs its `}}` and every `define`, `if`, `range` or `with` its `{{ end }}`: Alertmanager refuses to load a config whose template does not parse".into());
                    }
                    ir::IntegrationValue::Str(s.clone())
                }
                Some(CV::StrOrSecret(ir::StrOrSecret::Plain(s))) => ir::IntegrationValue::Str(s.clone()),
                Some(CV::StrOrSecret(ir::StrOrSecret::Secret { secret }) | CV::Secret(secret)) => ir::IntegrationValue::Secret(secret.clone()),
                Some(CV::Int(i)) => ir::IntegrationValue::Int(*i),
                Some(CV::Bool(b)) => ir::IntegrationValue::Bool(*b),
                Some(CV::Map(m)) => ir::IntegrationValue::Map(m.clone()),
                Some(CV::Dur(d)) => ir::IntegrationValue::Str(d.to_prometheus()),
                Some(CV::List(items)) => ir::IntegrationValue::List(
                    items
                        .iter()
                        .filter_map(|i| match i {
                            CV::Str(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect(),
                ),
                Some(CV::Record(inner)) => ir::IntegrationValue::Record(self.integration_fields(inner)),
                _ => continue,
            };
            fields.push((fd.name, value));
        }
        fields
    }

    pub(super) fn route(&mut self, rt: &Rec, receivers: &[String], intervals: &[String]) -> ir::Route {
        let receiver = match rt.get("receiver") {
            Some(CV::Ref(name, loc)) => {
                if !receivers.contains(name) {
                    let d = self.error("E0301", *loc, format!("there is no receiver `{name}`"));
                    d.hint = Some(did_you_mean(name, receivers.iter().map(String::as_str)).unwrap_or_else(|| {
                        if receivers.is_empty() {
                            "declare one: `receiver name { webhook = … }`".into()
                        } else {
                            format!("receivers: {}", receivers.join(", "))
                        }
                    }));
                }
                name.clone()
            }
            _ => String::new(),
        };
        self.matchers(rt, "matchers");
        // the time intervals it names exist (Alertmanager refuses "time interval … does not exist")
        for key in ["mute_time_intervals", "active_time_intervals"] {
            let loc = rt.fields.get(key).map(|(_, l)| *l).unwrap_or(rt.loc);
            for name in rt.strs(key).iter().filter(|n| !intervals.contains(n)) {
                let d = self.error("E0301", loc, format!("there is no time interval `{name}`"));
                d.hint = Some(did_you_mean(name, intervals.iter().map(String::as_str)).unwrap_or_else(|| {
                    if intervals.is_empty() {
                        "declare one in `alertmanager { … }`: `time_interval weekends { weekdays = [\"saturday\", \"sunday\"] }`".into()
                    } else {
                        format!("time intervals: {}", intervals.join(", "))
                    }
                }));
            }
        }
        ir::Route {
            receiver,
            group_by: rt.strs("group_by"),
            group_wait: rt.dur("group_wait"),
            group_interval: rt.dur("group_interval"),
            repeat_interval: rt.dur("repeat_interval"),
            matchers: rt.strs("matchers"),
            continue_: rt.bool_d("continue"),
            mute_time_intervals: rt.strs("mute_time_intervals"),
            active_time_intervals: rt.strs("active_time_intervals"),
            routes: rt.blocks_of("route").map(|c| self.route(c, receivers, intervals)).collect(),
        }
    }

    /// E0204 for each matcher of `rec`'s list field `key` that Alertmanager would not parse
    /// (`label=value`, `label!=value`, `label=~"regex"`, `label!~"regex"`; the regex compiled).
    fn matchers(&mut self, rec: &Rec, key: &str) {
        if let Some((CV::List(ms), loc)) = rec.fields.get(key) {
            for (i, m) in ms.iter().enumerate() {
                let CV::Str(m) = m else { continue };
                if let Err(why) = super::grafana_alerting::parse_matcher(m) {
                    let d = self.error("E0204", *loc, format!("matcher #{} `{m}` is not valid: {why}", i + 1));
                    d.hint = Some("write `label=value`, `label!=value`, `label=~\"regex\"` or `label!~\"regex\"` (Alertmanager's matcher syntax)".into());
                }
            }
        }
    }
}

/// The first Go template problem of `text` that Go's parser refuses: a `{{` without its `}}`
/// (strings inside actions may hold braces: "…", `…` and '…' are skipped; a `}}` outside an
/// action is text to Go), a block action (`define`, `if`, `range`, `with`, `block`) without
/// its `{{ end }}`, or an `{{ end }}` that ends none.
pub(super) fn template_braces(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut blocks: Vec<(usize, String)> = vec![];
    let mut i = 0;
    while i < b.len() {
        if !b[i..].starts_with(b"{{") {
            i += 1;
            continue;
        }
        let open = i;
        i += 2;
        let mut closed = false;
        while i < b.len() {
            match b[i] {
                q @ (b'"' | b'`' | b'\'') => {
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += if b[i] == b'\\' && q != b'`' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'}' if b[i..].starts_with(b"}}") => {
                    i += 2;
                    closed = true;
                    break;
                }
                // Go's lexer takes no `{` inside an action ("unexpected \"{\" in command")
                b'{' if b[i..].starts_with(b"{{") => return Some(format!("the `{{{{` at byte {open} is not closed before the next `{{{{`")),
                _ => i += 1,
            }
        }
        if !closed {
            return Some(format!("the `{{{{` at byte {open} is never closed"));
        }
        // block actions: `define`, `if`, `range`, `with`, `block` open one, `end` closes it
        let action = text[open + 2..i - 2].trim_start_matches('-').trim_start();
        let word: String = action.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        match word.as_str() {
            "define" | "if" | "range" | "with" | "block" => blocks.push((open, word)),
            "end" if blocks.pop().is_none() => return Some(format!("the `{{{{ end }}}}` at byte {open} ends no block")),
            _ => {}
        }
    }
    match blocks.last() {
        Some((at, word)) => Some(format!("the `{{{{ {word} }}}}` at byte {at} has no `{{{{ end }}}}`")),
        None => None,
    }
}

pub(super) fn valid_target(t: &str) -> bool {
    match t.rsplit_once(':') {
        Some((host, port)) => !host.is_empty() && port.parse::<u16>().map_or(false, |p| p > 0),
        None => false,
    }
}
