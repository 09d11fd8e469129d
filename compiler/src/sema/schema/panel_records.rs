//! The records Grafana's built-in panels share in their `options` and field config (legend,
//! tooltip, reduce options, heatmap colours, map views, canvas elements, …), typed as
//! grafana-foundation-sdk's panel JSON Schemas define them (`jsonschema/<panel>.jsonschema.json`,
//! commit f178d5a, Apache-2.0; the schemas of Grafana 12's `panelcfg.cue` files). A field name is
//! the snake_case of Grafana's key ([`super::grafana_key`] turns it back). Fields the panel's
//! defaults cover are optional here; the Grafana backend writes those defaults.

use super::*;

/// Grafana's reducer ids (`packages/grafana-data/src/transformations/fieldReducer.ts`,
/// `ReducerID`): a stat's `calcs`, a legend's values, a table footer's reducer.
pub const REDUCERS: &[&str] = &[
    "lastNotNull", "last", "firstNotNull", "first", "min", "max", "mean", "median", "sum", "count", "countAll", "range", "delta", "step", "diff",
    "diffperc", "logmin", "allIsZero", "allIsNull", "changeCount", "distinctCount", "variance", "stdDev", "allValues", "uniqueValues",
];

/// The other names Grafana reads for some reducers (`aliasIds` in `fieldReducer.ts`), which
/// it writes back as the id: the checker points from one to the other.
pub const REDUCER_ALIASES: &[(&str, &str)] = &[("current", "lastNotNull"), ("avg", "mean"), ("total", "sum")];

pub(super) const REDUCER: Ty = Ty::Enum(REDUCERS);

pub static GRAPH_THRESHOLDS_STYLE_CONFIG: Schema = schema(
    "GraphThresholdsStyleConfig",
    "Grafana's `GraphThresholdsStyleConfig` (panel options).",
    &[
        req("mode", Ty::Enum(&["off", "line", "dashed", "area", "line+area", "dashed+area", "series"]), "`mode`."),
    ],
    &[],
);

pub static LINE_STYLE: Schema = schema(
    "LineStyle",
    "Grafana's `LineStyle` (panel options).",
    &[
        f("fill", Ty::Enum(&["solid", "dash", "dot", "square"]), None, "`fill`."),
        f("dash", Ty::ListOf(&Ty::Num), None, "`dash`."),
    ],
    &[],
);

pub static SCALE_DISTRIBUTION_CONFIG: Schema = schema(
    "ScaleDistributionConfig",
    "Grafana's `ScaleDistributionConfig` (panel options).",
    &[
        req("type", Ty::Enum(&["linear", "log", "ordinal", "symlog"]), "`type`."),
        f("log", Ty::Num, None, "`log`."),
        f("linear_threshold", Ty::Num, None, "`linearThreshold`."),
    ],
    &[],
);

pub static STACKING_CONFIG: Schema = schema(
    "StackingConfig",
    "Grafana's `StackingConfig` (panel options).",
    &[
        f("mode", Ty::Enum(&["none", "normal", "percent"]), None, "`mode`."),
        f("group", Ty::Str, None, "`group`."),
    ],
    &[],
);

pub static HIDE_SERIES_CONFIG: Schema = schema(
    "HideSeriesConfig",
    "Grafana's `HideSeriesConfig` (panel options).",
    &[
        req("tooltip", Ty::Bool, "`tooltip`."),
        req("legend", Ty::Bool, "`legend`."),
        req("viz", Ty::Bool, "`viz`."),
    ],
    &[],
);

