/** SSEEvent is one event of a Server-Sent Events stream. */
export interface SSEEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * SSEParser reads a text/event-stream in chunks as they arrive and hands
 * each complete event to onEvent (comments, such as heartbeats, are
 * skipped; "retry:" is given to onRetry).
 */
export class SSEParser {
  private buffer = "";
  private id: string | undefined;
  private event = "";
  private data: string[] = [];

  constructor(
    private readonly onEvent: (e: SSEEvent) => void,
    private readonly onRetry: (ms: number) => void = () => {},
  ) {}

  /** push adds a chunk of the stream's text. */
  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) return;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith("\r\n", nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) this.onEvent({ id: this.id, event: this.event || "message", data: this.data.join("\n") });
      this.event = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "id":
        this.id = value;
        break;
      case "event":
        this.event = value;
        break;
      case "data":
        this.data.push(value);
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.onRetry(Number(value));
        break;
    }
  }
}
