import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ifMatch, mergePatch } from "../../api/headers";
import { usePagedQuery } from "../../lib/usePagedQuery";

/** Subscription is a webhook subscription; its secret is there only in a create's or a rotation's answer. */
export type Subscription = components["schemas"]["WebhookSubscription"];
/** Delivery is one event to deliver to one subscription. */
export type Delivery = components["schemas"]["WebhookDelivery"];
/** DeliveryStatus is where a delivery is: waiting for an attempt, done, or given up. */
export type DeliveryStatus = Delivery["status"];
/** Attempt is one POST of a delivery: what was sent and what came back. */
export type Attempt = components["schemas"]["WebhookAttempt"];

/** SubscriptionInput is what the form writes: the filter as the filter language's JSON, or null. */
export interface SubscriptionInput {
  url: string;
  description: string;
  eventTypes: string[];
  filter: object | null;
}

/** keys are the react-query keys of the webhook pages' reads. */
export const keys = {
  all: ["webhooks"] as const,
  subscriptions: ["webhooks", "subscriptions"] as const,
  subscription: (id: string) => ["webhooks", "subscription", id] as const,
  deliveries: (id: string) => ["webhooks", "deliveries", id] as const,
  delivery: (id: string) => ["webhooks", "delivery", id] as const,
};

const path = (id: string) => ({ params: { path: { id } } });

/** body is input as the API types it (a filter is any object of the filter language). */
const body = (input: SubscriptionInput) => ({ ...input, filter: input.filter as Subscription["filter"] });

/** useSubscriptions reads the tenant's subscriptions, a page at a time. */
export function useSubscriptions() {
  return usePagedQuery(keys.subscriptions, (cursor) => unwrap(api.GET("/v1/webhooks/subscriptions", { params: { query: { limit: 50, cursor } } })));
}

/** useSubscription reads one subscription. */
export function useSubscription(id: string) {
  return useQuery({ queryKey: keys.subscription(id), queryFn: () => unwrap(api.GET("/v1/webhooks/subscriptions/{id}", path(id))) });
}

/** useLastDelivery reads a subscription's latest delivery (the list's "last delivery" column). */
export function useLastDelivery(id: string) {
  return useQuery({
    queryKey: [...keys.deliveries(id), "last"],
    queryFn: async () => (await unwrap(api.GET("/v1/webhooks/subscriptions/{id}/deliveries", { params: { path: { id }, query: { limit: 1 } } }))).items[0] ?? null,
  });
}

/** useDeliveries reads a subscription's delivery log, newest first, of one status or all. */
export function useDeliveries(id: string, status: DeliveryStatus | undefined) {
  return usePagedQuery([...keys.deliveries(id), status ?? "all"], (cursor) =>
    unwrap(api.GET("/v1/webhooks/subscriptions/{id}/deliveries", { params: { path: { id }, query: { limit: 50, cursor, status } } })),
  );
}

/** useDelivery reads a delivery with its attempts; it is read again every two seconds while pending. */
export function useDelivery(id: string | null) {
  return useQuery({
    queryKey: keys.delivery(id ?? ""),
    queryFn: () => unwrap(api.GET("/v1/webhooks/deliveries/{id}", path(id ?? ""))),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data?.delivery.status === "pending" ? 2000 : false),
  });
}

/** createSubscription makes a subscription; its answer carries the secret, once. */
export function createSubscription(input: SubscriptionInput) {
  return unwrap(api.POST("/v1/webhooks/subscriptions", { body: body(input) }));
}

/** updateSubscription changes a subscription read at version. */
export function updateSubscription(id: string, version: number, input: SubscriptionInput) {
  return unwrap(api.PATCH("/v1/webhooks/subscriptions/{id}", { ...path(id), body: body(input), headers: { ...mergePatch, ...ifMatch(version) } }));
}

/** deleteSubscription removes a subscription read at version. */
export function deleteSubscription(s: Subscription) {
  return unwrap(api.DELETE("/v1/webhooks/subscriptions/{id}", { ...path(s.id), headers: ifMatch(s.version) }));
}

/** enableSubscription turns a disabled subscription on again. */
export function enableSubscription(id: string) {
  return unwrap(api.POST("/v1/webhooks/subscriptions/{id}/enable", path(id)));
}

/** rotateSecret replaces the signing secret; the answer carries the new one, once. */
export function rotateSecret(id: string) {
  return unwrap(api.POST("/v1/webhooks/subscriptions/{id}/rotate-secret", path(id)));
}

/** ping queues a test event (dev.rapport.webhooks.ping.v1) to the subscription. */
export function ping(id: string) {
  return unwrap(api.POST("/v1/webhooks/subscriptions/{id}/ping", path(id)));
}

/** redeliver starts a new series of attempts of a delivery. */
export function redeliver(id: string) {
  return unwrap(api.POST("/v1/webhooks/deliveries/{id}/redeliver", path(id)));
}