pub static VIZ_LEGEND_OPTIONS: Schema = schema(
    "VizLegendOptions",
    "Grafana's `VizLegendOptions` (panel options).",
    &[
        f("display_mode", Ty::Enum(&["list", "table", "hidden"]), None, "`displayMode`."),
        f("placement", Ty::Enum(&["bottom", "right"]), None, "`placement`."),
        f("show_legend", Ty::Bool, None, "`showLegend`."),
        f("as_table", Ty::Bool, None, "`asTable`."),
        f("is_visible", Ty::Bool, None, "`isVisible`."),
        f("sort_by", Ty::Str, None, "`sortBy`."),
        f("sort_desc", Ty::Bool, None, "`sortDesc`."),
        f("width", Ty::Num, None, "`width`."),
        f("calcs", Ty::ListOf(&REDUCER), None, "`calcs`."),
    ],
    &[],
);

pub static VIZ_TOOLTIP_OPTIONS: Schema = schema(
    "VizTooltipOptions",
    "Grafana's `VizTooltipOptions` (panel options).",
    &[
        f("mode", Ty::Enum(&["single", "multi", "none"]), None, "`mode`."),
        f("sort", Ty::Enum(&["asc", "desc", "none"]), None, "`sort`."),
        f("max_width", Ty::Num, None, "`maxWidth`."),
        f("max_height", Ty::Num, None, "`maxHeight`."),
        f("hide_zeros", Ty::Bool, None, "`hideZeros`."),
    ],
    &[],
);

pub static REDUCE_DATA_OPTIONS: Schema = schema(
    "ReduceDataOptions",
    "Grafana's `ReduceDataOptions` (panel options).",
    &[
        f("values", Ty::Bool, None, "If true show each row value"),
        f("limit", Ty::Num, None, "if showing all values limit"),
        f("calcs", Ty::ListOf(&REDUCER), None, "When !values, pick one value for the whole field"),
        f("fields", Ty::Str, None, "Which fields to show."),
    ],
    &[],
);

pub static VIZ_TEXT_DISPLAY_OPTIONS: Schema = schema(
    "VizTextDisplayOptions",
    "Grafana's `VizTextDisplayOptions` (panel options).",
    &[
        f("title_size", Ty::Num, None, "Explicit title text size"),
        f("value_size", Ty::Num, None, "Explicit value text size"),
        f("percent_size", Ty::Num, None, "Explicit percent text size"),
    ],
    &[],
);

pub static TABLE_SORT_BY_FIELD_STATE: Schema = schema(
    "TableSortByFieldState",
    "Grafana's `TableSortByFieldState` (panel options).",
    &[
        req("display_name", Ty::Str, "Sets the display name of the field to sort by"),
        f("desc", Ty::Bool, None, "Flag used to indicate descending sort order"),
    ],
    &[],
);

pub static TABLE_FOOTER_OPTIONS: Schema = schema(
    "TableFooterOptions",
    "Grafana's `TableFooterOptions` (panel options).",
    &[
        f("show", Ty::Bool, None, "`show`."),
        f("reducer", Ty::ListOf(&REDUCER), None, "actually 1 value"),
        f("fields", Ty::ListOf(&Ty::Str), None, "`fields`."),
        f("enable_pagination", Ty::Bool, None, "`enablePagination`."),
        f("count_rows", Ty::Bool, None, "`countRows`."),
    ],
    &[],
);

pub static ARC_OPTION: Schema = schema(
    "ArcOption",
    "Grafana's `ArcOption` (panel options).",
    &[
        f("field", Ty::Str, None, "Field from which to get the value."),
        f("color", Ty::Str, None, "The color of the arc."),
    ],
    &[],
);

pub static NODE_OPTIONS: Schema = schema(
    "NodeOptions",
    "Grafana's `NodeOptions` (panel options).",
    &[
        f("main_stat_unit", Ty::Str, None, "Unit for the main stat to override what ever is set in the data frame."),
        f("secondary_stat_unit", Ty::Str, None, "Unit for the secondary stat to override what ever is set in the data frame."),
        f("arcs", Ty::ListOf(&Ty::Record(&ARC_OPTION)), None, "Define which fields are shown as part of the node arc (colored circle around the node)."),
    ],
    &[],
);

