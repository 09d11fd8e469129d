//! Cross-component references: datasource references resolved against the stack's enabled
//! components and declared datasources (E0300, E0301, E0302).

use super::*;

/// A datasource reference to resolve once the stack's components are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum DsRef {
    Named { name: String, loc: Loc, lang: Option<QueryLang> },
    Lang { lang: QueryLang, loc: Loc },
}


impl<'a> Checker<'a> {

    pub(super) fn check_ref(&mut self, rf: &DsRef, ds_types: &BTreeMap<String, String>, enabled: &[&str]) {
        match rf {
            DsRef::Named { name, loc, lang } => match ds_types.get(name) {
                None => {
                    let (code, msg) = if Component::is_datasource(name) {
                        ("E0300", format!("datasource `{name}`: the stack does not enable {name}"))
                    } else {
                        ("E0301", format!("there is no datasource `{name}`"))
                    };
                    let d = self.error(code, *loc, msg);
                    d.hint = Some(did_you_mean(name, ds_types.keys().map(String::as_str)).unwrap_or_else(|| {
                        format!("datasources: {}", ds_types.keys().cloned().collect::<Vec<_>>().join(", "))
                    }));
                }
                Some(t) => {
                    if let Some(l) = lang {
                        if let Some(want) = Component::plugin_answering(*l) {
                            if want != t {
                                self.error("E0302", *loc, format!("datasource `{name}` is {t}, but the query is {}", lang_name(*l)));
                            }
                        }
                    }
                }
            },
            DsRef::Lang { lang, loc } => {
                if let Some(c) = Component::answering(*lang).map(Component::name) {
                    if !enabled.contains(&c) {
                        let d = self.error("E0300", *loc, format!("a {} query needs {c}, which the stack does not enable", lang_name(*lang)));
                        d.hint = Some(format!("add `{c} {{}}` to the stack, or set `datasource` to a declared {c} datasource"));
                    }
                } else {
                    self.error("E0202", *loc, format!("a {} query needs `datasource = …`", lang_name(*lang)));
                }
            }
        }
    }
}
