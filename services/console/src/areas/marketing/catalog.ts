import type { Catalog } from "../../i18n/types";
import { abtest } from "./texts/abtest";
import { audience } from "./texts/audience";
import { campaigns } from "./texts/campaigns";
import { content } from "./texts/content";
import { forms } from "./texts/forms";
import { journeys } from "./texts/journeys";

/** catalog holds the marketing pages' texts, kept in files by subject. */
export const catalog: Catalog = {
  en: { ...abtest.en, ...audience.en, ...campaigns.en, ...content.en, ...forms.en, ...journeys.en },
  zh: { ...abtest.zh, ...audience.zh, ...campaigns.zh, ...content.zh, ...forms.zh, ...journeys.zh },
};