pub static EDGE_OPTIONS: Schema = schema(
    "EdgeOptions",
    "Grafana's `EdgeOptions` (panel options).",
    &[
        f("main_stat_unit", Ty::Str, None, "Unit for the main stat to override what ever is set in the data frame."),
        f("secondary_stat_unit", Ty::Str, None, "Unit for the secondary stat to override what ever is set in the data frame."),
    ],
    &[],
);

pub static HEATMAP_CALCULATION_BUCKET_CONFIG: Schema = schema(
    "HeatmapCalculationBucketConfig",
    "Grafana's `HeatmapCalculationBucketConfig` (panel options).",
    &[
        f("mode", Ty::Enum(&["size", "count"]), None, "Sets the bucket calculation mode"),
        f("value", Ty::Str, None, "The number of buckets to use for the axis in the heatmap"),
        f("scale", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "Controls the scale of the buckets"),
    ],
    &[],
);

pub static HEATMAP_CALCULATION_OPTIONS: Schema = schema(
    "HeatmapCalculationOptions",
    "Grafana's `HeatmapCalculationOptions` (panel options).",
    &[
        f("x_buckets", Ty::Record(&HEATMAP_CALCULATION_BUCKET_CONFIG), None, "The number of buckets to use for the xAxis in the heatmap"),
        f("y_buckets", Ty::Record(&HEATMAP_CALCULATION_BUCKET_CONFIG), None, "The number of buckets to use for the yAxis in the heatmap"),
    ],
    &[],
);

pub static HEATMAP_COLOR_OPTIONS: Schema = schema(
    "HeatmapColorOptions",
    "Grafana's `HeatmapColorOptions` (panel options).",
    &[
        f("mode", Ty::Enum(&["opacity", "scheme"]), None, "Sets the color mode"),
        f("scheme", Ty::Str, None, "Controls the color scheme used"),
        f("fill", Ty::Str, None, "Controls the color fill when in opacity mode"),
        f("scale", Ty::Enum(&["linear", "exponential"]), None, "Controls the color scale"),
        f("exponent", Ty::Num, None, "Controls the exponent when scale is set to exponential"),
        f("steps", Ty::Int, None, "Controls the number of color steps"),
        f("reverse", Ty::Bool, None, "Reverses the color scheme"),
        f("min", Ty::Num, None, "Sets the minimum value for the color scale"),
        f("max", Ty::Num, None, "Sets the maximum value for the color scale"),
    ],
    &[],
);

pub static FILTER_VALUE_RANGE: Schema = schema(
    "FilterValueRange",
    "Grafana's `FilterValueRange` (panel options).",
    &[
        f("le", Ty::Num, None, "Sets the filter range to values less than or equal to the given value"),
        f("ge", Ty::Num, None, "Sets the filter range to values greater than or equal to the given value"),
    ],
    &[],
);

pub static ROWS_HEATMAP_OPTIONS: Schema = schema(
    "RowsHeatmapOptions",
    "Grafana's `RowsHeatmapOptions` (panel options).",
    &[
        f("value", Ty::Str, None, "Sets the name of the cell when not calculating from data"),
        f("layout", Ty::Enum(&["le", "ge", "unknown", "auto"]), None, "Controls tick alignment when not calculating from data"),
    ],
    &[],
);

pub static CELL_VALUES: Schema = schema(
    "CellValues",
    "Grafana's `CellValues` (panel options).",
    &[
        f("unit", Ty::Str, None, "Controls the cell value unit"),
        f("decimals", Ty::Num, None, "Controls the number of decimals for cell values"),
    ],
    &[],
);

