import type { components } from "../../api/schema";
import { customFilterField, type FieldType, type FilterField } from "../../components/filter/model";
import type { T } from "../../i18n/I18n";
import type { AnyRecord, CustomField, Entity } from "./api";

type Stage = NonNullable<components["schemas"]["ContactFields"]["lifecycleStage"]>;
type SizeBand = NonNullable<components["schemas"]["AccountFields"]["sizeBand"]>;

/** lifecycleStages are a contact's stages (typed by the API, every one listed). */
export const lifecycleStages = Object.keys({
  subscriber: 1, lead: 1, marketingQualified: 1, salesQualified: 1, opportunity: 1, customer: 1, evangelist: 1, churned: 1, other: 1,
} satisfies Record<Stage, 1>) as Stage[];

/** sizeBands are an account's size bands. */
export const sizeBands = Object.keys({
  "1-10": 1, "11-50": 1, "51-200": 1, "201-500": 1, "501-1000": 1, "1001-5000": 1, "5000+": 1,
} satisfies Record<SizeBand, 1>) as SizeBand[];

const consent = ["granted", "denied", "unknown"];

/**
 * The filterable fields of each entity with their libs/filter types, as the
 * service declares them (services/contacts/search/fields.go; ContactField's
 * and AccountField's x-filterable in the OpenAPI document).
 */
const filterable: Record<Entity, [string, FieldType, string[]?][]> = {
  contact: [
    ["displayName", "string"], ["firstName", "string"], ["lastName", "string"], ["emails", "string"], ["phones", "string"],
    ["jobTitle", "string"], ["accountName", "string"], ["accountId", "uuid"], ["ownerId", "string"], ["teamId", "string"],
    ["lifecycleStage", "enum", lifecycleStages], ["source", "string"], ["tags", "stringArray"],
    ["address.street", "string"], ["address.city", "string"], ["address.region", "string"], ["address.postalCode", "string"], ["address.country", "string"],
    ["consent.email.status", "enum", consent], ["consent.sms.status", "enum", consent], ["consent.phone.status", "enum", consent],
    ["lastActivityAt", "time"], ["createdAt", "time"], ["updatedAt", "time"], ["id", "uuid"],
  ],
  account: [
    ["name", "string"], ["domain", "string"], ["industry", "string"], ["sizeBand", "enum", sizeBands],
    ["annualRevenue.amountMinor", "number"], ["annualRevenue.currency", "string"], ["parentAccountId", "uuid"],
    ["ownerId", "string"], ["teamId", "string"], ["tags", "stringArray"],
    ["billingAddress.street", "string"], ["billingAddress.city", "string"], ["billingAddress.region", "string"], ["billingAddress.postalCode", "string"], ["billingAddress.country", "string"],
    ["shippingAddress.city", "string"], ["shippingAddress.country", "string"],
    ["lastActivityAt", "time"], ["createdAt", "time"], ["updatedAt", "time"], ["id", "uuid"],
  ],
};

/** filterFields are the builder's fields of entity: the standard ones, then the tenant's custom fields. */
export function filterFields(entity: Entity, custom: CustomField[], t: T): FilterField[] {
  return [
    ...filterable[entity].map(([name, type, values]) => ({ name, type, values, label: fieldLabel(name, t) })),
    ...custom.map((d) => customFilterField({ key: d.key, label: d.label, type: d.type, options: d.options })),
  ];
}

/** columnNames are the columns a list may show (field names of the entity's vocabulary), in chooser order. */
export const columnNames: Record<Entity, string[]> = {
  contact: ["displayName", "firstName", "lastName", "emails", "phones", "jobTitle", "accountId", "ownerId", "teamId", "lifecycleStage", "source", "tags",
    "address.city", "address.country", "lastActivityAt", "createdAt", "updatedAt"],
  account: ["name", "domain", "industry", "sizeBand", "annualRevenue", "ownerId", "teamId", "tags", "billingAddress.city", "billingAddress.country",
    "lastActivityAt", "createdAt", "updatedAt"],
};

/** defaultColumns are a list's columns without a saved view. */
export const defaultColumns: Record<Entity, string[]> = {
  contact: ["displayName", "emails", "phones", "accountId", "lifecycleStage", "tags", "lastActivityAt"],
  account: ["name", "domain", "industry", "ownerId", "tags", "lastActivityAt"],
};

/** sortable are the fields a list sorts by (x-sortable). */
export const sortable: Record<Entity, string[]> = {
  contact: ["displayName", "lastName", "emails", "lastActivityAt", "createdAt", "updatedAt"],
  account: ["name", "lastActivityAt", "createdAt", "updatedAt"],
};

/** fieldLabel is the label of a standard field name, or of customFields.<key> by its key. */
export function fieldLabel(name: string, t: T, custom?: CustomField[]): string {
  if (name.startsWith("customFields.")) {
    const key = name.slice("customFields.".length);
    return custom?.find((d) => d.key === key)?.label || key;
  }
  return t(`contacts.field.${name}`);
}

/** valueAt reads a dotted path ("address.city", "customFields.tier") of a record. */
export function valueAt(r: AnyRecord, path: string): unknown {
  let v: unknown = r;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** recordName is what a record is called: a contact's display name, an account's name. */
export function recordName(r: AnyRecord): string {
  return "name" in r && typeof r.name === "string" ? r.name : "displayName" in r ? r.displayName ?? "" : "";
}

/** basePath is where an entity's pages live. */
export function basePath(entity: Entity): string {
  return entity === "contact" ? "/contacts" : "/accounts";
}
