import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import type { FilterNode } from "../../components/filter/model";
import { downloadWithToken } from "../../lib/download";

/** The contacts API's shapes the area's pages use (generated from the OpenAPI document). */
export type Contact = components["schemas"]["Contact"];
export type Account = components["schemas"]["Account"];
export type ContactInput = components["schemas"]["ContactInput"];
export type AccountInput = components["schemas"]["AccountInput"];
export type SavedView = components["schemas"]["SavedView"];
export type CustomField = components["schemas"]["CustomField"];
export type TimelineEntry = components["schemas"]["TimelineEntry"];
export type ActivityInput = components["schemas"]["ActivityInput"];
export type DuplicateCandidate = components["schemas"]["DuplicateCandidate"];

/** Entity is the kind of record a page lists or shows. */
export type Entity = "contact" | "account";

/** AnyRecord is a contact or an account. */
export type AnyRecord = Contact | Account;

export { ifMatch, mergePatch } from "../../api/headers";

/**
 * patchBody passes a JSON merge patch where the document declares the body
 * only as "an object" (which the generator types as an empty record).
 */
export function patchBody(p: object): Record<string, never> {
  return p as Record<string, never>;
}

/** ListQuery is what a list page asks: search text, filter, sort, page. */
export interface ListQuery {
  q?: string;
  filter?: FilterNode;
  sort?: string;
  cursor?: string;
  limit: number;
}

/** longFilter is the length of a filter's JSON above which the list is asked by POST …/search (URLs stay short). */
const longFilter = 1500;

/** Page is one page of a list. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * listRecords asks for one keyset page of contacts or accounts: GET with
 * the query in the URL, or POST …/search when the filter is long. Neither
 * counts nor skips rows, so every page costs the same at any depth.
 */
export async function listRecords(entity: Entity, lq: ListQuery): Promise<Page<AnyRecord>> {
  const filter = lq.filter ? JSON.stringify(lq.filter) : undefined;
  const query = { q: lq.q || undefined, filter, sort: lq.sort || undefined, cursor: lq.cursor || undefined, limit: lq.limit };
  if (filter && filter.length > longFilter) {
    const body = { q: query.q, filter: lq.filter as unknown as Record<string, never>, sort: query.sort, cursor: query.cursor, limit: lq.limit };
    return entity === "contact" ? unwrap(api.POST("/v1/contacts/search", { body })) : unwrap(api.POST("/v1/accounts/search", { body }));
  }
  return entity === "contact" ? unwrap(api.GET("/v1/contacts", { params: { query } })) : unwrap(api.GET("/v1/accounts", { params: { query } }));
}

/**
 * exportRecords downloads the CSV of every record the query finds. It goes
 * through the API client (the access token lives in memory, so a bare link
 * could not carry it) and saves the answer as a file.
 */
export async function exportRecords(entity: Entity, lq: Omit<ListQuery, "cursor" | "limit">): Promise<void> {
  const query = { q: lq.q || undefined, filter: lq.filter ? JSON.stringify(lq.filter) : undefined, sort: lq.sort || undefined, format: "csv" as const };
  const call = entity === "contact" ? api.GET("/v1/contacts/export", { params: { query }, parseAs: "blob" }) : api.GET("/v1/accounts/export", { params: { query }, parseAs: "blob" });
  await downloadWithToken(call, `${entity}s.csv`);
}

/** useCustomFields lists the tenant's custom fields of entity. */
export function useCustomFields(entity: Entity) {
  return useQuery({
    queryKey: ["custom-fields", entity],
    queryFn: () => unwrap(api.GET("/v1/custom-fields", { params: { query: { entity } } })),
    staleTime: 5 * 60_000,
  });
}

/** useTags lists the tenant's tag catalogue. */
export function useTags() {
  return useQuery({ queryKey: ["tags"], queryFn: () => unwrap(api.GET("/v1/tags")), staleTime: 60_000 });
}
