import type { Send } from "./api";

/** ExclusionReason is a reason a send left a recipient out. */
export type ExclusionReason = keyof Send["excluded"];

/** exclusionReasons are the reasons in the order the send page lists them. */
export const exclusionReasons: ExclusionReason[] = ["noConsent", "suppressed", "hardBounce", "complaint", "noAddress", "unresolvedField"];

/** countNames are the send's counts by status, in the order the send page shows them. */
export const countNames: (keyof Send["counts"])[] = ["recipients", "queued", "sending", "sent", "failed", "excluded", "canceled"];

/** finished says whether a send's counts no longer change (completed or canceled). */
export function finished(s: Pick<Send, "status">): boolean {
  return s.status === "completed" || s.status === "canceled";
}

/** cancelable says whether a send may still be canceled. */
export function cancelable(s: Pick<Send, "status">): boolean {
  return s.status === "scheduled" || s.status === "queued" || s.status === "sending";
}

/**
 * scheduledAt is the RFC 3339 UTC time of a local date-time input's value
 * ("2026-12-24T09:30"), read in the browser's time zone; undefined for
 * none or a value it cannot read.
 */
export function scheduledAt(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** wizardSteps are the send fields each step of the send wizard holds. */
const wizardSteps = [["templateId", "campaignId", "channel"], ["segmentId"], ["when", "scheduledAt", "utm", "abTest"]];

/** wizardStep is the step of the send wizard holding the field a problem names ("utm/source"); the review (3) for any other. */
export function wizardStep(field: string): number {
  const top = field.split(/[/.]/)[0];
  const i = wizardSteps.findIndex((s) => s.includes(top));
  return i < 0 ? 3 : i;
}
