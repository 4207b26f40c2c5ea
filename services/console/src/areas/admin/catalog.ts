import type { Catalog } from "../../i18n/types";
import { config } from "./texts/config";
import { people } from "./texts/people";
import { tenant } from "./texts/tenant";

/** catalog holds the administration pages' texts, kept in three files by subject. */
export const catalog: Catalog = {
  en: { ...tenant.en, ...people.en, ...config.en },
  zh: { ...tenant.zh, ...people.zh, ...config.zh },
};
