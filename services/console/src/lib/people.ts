import { keepPreviousData, useQueries, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createElement, Fragment, useMemo } from "react";
import { api, unwrap } from "../api/client";
import { useDebounced } from "./useDebounced";
import type { components } from "../api/schema";

/** Person is a colleague as the people directory (GET /v1/people) shows them. */
export type Person = components["schemas"]["Person"];

/** maxIds is how many ids one directory request may resolve. */
const maxIds = 200;
const staleTime = 5 * 60_000;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** personKey is the query key of one person by id. */
function personKey(id: string) {
  return ["people", "id", id] as const;
}

interface Waiter {
  id: string;
  resolve: (p: Person | null) => void;
  reject: (e: unknown) => void;
}

let waiting: Waiter[] = [];

/**
 * flush asks the directory for every id wanted since the last flush, in
 * requests of at most maxIds, and answers each waiter: its person, or null
 * when the id is not an active user of the tenant.
 */
async function flush(): Promise<void> {
  const batch = waiting;
  waiting = [];
  const ids = [...new Set(batch.map((w) => w.id))];
  for (let i = 0; i < ids.length; i += maxIds) {
    const chunk = new Set(ids.slice(i, i + maxIds));
    const mine = batch.filter((w) => chunk.has(w.id));
    try {
      const page = await unwrap(api.GET("/v1/people", { params: { query: { ids: [...chunk].join(","), limit: maxIds } } }));
      const byId = new Map(page.items.map((p) => [p.id, p]));
      mine.forEach((w) => w.resolve(byId.get(w.id) ?? null));
    } catch (e) {
      mine.forEach((w) => w.reject(e));
    }
  }
}

/** loadPerson resolves one id, batched with the others asked in the same tick. */
function loadPerson(id: string): Promise<Person | null> {
  if (!uuid.test(id)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    if (waiting.length === 0) setTimeout(() => void flush(), 0);
    waiting.push({ id, resolve, reject });
  });
}

function personQuery(id: string) {
  return { queryKey: personKey(id), queryFn: () => loadPerson(id), staleTime };
}

/** remember seeds the cache of each person by id from a list that holds them. */
function remember(qc: QueryClient, people: Person[]): void {
  people.forEach((p) => qc.setQueryData(personKey(p.id), p));
}

/**
 * usePeople finds colleagues whose name or email holds q (any case; all of
 * them, the first 200, when q is empty) for pickers and mentions. Any
 * signed-in user may read the directory.
 */
export function usePeople(q = "") {
  const qc = useQueryClient();
  const term = useDebounced(q.trim(), 200);
  return useQuery({
    queryKey: ["people", "search", term],
    queryFn: async () => {
      const page = await unwrap(api.GET("/v1/people", { params: { query: { q: term || undefined, limit: maxIds } } }));
      remember(qc, page.items);
      return page.items;
    },
    placeholderData: keepPreviousData,
    staleTime,
  });
}

/**
 * usePeopleByIds resolves user ids to people (one request for all the ids a
 * page asks at once, each cached): byId holds those found.
 */
export function usePeopleByIds(ids: (string | null | undefined)[]) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  return useQueries({
    queries: wanted.map(personQuery),
    combine: (results) => ({
      byId: new Map(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as const] : []))),
      isLoading: results.some((r) => r.isLoading),
    }),
  });
}

/** displayName is how a person is written: their name, else their email. */
export function displayName(p: Person): string {
  return p.name || p.email;
}

/**
 * matchesPerson is whether q is part of p's name or email, in any case, as
 * the directory's q matches: pickers filter what they hold with it while
 * the directory answers the new term.
 */
export function matchesPerson(p: Person, q: string): boolean {
  const s = q.trim().toLowerCase();
  return p.name.toLowerCase().includes(s) || p.email.toLowerCase().includes(s);
}

/**
 * usePersonName writes a user id as the person's name; the id itself while
 * loading or when the directory does not know it (a disabled user).
 */
export function usePersonName(id: string | null | undefined): string {
  const q = useQuery({ ...personQuery(id ?? ""), enabled: !!id });
  return useMemo(() => (q.data ? displayName(q.data) : id ?? ""), [q.data, id]);
}

/** PersonName shows a user id as the person's name, as text. */
export function PersonName({ id }: { id: string | null | undefined }) {
  return createElement(Fragment, null, usePersonName(id));
}
