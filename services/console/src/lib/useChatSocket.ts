import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { chatReducer, initialChat, maxAttempts, parseFrame, retryDelay, wsURL, type ChatSide, type ChatState, type ClientFrame } from "./chat";

/** ChatSocketOptions says which socket to hold and how. */
export interface ChatSocketOptions {
  side: ChatSide;
  /** path is the socket's path on the page's host; null keeps it closed. */
  path: string | null;
  /**
   * protocols gives each attempt's subprotocols; refused is true when the
   * attempt before closed without opening (an expired token, say).
   */
  protocols: (refused: boolean) => Promise<string[]>;
  /**
   * resumable says whether a new socket goes on with the same chat (the
   * agent's). A visitor's socket that closes ends its chat, so it is only
   * tried again until it first opened.
   */
  resumable: boolean;
  /** onOpen is called on every open with the socket's send (the visitor's start). */
  onOpen?: (send: (f: ClientFrame) => boolean) => void;
}

/** ChatSocket is a held socket: its state and what can be done with it. */
export interface ChatSocket {
  state: ChatState;
  /** send sends a frame; false when the socket is not open. */
  send: (f: ClientFrame) => boolean;
  /** type sets the text being typed. */
  type: (text: string) => void;
  /** sendDraft sends the typed text as a message; it stays typed until the server has it. */
  sendDraft: () => boolean;
  /** reconnect opens the socket again now; fresh (a new chat) also forgets the conversation. */
  reconnect: (fresh: boolean) => void;
}

/** finalCodes are the close codes after which a socket is not tried again: a normal closure, a policy violation, a frame too big. */
const finalCodes = new Set([1000, 1008, 1009]);

/** sendOn sends f on sock when it is open. */
function sendOn(sock: WebSocket | null, f: ClientFrame): boolean {
  if (!sock || sock.readyState !== WebSocket.OPEN) return false;
  sock.send(JSON.stringify(f));
  return true;
}

/**
 * useChatSocket holds a chat's WebSocket (services/support/chat) while
 * path is set: it reconnects politely (retryDelay, at most maxAttempts in
 * a row), keeps every message once in order (a new socket sends them all
 * again), and keeps the typed text until the server has the message, so a
 * refused frame or a lost socket gives it back.
 */
export function useChatSocket(o: ChatSocketOptions): ChatSocket {
  const [state, dispatch] = useReducer(chatReducer, o.side, initialChat);
  const [generation, setGeneration] = useState(0);
  const sock = useRef<WebSocket | null>(null);
  const opts = useRef(o);
  opts.current = o;
  const current = useRef(state);
  current.current = state;

  useEffect(() => {
    const path = o.path;
    if (!path) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let everOpened = false;
    let refused = false;
    const connect = async () => {
      dispatch({ type: "connecting" });
      const protocols = await opts.current.protocols(refused).catch(() => [] as string[]);
      if (stopped) return;
      const ws = new WebSocket(wsURL(path, window.location), protocols);
      sock.current = ws;
      let opened = false;
      let ended = false;
      ws.onopen = () => {
        opened = everOpened = true;
        attempt = 0;
        dispatch({ type: "open" });
        opts.current.onOpen?.((f) => sendOn(ws, f));
      };
      ws.onmessage = (ev: MessageEvent) => {
        const f = parseFrame(ev.data);
        if (!f) return;
        if (f.type === "ended") ended = true;
        dispatch({ type: "frame", frame: f });
      };
      ws.onclose = (ev: CloseEvent) => {
        if (sock.current === ws) sock.current = null;
        if (stopped) return;
        refused = !opened;
        const retry = !ended && !finalCodes.has(ev.code) && attempt < maxAttempts && (opts.current.resumable || !everOpened);
        dispatch({ type: "closed", retry });
        if (retry) {
          attempt++;
          timer = setTimeout(() => void connect(), retryDelay(attempt));
        }
      };
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      sock.current?.close(1000);
      sock.current = null;
    };
  }, [o.path, generation]);

  const send = useCallback((f: ClientFrame) => sendOn(sock.current, f), []);
  const type = useCallback((text: string) => dispatch({ type: "typed", text }), []);
  const sendDraft = useCallback(() => {
    const s = current.current;
    const text = s.draft.trim();
    if (!text || s.pending !== null || !sendOn(sock.current, { type: "message", text })) return false;
    dispatch({ type: "sent", text });
    return true;
  }, []);
  const reconnect = useCallback((fresh: boolean) => {
    if (fresh) dispatch({ type: "reset" });
    setGeneration((g) => g + 1);
  }, []);
  return { state, send, type, sendDraft, reconnect };
}
