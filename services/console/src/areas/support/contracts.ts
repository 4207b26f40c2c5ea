import type { components } from "../../api/schema";

/** The contracts' shapes (generated from the OpenAPI document). */
export type Contract = components["schemas"]["ServiceContract"];
export type ContractInput = components["schemas"]["ServiceContractInput"];
export type WorkOrder = components["schemas"]["WorkOrder"];

/** contractStatuses are a contract's statuses. */
export const contractStatuses: Contract["status"][] = ["draft", "active", "expired", "cancelled"];

/** contractColors are the Tag colours of a contract's statuses, readable with white text. */
export const contractColors: Record<Contract["status"], string> = {
  draft: "#595959",
  active: "#237804",
  expired: "#874d00",
  cancelled: "default",
};

/** workOrderStatuses are a work order's statuses in the order of its life. */
export const workOrderStatuses: WorkOrder["status"][] = ["new", "scheduled", "in_progress", "completed", "cancelled"];

/** workOrderColors are the Tag colours of a work order's statuses, readable with white text. */
export const workOrderColors: Record<WorkOrder["status"], string> = {
  new: "#0958d9",
  scheduled: "#1d39c4",
  in_progress: "#874d00",
  completed: "#237804",
  cancelled: "default",
};

/**
 * nextWorkOrderStatuses are the statuses a work order may move to, as the
 * service allows: new → scheduled or cancelled, scheduled → new,
 * in_progress or cancelled, in_progress → completed or cancelled; completed
 * and cancelled are final.
 */
export function nextWorkOrderStatuses(s: WorkOrder["status"]): WorkOrder["status"][] {
  switch (s) {
    case "new":
      return ["scheduled", "cancelled"];
    case "scheduled":
      return ["new", "in_progress", "cancelled"];
    case "in_progress":
      return ["completed", "cancelled"];
    default:
      return [];
  }
}

/** remainingShare is the percentage of a contract's entitlement left, 0 to 100. */
export function remainingShare(e: Contract["entitlement"]): number {
  if (e.total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((e.remaining / e.total) * 100)));
}
