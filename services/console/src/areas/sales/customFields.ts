import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

/** customValue writes a custom field's value as text: a list comma-separated, a decimal or date as it came. */
export function customValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(customValue).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** useCustomLabels maps the keys of the tenant's custom fields of leads or opportunities to their labels. */
export function useCustomLabels(entity: "lead" | "opportunity"): Map<string, string> {
  const defs = useQuery({
    queryKey: ["custom-fields", entity],
    staleTime: 300_000,
    queryFn: async (): Promise<{ key: string; label: string }[]> =>
      entity === "lead" ? (await unwrap(api.GET("/v1/lead-custom-fields"))).items : (await unwrap(api.GET("/v1/opportunity-custom-fields"))).items,
  });
  return new Map((defs.data ?? []).map((d) => [d.key, d.label]));
}
