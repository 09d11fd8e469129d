//! Each built-in Grafana panel's own options (`options { … }`) and field config
//! (`custom { … }`, Grafana's `fieldConfig.defaults.custom`), typed as grafana-foundation-sdk's
//! panel JSON Schemas define them (`jsonschema/<panel>.jsonschema.json`, commit f178d5a,
//! Apache-2.0), and [`PANEL_KIND_DEFS`], the panel kinds with their Grafana plugin ids.
//! Every field is optional: the Grafana backend writes the panel's defaults and merges these
//! over them (`backends/grafana/panels.rs`). What is not typed here (a table's cell options, a
//! map layer's `config`, null-spanning thresholds) goes in the panel's `settings { … }`.

use super::*;

/// A panel kind's schema: the fields of every panel, and the `options { … }` and `custom { … }`
/// blocks of its own (each once, typed by the kind).
macro_rules! panel_schema {
    ($name:ident) => {
        pub static $name: Schema = Schema { settings: true, ..schema("panel", PANEL_DOC, PANEL_FIELDS, PANEL_BLOCKS) };
    };
    ($name:ident, $options:expr) => {
        pub static $name: Schema = Schema {
            settings: true,
            ..schema("panel", PANEL_DOC, PANEL_FIELDS, &[OVERRIDE_BLOCK, TARGET_BLOCK, TRANSFORM_BLOCK, b("options", NoLabel, false, $options, OPTIONS_DOC)])
        };
    };
    ($name:ident, $override:ident, $options:expr, $custom:expr) => {
        override_schema!($override, $custom);
        pub static $name: Schema = Schema {
            settings: true,
            ..schema(
                "panel",
                PANEL_DOC,
                PANEL_FIELDS,
                &[
                    b("override", Labelled, true, &$override, OVERRIDE_DOC),
                    TARGET_BLOCK,
                    TRANSFORM_BLOCK,
                    b("options", NoLabel, false, $options, OPTIONS_DOC),
                    b("custom", NoLabel, false, $custom, CUSTOM_DOC),
                ],
            )
        };
    };
}

