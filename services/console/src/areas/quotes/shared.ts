import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { displayName, usePeopleByIds } from "../../lib/people";
import type { T } from "../../i18n/I18n";
import { exceeds } from "./money";

/** Quote is a quote with its current revision (GET /v1/quotes/{id}). */
export type Quote = components["schemas"]["Quote"];
/** QuoteSettings are the tenant's approval thresholds. */
export type QuoteSettings = components["schemas"]["QuoteSettings"];
/** LineItem is a priced line of an opportunity or a quote. */
export type LineItem = components["schemas"]["LineItem"];
/** Product is an entry of the catalogue. */
export type Product = components["schemas"]["Product"];
/** PriceBook is a book of prices in one currency. */
export type PriceBook = components["schemas"]["PriceBook"];

/**
 * stateColors are the Tag colours of a quote's states: dark enough for
 * white text at 4.5:1 (Ant Design's light presets fall short of it).
 */
export const stateColors: Record<Quote["state"], string> = {
  draft: "default",
  pendingApproval: "#874d00",
  approved: "#237804",
  rejected: "#a8071a",
  sent: "#0958d9",
  accepted: "#135200",
  declined: "#871400",
};

/** activeColor is the Tag colour of an active product or book, readable as stateColors are. */
export const activeColor = "#237804";

/**
 * approvalReasons say why lines and total need approval under settings, as
 * the service decides on submit: a line's discount above a threshold, the
 * total above its currency's. The service fixes the levels; this explains
 * them.
 */
export function approvalReasons(t: T, settings: QuoteSettings | undefined, lines: LineItem[], totalMinor: number, currency: string, money: (minor: number) => string): string[] {
  if (!settings) return [];
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (settings.secondLevelDiscountPercent && exceeds(l.discountPercent, settings.secondLevelDiscountPercent)) {
      out.push(t("quotes.reason.discount2", { line: i + 1, discount: l.discountPercent, threshold: settings.secondLevelDiscountPercent }));
    } else if (settings.discountPercent && exceeds(l.discountPercent, settings.discountPercent)) {
      out.push(t("quotes.reason.discount", { line: i + 1, discount: l.discountPercent, threshold: settings.discountPercent }));
    }
  });
  const limits = settings.totals[currency];
  if (limits?.secondLevel !== undefined && totalMinor > limits.secondLevel) {
    out.push(t("quotes.reason.total2", { total: money(totalMinor), threshold: money(limits.secondLevel) }));
  } else if (limits?.approval !== undefined && totalMinor > limits.approval) {
    out.push(t("quotes.reason.total", { total: money(totalMinor), threshold: money(limits.approval) }));
  }
  return out;
}

/** useQuoteSettings reads the tenant's approval thresholds. */
export function useQuoteSettings() {
  return useQuery({ queryKey: ["quotes", "settings"], queryFn: () => unwrap(api.GET("/v1/quotes/settings")) });
}

/**
 * useDirectory names users by id from the people directory, which every
 * signed-in user reads (userIds are the ones the page shows, resolved in
 * one request), and teams for who may read them (teams:read); others see
 * the teams' ids.
 */
export function useDirectory(userIds: (string | null | undefined)[] = []) {
  const { can } = useSession();
  const people = usePeopleByIds(userIds);
  const teams = useQuery({
    queryKey: ["directory", "teams"],
    enabled: can("teams:read"),
    queryFn: () => unwrap(api.GET("/v1/teams", { params: { query: { limit: 200 } } })),
  });
  return useMemo(() => {
    const userName = (id: string | undefined) => {
      const p = id ? people.byId.get(id) : undefined;
      return p ? displayName(p) : id ?? "";
    };
    const teamName = (id: string | undefined) => teams.data?.items.find((x) => x.id === id)?.name ?? id ?? "";
    return { userName, teamName };
  }, [people.byId, teams.data]);
}
