import type { components } from "../../api/schema";

/** The support API's shapes the area's pages use (generated from the OpenAPI document). */
export type Case = components["schemas"]["Case"];
export type CaseInput = components["schemas"]["CaseInput"];
export type CasePatch = components["schemas"]["CasePatch"];
export type CaseStatus = components["schemas"]["CaseStatus"];
export type CasePriority = components["schemas"]["CasePriority"];
export type CaseChannel = components["schemas"]["CaseChannel"];
export type Attachment = components["schemas"]["Attachment"];
export type Article = components["schemas"]["KBArticle"];
export type ArticleVersion = components["schemas"]["KBArticleVersion"];

export { ifMatch, mergePatch } from "../../api/headers";

/** caseStatuses are a case's statuses in the order of its life. */
export const caseStatuses: CaseStatus[] = ["new", "open", "pending_customer", "on_hold", "solved", "closed"];

/** casePriorities are the priorities, lowest first. */
export const casePriorities: CasePriority[] = ["low", "normal", "high", "urgent"];

/** caseChannels are the channels a case comes in by. */
export const caseChannels: CaseChannel[] = ["email", "portal", "chat", "phone", "api"];

/**
 * statusColors are the Tag colours of the statuses: dark enough for white
 * text at 4.5:1 (Ant Design's light presets fall short of it).
 */
export const statusColors: Record<CaseStatus, string> = {
  new: "#0958d9",
  open: "#1d39c4",
  pending_customer: "#874d00",
  on_hold: "#595959",
  solved: "#237804",
  closed: "default",
};

/** priorityColors are the Tag colours of the priorities, readable as statusColors are. */
export const priorityColors: Record<CasePriority, string> = {
  low: "default",
  normal: "#0958d9",
  high: "#ad4e00",
  urgent: "#a8071a",
};

/**
 * nextStatuses are the statuses a case in status may move to, as the
 * service allows them: new to any working status or solved; open, pending
 * customer and on hold among themselves and to solved; solved to closed,
 * or back to open while the tenant's reopen window lasts (reopenable);
 * closed is final and nothing goes back to new.
 */
export function nextStatuses(status: CaseStatus, reopenable: boolean): CaseStatus[] {
  switch (status) {
    case "new":
      return ["open", "pending_customer", "on_hold", "solved"];
    case "open":
    case "pending_customer":
    case "on_hold":
      return (["open", "pending_customer", "on_hold", "solved"] as CaseStatus[]).filter((s) => s !== status);
    case "solved":
      return reopenable ? ["open", "closed"] : ["closed"];
    case "closed":
      return [];
  }
}

/** reopenable says whether a case solved at solvedAt may still be reopened, reopenDays after, at now. */
export function reopenable(solvedAt: string | undefined, reopenDays: number, now: Date): boolean {
  if (!solvedAt) return true;
  const at = new Date(solvedAt).getTime();
  return now.getTime() < at + reopenDays * 24 * 3600 * 1000;
}
