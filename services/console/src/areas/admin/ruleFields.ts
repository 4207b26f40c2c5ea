import type { components } from "../../api/schema";
import { customFilterField, parseFilter, type FilterField } from "../../components/filter/model";
import type { T } from "../../i18n/I18n";

type LeadField = components["schemas"]["LeadCustomField"];

const statuses: components["schemas"]["LeadStatus"][] = ["new", "working", "nurturing", "qualified", "disqualified", "converted"];
const ratings: components["schemas"]["LeadRating"][] = ["hot", "warm", "cold"];

/**
 * leadFilterFields are the fields of a lead an assignment rule's condition
 * may test (the sales service's ruleFields), with the tenant's custom
 * fields of leads as customFields.<key>.
 */
export function leadFilterFields(t: T, defs: LeadField[]): FilterField[] {
  const std: FilterField[] = [
    { name: "source", label: t("admin.lead.source"), type: "string" },
    { name: "company", label: t("admin.lead.company"), type: "string" },
    { name: "firstName", label: t("admin.lead.firstName"), type: "string" },
    { name: "lastName", label: t("admin.lead.lastName"), type: "string" },
    { name: "title", label: t("admin.lead.title"), type: "string" },
    { name: "email", label: t("admin.lead.email"), type: "string" },
    { name: "phoneE164", label: t("admin.lead.phone"), type: "string" },
    { name: "status", label: t("admin.lead.status"), type: "enum", values: statuses },
    { name: "rating", label: t("admin.lead.rating"), type: "enum", values: ratings },
    { name: "score", label: t("admin.lead.score"), type: "number" },
    { name: "ownerId", label: t("admin.lead.owner"), type: "string" },
    { name: "teamId", label: t("admin.lead.team"), type: "string" },
    { name: "tags", label: t("admin.lead.tags"), type: "stringArray" },
    { name: "createdAt", label: t("admin.lead.createdAt"), type: "time" },
  ];
  return [...std, ...defs.map(customFilterField)];
}

/** leadRatings are the ratings a sample lead may take. */
export const leadRatings = ratings;

/**
 * conditionText says a rule's condition in words ("Source is web and
 * Rating is hot"), or gives its JSON when the builder cannot show it.
 */
export function conditionText(t: T, cond: unknown, fields: FilterField[]): string {
  const state = parseFilter(cond, fields);
  if (!state) return JSON.stringify(cond);
  const parts = state.rows.map((r) => {
    const label = fields.find((f) => f.name === r.field)?.label ?? r.field;
    const value = r.value === null ? "" : Array.isArray(r.value) ? r.value.join(", ") : String(r.value);
    return `${label} ${t(`filter.op.${r.op}`)} ${value}`.trim();
  });
  return parts.join(state.match === "and" ? t("admin.rules.and") : t("admin.rules.or"));
}

/** moved is ids with the one at from put at to. */
export function moved(ids: string[], from: number, to: number): string[] {
  const out = [...ids];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}
