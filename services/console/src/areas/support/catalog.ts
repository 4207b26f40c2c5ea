import type { Catalog } from "../../i18n/types";
import { cases } from "./texts/cases";
import { desk } from "./texts/desk";
import { kb } from "./texts/kb";

/** catalog holds the support pages' texts, kept in three files by subject. */
export const catalog: Catalog = {
  en: { ...cases.en, ...kb.en, ...desk.en },
  zh: { ...cases.zh, ...kb.zh, ...desk.zh },
};
