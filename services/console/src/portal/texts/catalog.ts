import type { Catalog } from "../../i18n/types";
import { chat } from "./chat";
import { portal } from "./portal";

/** portalCatalog is every text of the public portal's pages and its chat widget, in English and 简体中文. */
export const portalCatalog: Catalog = {
  en: { ...portal.en, ...chat.en },
  zh: { ...portal.zh, ...chat.zh },
};
