import type { components } from "../../api/schema";
import { refreshSession } from "../../api/client";
import { getAccessToken } from "../../auth/token";
import { SSEParser } from "./sse";

/** Notification is one notification of the signed-in user. */
export type Notification = components["schemas"]["Notification"];

/** StreamHandlers are told what the stream brings. */
export interface StreamHandlers {
  /** onNotification is given each notification as it arrives (or is replayed). */
  onNotification: (n: Notification) => void;
  /** onConnected is called at every (re)connection: what was missed may be stale. */
  onConnected?: () => void;
}

/** maxBackoff bounds the wait before a reconnection. */
const maxBackoff = 30_000;

/**
 * openNotificationStream reads GET /v1/notifications/stream with fetch
 * (EventSource cannot send the Authorization header) until the returned
 * stop is called. A dropped connection is reopened after a growing,
 * jittered wait (1 s doubling up to 30 s, reset once connected) with
 * Last-Event-ID, so the gateway replays what was missed; a 401 renews the
 * session first. Leaving the page (pagehide) closes the connection: a page
 * kept in the back/forward cache would otherwise hold one of the browser's
 * six connections to the gateway, and after a few reloads the next page's
 * API calls would wait forever. Coming back from that cache reconnects.
 */
export function openNotificationStream(h: StreamHandlers): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  let lastId: string | undefined;
  let backoff = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let hidden = false;

  const connect = async () => {
    if (stopped) return;
    controller = new AbortController();
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      const token = getAccessToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (lastId) headers["Last-Event-ID"] = lastId;
      const res = await fetch("/v1/notifications/stream", { headers, signal: controller.signal, cache: "no-store" });
      if (res.status === 401) {
        if (!(await refreshSession())) return; // signed out: the session handler takes over
        throw new Error("token renewed");
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      backoff = 1000;
      h.onConnected?.();
      const parser = new SSEParser((e) => {
        if (e.event !== "notification") return;
        if (e.id) lastId = e.id;
        h.onNotification(JSON.parse(e.data) as Notification);
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // dropped, refused or aborted: retried below unless stopped
    }
    if (stopped || hidden) return;
    const wait = backoff * (0.5 + Math.random() / 2);
    backoff = Math.min(backoff * 2, maxBackoff);
    timer = setTimeout(connect, wait);
  };
  const onHide = () => {
    hidden = true;
    clearTimeout(timer);
    controller?.abort();
  };
  const onShow = (e: PageTransitionEvent) => {
    if (!e.persisted || !hidden || stopped) return;
    hidden = false;
    backoff = 1000;
    void connect();
  };
  window.addEventListener("pagehide", onHide);
  window.addEventListener("pageshow", onShow);
  void connect();
  return () => {
    stopped = true;
    window.removeEventListener("pagehide", onHide);
    window.removeEventListener("pageshow", onShow);
    clearTimeout(timer);
    controller?.abort();
  };
}
