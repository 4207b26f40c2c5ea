import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ifMatch, mergePatch } from "./shared";

/** FieldKind is whose custom fields a tab edits. */
export type FieldKind = "contact" | "account" | "lead" | "opportunity";

/** fieldKinds are the tabs, in order. */
export const fieldKinds: FieldKind[] = ["contact", "account", "lead", "opportunity"];

/** FieldDef is a custom field definition of any kind. */
export type FieldDef = components["schemas"]["CustomField"] | components["schemas"]["LeadCustomField"] | components["schemas"]["OpportunityCustomField"];

/** FieldType is a custom field's type. */
export type FieldType = components["schemas"]["LeadCustomField"]["type"];

/** fieldTypes are the types a definition may take (libs/customfields). */
export const fieldTypes: FieldType[] = ["text", "longText", "number", "decimal", "date", "datetime", "boolean", "singleSelect", "multiSelect", "currency", "url", "email", "phone"];

/** NewField is what a create sends, whatever the kind. */
export interface NewField {
  key: string;
  label: string;
  type: FieldType;
  options?: string[];
  required?: boolean;
}

/** FieldChange is what an edit sends: a merge patch of the changeable parts. */
export interface FieldChange {
  label: string;
  options?: string[];
  required: boolean;
}

/** listFields reads the definitions of kind: contacts' service keeps contacts' and accounts', sales' leads' and opportunities'. */
export async function listFields(kind: FieldKind): Promise<FieldDef[]> {
  switch (kind) {
    case "contact":
    case "account":
      return (await unwrap(api.GET("/v1/custom-fields", { params: { query: { entity: kind } } }))).items;
    case "lead":
      return (await unwrap(api.GET("/v1/lead-custom-fields"))).items;
    case "opportunity":
      return (await unwrap(api.GET("/v1/opportunity-custom-fields"))).items;
  }
}

/** createField defines a field of kind. */
export async function createField(kind: FieldKind, f: NewField): Promise<FieldDef> {
  switch (kind) {
    case "contact":
    case "account":
      return unwrap(api.POST("/v1/custom-fields", { body: { ...f, entity: kind } }));
    case "lead":
      return unwrap(api.POST("/v1/lead-custom-fields", { body: f }));
    case "opportunity":
      return unwrap(api.POST("/v1/opportunity-custom-fields", { body: f }));
  }
}

/** changeField patches the definition d of kind at version (If-Match). */
export async function changeField(kind: FieldKind, d: FieldDef, version: number, change: FieldChange): Promise<FieldDef> {
  const params = { path: { id: d.id }, header: { "If-Match": ifMatch(version) } };
  // The contract types a merge patch as an untyped object.
  const init = { params, body: change as unknown as Record<string, never>, headers: mergePatch };
  switch (kind) {
    case "contact":
    case "account":
      return unwrap(api.PATCH("/v1/custom-fields/{id}", init));
    case "lead":
      return unwrap(api.PATCH("/v1/lead-custom-fields/{id}", init));
    case "opportunity":
      return unwrap(api.PATCH("/v1/opportunity-custom-fields/{id}", init));
  }
}

/** deleteField deletes the definition d of kind at its version. */
export async function deleteField(kind: FieldKind, d: FieldDef): Promise<void> {
  const params = { path: { id: d.id }, header: { "If-Match": ifMatch(d.version) } };
  switch (kind) {
    case "contact":
    case "account":
      await unwrap(api.DELETE("/v1/custom-fields/{id}", { params }));
      return;
    case "lead":
      await unwrap(api.DELETE("/v1/lead-custom-fields/{id}", { params }));
      return;
    case "opportunity":
      await unwrap(api.DELETE("/v1/opportunity-custom-fields/{id}", { params }));
  }
}
