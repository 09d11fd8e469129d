//! Each built-in panel's default `options` and field config (`fieldConfig.defaults.custom`),
//! as Grafana's panel plugins set them (`public/app/plugins/panel/<panel>/panelcfg.cue` and
//! `module.tsx`; the defaults grafana-foundation-sdk's panel schemas carry). Grafana fills a
//! missing option from the same defaults when it loads a panel; the backend writes the ones the
//! panel's schema requires, so every panel it writes is valid against its own schema, and the
//! panel's typed `options`/`custom` merge over them (`backends::merge`).

use serde_json::{json, Value};

/// A legend: a list at the bottom (`VizLegendOptions`).
fn legend(show: bool) -> Value {
    json!({ "displayMode": "list", "placement": "bottom", "showLegend": show, "calcs": [] })
}

/// A tooltip of the hovered series, unsorted (`VizTooltipOptions`).
fn tooltip() -> Value {
    json!({ "mode": "single", "sort": "none" })
}

/// The last non-null value of every numeric field (`ReduceDataOptions`).
fn reduce() -> Value {
    json!({ "values": false, "calcs": ["lastNotNull"], "fields": "" })
}

/// The default `options` of panel plugin `plugin` (an empty object for a panel the stack
/// knows no defaults of).
pub fn default_options(plugin: &str) -> Value {
    match plugin {
        "timeseries" | "histogram" | "trend" => json!({ "legend": legend(true), "tooltip": tooltip() }),
        "stat" => json!({
            "graphMode": "area", "colorMode": "value", "justifyMode": "auto", "textMode": "auto", "wideLayout": true,
            "showPercentChange": false, "percentChangeColorMode": "standard", "orientation": "auto", "reduceOptions": reduce(),
        }),
        "gauge" => json!({
            "showThresholdLabels": false, "showThresholdMarkers": true, "sizing": "auto", "minVizWidth": 75, "minVizHeight": 75,
            "orientation": "auto", "reduceOptions": reduce(),
        }),
        "bargauge" => json!({
            "displayMode": "gradient", "valueMode": "color", "namePlacement": "auto", "showUnfilled": true, "sizing": "auto",
            "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300, "orientation": "auto", "legend": legend(false), "reduceOptions": reduce(),
        }),
        "table" => json!({ "frameIndex": 0, "showHeader": true, "cellHeight": "sm" }),
        "logs" => json!({
            "showLabels": false, "showCommonLabels": false, "showTime": false, "showLogContextToggle": false, "wrapLogMessage": false,
            "prettifyLogMessage": false, "enableLogDetails": true, "sortOrder": "Descending", "dedupStrategy": "none",
        }),
        "heatmap" => json!({
            "calculate": false, "cellGap": 1, "showValue": "auto", "selectionMode": "x",
            "color": { "mode": "scheme", "scheme": "Oranges", "fill": "dark-orange", "scale": "exponential", "exponent": 0.5, "steps": 64, "reverse": false },
            "filterValues": { "le": 1e-9 }, "rowsFrame": { "layout": "auto" }, "yAxis": { "axisPlacement": "left", "reverse": false },
            "legend": { "show": true }, "tooltip": { "mode": "single", "yHistogram": false, "showColorScale": false },
            "exemplars": { "color": "rgba(255,0,255,0.7)" },
        }),
        "piechart" => json!({
            "pieType": "pie", "displayLabels": [], "orientation": "auto", "tooltip": tooltip(), "reduceOptions": reduce(),
            "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": [], "values": [] },
        }),
        "text" => json!({ "mode": "markdown", "content": "" }),
        "state-timeline" => json!({
            "showValue": "auto", "rowHeight": 0.9, "mergeValues": true, "alignValue": "left", "legend": legend(true), "tooltip": tooltip(),
        }),
        "status-history" => json!({ "showValue": "auto", "rowHeight": 0.9, "colWidth": 0.9, "legend": legend(true), "tooltip": tooltip() }),
        "barchart" => json!({
            "orientation": "auto", "xTickLabelRotation": 0, "xTickLabelMaxLength": 0, "xTickLabelSpacing": 0, "stacking": "none",
            "showValue": "auto", "barWidth": 0.97, "groupWidth": 0.7, "barRadius": 0, "fullHighlight": false, "legend": legend(true), "tooltip": tooltip(),
        }),
        "geomap" => json!({
            "view": { "id": "zero", "lat": 0, "lon": 0, "zoom": 1, "allLayers": true },
            "controls": { "showZoom": true, "mouseWheelZoom": true, "showAttribution": true },
            "basemap": { "type": "default", "name": "Basemap" }, "layers": [], "tooltip": { "mode": "details" },
        }),
        "canvas" => json!({
            "inlineEditing": true, "showAdvancedTypes": true, "panZoom": true, "infinitePan": true,
            "root": { "name": "Element 1", "type": "frame", "elements": [] },
        }),
        "xychart" => json!({ "mapping": "auto", "series": [], "legend": legend(true), "tooltip": tooltip() }),
        "annolist" => json!({
            "onlyFromThisDashboard": false, "onlyInTimeRange": false, "tags": [], "limit": 10, "showUser": true, "showTime": true,
            "showTags": true, "navigateToPanel": true, "navigateBefore": "10m", "navigateAfter": "10m",
        }),
        "dashlist" => json!({
            "keepTime": false, "includeVars": false, "showStarred": true, "showRecentlyViewed": false, "showSearch": false,
            "showHeadings": true, "showFolderNames": true, "maxItems": 10, "query": "", "tags": [],
        }),
        // (public/app/plugins/panel/alertlist/module.tsx, `UnifiedAlertList` defaults)
        "alertlist" => json!({
            "maxItems": 20, "sortOrder": 1, "dashboardAlerts": false, "groupMode": "default", "groupBy": [], "alertName": "",
            "showInstances": false, "alertInstanceLabelFilter": "", "viewMode": "list",
            "stateFilter": { "firing": true, "pending": true, "noData": false, "normal": false, "error": true },
        }),
        _ => json!({}),
    }
}

/// The default field config (`fieldConfig.defaults.custom`) of panel plugin `plugin`: what its
/// schema requires (a table's cell alignment and inspection), else nothing.
pub fn default_custom(plugin: &str) -> Value {
    match plugin {
        "table" => json!({ "align": "auto", "inspect": false }),
        _ => json!({}),
    }
}