pub static TIMESERIES_FIELD_CONFIG: Schema = schema(
    "timeseries custom",
    "The field config of a `timeseries` panel (`fieldConfig.defaults.custom`; `timeseries.jsonschema.json` `FieldConfig`).",
    &[
        f("draw_style", Ty::Enum(&["line", "bars", "points"]), None, "`drawStyle`."),
        f("gradient_mode", Ty::Enum(&["none", "opacity", "hue", "scheme"]), None, "`gradientMode`."),
        f("thresholds_style", Ty::Record(&GRAPH_THRESHOLDS_STYLE_CONFIG), None, "`thresholdsStyle`."),
        f("transform", Ty::Enum(&["constant", "negative-Y"]), None, "`transform`."),
        f("line_color", Ty::Str, None, "`lineColor`."),
        f("line_width", Ty::Num, None, "`lineWidth`."),
        f("line_interpolation", Ty::Enum(&["linear", "smooth", "stepBefore", "stepAfter"]), None, "`lineInterpolation`."),
        f("line_style", Ty::Record(&LINE_STYLE), None, "`lineStyle`."),
        f("fill_color", Ty::Str, None, "`fillColor`."),
        f("fill_opacity", Ty::Num, None, "`fillOpacity`."),
        f("show_points", Ty::Enum(&["auto", "never", "always"]), None, "`showPoints`."),
        f("point_size", Ty::Num, None, "`pointSize`."),
        f("point_color", Ty::Str, None, "`pointColor`."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("bar_width_factor", Ty::Num, None, "`barWidthFactor`."),
        f("stacking", Ty::Record(&STACKING_CONFIG), None, "`stacking`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("fill_below_to", Ty::Str, None, "`fillBelowTo`."),
        f("point_symbol", Ty::Str, None, "`pointSymbol`."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
        f("bar_max_width", Ty::Num, None, "`barMaxWidth`."),
    ],
    &[],
);

pub static TABLE_FIELD_CONFIG: Schema = schema(
    "table custom",
    "The field config of a `table` panel (`fieldConfig.defaults.custom`; `table.jsonschema.json` `FieldConfig`).",
    &[
        f("width", Ty::Num, None, "`width`."),
        f("min_width", Ty::Num, None, "`minWidth`."),
        f("align", Ty::Enum(&["auto", "left", "right", "center"]), None, "`align`."),
        f("display_mode", Ty::Enum(&["auto", "color-text", "color-background", "color-background-solid", "gradient-gauge", "lcd-gauge", "json-view", "basic", "image", "gauge", "sparkline", "data-links", "custom", "actions"]), None, "This field is deprecated in favor of using cellOptions"),
        f("hidden", Ty::Bool, None, "?? default is missing or false ??"),
        f("inspect", Ty::Bool, None, "`inspect`."),
        f("filterable", Ty::Bool, None, "`filterable`."),
        f("hide_header", Ty::Bool, None, "Hides any header for a column, useful for columns that show some static content or buttons."),
    ],
    &[],
);

pub static HEATMAP_FIELD_CONFIG: Schema = schema(
    "heatmap custom",
    "The field config of a `heatmap` panel (`fieldConfig.defaults.custom`; `heatmap.jsonschema.json` `FieldConfig`).",
    &[
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
    ],
    &[],
);

pub static HISTOGRAM_FIELD_CONFIG: Schema = schema(
    "histogram custom",
    "The field config of a `histogram` panel (`fieldConfig.defaults.custom`; `histogram.jsonschema.json` `FieldConfig`).",
    &[
        f("line_width", Ty::Int, None, "Controls line width of the bars."),
        f("fill_opacity", Ty::Int, None, "Controls the fill opacity of the bars."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("stacking", Ty::Record(&STACKING_CONFIG), None, "`stacking`."),
        f("gradient_mode", Ty::Enum(&["none", "opacity", "hue", "scheme"]), None, "Set the mode of the gradient fill."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static PIECHART_FIELD_CONFIG: Schema = schema(
    "piechart custom",
    "The field config of a `piechart` panel (`fieldConfig.defaults.custom`; `piechart.jsonschema.json` `FieldConfig`).",
    &[
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
    ],
    &[],
);

pub static STATE_TIMELINE_FIELD_CONFIG: Schema = schema(
    "state_timeline custom",
    "The field config of a `state_timeline` panel (`fieldConfig.defaults.custom`; `statetimeline.jsonschema.json` `FieldConfig`).",
    &[
        f("line_width", Ty::Int, None, "`lineWidth`."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("fill_opacity", Ty::Int, None, "`fillOpacity`."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static STATUS_HISTORY_FIELD_CONFIG: Schema = schema(
    "status_history custom",
    "The field config of a `status_history` panel (`fieldConfig.defaults.custom`; `statushistory.jsonschema.json` `FieldConfig`).",
    &[
        f("line_width", Ty::Int, None, "`lineWidth`."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("fill_opacity", Ty::Int, None, "`fillOpacity`."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static BARCHART_FIELD_CONFIG: Schema = schema(
    "barchart custom",
    "The field config of a `barchart` panel (`fieldConfig.defaults.custom`; `barchart.jsonschema.json` `FieldConfig`).",
    &[
        f("line_width", Ty::Int, None, "Controls line width of the bars."),
        f("fill_opacity", Ty::Int, None, "Controls the fill opacity of the bars."),
        f("gradient_mode", Ty::Enum(&["none", "opacity", "hue", "scheme"]), None, "Set the mode of the gradient fill."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("thresholds_style", Ty::Record(&GRAPH_THRESHOLDS_STYLE_CONFIG), None, "Threshold rendering"),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static XYCHART_FIELD_CONFIG: Schema = schema(
    "xychart custom",
    "The field config of a `xychart` panel (`fieldConfig.defaults.custom`; `xychart.jsonschema.json` `FieldConfig`).",
    &[
        f("show", Ty::Enum(&["points", "lines", "points+lines"]), None, "`show`."),
        f("point_size", Ty::Record(&XYCHART_FIELD_CONFIG_POINT_SIZE), None, "`pointSize`."),
        f("point_shape", Ty::Enum(&["circle", "square"]), None, "`pointShape`."),
        f("point_stroke_width", Ty::Int, None, "`pointStrokeWidth`."),
        f("fill_opacity", Ty::Int, None, "`fillOpacity`."),
        f("line_width", Ty::Int, None, "`lineWidth`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("line_style", Ty::Record(&LINE_STYLE), None, "`lineStyle`."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static TREND_FIELD_CONFIG: Schema = schema(
    "trend custom",
    "The field config of a `trend` panel (`fieldConfig.defaults.custom`; `trend.jsonschema.json` `FieldConfig`).",
    &[
        f("draw_style", Ty::Enum(&["line", "bars", "points"]), None, "`drawStyle`."),
        f("gradient_mode", Ty::Enum(&["none", "opacity", "hue", "scheme"]), None, "`gradientMode`."),
        f("thresholds_style", Ty::Record(&GRAPH_THRESHOLDS_STYLE_CONFIG), None, "`thresholdsStyle`."),
        f("transform", Ty::Enum(&["constant", "negative-Y"]), None, "`transform`."),
        f("line_color", Ty::Str, None, "`lineColor`."),
        f("line_width", Ty::Num, None, "`lineWidth`."),
        f("line_interpolation", Ty::Enum(&["linear", "smooth", "stepBefore", "stepAfter"]), None, "`lineInterpolation`."),
        f("line_style", Ty::Record(&LINE_STYLE), None, "`lineStyle`."),
        f("fill_color", Ty::Str, None, "`fillColor`."),
        f("fill_opacity", Ty::Num, None, "`fillOpacity`."),
        f("show_points", Ty::Enum(&["auto", "never", "always"]), None, "`showPoints`."),
        f("point_size", Ty::Num, None, "`pointSize`."),
        f("point_color", Ty::Str, None, "`pointColor`."),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("bar_width_factor", Ty::Num, None, "`barWidthFactor`."),
        f("stacking", Ty::Record(&STACKING_CONFIG), None, "`stacking`."),
        f("hide_from", Ty::Record(&HIDE_SERIES_CONFIG), None, "`hideFrom`."),
        f("fill_below_to", Ty::Str, None, "`fillBelowTo`."),
        f("point_symbol", Ty::Str, None, "`pointSymbol`."),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
        f("bar_max_width", Ty::Num, None, "`barMaxWidth`."),
    ],
    &[],
);

pub static TIMESERIES_OPTIONS: Schema = schema(
    "timeseries options",
    "The `options` of a `timeseries` panel (`timeseries.jsonschema.json` `Options`).",
    &[
        f("timezone", Ty::ListOf(&Ty::Str), None, "`timezone`."),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "`orientation`."),
    ],
    &[],
);

pub static STAT_OPTIONS: Schema = schema(
    "stat options",
    "The `options` of a `stat` panel (`stat.jsonschema.json` `Options`).",
    &[
        f("graph_mode", Ty::Enum(&["none", "line", "area"]), None, "`graphMode`."),
        f("color_mode", Ty::Enum(&["value", "background", "background_solid", "none"]), None, "`colorMode`."),
        f("justify_mode", Ty::Enum(&["auto", "center"]), None, "`justifyMode`."),
        f("text_mode", Ty::Enum(&["auto", "value", "value_and_name", "name", "none"]), None, "`textMode`."),
        f("wide_layout", Ty::Bool, None, "`wideLayout`."),
        f("show_percent_change", Ty::Bool, None, "`showPercentChange`."),
        f("reduce_options", Ty::Record(&REDUCE_DATA_OPTIONS), None, "`reduceOptions`."),
        f("text", Ty::Record(&VIZ_TEXT_DISPLAY_OPTIONS), None, "`text`."),
        f("percent_change_color_mode", Ty::Enum(&["standard", "inverted", "same_as_value"]), None, "`percentChangeColorMode`."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "`orientation`."),
    ],
    &[],
);

pub static GAUGE_OPTIONS: Schema = schema(
    "gauge options",
    "The `options` of a `gauge` panel (`gauge.jsonschema.json` `Options`).",
    &[
        f("show_threshold_labels", Ty::Bool, None, "`showThresholdLabels`."),
        f("show_threshold_markers", Ty::Bool, None, "`showThresholdMarkers`."),
        f("sizing", Ty::Enum(&["auto", "manual"]), None, "`sizing`."),
        f("min_viz_width", Ty::Int, None, "`minVizWidth`."),
        f("reduce_options", Ty::Record(&REDUCE_DATA_OPTIONS), None, "`reduceOptions`."),
        f("text", Ty::Record(&VIZ_TEXT_DISPLAY_OPTIONS), None, "`text`."),
        f("min_viz_height", Ty::Int, None, "`minVizHeight`."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "`orientation`."),
    ],
    &[],
);

pub static BARGAUGE_OPTIONS: Schema = schema(
    "bargauge options",
    "The `options` of a `bargauge` panel (`bargauge.jsonschema.json` `Options`).",
    &[
        f("display_mode", Ty::Enum(&["basic", "lcd", "gradient"]), None, "`displayMode`."),
        f("value_mode", Ty::Enum(&["color", "text", "hidden"]), None, "`valueMode`."),
        f("name_placement", Ty::Enum(&["auto", "top", "left", "hidden"]), None, "`namePlacement`."),
        f("show_unfilled", Ty::Bool, None, "`showUnfilled`."),
        f("sizing", Ty::Enum(&["auto", "manual"]), None, "`sizing`."),
        f("min_viz_width", Ty::Int, None, "`minVizWidth`."),
        f("min_viz_height", Ty::Int, None, "`minVizHeight`."),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("reduce_options", Ty::Record(&REDUCE_DATA_OPTIONS), None, "`reduceOptions`."),
        f("text", Ty::Record(&VIZ_TEXT_DISPLAY_OPTIONS), None, "`text`."),
        f("max_viz_height", Ty::Int, None, "`maxVizHeight`."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "`orientation`."),
    ],
    &[],
);

pub static TABLE_OPTIONS: Schema = schema(
    "table options",
    "The `options` of a `table` panel (`table.jsonschema.json` `Options`).",
    &[
        f("frame_index", Ty::Num, None, "Represents the index of the selected frame"),
        f("show_header", Ty::Bool, None, "Controls whether the panel should show the header"),
        f("show_type_icons", Ty::Bool, None, "Controls whether the header should show icons for the column types"),
        f("sort_by", Ty::ListOf(&Ty::Record(&TABLE_SORT_BY_FIELD_STATE)), None, "Used to control row sorting"),
        f("footer", Ty::Record(&TABLE_FOOTER_OPTIONS), None, "Controls footer options"),
        f("cell_height", Ty::Enum(&["sm", "md", "lg", "auto"]), None, "Controls the height of the rows"),
    ],
    &[],
);

pub static LOGS_OPTIONS: Schema = schema(
    "logs options",
    "The `options` of a `logs` panel (`logs.jsonschema.json` `Options`).",
    &[
        f("show_labels", Ty::Bool, None, "`showLabels`."),
        f("show_common_labels", Ty::Bool, None, "`showCommonLabels`."),
        f("show_time", Ty::Bool, None, "`showTime`."),
        f("show_log_context_toggle", Ty::Bool, None, "`showLogContextToggle`."),
        f("wrap_log_message", Ty::Bool, None, "`wrapLogMessage`."),
        f("prettify_log_message", Ty::Bool, None, "`prettifyLogMessage`."),
        f("enable_log_details", Ty::Bool, None, "`enableLogDetails`."),
        f("sort_order", Ty::Enum(&["Descending", "Ascending"]), None, "`sortOrder`."),
        f("dedup_strategy", Ty::Enum(&["none", "exact", "numbers", "signature"]), None, "`dedupStrategy`."),
        f("enable_infinite_scrolling", Ty::Bool, None, "`enableInfiniteScrolling`."),
        f("show_controls", Ty::Bool, None, "Display controls to jump to the last or first log line, and filters by log level."),
        f("show_field_selector", Ty::Bool, None, "Show a component to manage the displayed fields from the logs."),
        f("syntax_highlighting", Ty::Bool, None, "Use a predefined coloring scheme to highlight relevant parts of the log lines."),
        f("font_size", Ty::Enum(&["default", "small"]), None, "`fontSize`."),
        f("details_mode", Ty::Enum(&["inline", "sidebar"]), None, "`detailsMode`."),
    ],
    &[],
);

pub static NODEGRAPH_OPTIONS: Schema = schema(
    "nodeGraph options",
    "The `options` of a `nodeGraph` panel (`nodegraph.jsonschema.json` `Options`).",
    &[
        f("nodes", Ty::Record(&NODE_OPTIONS), None, "`nodes`."),
        f("edges", Ty::Record(&EDGE_OPTIONS), None, "`edges`."),
        f("zoom_mode", Ty::Enum(&["cooperative", "greedy"]), None, "How to handle zoom/scroll events in the node graph"),
    ],
    &[],
);

pub static HEATMAP_OPTIONS: Schema = schema(
    "heatmap options",
    "The `options` of a `heatmap` panel (`heatmap.jsonschema.json` `Options`).",
    &[
        f("calculate", Ty::Bool, None, "Controls if the heatmap should be calculated from data"),
        f("calculation", Ty::Record(&HEATMAP_CALCULATION_OPTIONS), None, "Calculation options for the heatmap"),
        f("color", Ty::Record(&HEATMAP_COLOR_OPTIONS), None, "Controls the color options"),
        f("filter_values", Ty::Record(&FILTER_VALUE_RANGE), None, "Filters values between a given range"),
        f("rows_frame", Ty::Record(&ROWS_HEATMAP_OPTIONS), None, "Controls tick alignment and value name when not calculating from data"),
        f("show_value", Ty::Enum(&["auto", "never", "always"]), None, "Controls the display of the value in the cell"),
        f("cell_gap", Ty::Int, None, "Controls gap between cells"),
        f("cell_radius", Ty::Num, None, "Controls cell radius"),
        f("cell_values", Ty::Record(&CELL_VALUES), None, "Controls cell value unit"),
        f("y_axis", Ty::Record(&YAXIS_CONFIG), None, "Controls yAxis placement"),
        f("legend", Ty::Record(&HEATMAP_LEGEND), None, "Controls legend options"),
        f("tooltip", Ty::Record(&HEATMAP_TOOLTIP), None, "Controls tooltip options"),
        f("exemplars", Ty::Record(&EXEMPLAR_CONFIG), None, "Controls exemplar options"),
        f("selection_mode", Ty::Enum(&["x", "y", "xy"]), None, "Controls which axis to allow selection on"),
    ],
    &[],
);

pub static HISTOGRAM_OPTIONS: Schema = schema(
    "histogram options",
    "The `options` of a `histogram` panel (`histogram.jsonschema.json` `Options`).",
    &[
        f("bucket_count", Ty::Int, None, "Bucket count (approx)"),
        f("bucket_size", Ty::Int, None, "Size of each bucket"),
        f("bucket_offset", Ty::Num, None, "Offset buckets by this amount"),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("combine", Ty::Bool, None, "Combines multiple series into a single histogram"),
    ],
    &[],
);

pub static PIECHART_OPTIONS: Schema = schema(
    "piechart options",
    "The `options` of a `piechart` panel (`piechart.jsonschema.json` `Options`).",
    &[
        f("pie_type", Ty::Enum(&["pie", "donut"]), None, "`pieType`."),
        f("display_labels", Ty::ListOf(&Ty::Enum(&["name", "value", "percent"])), None, "`displayLabels`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("reduce_options", Ty::Record(&REDUCE_DATA_OPTIONS), None, "`reduceOptions`."),
        f("text", Ty::Record(&VIZ_TEXT_DISPLAY_OPTIONS), None, "`text`."),
        f("legend", Ty::Record(&PIE_CHART_LEGEND_OPTIONS), None, "`legend`."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "`orientation`."),
    ],
    &[],
);

pub static TEXT_OPTIONS: Schema = schema(
    "text options",
    "The `options` of a `text` panel (`text.jsonschema.json` `Options`).",
    &[
        f("mode", Ty::Enum(&["html", "markdown", "code"]), None, "`mode`."),
        f("code", Ty::Record(&CODE_OPTIONS), None, "`code`."),
        f("content", Ty::Str, None, "`content`."),
    ],
    &[],
);

pub static STATE_TIMELINE_OPTIONS: Schema = schema(
    "state_timeline options",
    "The `options` of a `state_timeline` panel (`statetimeline.jsonschema.json` `Options`).",
    &[
        f("show_value", Ty::Enum(&["auto", "never", "always"]), None, "Show timeline values on chart"),
        f("row_height", Ty::Num, None, "Controls the row height"),
        f("merge_values", Ty::Bool, None, "Merge equal consecutive values"),
        f("align_value", Ty::Enum(&["center", "left", "right"]), None, "Controls value alignment on the timelines"),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("timezone", Ty::ListOf(&Ty::Str), None, "`timezone`."),
        f("per_page", Ty::Num, None, "Enables pagination when > 0"),
    ],
    &[],
);

pub static STATUS_HISTORY_OPTIONS: Schema = schema(
    "status_history options",
    "The `options` of a `status_history` panel (`statushistory.jsonschema.json` `Options`).",
    &[
        f("row_height", Ty::Num, None, "Set the height of the rows"),
        f("show_value", Ty::Enum(&["auto", "never", "always"]), None, "Show values on the columns"),
        f("col_width", Ty::Num, None, "Controls the column width"),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("timezone", Ty::ListOf(&Ty::Str), None, "`timezone`."),
        f("per_page", Ty::Num, None, "Enables pagination when > 0"),
    ],
    &[],
);

pub static BARCHART_OPTIONS: Schema = schema(
    "barchart options",
    "The `options` of a `barchart` panel (`barchart.jsonschema.json` `Options`).",
    &[
        f("x_field", Ty::Str, None, "Manually select which field from the dataset to represent the x field."),
        f("color_by_field", Ty::Str, None, "Use the color value for a sibling field to color each bar value."),
        f("orientation", Ty::Enum(&["auto", "vertical", "horizontal"]), None, "Controls the orientation of the bar chart, either vertical or horizontal."),
        f("bar_radius", Ty::Num, None, "Controls the radius of each bar."),
        f("x_tick_label_rotation", Ty::Int, None, "Controls the rotation of the x axis labels."),
        f("x_tick_label_max_length", Ty::Int, None, "Sets the max length that a label can have before it is truncated."),
        f("x_tick_label_spacing", Ty::Int, None, "Controls the spacing between x axis labels."),
        f("stacking", Ty::Enum(&["none", "normal", "percent"]), None, "Controls whether bars are stacked or not, either normally or in percent mode."),
        f("show_value", Ty::Enum(&["auto", "never", "always"]), None, "This controls whether values are shown on top or to the left of bars."),
        f("bar_width", Ty::Num, None, "Controls the width of bars."),
        f("group_width", Ty::Num, None, "Controls the width of groups."),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("text", Ty::Record(&VIZ_TEXT_DISPLAY_OPTIONS), None, "`text`."),
        f("full_highlight", Ty::Bool, None, "Enables mode which highlights the entire bar area and shows tooltip when cursor hovers over highlighted area"),
    ],
    &[],
);

pub static GEOMAP_OPTIONS: Schema = schema(
    "geomap options",
    "The `options` of a `geomap` panel (`geomap.jsonschema.json` `Options`).",
    &[
        f("view", Ty::Record(&MAP_VIEW_CONFIG), None, "`view`."),
        f("controls", Ty::Record(&CONTROLS_OPTIONS), None, "`controls`."),
        f("basemap", Ty::Record(&MAP_LAYER_OPTIONS), None, "`basemap`."),
        f("layers", Ty::ListOf(&Ty::Record(&MAP_LAYER_OPTIONS)), None, "`layers`."),
        f("tooltip", Ty::Record(&TOOLTIP_OPTIONS), None, "`tooltip`."),
    ],
    &[],
);

pub static CANVAS_OPTIONS: Schema = schema(
    "canvas options",
    "The `options` of a `canvas` panel (`canvas.jsonschema.json` `Options`).",
    &[
        f("inline_editing", Ty::Bool, None, "Enable inline editing"),
        f("show_advanced_types", Ty::Bool, None, "Show all available element types"),
        f("pan_zoom", Ty::Bool, None, "Enable pan and zoom"),
        f("infinite_pan", Ty::Bool, None, "Enable infinite pan"),
        f("root", Ty::Record(&CANVAS_ROOT), None, "The root element of canvas (a frame), where all canvas elements are nested"),
    ],
    &[],
);

pub static XYCHART_OPTIONS: Schema = schema(
    "xychart options",
    "The `options` of a `xychart` panel (`xychart.jsonschema.json` `Options`).",
    &[
        f("mapping", Ty::Enum(&["auto", "manual"]), None, "`mapping`."),
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("series", Ty::ListOf(&Ty::Record(&XYSERIES_CONFIG)), None, "`series`."),
    ],
    &[],
);

pub static ANNOLIST_OPTIONS: Schema = schema(
    "annolist options",
    "The `options` of a `annolist` panel (`annotationslist.jsonschema.json` `Options`).",
    &[
        f("only_from_this_dashboard", Ty::Bool, None, "`onlyFromThisDashboard`."),
        f("only_in_time_range", Ty::Bool, None, "`onlyInTimeRange`."),
        f("tags", Ty::ListOf(&Ty::Str), None, "`tags`."),
        f("limit", Ty::Int, None, "`limit`."),
        f("show_user", Ty::Bool, None, "`showUser`."),
        f("show_time", Ty::Bool, None, "`showTime`."),
        f("show_tags", Ty::Bool, None, "`showTags`."),
        f("navigate_to_panel", Ty::Bool, None, "`navigateToPanel`."),
        f("navigate_before", Ty::Str, None, "`navigateBefore`."),
        f("navigate_after", Ty::Str, None, "`navigateAfter`."),
    ],
    &[],
);

pub static DASHLIST_OPTIONS: Schema = schema(
    "dashlist options",
    "The `options` of a `dashlist` panel (`dashboardlist.jsonschema.json` `Options`).",
    &[
        f("keep_time", Ty::Bool, None, "`keepTime`."),
        f("include_vars", Ty::Bool, None, "`includeVars`."),
        f("show_starred", Ty::Bool, None, "`showStarred`."),
        f("show_recently_viewed", Ty::Bool, None, "`showRecentlyViewed`."),
        f("show_search", Ty::Bool, None, "`showSearch`."),
        f("show_headings", Ty::Bool, None, "`showHeadings`."),
        f("show_folder_names", Ty::Bool, None, "`showFolderNames`."),
        f("max_items", Ty::Int, None, "`maxItems`."),
        f("query", Ty::Str, None, "`query`."),
        f("tags", Ty::ListOf(&Ty::Str), None, "`tags`."),
        f("folder_id", Ty::Int, None, "folderId is deprecated, and migrated to folderUid on panel init"),
        f("folder_uid", Ty::Str, None, "`folderUID`."),
    ],
    &[],
);

pub static NEWS_OPTIONS: Schema = schema(
    "news options",
    "The `options` of a `news` panel (`news.jsonschema.json` `Options`).",
    &[
        f("feed_url", Ty::Str, None, "empty/missing will default to grafana blog"),
        f("show_image", Ty::Bool, None, "`showImage`."),
    ],
    &[],
);

pub static TREND_OPTIONS: Schema = schema(
    "trend options",
    "The `options` of a `trend` panel (`trend.jsonschema.json` `Options`).",
    &[
        f("legend", Ty::Record(&VIZ_LEGEND_OPTIONS), None, "`legend`."),
        f("tooltip", Ty::Record(&VIZ_TOOLTIP_OPTIONS), None, "`tooltip`."),
        f("x_field", Ty::Str, None, "Name of the x field to use (defaults to first number)"),
    ],
    &[],
);

/// Which alert states an `alertlist` panel shows.
pub static ALERTLIST_STATE_FILTER: Schema = schema(
    "alertlist state filter",
    "The alert states an `alertlist` panel lists (`stateFilter`).",
    &[
        f("firing", Ty::Bool, None, "Firing alerts."),
        f("pending", Ty::Bool, None, "Pending alerts."),
        f("recovering", Ty::Bool, None, "Recovering alerts."),
        f("no_data", Ty::Bool, None, "Alerts with no data."),
        f("normal", Ty::Bool, None, "Normal (inactive) rules."),
        f("error", Ty::Bool, None, "Rules in error."),
    ],
    &[],
);

/// The `alertlist` panel's options. The foundation SDK has no schema for it; these follow
/// `UnifiedAlertListOptions` in Grafana's `public/app/plugins/panel/alertlist/types.ts`.
pub static ALERTLIST_OPTIONS: Schema = schema(
    "alertlist options",
    "The `options` of an `alertlist` panel (Grafana's `UnifiedAlertListOptions`).",
    &[
        f("max_items", Ty::Int, None, "How many alerts it lists."),
        f("sort_order", Ty::Int, None, "1 alphabetical, 2 alphabetical descending, 3 importance, 4 time, 5 time descending."),
        f("dashboard_alerts", Ty::Bool, None, "Only the alerts of this dashboard."),
        f("group_mode", Ty::Enum(&["default", "custom"]), None, "Group by Grafana's default or by `group_by`."),
        f("group_by", Ty::ListOf(&Ty::Str), None, "Labels to group by (`group_mode = custom`)."),
        f("alert_name", Ty::Str, None, "Only alerts whose name contains this."),
        f("show_instances", Ty::Bool, None, "List each alert instance."),
        f("state_filter", Ty::Record(&ALERTLIST_STATE_FILTER), None, "The states it shows."),
        f("alert_instance_label_filter", Ty::Str, None, "A label matcher over instances: `{severity=\"critical\"}`."),
        f("datasource", Ty::Str, None, "The alert source (`grafana` or an Alertmanager datasource's name)."),
        f("view_mode", Ty::Enum(&["list", "stat"]), None, "A list, or a count."),
        f("show_inactive_alerts", Ty::Bool, None, "Show rules with no alert."),
    ],
    &[],
);

/// A built-in panel kind: the gstack keyword of its block, Grafana's panel plugin id, and its
/// schema (every panel's fields, and its own `options { … }` and `custom { … }` when it reads any).
pub struct PanelKindDef {
    pub keyword: &'static str,
    pub plugin: &'static str,
    pub schema: &'static Schema,
    /// It shows data from its own queries (not a text, list or news panel).
    pub queries: bool,
}

const fn k(keyword: &'static str, plugin: &'static str, schema: &'static Schema, queries: bool) -> PanelKindDef {
    PanelKindDef { keyword, plugin, schema, queries }
}

panel_schema!(TIMESERIES_PANEL, TIMESERIES_OVERRIDE, &TIMESERIES_OPTIONS, &TIMESERIES_FIELD_CONFIG);
panel_schema!(STAT_PANEL, &STAT_OPTIONS);
panel_schema!(GAUGE_PANEL, &GAUGE_OPTIONS);
panel_schema!(BARGAUGE_PANEL, &BARGAUGE_OPTIONS);
panel_schema!(TABLE_PANEL, TABLE_OVERRIDE, &TABLE_OPTIONS, &TABLE_FIELD_CONFIG);
panel_schema!(LOGS_PANEL, &LOGS_OPTIONS);
panel_schema!(TRACES_PANEL);
panel_schema!(NODEGRAPH_PANEL, &NODEGRAPH_OPTIONS);
panel_schema!(HEATMAP_PANEL, HEATMAP_OVERRIDE, &HEATMAP_OPTIONS, &HEATMAP_FIELD_CONFIG);
panel_schema!(HISTOGRAM_PANEL, HISTOGRAM_OVERRIDE, &HISTOGRAM_OPTIONS, &HISTOGRAM_FIELD_CONFIG);
panel_schema!(PIECHART_PANEL, PIECHART_OVERRIDE, &PIECHART_OPTIONS, &PIECHART_FIELD_CONFIG);
panel_schema!(TEXT_PANEL, &TEXT_OPTIONS);
panel_schema!(STATE_TIMELINE_PANEL, STATE_TIMELINE_OVERRIDE, &STATE_TIMELINE_OPTIONS, &STATE_TIMELINE_FIELD_CONFIG);
panel_schema!(STATUS_HISTORY_PANEL, STATUS_HISTORY_OVERRIDE, &STATUS_HISTORY_OPTIONS, &STATUS_HISTORY_FIELD_CONFIG);
panel_schema!(BARCHART_PANEL, BARCHART_OVERRIDE, &BARCHART_OPTIONS, &BARCHART_FIELD_CONFIG);
panel_schema!(GEOMAP_PANEL, &GEOMAP_OPTIONS);
panel_schema!(CANVAS_PANEL, &CANVAS_OPTIONS);
panel_schema!(XYCHART_PANEL, XYCHART_OVERRIDE, &XYCHART_OPTIONS, &XYCHART_FIELD_CONFIG);
panel_schema!(TREND_PANEL, TREND_OVERRIDE, &TREND_OPTIONS, &TREND_FIELD_CONFIG);
panel_schema!(ALERTLIST_PANEL, &ALERTLIST_OPTIONS);
panel_schema!(ANNOLIST_PANEL, &ANNOLIST_OPTIONS);
panel_schema!(DASHLIST_PANEL, &DASHLIST_OPTIONS);
panel_schema!(NEWS_PANEL, &NEWS_OPTIONS);

/// Every panel Grafana 12 ships as a built-in (not the Angular-era ones). A keyword is the
/// plugin id, with `_` for `-` (`state_timeline`).
pub static PANEL_KIND_DEFS: &[PanelKindDef] = &[
    k("timeseries", "timeseries", &TIMESERIES_PANEL, true),
    k("stat", "stat", &STAT_PANEL, true),
    k("gauge", "gauge", &GAUGE_PANEL, true),
    k("bargauge", "bargauge", &BARGAUGE_PANEL, true),
    k("table", "table", &TABLE_PANEL, true),
    k("logs", "logs", &LOGS_PANEL, true),
    k("traces", "traces", &TRACES_PANEL, true),
    k("nodeGraph", "nodeGraph", &NODEGRAPH_PANEL, true),
    k("heatmap", "heatmap", &HEATMAP_PANEL, true),
    k("histogram", "histogram", &HISTOGRAM_PANEL, true),
    k("piechart", "piechart", &PIECHART_PANEL, true),
    k("text", "text", &TEXT_PANEL, false),
    k("state_timeline", "state-timeline", &STATE_TIMELINE_PANEL, true),
    k("status_history", "status-history", &STATUS_HISTORY_PANEL, true),
    k("barchart", "barchart", &BARCHART_PANEL, true),
    k("geomap", "geomap", &GEOMAP_PANEL, true),
    k("canvas", "canvas", &CANVAS_PANEL, true),
    k("xychart", "xychart", &XYCHART_PANEL, true),
    k("trend", "trend", &TREND_PANEL, true),
    k("alertlist", "alertlist", &ALERTLIST_PANEL, false),
    k("annolist", "annolist", &ANNOLIST_PANEL, false),
    k("dashlist", "dashlist", &DASHLIST_PANEL, false),
    k("news", "news", &NEWS_PANEL, false),
];

/// The schema of panel block `keyword` ([`PANEL`] for one that is no panel kind).
pub fn panel_schema(keyword: &str) -> &'static Schema {
    panel_kind(keyword).map_or(&PANEL, |d| d.schema)
}

/// The panel kind of a block keyword.
pub fn panel_kind(keyword: &str) -> Option<&'static PanelKindDef> {
    PANEL_KIND_DEFS.iter().find(|d| d.keyword == keyword)
}

/// Grafana's key for a typed option's snake_case name: camelCase (`show_legend` →
/// `showLegend`), except where Grafana's key does not camel-case back (`folder_uid` → `folderUID`).
pub fn grafana_key(name: &str) -> String {
    if name == "folder_uid" {
        return "folderUID".into();
    }
    let mut out = String::with_capacity(name.len());
    let mut up = false;
    for c in name.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}