pub static YAXIS_CONFIG: Schema = schema(
    "YAxisConfig",
    "Grafana's `YAxisConfig` (panel options).",
    &[
        f("unit", Ty::Str, None, "Sets the yAxis unit"),
        f("reverse", Ty::Bool, None, "Reverses the yAxis"),
        f("decimals", Ty::Num, None, "Controls the number of decimals for yAxis values"),
        f("min", Ty::Num, None, "Sets the minimum value for the yAxis"),
        f("axis_placement", Ty::Enum(&["auto", "top", "right", "bottom", "left", "hidden"]), None, "`axisPlacement`."),
        f("axis_color_mode", Ty::Enum(&["text", "series"]), None, "`axisColorMode`."),
        f("axis_label", Ty::Str, None, "`axisLabel`."),
        f("axis_width", Ty::Num, None, "`axisWidth`."),
        f("axis_soft_min", Ty::Num, None, "`axisSoftMin`."),
        f("axis_soft_max", Ty::Num, None, "`axisSoftMax`."),
        f("axis_grid_show", Ty::Bool, None, "`axisGridShow`."),
        f("scale_distribution", Ty::Record(&SCALE_DISTRIBUTION_CONFIG), None, "`scaleDistribution`."),
        f("axis_centered_zero", Ty::Bool, None, "`axisCenteredZero`."),
        f("max", Ty::Num, None, "Sets the maximum value for the yAxis"),
        f("axis_border_show", Ty::Bool, None, "`axisBorderShow`."),
    ],
    &[],
);

pub static HEATMAP_LEGEND: Schema = schema(
    "HeatmapLegend",
    "Grafana's `HeatmapLegend` (panel options).",
    &[
        f("show", Ty::Bool, None, "Controls if the legend is shown"),
    ],
    &[],
);

pub static HEATMAP_TOOLTIP: Schema = schema(
    "HeatmapTooltip",
    "Grafana's `HeatmapTooltip` (panel options).",
    &[
        f("mode", Ty::Enum(&["single", "multi", "none"]), None, "Controls how the tooltip is shown"),
        f("max_height", Ty::Num, None, "`maxHeight`."),
        f("max_width", Ty::Num, None, "`maxWidth`."),
        f("y_histogram", Ty::Bool, None, "Controls if the tooltip shows a histogram of the y-axis values"),
        f("show_color_scale", Ty::Bool, None, "Controls if the tooltip shows a color scale in header"),
    ],
    &[],
);

pub static EXEMPLAR_CONFIG: Schema = schema(
    "ExemplarConfig",
    "Grafana's `ExemplarConfig` (panel options).",
    &[
        f("color", Ty::Str, None, "Sets the color of the exemplar markers"),
    ],
    &[],
);

pub static PIE_CHART_LEGEND_OPTIONS: Schema = schema(
    "PieChartLegendOptions",
    "Grafana's `PieChartLegendOptions` (panel options).",
    &[
        f("values", Ty::ListOf(&Ty::Enum(&["value", "percent"])), None, "`values`."),
        f("display_mode", Ty::Enum(&["list", "table", "hidden"]), None, "`displayMode`."),
        f("placement", Ty::Enum(&["bottom", "right"]), None, "`placement`."),
        f("show_legend", Ty::Bool, None, "`showLegend`."),
        f("as_table", Ty::Bool, None, "`asTable`."),
        f("is_visible", Ty::Bool, None, "`isVisible`."),
        f("sort_by", Ty::Str, None, "`sortBy`."),
        f("sort_desc", Ty::Bool, None, "`sortDesc`."),
        f("width", Ty::Num, None, "`width`."),
        f("calcs", Ty::ListOf(&REDUCER), None, "`calcs`."),
    ],
    &[],
);

pub static CODE_OPTIONS: Schema = schema(
    "CodeOptions",
    "Grafana's `CodeOptions` (panel options).",
    &[
        req("language", Ty::Enum(&["json", "yaml", "xml", "typescript", "sql", "go", "markdown", "html", "plaintext"]), "The language passed to monaco code editor"),
        req("show_line_numbers", Ty::Bool, "`showLineNumbers`."),
        req("show_mini_map", Ty::Bool, "`showMiniMap`."),
    ],
    &[],
);

