import { describe, expect, it } from "vitest";
import { SSEParser, type SSEEvent } from "./sse";

describe("SSEParser", () => {
  it("reads events split across chunks, skipping comments", () => {
    const got: SSEEvent[] = [];
    const retries: number[] = [];
    const p = new SSEParser((e) => got.push(e), (ms) => retries.push(ms));
    p.push("retry: 3000\n: connected\n\nid: a1\nevent: notif");
    expect(got).toEqual([]);
    p.push("ication\ndata: {\"x\":1}\n\n: heartbeat\n\n");
    p.push("id: a2\r\nevent: notification\r\ndata: line1\r\ndata: line2\r\n\r\n");
    expect(retries).toEqual([3000]);
    expect(got).toEqual([
      { id: "a1", event: "notification", data: '{"x":1}' },
      { id: "a2", event: "notification", data: "line1\nline2" },
    ]);
  });
  it("keeps the last id for an event without one", () => {
    const got: SSEEvent[] = [];
    const p = new SSEParser((e) => got.push(e));
    p.push("id: z\ndata: 1\n\ndata: 2\n\n");
    expect(got.map((e) => e.id)).toEqual(["z", "z"]);
    expect(got[1].event).toBe("message");
  });
});
