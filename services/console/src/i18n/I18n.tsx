import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { getTables, onTablesChange } from "./tables";
import type { Locale } from "./types";
import { format } from "./translate";

/** T translates a key with optional parameters. */
export type T = (key: string, params?: Record<string, string | number>) => string;

interface I18nValue {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: T;
}

const I18nContext = createContext<I18nValue | null>(null);

/** storedLocaleKey keeps the last language on this device, for the sign-in page. */
const storedLocaleKey = "rapport.locale";

/** initialLocale is the device's last language, else the browser's. */
export function initialLocale(): Locale {
  const saved = localStorage.getItem(storedLocaleKey);
  if (saved === "en" || saved === "zh-CN") return saved;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

/**
 * I18nProvider holds the current language; it sets <html lang> and keeps
 * the choice on the device. The signed-in user's own choice is stored on
 * the server (PATCH /v1/me) by the language switch.
 */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [tables, setTables] = useState(getTables);
  useEffect(() => onTablesChange(() => setTables(getTables())), []);
  useEffect(() => {
    document.documentElement.lang = locale;
    localStorage.setItem(storedLocaleKey, locale);
  }, [locale]);
  const setLocale = useCallback((l: Locale) => setLocaleState(l), []);
  // t reads the tables when it is called, not when it was made: the areas'
  // texts arrive just before the shell's first render, before this
  // provider has re-rendered with them, and a page must not show keys then.
  // tables stays a dependency so that pages re-render when texts arrive.
  const t = useCallback<T>((key, params) => format(getTables()[locale], key, params), [tables, locale]);
  const value = useMemo(() => ({ locale, setLocale, t }), [locale, setLocale, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** useI18n gives the language, its setter and t. */
export function useI18n(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}

/** useT gives just the translate function. */
export function useT(): T {
  return useI18n().t;
}
