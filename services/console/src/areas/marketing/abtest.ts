import type { components } from "../../api/schema";
import type { Send } from "./api";
import { scheduledAt } from "./sends";

/** SendABTest is a send's A/B test as POST /v1/sends takes it. */
export type SendABTest = components["schemas"]["SendABTest"];
/** SendABResults are a send's A/B test results. */
export type SendABResults = components["schemas"]["SendABResults"];
/** SendABVariantResult is one variant's counts and rates. */
export type SendABVariantResult = components["schemas"]["SendABVariantResult"];

/** ABValues are the send wizard's A/B test fields. */
export interface ABValues {
  enabled?: boolean;
  /** kind says what the variants differ in: their template or (email only) their subject. */
  kind: "template" | "subject";
  variants: { templateId?: string; subject?: string }[];
  testShare: number;
  metric: "open" | "click";
  /** decideAt is a local date-time input's value. */
  decideAt?: string;
  minConfidence: number;
}

/** confidences are the minimum confidences the wizard offers. */
export const confidences = [0.9, 0.95, 0.99];

/** abDefaults are a new A/B test's fields: two variants, a fifth of the recipients, opens, 95 %. */
export function abDefaults(templateId?: string): ABValues {
  return { enabled: false, kind: "template", variants: [{ templateId }, {}], testShare: 20, metric: "open", minConfidence: 0.95 };
}

/**
 * abTestBody is the send's abTest from the wizard's fields, undefined when
 * the test is off. The variants keep only what they differ in (a template,
 * or a subject), named A, B, C and D by their place; an SMS compares clicks.
 */
export function abTestBody(v: ABValues | undefined, channel: Send["channel"]): SendABTest | undefined {
  if (!v?.enabled) return undefined;
  const kind = channel === "sms" ? "template" : v.kind;
  return {
    variants: v.variants.map((x, i) => {
      const name = String.fromCharCode(65 + i);
      if (kind === "subject") return { name, subject: x.subject?.trim() || undefined };
      return { name, templateId: x.templateId || undefined };
    }),
    testShare: v.testShare,
    metric: channel === "sms" ? "click" : v.metric,
    decideAt: scheduledAt(v.decideAt) ?? "",
    minConfidence: v.minConfidence,
  };
}

/** formatPValue shows a p-value to three places, or below 0.001. */
export function formatPValue(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** formatRate shows a rate (0 to 1) as a percentage to one place. */
export function formatRate(r: number): string {
  return `${(r * 100).toFixed(1)}%`;
}

/** leader is the name of the variant with the best rate by metric (ties: the first), or the decision's winner once decided. */
export function leader(r: Pick<SendABResults, "variants" | "metric" | "decision">): string | undefined {
  if (r.decision) return r.decision.winner;
  let best: SendABVariantResult | undefined;
  for (const x of r.variants) {
    const rate = r.metric === "open" ? x.openRate : x.clickRate;
    if (!best || rate > (r.metric === "open" ? best.openRate : best.clickRate)) best = x;
  }
  return best?.name;
}
