//! A panel's transformations (`transform ID { … }`, Grafana's `transformations`), a typed subset
//! of Grafana's transformers with the option names of
//! `packages/grafana-data/src/transformations/transformers/<id>.ts` in snake_case, shaped for
//! writing (`exclude = ["Time"]` is `excludeByName: { Time: true }`). Any other transformation
//! goes in the panel's `settings { transformations = [{ id = …, options = { … } }] }`.

use super::*;

const NAMES: Ty = Ty::ListOf(&Ty::Str);

pub static T_ORGANIZE: Schema = schema(
    "transform organize",
    "Hide, rename and order fields by their display names (`organize`).",
    &[
        f("exclude", NAMES, None, "Fields to hide (`excludeByName`)."),
        f("include", NAMES, None, "Only these fields (`includeByName`)."),
        f("rename", Ty::StrMap, None, "Field → new name (`renameByName`)."),
        f("order", NAMES, None, "Fields in this order, the rest after (`indexByName`, `fieldOrder` `manual`)."),
    ],
    &[],
);
pub static T_MERGE: Schema = schema("transform merge", "Merge the queries' frames into one table (`merge`).", &[], &[]);
pub static T_SERIES_TO_ROWS: Schema = schema("transform seriesToRows", "One row per series and time: `Time`, `Metric`, `Value` (`seriesToRows`).", &[], &[]);
pub static T_REDUCE: Schema = schema(
    "transform reduce",
    "Reduce each field to values (`reduce`).",
    &[
        req("reducers", Ty::ListOf(&REDUCER), "Reducer ids (`reducers`): `[mean, max]`."),
        f("mode", Ty::Enum(&["seriesToRows", "reduceFields"]), None, "A row per field (`seriesToRows`, the default) or the fields reduced in place."),
        f("include_time_field", Ty::Bool, None, "Reduce the time field too (`includeTimeField`)."),
        f("labels_to_fields", Ty::Bool, None, "Labels as fields (`labelsToFields`)."),
    ],
    &[],
);
pub static T_FILTER_FIELDS_BY_NAME: Schema = schema(
    "transform filterFieldsByName",
    "Keep or drop fields by name or regex (`filterFieldsByName`).",
    &[
        f("names", NAMES, None, "Keep these fields (`include.names`)."),
        f("pattern", Ty::Str, None, "Keep the fields matching this regex (`include.pattern`)."),
        f("exclude_names", NAMES, None, "Drop these fields (`exclude.names`)."),
        f("exclude_pattern", Ty::Str, None, "Drop the fields matching this regex (`exclude.pattern`)."),
    ],
    &[],
);
pub static T_FILTER_BY_REF_ID: Schema = schema(
    "transform filterByRefId",
    "Keep the frames of some queries (`filterByRefId`).",
    &[req("include", Ty::Str, "The refIds: `A`, `A|B`, or a `/regex/`.")],
    &[],
);
pub static T_SORT_BY: Schema = schema(
    "transform sortBy",
    "Sort the rows by a field (`sortBy`).",
    &[req("field", Ty::Str, "The field's display name."), f("desc", Ty::Bool, Some(Lit::Bool(false)), "Descending.")],
    &[],
);
pub static T_LIMIT: Schema = schema("transform limit", "The first rows only (`limit`).", &[req("limit", Ty::Int, "How many rows (`limitField`); negative: the last ones.")], &[]);
pub static T_JOIN_BY_FIELD: Schema = schema(
    "transform joinByField",
    "Join the frames on a field (`joinByField`).",
    &[
        f("field", Ty::Str, None, "The field to join on (`byField`); default the time."),
        f("mode", Ty::Enum(&["outer", "inner", "outerTabular"]), None, "How (`mode`); default `outer`."),
    ],
    &[],
);
pub static T_RENAME_BY_REGEX: Schema = schema(
    "transform renameByRegex",
    "Rename fields by a regex (`renameByRegex`).",
    &[req("regex", Ty::Str, "The regex over field names."), req("rename_pattern", Ty::Str, "The new name, with `$1` for groups (`renamePattern`).")],
    &[],
);
pub static T_LABELS_TO_FIELDS: Schema = schema(
    "transform labelsToFields",
    "Series labels as fields (`labelsToFields`).",
    &[
        f("mode", Ty::Enum(&["columns", "rows"]), None, "A column per label (the default) or a row."),
        f("keep_labels", NAMES, None, "Only these labels (`keepLabels`)."),
        f("value_label", Ty::Str, None, "The label whose value names the value field (`valueLabel`)."),
    ],
    &[],
);
pub static T_CALCULATE_FIELD: Schema = schema(
    "transform calculateField",
    "A new field from others (`calculateField`): a row's reduction, or a binary operation.",
    &[
        f("mode", Ty::Enum(&["reduceRow", "binary"]), Some(Lit::Sym("reduceRow")), "Reduce each row (`reduceRow`) or combine two values (`binary`)."),
        f("alias", Ty::Str, None, "The new field's name."),
        f("replace_fields", Ty::Bool, None, "Show only the new field (`replaceFields`)."),
        f("reducer", Ty::Enum(REDUCERS), None, "`reduceRow`: the reducer (`reduce.reducer`); default `sum`."),
        f("include", NAMES, None, "`reduceRow`: the fields it reduces (`reduce.include`); default every number field."),
        f("left", Ty::Str, None, "`binary`: a field's name or a number."),
        f("operator", Ty::Enum(&["+", "-", "*", "/"]), None, "`binary`: the operator, quoted (`\"/\"`)."),
        f("right", Ty::Str, None, "`binary`: a field's name or a number."),
    ],
    &[],
);
pub static T_CONVERT_FIELD_TYPE: Schema = schema(
    "transform convertFieldType",
    "Convert fields to another type (`convertFieldType`).",
    &[req("conversions", Ty::StrMap, "Field → `time`, `number`, `string`, `boolean`, `enum` or `other` (`targetField`, `destinationType`).")],
    &[],
);
pub static T_GROUP_BY: Schema = schema(
    "transform groupBy",
    "Group rows by fields and reduce the others (`groupBy`).",
    &[req("group_by", NAMES, "The fields to group by (operation `groupby`)."), f("aggregate", Ty::StrMap, None, "Field → reducer id (operation `aggregate`): `[\"latency\": \"mean\"]`.")],
    &[],
);

