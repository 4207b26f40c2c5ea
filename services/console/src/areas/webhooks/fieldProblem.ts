import { ApiError } from "../../api/problem";

/** whole matches a problem's field inside the filter ("filter/and/0/field") or one of the event types ("eventTypes/2"). */
const whole = /^(filter|eventTypes)[/.[](.*)$/;

/**
 * ontoFields moves a problem naming a part of the filter or one event type
 * onto the form's field (the filter box, the types' picker), saying which
 * part, so that the form shows it under that field; other errors pass
 * unchanged.
 */
export function ontoFields(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const errors = err.fields.map((f) => {
    const m = whole.exec(f.field);
    return m ? { field: m[1], reason: `${m[2]}: ${f.reason}` } : f;
  });
  return new ApiError(err.status, { ...err.problem, errors });
}
