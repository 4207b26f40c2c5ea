import type { Catalog } from "../../i18n/types";
import { dashboards } from "./texts/dashboards";
import { predictions } from "./texts/predictions";

/** catalog holds the reporting pages' texts, kept in files by subject. */
export const catalog: Catalog = {
  en: { ...dashboards.en, ...predictions.en },
  zh: { ...dashboards.zh, ...predictions.zh },
};
