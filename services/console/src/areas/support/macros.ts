import { useQuery } from "@tanstack/react-query";
import type { components } from "../../api/schema";
import { api, unwrap } from "../../api/client";
import type { Case, CasePatch, CaseStatus } from "./api";
import { nextStatuses } from "./api";

/** The macros' shapes (generated from the OpenAPI document). */
export type Macro = components["schemas"]["SupportMacro"];
export type MacroActions = components["schemas"]["SupportMacroActions"];
export type MacroRendered = components["schemas"]["SupportMacroRendered"];

/** macrosKey is the query key of the macros the user sees. */
export const macrosKey = ["support", "macros"];

/** mergeFields are the fields a macro's body may name between double braces, as the service fills them. */
export const mergeFields = ["case.number", "case.subject", "case.status", "case.priority", "case.channel", "case.type", "contact.name", "contact.email"] as const;

/** useMacros reads the macros the user may use: the tenant's shared ones and their own. */
export function useMacros() {
  return useQuery({ queryKey: macrosKey, queryFn: async () => (await unwrap(api.GET("/v1/support-macros"))).items, staleTime: 30_000 });
}

/** renderMacro fills the macro id's merge fields for the case caseId (POST /v1/support-macros/{id}/render). */
export function renderMacro(id: string, caseId: string): Promise<MacroRendered> {
  return unwrap(api.POST("/v1/support-macros/{id}/render", { params: { path: { id } }, body: { caseId } }));
}

/**
 * replyStatus is the status a macro's actions give the reply (sent with it,
 * as the reply's own status choice): none when the case may not move there.
 */
export function replyStatus(c: Case, a: MacroActions | undefined): CaseStatus | undefined {
  const s = a?.status ?? undefined;
  return s && nextStatuses(c.status, true).includes(s) && s !== "closed" ? s : undefined;
}

/**
 * actionsPatch is the change the rest of a macro's actions make to the
 * case c once the reply is sent: its priority, its queue, the tags it adds
 * (to the case's own). Null when nothing would change.
 */
export function actionsPatch(c: Case, a: MacroActions | undefined): CasePatch | null {
  if (!a) return null;
  const patch: CasePatch = {};
  if (a.priority && a.priority !== c.priority) patch.priority = a.priority;
  if (a.queueId && a.queueId !== c.queueId) patch.queueId = a.queueId;
  const have = new Set((c.tags ?? []).map((x) => x.toLowerCase()));
  const added = (a.addTags ?? []).filter((x) => !have.has(x.toLowerCase()));
  if (added.length > 0) patch.tags = [...(c.tags ?? []), ...added];
  return Object.keys(patch).length > 0 ? patch : null;
}
