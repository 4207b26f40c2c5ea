import type { components } from "../../api/schema";

/** The sales API's shapes the area's pages use (generated from the OpenAPI document). */
export type Lead = components["schemas"]["Lead"];
export type Opportunity = components["schemas"]["Opportunity"];
export type Stage = components["schemas"]["Stage"];
export type Board = components["schemas"]["Board"];
export type BoardColumn = components["schemas"]["BoardColumn"];
export type Amount = components["schemas"]["Amount"];
export type OpportunityField = components["schemas"]["OpportunityField"];
export type OpportunityPatch = components["schemas"]["OpportunityPatch"];

/** ifMatch is the If-Match header of a write to a record at version. */
export function ifMatch(version: number): { "If-Match": string } {
  return { "If-Match": `"${version}"` };
}

/** mergePatch is the Content-Type of the service's PATCH bodies. */
export const mergePatch = { "Content-Type": "application/merge-patch+json" };

/** leadStatuses are a lead's statuses in the order of its life. */
export const leadStatuses: components["schemas"]["LeadStatus"][] = ["new", "working", "nurturing", "qualified", "disqualified", "converted"];
