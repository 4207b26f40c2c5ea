import { markSegments } from "./highlight";

/** Highlight shows a search highlight as text with its matches marked. */
export function Highlight({ html }: { html: string }) {
  return (
    <>
      {markSegments(html).map((s, i) => (s.marked ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
    </>
  );
}