/// The transformations gstack types, by Grafana's transformer id (`DataTransformerID`,
/// `transformers/ids.ts`).
pub static TRANSFORMATIONS: &[(&str, &Schema)] = &[
    ("organize", &T_ORGANIZE),
    ("merge", &T_MERGE),
    ("seriesToRows", &T_SERIES_TO_ROWS),
    ("reduce", &T_REDUCE),
    ("filterFieldsByName", &T_FILTER_FIELDS_BY_NAME),
    ("filterByRefId", &T_FILTER_BY_REF_ID),
    ("sortBy", &T_SORT_BY),
    ("limit", &T_LIMIT),
    ("joinByField", &T_JOIN_BY_FIELD),
    ("renameByRegex", &T_RENAME_BY_REGEX),
    ("labelsToFields", &T_LABELS_TO_FIELDS),
    ("calculateField", &T_CALCULATE_FIELD),
    ("convertFieldType", &T_CONVERT_FIELD_TYPE),
    ("groupBy", &T_GROUP_BY),
];

/// The destination types `convertFieldType` takes (`FieldType` names).
pub const FIELD_TYPES: &[&str] = &["time", "number", "string", "boolean", "enum", "other"];

/// The `transform` block of a panel: checked against [`TRANSFORMATIONS`] by its label.
pub static TRANSFORM: Schema = schema(
    "transform",
    "A transformation of the panel's data, its label Grafana's transformer id: `transform organize { exclude = [\"Time\"] }`. Typed: organize, merge, seriesToRows, reduce, filterFieldsByName, filterByRefId, sortBy, limit, joinByField, renameByRegex, labelsToFields, calculateField, convertFieldType, groupBy; they apply in order.",
    &[],
    &[],
);
