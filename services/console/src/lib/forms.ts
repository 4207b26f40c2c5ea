import type { FormInstance } from "antd";
import { ApiError, fieldPath } from "../api/problem";

/**
 * applyProblem shows a failed submit's problem+json on the form fields it
 * names and returns the message of what no field of the form shows (or ""
 * when every error found its field). The values typed stay in the form.
 */
export function applyProblem(form: FormInstance, err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const known = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
  const unplaced: string[] = [];
  const fields = err.fields.flatMap((f) => {
    const name = fieldPath(f.field);
    if (!known.has(String(name[0]))) {
      unplaced.push(`${f.field}: ${f.reason}`);
      return [];
    }
    return [{ name, errors: [f.reason] }];
  });
  form.setFields(fields);
  if (fields.length > 0 && unplaced.length === 0) return "";
  return [err.message, ...unplaced].join(" — ");
}
