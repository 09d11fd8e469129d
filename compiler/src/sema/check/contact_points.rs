//! A Grafana contact point's integrations beyond webhook, e-mail and Slack
//! ([`crate::sema::schema::CONTACT_POINT_INTEGRATIONS`]): each record's fields as the schema
//! typed them, and what Grafana's settings parsers refuse beyond the schema's required fields
//! (grafana/alerting `receivers/<type>/config.go`, Grafana 12.2): an SNS integration with no
//! destination or half a key pair, a Jira integration with both or neither way to
//! authenticate, a WeCom integration with neither a robot URL nor an application, a Pushover
//! priority outside -2…2, a Jira `dedup_key_field` or a Telegram `message_thread_id` that is
//! not a number.

use super::*;

impl<'a> Checker<'a> {
    /// The integrations of contact point `cp`, in the table's order.
    pub(super) fn contact_point_integrations(&mut self, cp: &Rec) -> Vec<ir::Integration> {
        let mut out = vec![];
        for (kind, grafana_type) in crate::sema::schema::CONTACT_POINT_INTEGRATIONS {
            let Some((CV::Record(rec), loc)) = cp.fields.get(kind) else { continue };
            let fields = self.integration_fields(rec);
            let has = |k: &str| rec.get(k).is_some();
            let at = |k: &str| rec.fields.get(k).map_or(*loc, |(_, l)| *l);
            let name = cp.label();
            match *kind {
                "sns" => {
                    if !has("topic_arn") && !has("target_arn") && !has("phone_number") {
                        let d = self.error("E0202", *loc, format!("the SNS integration of contact point `{name}` has no destination"));
                        d.hint = Some("give `topic_arn`, `target_arn` or `phone_number`: Grafana refuses \"must specify topicArn, targetArn, or phone number\"".into());
                    }
                    if let Some((CV::Record(sig), sloc)) = rec.fields.get("sigv4") {
                        if sig.get("access_key").is_some() != sig.get("secret_key").is_some() {
                            let d = self.error("E0202", *sloc, format!("the SNS signing of contact point `{name}` has one of `access_key` and `secret_key`"));
                            d.hint = Some("give both, or neither (AWS's default chain): Grafana refuses \"must specify both access key and secret key\"".into());
                        }
                    }
                }
                "jira" => {
                    let (token, user, password) = (has("api_token"), has("user"), has("password"));
                    if token && (user || password) {
                        let d = self.error("E0202", at("api_token"), format!("the Jira integration of contact point `{name}` has both an `api_token` and a `user`/`password`"));
                        d.hint = Some("keep one way to authenticate: Grafana refuses \"provided both token and user/password, only one is allowed at a time\"".into());
                    } else if !token && !(user && password) {
                        let d = self.error("E0202", *loc, format!("the Jira integration of contact point `{name}` cannot authenticate"));
                        d.hint = Some("give `api_token = secret.env(\"…\")`, or `user` and `password`: Grafana refuses \"either token or both user and password must be set\"".into());
                    }
                    if let Some(CV::Str(f)) = rec.get("dedup_key_field") {
                        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                            self.error("E0204", at("dedup_key_field"), format!("`dedup_key_field` is the number of a custom field, found `{f}`"));
                        }
                    }
                }
                "wecom" => {
                    if !has("url") && !has("secret") {
                        let d = self.error("E0202", *loc, format!("the WeCom integration of contact point `{name}` has neither `url` nor `secret`"));
                        d.hint = Some("a group robot's `url`, or an application's `secret` with `corp_id` and `agent_id`: Grafana refuses \"either url or secret is required\"".into());
                    } else if !has("url") {
                        for k in ["corp_id", "agent_id"].into_iter().filter(|k| !has(k)) {
                            let d = self.error("E0202", *loc, format!("the WeCom application of contact point `{name}` has no `{k}`"));
                            d.hint = Some(format!("an application (`secret`, no `url`) needs `corp_id` and `agent_id`: Grafana refuses a missing {}", if k == "corp_id" { "CorpID" } else { "AgentID" }));
                        }
                    }
                }
                "telegram" => {
                    if let Some(CV::Str(t)) = rec.get("message_thread_id") {
                        if t.parse::<i32>().is_err() {
                            let d = self.error("E0204", at("message_thread_id"), format!("a Telegram `message_thread_id` is an integer, found `{t}`"));
                            d.hint = Some("the topic's id, like `\"42\"`: Grafana refuses one that does not parse as a 32-bit integer".into());
                        }
                    }
                }
                "pushover" => {
                    for k in ["priority", "okPriority"] {
                        if let Some(CV::Int(p)) = rec.get(k).filter(|v| !matches!(v, CV::Int(-2..=2))) {
                            self.error("E0204", at(k), format!("a Pushover `{k}` is -2 to 2, found {p}"));
                        }
                    }
                }
                _ => {}
            }
            out.push(ir::Integration { kind, configs: grafana_type, fields });
        }
        out
    }
}
