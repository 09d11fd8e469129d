//! How a panel shows its values: Grafana's standard field options
//! (`fieldConfig.defaults`: `decimals`, `min`, `max`, `noValue`, `mappings`,
//! `thresholds.mode`), a time series' graph styles (`fieldConfig.defaults.custom`: `drawStyle`,
//! `lineWidth`, `fillOpacity`, `stacking`) and its legend and tooltip (`options.legend`,
//! `options.tooltip`), as the timeseries panel's schema (grafana-foundation-sdk
//! `timeseries.jsonschema.json`) names them.

use super::Num;
use serde::Serialize;

/// A panel's display options; `None` leaves Grafana's default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PanelDisplay {
    pub decimals: Option<i64>,
    pub min: Option<Num>,
    pub max: Option<Num>,
    /// Text shown when there is no value (`noValue`).
    pub no_value: Option<String>,
    /// Value → text (`mappings`, type `value`), by value.
    pub mappings: Vec<(String, String)>,
    /// `absolute` or `percentage` (`thresholds.mode`).
    pub threshold_mode: Option<String>,
    /// `line`, `bars` or `points` (time series only).
    pub draw_style: Option<String>,
    /// 0–10 pixels (time series only).
    pub line_width: Option<i64>,
    /// 0–100 percent (time series only).
    pub fill_opacity: Option<i64>,
    /// `none`, `normal` or `percent` (time series only).
    pub stack: Option<String>,
    /// `single`, `multi` or `none` (time series only).
    pub tooltip: Option<String>,
    /// `list`, `table` or `hidden` (time series only).
    pub legend_mode: Option<String>,
    /// `bottom` or `right` (time series only).
    pub legend_placement: Option<String>,
    /// `fieldConfig.defaults.color.mode`.
    pub color_mode: Option<String>,
    /// Text of a null value (a `special` mapping, `match: null`).
    pub null_text: Option<String>,
    /// `maxDataPoints` of the panel's queries.
    pub max_data_points: Option<i64>,
}
