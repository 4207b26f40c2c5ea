import { useCallback } from "react";
import { useParams } from "react-router-dom";
import { useI18n } from "../i18n/I18n";
import { format, merge } from "../i18n/translate";
import type { Locale } from "../i18n/types";
import { portalBase } from "./api";
import { portalCatalog } from "./texts/catalog";

/** tables are the portal's texts by language: the portal needs none of the signed-in areas'. */
const tables = merge([portalCatalog]);

/** PortalT translates a portal key with optional parameters. */
export type PortalT = (key: string, params?: Record<string, string | number>) => string;

/** Portal is what every portal page needs: its tenant's slug and API, and the visitor's language. */
export interface Portal {
  slug: string;
  base: string;
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: PortalT;
}

/**
 * usePortal gives the page's portal (the :slug of its address) and the
 * visitor's language: the console's, from the browser's or the visitor's
 * last choice, kept on the device.
 */
export function usePortal(): Portal {
  const { locale, setLocale } = useI18n();
  const slug = useParams().slug ?? "";
  const t = useCallback<PortalT>((key, params) => format(tables[locale], key, params), [locale]);
  return { slug, base: portalBase(slug), locale, setLocale, t };
}

/** localeName is a language's name in the portal's words, else its tag. */
export function localeName(t: PortalT, locale: string): string {
  const key = `portal.locale.${locale}`;
  const name = t(key);
  return name === key ? locale : name;
}
