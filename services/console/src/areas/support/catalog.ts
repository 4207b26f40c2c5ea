import type { Catalog } from "../../i18n/types";
import { cases } from "./texts/cases";
import { chats } from "./texts/chats";
import { desk } from "./texts/desk";
import { kb } from "./texts/kb";
import { macros } from "./texts/macros";

/** catalog holds the support pages' texts, kept in files by subject. */
export const catalog: Catalog = {
  en: { ...cases.en, ...chats.en, ...kb.en, ...desk.en, ...macros.en },
  zh: { ...cases.zh, ...chats.zh, ...kb.zh, ...desk.zh, ...macros.zh },
};