pub static MAP_VIEW_CONFIG: Schema = schema(
    "MapViewConfig",
    "Grafana's `MapViewConfig` (panel options).",
    &[
        f("id", Ty::Str, None, "`id`."),
        f("lat", Ty::Int, None, "`lat`."),
        f("lon", Ty::Int, None, "`lon`."),
        f("zoom", Ty::Int, None, "`zoom`."),
        f("min_zoom", Ty::Int, None, "`minZoom`."),
        f("max_zoom", Ty::Int, None, "`maxZoom`."),
        f("padding", Ty::Int, None, "`padding`."),
        f("all_layers", Ty::Bool, None, "`allLayers`."),
        f("last_only", Ty::Bool, None, "`lastOnly`."),
        f("layer", Ty::Str, None, "`layer`."),
        f("shared", Ty::Bool, None, "`shared`."),
    ],
    &[],
);

pub static CONTROLS_OPTIONS: Schema = schema(
    "ControlsOptions",
    "Grafana's `ControlsOptions` (panel options).",
    &[
        f("show_zoom", Ty::Bool, None, "Zoom (upper left)"),
        f("mouse_wheel_zoom", Ty::Bool, None, "let the mouse wheel zoom"),
        f("show_attribution", Ty::Bool, None, "Lower right"),
        f("show_scale", Ty::Bool, None, "Scale options"),
        f("show_debug", Ty::Bool, None, "Show debug"),
        f("show_measure", Ty::Bool, None, "Show measure"),
    ],
    &[],
);

pub static FRAME_GEOMETRY_SOURCE: Schema = schema(
    "FrameGeometrySource",
    "Grafana's `FrameGeometrySource` (panel options).",
    &[
        req("mode", Ty::Enum(&["auto", "geohash", "coords", "lookup"]), "`mode`."),
        f("geohash", Ty::Str, None, "Field mappings"),
        f("latitude", Ty::Str, None, "`latitude`."),
        f("longitude", Ty::Str, None, "`longitude`."),
        f("wkt", Ty::Str, None, "`wkt`."),
        f("lookup", Ty::Str, None, "`lookup`."),
        f("gazetteer", Ty::Str, None, "Path to Gazetteer"),
    ],
    &[],
);

pub static MAP_LAYER_OPTIONS: Schema = schema(
    "MapLayerOptions",
    "Grafana's `MapLayerOptions` (panel options).",
    &[
        req("type", Ty::Str, "`type`."),
        req("name", Ty::Str, "configured unique display name"),
        f("location", Ty::Record(&FRAME_GEOMETRY_SOURCE), None, "Common method to define geometry fields"),
        f("opacity", Ty::Int, None, "Common properties: https://openlayers.org/en/latest/apidoc/module-ol_layer_Base-BaseLayer.html Layer opacity (0-1)"),
        f("tooltip", Ty::Bool, None, "Check tooltip (defaults to true)"),
    ],
    &[],
);

pub static TOOLTIP_OPTIONS: Schema = schema(
    "TooltipOptions",
    "Grafana's `TooltipOptions` (panel options).",
    &[
        f("mode", Ty::Enum(&["none", "details"]), None, "`mode`."),
    ],
    &[],
);

pub static CONSTRAINT: Schema = schema(
    "Constraint",
    "Grafana's `Constraint` (panel options).",
    &[
        f("horizontal", Ty::Enum(&["left", "right", "leftright", "center", "scale"]), None, "`horizontal`."),
        f("vertical", Ty::Enum(&["top", "bottom", "topbottom", "center", "scale"]), None, "`vertical`."),
    ],
    &[],
);

pub static PLACEMENT: Schema = schema(
    "Placement",
    "Grafana's `Placement` (panel options).",
    &[
        f("top", Ty::Num, None, "`top`."),
        f("left", Ty::Num, None, "`left`."),
        f("right", Ty::Num, None, "`right`."),
        f("bottom", Ty::Num, None, "`bottom`."),
        f("width", Ty::Num, None, "`width`."),
        f("height", Ty::Num, None, "`height`."),
        f("rotation", Ty::Num, None, "`rotation`."),
    ],
    &[],
);

