import { useQuery } from "@tanstack/react-query";

/** TypeGroup is one bounded context's choices: its wildcards, then its exact types. */
export interface TypeGroup {
  /** context is the types' common prefix, e.g. "dev.rapport.sales". */
  context: string;
  /** patterns are "<context>.*" and "<context>.<entity>.*" for each entity of the context. */
  patterns: string[];
  types: string[];
}

/** anyType is the pattern of every event type. */
export const anyType = "*";

/**
 * contextOf is a type's bounded context: its first three segments
 * ("dev.rapport.sales" of "dev.rapport.sales.opportunity.won.v1"), or the
 * type without its last segment when it is shorter.
 */
export function contextOf(type: string): string {
  const parts = type.split(".");
  return parts.slice(0, Math.min(3, parts.length - 1)).join(".");
}

/**
 * groupTypes groups the catalogue's event types by context, each with its
 * wildcards: the context's, and an entity's when the context has types of
 * more than one entity (for one, the two wildcards would match the same).
 */
export function groupTypes(types: string[]): TypeGroup[] {
  const byContext = new Map<string, string[]>();
  for (const t of [...new Set(types)].sort()) {
    const c = contextOf(t);
    byContext.set(c, [...(byContext.get(c) ?? []), t]);
  }
  return [...byContext.entries()].map(([context, list]) => {
    const entities = new Set<string>();
    for (const t of list) {
      const rest = t.slice(context.length + 1).split(".");
      if (rest.length > 2) entities.add(rest[0]);
    }
    const patterns = [`${context}.*`];
    if (entities.size > 1) patterns.push(...[...entities].map((e) => `${context}.${e}.*`));
    return { context, patterns, types: list };
  });
}

/**
 * matches says whether a subscription's pattern takes an event type: "*",
 * a prefix ending in ".*" (one or more segments after it) or the exact type.
 */
export function matches(pattern: string, type: string): boolean {
  if (pattern === anyType) return true;
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1)) && type.length > pattern.length - 1;
  return pattern === type;
}

/** AsyncAPI is the part of the event catalogue the form reads. */
interface AsyncAPI {
  components?: { messages?: Record<string, unknown> };
}

/**
 * useEventTypes reads the event catalogue the gateway serves at
 * /asyncapi.json (public, like /openapi.json): its messages' keys are the
 * event types.
 */
export function useEventTypes() {
  return useQuery({
    queryKey: ["webhooks", "event-types"],
    staleTime: Infinity,
    queryFn: async () => {
      const res = await fetch("/asyncapi.json", { credentials: "same-origin" });
      if (!res.ok) throw new Error(`/asyncapi.json: HTTP ${res.status}`);
      const doc = (await res.json()) as AsyncAPI;
      return Object.keys(doc.components?.messages ?? {}).sort();
    },
  });
}
