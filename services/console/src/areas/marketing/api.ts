import type { components } from "../../api/schema";

/** The marketing API's shapes the area's pages use (generated from the OpenAPI document). */
export type Segment = components["schemas"]["Segment"];
export type AudienceContact = components["schemas"]["AudienceContact"];
export type Campaign = components["schemas"]["Campaign"];
export type CampaignInput = components["schemas"]["CampaignInput"];
export type CampaignMember = components["schemas"]["CampaignMember"];
export type Money = components["schemas"]["MarketingMoney"];
export type Template = components["schemas"]["Template"];
export type Send = components["schemas"]["Send"];
export type MarketingForm = components["schemas"]["MarketingForm"];
export type MarketingFormInput = components["schemas"]["MarketingFormInput"];
export type MarketingFormField = components["schemas"]["MarketingFormField"];
export type FormSubmission = components["schemas"]["MarketingFormSubmission"];
export type CampaignAttribution = components["schemas"]["CampaignAttribution"];
export type AttributionModel = components["schemas"]["AttributionReport"]["model"];

export { ifMatch, mergePatch } from "../../api/headers";

/** campaignTypes are a campaign's types. */
export const campaignTypes: Campaign["type"][] = ["email", "sms", "event", "webinar", "ads", "other"];

/** campaignStatuses are a campaign's statuses in the order of its life. */
export const campaignStatuses: Campaign["status"][] = ["planned", "active", "paused", "completed", "canceled"];

/** memberStatuses are a campaign member's statuses, lowest first (they only rise). */
export const memberStatuses: CampaignMember["status"][] = ["added", "sent", "opened", "clicked", "responded", "converted"];

/** attributionModels are the ROI table's models. */
export const attributionModels: AttributionModel[] = ["first_touch", "last_touch", "linear"];

/** marketingKey is the query key of the area's data under part ("segments", "campaigns" …). */
export function marketingKey(part: string, ...rest: unknown[]): unknown[] {
  return ["marketing", part, ...rest];
}