pub static COLOR_DIMENSION_CONFIG: Schema = schema(
    "ColorDimensionConfig",
    "Grafana's `ColorDimensionConfig` (panel options).",
    &[
        f("fixed", Ty::Str, None, "color value"),
        f("field", Ty::Str, None, "fixed: T -- will be added by each element"),
    ],
    &[],
);

pub static RESOURCE_DIMENSION_CONFIG: Schema = schema(
    "ResourceDimensionConfig",
    "Grafana's `ResourceDimensionConfig` (panel options).",
    &[
        req("mode", Ty::Enum(&["fixed", "field", "mapping"]), "`mode`."),
        f("field", Ty::Str, None, "fixed: T -- will be added by each element"),
        f("fixed", Ty::Str, None, "`fixed`."),
    ],
    &[],
);

pub static BACKGROUND_CONFIG: Schema = schema(
    "BackgroundConfig",
    "Grafana's `BackgroundConfig` (panel options).",
    &[
        f("color", Ty::Record(&COLOR_DIMENSION_CONFIG), None, "`color`."),
        f("image", Ty::Record(&RESOURCE_DIMENSION_CONFIG), None, "`image`."),
        f("size", Ty::Enum(&["original", "contain", "cover", "fill", "tile"]), None, "`size`."),
    ],
    &[],
);

pub static LINE_CONFIG: Schema = schema(
    "LineConfig",
    "Grafana's `LineConfig` (panel options).",
    &[
        f("color", Ty::Record(&COLOR_DIMENSION_CONFIG), None, "`color`."),
        f("width", Ty::Num, None, "`width`."),
        f("radius", Ty::Num, None, "`radius`."),
    ],
    &[],
);

pub static CONNECTION_COORDINATES: Schema = schema(
    "ConnectionCoordinates",
    "Grafana's `ConnectionCoordinates` (panel options).",
    &[
        req("x", Ty::Num, "`x`."),
        req("y", Ty::Num, "`y`."),
    ],
    &[],
);

pub static SCALE_DIMENSION_CONFIG: Schema = schema(
    "ScaleDimensionConfig",
    "Grafana's `ScaleDimensionConfig` (panel options).",
    &[
        req("min", Ty::Num, "`min`."),
        req("max", Ty::Num, "`max`."),
        f("fixed", Ty::Num, None, "`fixed`."),
        f("field", Ty::Str, None, "fixed: T -- will be added by each element"),
        f("mode", Ty::Enum(&["linear", "quad"]), None, "`mode`, default `linear`."),
    ],
    &[],
);

pub static CANVAS_CONNECTION: Schema = schema(
    "CanvasConnection",
    "Grafana's `CanvasConnection` (panel options).",
    &[
        req("source", Ty::Record(&CONNECTION_COORDINATES), "`source`."),
        req("target", Ty::Record(&CONNECTION_COORDINATES), "`target`."),
        f("target_name", Ty::Str, None, "`targetName`."),
        req("path", Ty::Enum(&["straight"]), "`path`."),
        f("color", Ty::Record(&COLOR_DIMENSION_CONFIG), None, "`color`."),
        f("size", Ty::Record(&SCALE_DIMENSION_CONFIG), None, "`size`."),
        f("vertices", Ty::ListOf(&Ty::Record(&CONNECTION_COORDINATES)), None, "`vertices`."),
        f("source_original", Ty::Record(&CONNECTION_COORDINATES), None, "`sourceOriginal`."),
        f("target_original", Ty::Record(&CONNECTION_COORDINATES), None, "`targetOriginal`."),
    ],
    &[],
);

