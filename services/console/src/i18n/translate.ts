import type { Catalog, Locale, Messages } from "./types";

/**
 * merge joins the areas' catalogs into one table per locale. A key defined
 * twice is a programming error and throws, so two areas cannot silently
 * overwrite each other's text.
 */
export function merge(catalogs: Catalog[]): Record<Locale, Messages> {
  const out: Record<Locale, Messages> = { en: {}, "zh-CN": {} };
  for (const c of catalogs) {
    for (const [loc, msgs] of [["en", c.en], ["zh-CN", c.zh]] as const) {
      for (const [k, v] of Object.entries(msgs)) {
        if (k in out[loc]) throw new Error(`i18n: key ${k} defined twice`);
        out[loc][k] = v;
      }
    }
  }
  return out;
}

/**
 * format looks key up in msgs and fills its {params}; a missing key shows
 * the key itself, which the catalog test catches before a user does.
 */
export function format(msgs: Messages, key: string, params?: Record<string, string | number>): string {
  const text = msgs[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, p: string) => (p in params ? String(params[p]) : m));
}

/** missingKeys lists the keys one locale of a catalog has and the other lacks. */
export function missingKeys(c: Catalog): string[] {
  const en = Object.keys(c.en);
  const zh = Object.keys(c.zh);
  return [...en.filter((k) => !(k in c.zh)).map((k) => `zh:${k}`), ...zh.filter((k) => !(k in c.en)).map((k) => `en:${k}`)];
}
