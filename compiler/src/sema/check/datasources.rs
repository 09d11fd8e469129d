//! A declared datasource's typed `jsonData` keys ([`schema::JSON_DATA`]): each refused on a
//! plugin that does not read it (E0205), lowered to Grafana's key, secrets kept as references
//! for `secureJsonData`.

use super::*;

impl<'a> Checker<'a> {
    /// The typed `jsonData` of datasource `r` (of plugin `kind`), and its `secureJsonData`
    /// secrets by Grafana's key.
    pub(super) fn datasource_json_data(&mut self, r: &Rec, kind: &str) -> (Settings, Vec<(String, SecretRef)>) {
        let (mut jd, mut secure) = (Settings::new(), vec![]);
        for k in schema::JSON_DATA {
            let Some((cv, at)) = r.fields.get(k.field) else { continue };
            if !k.plugins.contains(&kind) {
                let d = self.error("E0205", *at, format!("`{}` is read by {} datasources, and this is a `{kind}` one", k.field, k.plugins.join(", ")));
                d.hint = Some(format!("Grafana's {kind} plugin ignores it: drop it, or set a key it reads in `settings {{ … }}`"));
                continue;
            }
            let v = match cv {
                CV::Secret(s) if k.secret => {
                    secure.push((k.key(kind).to_string(), s.clone()));
                    continue;
                }
                CV::Str(s) | CV::Sym(s) => serde_json::json!(s),
                CV::Int(i) => serde_json::json!(i),
                CV::Bool(b) => serde_json::json!(b),
                CV::Dur(d) => serde_json::json!(d.to_prometheus()),
                _ => continue,
            };
            jd.insert(k.key(kind).to_string(), v);
        }
        // CloudWatch reads its keys only with `authType: keys`
        if kind == "cloudwatch" && secure.iter().any(|(k, _)| k == "accessKey" || k == "secretKey") && r.sym("auth_type").as_deref() != Some("keys") {
            let at = r.fields.get("access_key").or_else(|| r.fields.get("secret_key")).map_or(r.loc, |(_, l)| *l);
            self.error("E0202", at, "CloudWatch reads an access key only with `auth_type = keys`").hint = Some("add `auth_type = keys`".into());
        }
        (jd, secure)
    }
}
