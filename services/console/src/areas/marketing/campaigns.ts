import type { Campaign, CampaignInput, Money } from "./api";

/** MoneyValues are a budget's or cost's inputs: the amount as typed and its currency. */
export interface MoneyValues {
  amount?: string;
  currency?: string;
}

/** CampaignValues are the campaign form's fields (named as the API names them, so problems land on them). */
export interface CampaignValues {
  name: string;
  type: Campaign["type"];
  status: Campaign["status"];
  parentId?: string;
  description?: string;
  budget?: MoneyValues;
  actualCost?: MoneyValues;
  startsOn?: string;
  endsOn?: string;
}

/**
 * money is the Money of typed values: undefined when no amount is typed
 * (the currency alone says nothing); the amount is sent as typed, a
 * decimal string the service checks against the currency's digits.
 */
export function money(v: MoneyValues | undefined): Money | undefined {
  const amount = v?.amount?.trim() ?? "";
  if (amount === "") return undefined;
  return { amount, currency: (v?.currency ?? "").trim().toUpperCase() };
}

/** campaignInput is a new campaign of the form's values (empty fields left out). */
export function campaignInput(v: CampaignValues): CampaignInput {
  const body: CampaignInput = { name: v.name.trim(), type: v.type, status: v.status };
  if (v.parentId) body.parentId = v.parentId;
  if (v.description) body.description = v.description;
  const budget = money(v.budget);
  if (budget) body.budget = budget;
  const cost = money(v.actualCost);
  if (cost) body.actualCost = cost;
  if (v.startsOn) body.startsOn = v.startsOn;
  if (v.endsOn) body.endsOn = v.endsOn;
  return body;
}

/** campaignPatch is the merge patch of the form's values: an emptied optional field is null, which removes it. */
export function campaignPatch(v: CampaignValues): Record<string, unknown> {
  return {
    name: v.name.trim(),
    type: v.type,
    status: v.status,
    description: v.description ?? "",
    parentId: v.parentId || null,
    budget: money(v.budget) ?? null,
    actualCost: money(v.actualCost) ?? null,
    startsOn: v.startsOn || null,
    endsOn: v.endsOn || null,
  };
}

/** campaignValues are the form's values of a campaign being edited. */
export function campaignValues(c: Campaign): CampaignValues {
  return {
    name: c.name,
    type: c.type,
    status: c.status,
    parentId: c.parentId,
    description: c.description,
    budget: { amount: c.budget?.amount, currency: c.budget?.currency },
    actualCost: { amount: c.actualCost?.amount, currency: c.actualCost?.currency },
    startsOn: c.startsOn,
    endsOn: c.endsOn,
  };
}
