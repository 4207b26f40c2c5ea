/**
 * The filter builder's model: rows of conditions a person picks, turned
 * into Rapport's filter language exactly as libs/filter reads it (see its
 * doc.go), and read back from a stored filter (a saved view's) when the
 * builder can show it.
 */

/** Scalar is one value of a condition. */
export type Scalar = string | number | boolean;

/** Op is an operator of the filter language. */
export type Op = "eq" | "ne" | "lt" | "lte" | "gt" | "gte" | "in" | "contains" | "startsWith" | "isEmpty" | "within";

/** Condition is a leaf of a filter: a field, an operator and a value. */
export interface Condition {
  field: string;
  op: Op;
  value?: Scalar | Scalar[];
}

/** FilterNode is a filter: a group or a condition. */
export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | { not: FilterNode } | Condition;

/** FieldType is a field's type in libs/filter, which decides its operators and values. */
export type FieldType = "string" | "enum" | "uuid" | "bool" | "number" | "decimal" | "time" | "date" | "stringArray";

/** FilterField is a field the builder offers. */
export interface FilterField {
  name: string;
  /** label is what the person sees (already translated). */
  label: string;
  type: FieldType;
  /** values are an enum's values, or the options of a select. */
  values?: string[];
}

/**
 * RowOp is what the builder's operator menu offers: the language's
 * operators, with isEmpty split into "is empty" and "is not empty".
 */
export type RowOp = Op | "isNotEmpty";

/** RowValue is what a row's value control holds. */
export type RowValue = string | string[] | boolean | null;

/** Row is one condition as the builder shows it. */
export interface Row {
  key: string;
  field: string;
  op: RowOp;
  value: RowValue;
}

/** Match says whether every row must hold or any one. */
export type Match = "and" | "or";

/** BuilderState is what the builder edits. */
export interface BuilderState {
  match: Match;
  rows: Row[];
}

/** operators lists the operators of each field type, in menu order. */
export const operators: Record<FieldType, RowOp[]> = {
  string: ["contains", "eq", "ne", "startsWith", "in", "isEmpty", "isNotEmpty"],
  enum: ["eq", "ne", "in", "isEmpty", "isNotEmpty"],
  uuid: ["eq", "ne", "in", "isEmpty", "isNotEmpty"],
  bool: ["eq", "ne", "isEmpty", "isNotEmpty"],
  number: ["eq", "ne", "lt", "lte", "gt", "gte", "isEmpty", "isNotEmpty"],
  decimal: ["eq", "ne", "lt", "lte", "gt", "gte", "isEmpty", "isNotEmpty"],
  time: ["within", "gte", "lt", "isEmpty", "isNotEmpty"],
  date: ["within", "eq", "gte", "lt", "isEmpty", "isNotEmpty"],
  stringArray: ["contains", "in", "isEmpty", "isNotEmpty"],
};

/** withinPattern is the duration "within" takes: a count and h, d, w, m or y. */
export const withinPattern = /^[1-9]\d{0,5}[hdwmy]$/;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const timePattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const wholePattern = /^-?\d+$/;
const decimalPattern = /^-?\d+(\.\d+)?$/;

let counter = 0;

/** newRow is an empty row for field, with its type's first operator. */
export function newRow(field?: FilterField): Row {
  counter += 1;
  const op = field ? operators[field.type][0] : "eq";
  return { key: `r${counter}`, field: field?.name ?? "", op, value: defaultValue(field, op) };
}

/** defaultValue is the value a row starts with for a field and operator. */
export function defaultValue(field: FilterField | undefined, op: RowOp): RowValue {
  if (op === "isEmpty" || op === "isNotEmpty") return null;
  if (op === "within") return "30d";
  if (op === "in") return [];
  if (field?.type === "bool") return true;
  if (field?.type === "stringArray") return [];
  return "";
}

/**
 * scalarOf converts what a control holds into the value the field's type
 * takes, or undefined when it is not one: whole numbers as JSON numbers,
 * decimals as their text (exact), dates and times as their text.
 */
function scalarOf(type: FieldType, v: string | boolean): Scalar | undefined {
  if (type === "bool") return typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined;
  if (typeof v !== "string") return undefined;
  const s = type === "string" ? v : v.trim();
  if (s === "") return undefined;
  switch (type) {
    case "number":
      return wholePattern.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
    case "decimal":
      return decimalPattern.test(s) ? s : undefined;
    case "date":
      return datePattern.test(s) ? s : undefined;
    case "time":
      return timePattern.test(s) ? s : undefined;
    default:
      return s;
  }
}

/** listOf converts a list control's values, or undefined when any is not one or there are none. */
function listOf(type: FieldType, v: RowValue): Scalar[] | undefined {
  const items = Array.isArray(v) ? v : typeof v === "string" ? v.split(",").map((x) => x.trim()).filter(Boolean) : [];
  const out = items.map((x) => scalarOf(type === "stringArray" ? "string" : type, x));
  if (out.length === 0 || out.some((x) => x === undefined)) return undefined;
  return out as Scalar[];
}

