import type { FieldType, FilterField } from "../../components/filter/model";
import type { T } from "../../i18n/I18n";

const stages = ["subscriber", "lead", "marketingQualified", "salesQualified", "opportunity", "customer", "evangelist", "churned", "other"];
const consent = ["granted", "denied", "unknown"];

/**
 * audienceFields are the fields a segment's filter may test, with their
 * libs/filter types, as the marketing service declares them
 * (services/marketing/audience/schema.go): the projection's fields, then
 * the marketing facts.
 */
const audienceFields: [string, FieldType, string[]?][] = [
  ["firstName", "string"], ["lastName", "string"], ["displayName", "string"], ["email", "string"], ["phone", "string"],
  ["jobTitle", "string"], ["accountId", "uuid"], ["ownerId", "string"], ["lifecycleStage", "enum", stages], ["source", "string"],
  ["country", "string"], ["city", "string"], ["tags", "stringArray"], ["emailConsent", "enum", consent], ["smsConsent", "enum", consent],
  ["lastActivityAt", "time"], ["createdAt", "time"], ["updatedAt", "time"],
  ["lastOpenedAt", "time"], ["lastClickedAt", "time"], ["lastSubmittedAt", "time"], ["campaignIds", "stringArray"],
];

/** segmentFilterFields are the segment builder's fields, labelled in the reader's language. */
export function segmentFilterFields(t: T): FilterField[] {
  return audienceFields.map(([name, type, values]) => ({ name, type, values, label: t(`marketing.field.${name}`) }));
}

/**
 * parseContactIds reads the contact ids a person pasted into a static
 * list's box: separated by commas, spaces or lines, each once, in the
 * order given; what is not a UUID is returned apart so it can be named.
 */
export function parseContactIds(text: string): { ids: string[]; invalid: string[] } {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const ids: string[] = [];
  const invalid: string[] = [];
  for (const part of text.split(/[\s,;]+/)) {
    if (part === "") continue;
    const list = uuid.test(part) ? ids : invalid;
    const v = part.toLowerCase();
    if (!list.includes(v)) list.push(v);
  }
  return { ids, invalid };
}

/** audienceSearch is the filter (JSON) of the audience's contacts whose name or address contains q; none for every contact. */
export function audienceSearch(q: string): string | undefined {
  const v = q.trim();
  if (v === "") return undefined;
  return JSON.stringify({
    or: [
      { field: "displayName", op: "contains", value: v },
      { field: "email", op: "contains", value: v },
    ],
  });
}
