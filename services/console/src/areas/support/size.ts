import type { Locale } from "../../i18n/types";

/** formatSize writes a file's size in bytes as B, KB or MB (1024-based), one decimal above bytes, in the locale's digits. */
export function formatSize(bytes: number, locale: Locale): string {
  const n = (v: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v);
  if (bytes < 1024) return `${n(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${n(bytes / 1024, 1)} KB`;
  return `${n(bytes / (1024 * 1024), 1)} MB`;
}