/**
 * rowCondition is the condition a row means, or undefined while it is not
 * complete (no field, no value, a value its field does not take).
 */
export function rowCondition(row: Row, fields: FilterField[]): Condition | undefined {
  const f = fields.find((x) => x.name === row.field);
  if (!f || !operators[f.type].includes(row.op)) return undefined;
  switch (row.op) {
    case "isEmpty":
      return { field: f.name, op: "isEmpty" };
    case "isNotEmpty":
      return { field: f.name, op: "isEmpty", value: false };
    case "within":
      return typeof row.value === "string" && withinPattern.test(row.value) ? { field: f.name, op: "within", value: row.value } : undefined;
    case "in": {
      const list = listOf(f.type, row.value);
      return list ? { field: f.name, op: "in", value: list } : undefined;
    }
  }
  if (f.type === "stringArray") {
    // contains: one element is "has it", several "has all of them".
    const list = listOf(f.type, row.value);
    if (!list) return undefined;
    return { field: f.name, op: row.op, value: list.length === 1 ? list[0] : list };
  }
  if (Array.isArray(row.value) || row.value === null) return undefined;
  const v = scalarOf(f.type, row.value);
  return v === undefined ? undefined : { field: f.name, op: row.op, value: v };
}

/**
 * buildFilter is the filter the builder's rows make: undefined with no
 * complete row, the one condition alone, or an "and" or "or" group of them.
 */
export function buildFilter(state: BuilderState, fields: FilterField[]): FilterNode | undefined {
  const conds = state.rows.map((r) => rowCondition(r, fields)).filter((c): c is Condition => c !== undefined);
  if (conds.length === 0) return undefined;
  if (conds.length === 1) return conds[0];
  return state.match === "and" ? { and: conds } : { or: conds };
}

/** isCondition tells a condition from a group. */
function isCondition(n: FilterNode): n is Condition {
  return typeof n === "object" && n !== null && "field" in n;
}

/** conditionRow is the row of a condition, or undefined when the builder cannot show it. */
function conditionRow(c: Condition, fields: FilterField[]): Row | undefined {
  const f = fields.find((x) => x.name === c.field);
  if (!f) return undefined;
  const base = newRow(f);
  if (c.op === "isEmpty") return { ...base, op: c.value === false ? "isNotEmpty" : "isEmpty", value: null };
  if (!operators[f.type].includes(c.op)) return undefined;
  const v = c.value;
  if (Array.isArray(v)) return { ...base, op: c.op, value: v.map(String) };
  if (v === undefined || v === null) return undefined;
  if (f.type === "stringArray") return { ...base, op: c.op, value: [String(v)] };
  if (typeof v === "boolean") return { ...base, op: c.op, value: v };
  return { ...base, op: c.op, value: String(v) };
}

/**
 * parseFilter reads a stored filter back into rows: a condition, or an
 * "and" or "or" group of conditions on known fields. It returns undefined
 * for any other filter (nested groups, "not", unknown fields), which the
 * caller keeps as it is rather than losing it.
 */
export function parseFilter(node: unknown, fields: FilterField[]): BuilderState | undefined {
  if (node === undefined || node === null) return { match: "and", rows: [] };
  if (typeof node !== "object") return undefined;
  const n = node as FilterNode;
  let match: Match = "and";
  let conds: FilterNode[];
  if (isCondition(n)) conds = [n];
  else if ("and" in n && Array.isArray(n.and)) conds = n.and;
  else if ("or" in n && Array.isArray(n.or)) {
    match = "or";
    conds = n.or;
  } else return undefined;
  const rows: Row[] = [];
  for (const c of conds) {
    if (!isCondition(c)) return undefined;
    const r = conditionRow(c, fields);
    if (!r) return undefined;
    rows.push(r);
  }
  return { match, rows };
}

/** CustomFieldDef is the part of a custom field definition the builder reads. */
export interface CustomFieldDef {
  key: string;
  label: string;
  type: string;
  options?: string[];
}

/**
 * customFilterField is the filter field of a custom field, typed as the
 * services filter it (libs/customfields FilterField): a number or decimal
 * as a decimal, a currency by its amount in minor units, a single select as
 * an enum of its options, a multi select as a list.
 */
export function customFilterField(d: CustomFieldDef): FilterField {
  const name = `customFields.${d.key}`;
  const type: FieldType = (
    { number: "decimal", decimal: "decimal", currency: "number", date: "date", datetime: "time", boolean: "bool", singleSelect: "enum", multiSelect: "stringArray" } as Record<string, FieldType>
  )[d.type] ?? "string";
  return { name, label: d.label, type, values: d.type === "singleSelect" || d.type === "multiSelect" ? d.options ?? [] : undefined };
}