pub static CANVAS_ELEMENT_OPTIONS: Schema = schema(
    "CanvasElementOptions",
    "Grafana's `CanvasElementOptions` (panel options).",
    &[
        req("name", Ty::Str, "`name`."),
        req("type", Ty::Str, "`type`."),
        f("constraint", Ty::Record(&CONSTRAINT), None, "`constraint`."),
        f("placement", Ty::Record(&PLACEMENT), None, "`placement`."),
        f("background", Ty::Record(&BACKGROUND_CONFIG), None, "`background`."),
        f("border", Ty::Record(&LINE_CONFIG), None, "`border`."),
        f("connections", Ty::ListOf(&Ty::Record(&CANVAS_CONNECTION)), None, "`connections`."),
    ],
    &[],
);

pub static CANVAS_ROOT: Schema = schema(
    "canvasRoot",
    "Grafana's `canvasRoot` (panel options).",
    &[
        f("name", Ty::Str, None, "Name of the root element"),
        f("type", Ty::Enum(&["frame"]), None, "Type of root element (frame)"),
        req("elements", Ty::ListOf(&Ty::Record(&CANVAS_ELEMENT_OPTIONS)), "The list of canvas elements attached to the root element"),
    ],
    &[],
);

pub static XYCHART_FIELD_CONFIG_POINT_SIZE: Schema = schema(
    "xychartFieldConfigPointSize",
    "Grafana's `xychartFieldConfigPointSize` (panel options).",
    &[
        f("fixed", Ty::Int, None, "`fixed`."),
        f("min", Ty::Int, None, "`min`."),
        f("max", Ty::Int, None, "`max`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_NAME: Schema = schema(
    "XYSeriesConfigName",
    "Grafana's `XYSeriesConfigName` (panel options).",
    &[
        f("fixed", Ty::Str, None, "`fixed`."),
    ],
    &[],
);

pub static MATCHER_CONFIG: Schema = schema(
    "MatcherConfig",
    "Grafana's `MatcherConfig` (panel options).",
    &[
        req("id", Ty::Str, "The matcher id."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_FRAME: Schema = schema(
    "XYSeriesConfigFrame",
    "Grafana's `XYSeriesConfigFrame` (panel options).",
    &[
        req("matcher", Ty::Record(&MATCHER_CONFIG), "`matcher`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_X: Schema = schema(
    "XYSeriesConfigX",
    "Grafana's `XYSeriesConfigX` (panel options).",
    &[
        req("matcher", Ty::Record(&MATCHER_CONFIG), "`matcher`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_Y: Schema = schema(
    "XYSeriesConfigY",
    "Grafana's `XYSeriesConfigY` (panel options).",
    &[
        req("matcher", Ty::Record(&MATCHER_CONFIG), "`matcher`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_COLOR: Schema = schema(
    "XYSeriesConfigColor",
    "Grafana's `XYSeriesConfigColor` (panel options).",
    &[
        req("matcher", Ty::Record(&MATCHER_CONFIG), "`matcher`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG_SIZE: Schema = schema(
    "XYSeriesConfigSize",
    "Grafana's `XYSeriesConfigSize` (panel options).",
    &[
        req("matcher", Ty::Record(&MATCHER_CONFIG), "`matcher`."),
    ],
    &[],
);

pub static XYSERIES_CONFIG: Schema = schema(
    "XYSeriesConfig",
    "Grafana's `XYSeriesConfig` (panel options).",
    &[
        f("name", Ty::Record(&XYSERIES_CONFIG_NAME), None, "`name`."),
        f("frame", Ty::Record(&XYSERIES_CONFIG_FRAME), None, "`frame`."),
        f("x", Ty::Record(&XYSERIES_CONFIG_X), None, "`x`."),
        f("y", Ty::Record(&XYSERIES_CONFIG_Y), None, "`y`."),
        f("color", Ty::Record(&XYSERIES_CONFIG_COLOR), None, "`color`."),
        f("size", Ty::Record(&XYSERIES_CONFIG_SIZE), None, "`size`."),
    ],
    &[],
);
