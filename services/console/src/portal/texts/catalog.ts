import type { Catalog } from "../../i18n/types";
import { portal } from "./portal";

/** portalCatalog is every text of the public portal's pages, in English and 简体中文. */
export const portalCatalog: Catalog = {
  en: { ...portal.en },
  zh: { ...portal.zh },
};
