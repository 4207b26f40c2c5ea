import { ApiError } from "../../api/problem";

/**
 * onFilter moves a problem naming a part of the filter ("filter/and/0/field",
 * "filter.field") onto the filter's own field, saying which part, so that
 * the form shows it under the filter box; other errors pass unchanged.
 */
export function onFilter(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const errors = err.fields.map((f) => (/^filter[/.[]/.test(f.field) ? { field: "filter", reason: `${f.field.slice("filter".length + 1)}: ${f.reason}` } : f));
  return new ApiError(err.status, { ...err.problem, errors });
}
