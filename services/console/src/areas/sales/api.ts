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

export { ifMatch, mergePatch } from "../../api/headers";

/** leadStatuses are a lead's statuses in the order of its life. */
export const leadStatuses: components["schemas"]["LeadStatus"][] = ["new", "working", "nurturing", "qualified", "disqualified", "converted"];
