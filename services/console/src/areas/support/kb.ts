import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { Locale } from "../../i18n/types";
import type { Article } from "./api";

/** articleLocales are the locales the editor offers (any BCP 47 tag is accepted by the service). */
export const articleLocales = ["zh-CN", "en"];

/** articleStates are an article's states. */
export const articleStates: Article["state"][] = ["draft", "published", "archived"];

/** stateColors are the Tag colours of an article's states, readable with white text. */
export const articleStateColors: Record<Article["state"], string> = {
  draft: "#595959",
  published: "#237804",
  archived: "default",
};

/** articleKey is the query key of an article by id. */
export const articleKey = (id: string) => ["support", "kb", "article", id];

/** useCategories reads the knowledge base's categories with a name in locale (else any of its names). */
export function useCategories(locale: Locale) {
  const q = useQuery({ queryKey: ["support", "kb", "categories"], queryFn: () => unwrap(api.GET("/v1/kb/categories")), staleTime: 60_000 });
  const items = q.data?.items ?? [];
  const name = (id: string | undefined) => {
    const c = items.find((x) => x.id === id);
    if (!c) return id ?? "";
    return c.names[locale] ?? c.names[locale.split("-")[0]] ?? Object.values(c.names)[0] ?? c.id;
  };
  return { query: q, options: items.map((c) => ({ value: c.id, label: name(c.id) })), name };
}
