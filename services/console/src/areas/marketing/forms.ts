import { ApiError } from "../../api/problem";
import type { MarketingForm, MarketingFormField, MarketingFormInput } from "./api";

/** fieldTypes are a form field's types. */
export const fieldTypes: MarketingFormField["type"][] = ["text", "email", "phone", "textarea", "select", "checkbox"];

/** leadFields are the lead's fields a form field maps to (custom:<key> is typed). */
export const leadFields = ["firstName", "lastName", "company", "title", "email", "phone"];

/** FieldValues are one row of the form builder: options typed one a line. */
export interface FieldValues {
  key: string;
  label: string;
  type: MarketingFormField["type"];
  required?: boolean;
  options?: string;
  mapsTo?: string;
}

/** FormValues are the form builder's fields. */
export interface FormValues {
  name: string;
  campaignId?: string;
  language?: string;
  fields: FieldValues[];
  consentText?: string;
  consentChannel?: "email" | "sms";
  consentRequired?: boolean;
  submitLabel?: string;
  ending: "thankYou" | "redirect";
  thankYou?: string;
  redirectUrl?: string;
  doubleOptIn?: boolean;
  status: "active" | "inactive";
}

/** formField is the API's field of a builder row. */
export function formField(f: FieldValues): MarketingFormField {
  const out: MarketingFormField = { key: f.key.trim(), label: f.label.trim(), type: f.type, required: !!f.required };
  if (f.type === "select") out.options = (f.options ?? "").split("\n").map((o) => o.trim()).filter((o) => o !== "");
  if (f.mapsTo) out.mapsTo = f.mapsTo.trim();
  return out;
}

/**
 * formInput is the form the builder's values describe: the consent box
 * only with its text, a thank-you message or a redirect (never both).
 */
export function formInput(v: FormValues): MarketingFormInput {
  const body: MarketingFormInput = { name: v.name.trim(), fields: v.fields.map(formField), doubleOptIn: !!v.doubleOptIn, status: v.status };
  if (v.campaignId) body.campaignId = v.campaignId;
  if (v.language) body.language = v.language;
  if (v.consentText?.trim()) body.consent = { text: v.consentText.trim(), channel: v.consentChannel ?? "email", required: !!v.consentRequired };
  if (v.submitLabel?.trim()) body.submitLabel = v.submitLabel.trim();
  if (v.ending === "redirect") body.redirectUrl = (v.redirectUrl ?? "").trim();
  else if (v.thankYou?.trim()) body.thankYou = { message: v.thankYou.trim() };
  return body;
}

/** formPatch is the merge patch of the builder's values: what the form no longer has is null. */
export function formPatch(v: FormValues): Record<string, unknown> {
  const b = formInput(v);
  return { ...b, campaignId: b.campaignId ?? null, consent: b.consent ?? null, thankYou: b.thankYou ?? null, redirectUrl: b.redirectUrl ?? null };
}

/** formValues are the builder's values of a stored form. */
export function formValues(f: MarketingForm): FormValues {
  return {
    name: f.name,
    campaignId: f.campaignId,
    language: f.language,
    fields: f.fields.map((x) => ({ key: x.key, label: x.label, type: x.type, required: x.required, mapsTo: x.mapsTo, options: (x.options ?? []).join("\n") })),
    consentText: f.consent?.text,
    consentChannel: f.consent?.channel,
    consentRequired: f.consent?.required,
    submitLabel: f.submitLabel,
    ending: f.redirectUrl ? "redirect" : "thankYou",
    thankYou: f.thankYou?.message,
    redirectUrl: f.redirectUrl,
    doubleOptIn: f.doubleOptIn,
    status: f.status,
  };
}

/** builderNames are the builder's names of the form's nested parts a problem may name. */
const builderNames: Record<string, string> = { "consent/text": "consentText", "consent/channel": "consentChannel", "consent/required": "consentRequired", "thankYou/message": "thankYou" };

/**
 * builderProblem is err with the fields it names renamed to the builder's
 * (consent/text is consentText), so each shows under its input; anything
 * but an ApiError is returned as is.
 */
export function builderProblem(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const errors = err.fields.map((f) => ({ ...f, field: builderNames[f.field.replace(/\./g, "/")] ?? f.field }));
  return new ApiError(err.status, { ...err.problem, errors });
}
