//! A panel's display options ([`ir::PanelDisplay`]): ranges checked, and the time-series-only
//! options refused on other panels (E0205), where Grafana would ignore them.

use super::*;

/// The options only a `timeseries` panel reads (its graph styles, legend and tooltip).
const TIMESERIES_ONLY: &[&str] = &["draw_style", "line_width", "fill_opacity", "stack", "tooltip", "legend_mode", "legend_placement"];

impl<'a> Checker<'a> {
    /// The display options of panel `p`.
    pub(super) fn display(&mut self, p: &Rec) -> ir::PanelDisplay {
        for k in TIMESERIES_ONLY {
            if let (Some((_, at)), false) = (p.fields.get(*k), p.kind == "timeseries") {
                let d = self.error("E0205", *at, format!("`{k}` is an option of `timeseries` panels, and this is a `{}` panel", p.kind));
                d.hint = Some("Grafana ignores it here: drop it, or make the panel a `timeseries`".into());
            }
        }
        let int = |ck: &mut Self, k: &str, max: i64, unit: &str| -> Option<i64> {
            let (cv, at) = p.fields.get(k)?;
            let CV::Int(i) = cv else { return None };
            if !(0..=max).contains(i) {
                ck.error("E0205", *at, format!("`{k}` is 0–{max}{unit}, found {i}"));
            }
            Some(*i)
        };
        let decimals = int(self, "decimals", 20, "");
        let line_width = int(self, "line_width", 10, " px");
        let fill_opacity = int(self, "fill_opacity", 100, " %");
        let num = |k: &str| match p.get(k) {
            Some(CV::Num(n)) => Some(ir::Num(*n)),
            Some(CV::Int(i)) => Some(ir::Num(*i as f64)),
            _ => None,
        };
        let (min, max) = (num("min"), num("max"));
        if let (Some(lo), Some(hi), Some((_, at))) = (&min, &max, p.fields.get("max")) {
            if hi.0 <= lo.0 {
                let d = self.error("E0205", *at, format!("`max` ({}) is not above `min` ({})", hi.0, lo.0));
                d.hint = Some("Grafana draws nothing on an empty scale: swap them, or drop one".into());
            }
        }
        let mappings = match p.get("mappings") {
            Some(CV::Map(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => vec![],
        };
        ir::PanelDisplay {
            decimals,
            min,
            max,
            no_value: p.str("no_value"),
            mappings,
            threshold_mode: p.sym("threshold_mode"),
            draw_style: p.sym("draw_style"),
            line_width,
            fill_opacity,
            stack: p.sym("stack"),
            tooltip: p.sym("tooltip"),
            legend_mode: p.sym("legend_mode"),
            legend_placement: p.sym("legend_placement"),
            color_mode: p.sym("color_mode"),
            null_text: p.str("null_text"),
            max_data_points: match p.get("max_data_points") {
                Some(CV::Int(i)) => Some(*i),
                _ => None,
            },
        }
    }

    /// A panel's own grid place: `x` (0–23) and `y` together, or neither (E0202, E0205).
    pub(super) fn position(&mut self, p: &Rec) -> Option<(u32, u32)> {
        let get = |k: &str| p.fields.get(k).and_then(|(v, l)| if let CV::Int(i) = v { Some((*i, *l)) } else { None });
        match (get("x"), get("y")) {
            (None, None) => None,
            (Some((x, at)), Some((y, _))) => {
                if !(0..24).contains(&x) {
                    self.error("E0205", at, format!("`x` is a column of Grafana's 24-column grid, 0–23, found {x}"));
                    return None;
                }
                if !(0..=10_000).contains(&y) {
                    self.error("E0205", p.fields["y"].1, format!("`y` is a row of the grid, 0–10000, found {y}"));
                    return None;
                }
                Some((x as u32, y as u32))
            }
            (Some((_, at)), None) | (None, Some((_, at))) => {
                self.error("E0202", at, "a panel's grid place needs both `x` and `y`").hint = Some("give both, or neither for the automatic layout".into());
                None
            }
        }
    }
}
