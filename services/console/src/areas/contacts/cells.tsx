import { Space, Tag } from "antd";
import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import type { T } from "../../i18n/I18n";
import type { Locale } from "../../i18n/types";
import { formatDate, formatDateTime } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { PersonName } from "../../lib/people";
import type { AnyRecord, Contact, CustomField } from "./api";
import { valueAt } from "./entities";

/** CellContext is what a cell needs besides its record. */
export interface CellContext {
  t: T;
  locale: Locale;
  /** accounts are account names by id (the accounts the page's contacts belong to). */
  accounts?: Map<string, string>;
  custom?: CustomField[];
}

/** primary is the primary entry of a contact's emails or phones (the one marked, else the first). */
export function primary<E extends { primary?: boolean }>(list: E[] | undefined): E | undefined {
  return list?.find((e) => e.primary) ?? list?.[0];
}

/** customValue renders a custom field's value by its definition's type, as text. */
export function customValue(def: CustomField | undefined, v: unknown, ctx: CellContext): ReactNode {
  if (v === undefined || v === null || v === "") return null;
  switch (def?.type) {
    case "boolean":
      return v ? ctx.t("filter.yes") : ctx.t("filter.no");
    case "date":
      return formatDate(String(v), ctx.locale);
    case "datetime":
      return formatDateTime(String(v), ctx.locale);
    case "currency": {
      const m = v as { amountMinor?: number; currency?: string };
      return m.currency ? formatMinor(m.amountMinor ?? 0, m.currency, ctx.locale) : null;
    }
    case "multiSelect":
      return Array.isArray(v) ? v.map((x) => <Tag key={String(x)}>{String(x)}</Tag>) : String(v);
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/**
 * cell renders the value of column name of a record as text (React escapes
 * it): names, dates and money formatted for the locale, owners and accounts
 * by name when known.
 */
export function cell(name: string, r: AnyRecord, ctx: CellContext): ReactNode {
  if (name.startsWith("customFields.")) {
    const key = name.slice("customFields.".length);
    return customValue(ctx.custom?.find((d) => d.key === key), r.customFields?.[key], ctx);
  }
  const v = valueAt(r, name);
  switch (name) {
    case "emails":
      return primary((r as Contact).emails)?.address ?? "";
    case "phones": {
      const p = primary((r as Contact).phones);
      return p ? p.e164 || p.number : "";
    }
    case "ownerId":
      return r.ownerId ? <PersonName id={r.ownerId} /> : "";
    case "accountId": {
      const id = (r as Contact).accountId;
      return id ? (
        <Link to={`/accounts/${id}`} onClick={(e) => e.stopPropagation()}>
          {ctx.accounts?.get(id) ?? ctx.t("contacts.account")}
        </Link>
      ) : null;
    }
    case "lifecycleStage":
      return v ? ctx.t(`contacts.stage.${String(v)}`) : "";
    case "tags":
      return (
        <Space size={[0, 4]} wrap>
          {(r.tags ?? []).map((x) => (
            <Tag key={x}>{x}</Tag>
          ))}
        </Space>
      );
    case "annualRevenue": {
      const m = v as { amountMinor: number; currency: string } | undefined;
      return m ? formatMinor(m.amountMinor, m.currency, ctx.locale) : "";
    }
    case "lastActivityAt":
    case "createdAt":
    case "updatedAt":
      return formatDateTime(v as string | undefined, ctx.locale);
  }
  return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}
