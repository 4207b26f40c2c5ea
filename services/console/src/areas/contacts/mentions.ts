/** Mentioned is a colleague picked in the note box: the name shown and their user id. */
export interface Mentioned {
  name: string;
  id: string;
}

/**
 * encodeMentions writes each "@Name" of a picked colleague in text as
 * "@[Name](user:<uuid>)", the form the notifications read. Longer names are
 * matched first (so "@Ann Lee" is not taken as "@Ann"), a name only where a
 * word ends after it, and brackets in a name are dropped so the link stays
 * readable. Anything else is left as typed.
 */
export function encodeMentions(text: string, picked: Mentioned[]): string {
  const byName = new Map<string, string>();
  for (const p of picked) if (p.name.trim()) byName.set(p.name, p.id);
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return text;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`@(${names.map(escape).join("|")})(?![\\p{L}\\p{N}_])`, "gu");
  return text.replace(re, (_, name: string) => `@[${name.replace(/[[\]()]/g, "")}](user:${byName.get(name)})`);
}

/** Segment is a piece of a note's text: plain text, or a mention of a user. */
export type Segment = { text: string } | { mention: string; id: string };

const mentionPattern = /@\[([^\]\n]{1,200})\]\(user:([0-9a-fA-F-]{36})\)/g;

/** mentionSegments splits a note's body into text and mentions, for showing mentions as "@Name". */
export function mentionSegments(body: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of body.matchAll(mentionPattern)) {
    if (m.index! > last) out.push({ text: body.slice(last, m.index) });
    out.push({ mention: m[1], id: m[2] });
    last = m.index! + m[0].length;
  }
  if (last < body.length) out.push({ text: body.slice(last) });
  return out;
}
