import type { Catalog } from "../../i18n/types";
import { audience } from "./texts/audience";
import { campaigns } from "./texts/campaigns";
import { content } from "./texts/content";
import { forms } from "./texts/forms";

/** catalog holds the marketing pages' texts, kept in files by subject. */
export const catalog: Catalog = {
  en: { ...audience.en, ...campaigns.en, ...content.en, ...forms.en },
  zh: { ...audience.zh, ...campaigns.zh, ...content.zh, ...forms.zh },
};
