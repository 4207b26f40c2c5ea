/** Segment is a run of a search highlight's text, marked when it matched. */
export interface Segment {
  text: string;
  marked: boolean;
}

const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&#34;": '"' };

/** unescapeHTML reads the entities an HTML-escaping writer leaves in text. */
function unescapeHTML(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39|#x27|#34);/g, (e) => entities[e] ?? e);
}

/**
 * markSegments splits a search highlight (HTML-escaped text with the
 * matches in <mark> elements, as GET /v1/kb/search answers) into plain text
 * runs, so that the page shows it as text and never as HTML: no element but
 * the marks it knows survives.
 */
export function markSegments(html: string): Segment[] {
  const out: Segment[] = [];
  let marked = false;
  for (const part of html.split(/(<\/?mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part !== "") out.push({ text: unescapeHTML(part), marked });
  }
  return out;
}
