import { createElement, Fragment, type ReactNode } from "react";

/**
 * The elements an article's HTML body may show (the support service keeps
 * an HTML body sanitised by bluemonday's UGC policy; the page checks again
 * as it builds React elements, never setting HTML): any other element
 * shows its text only, and the dropped ones nothing at all.
 */
const allowed = new Set([
  "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "del", "ins", "sub", "sup",
  "code", "pre", "blockquote", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "hr", "span", "div",
  "dl", "dt", "dd", "mark", "small", "abbr", "cite", "q", "kbd", "figure", "figcaption",
]);
const dropped = new Set(["script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math", "form", "input", "button", "textarea", "select"]);
const voids = new Set(["br", "hr", "img"]);

/**
 * safeHref is href when it is a web, mail or relative link; script and
 * data links are refused. Whitespace and control characters, which
 * browsers drop from a URL, are dropped first so none can hide a scheme.
 */
export function safeHref(href: string): string | undefined {
  const h = href.replace(/[\u0000-\u0020\u007f]/g, "");
  if (/^(https?:|mailto:)/i.test(h)) return h;
  if (h === "" || h.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(h)) return undefined;
  return h;
}

/** safeSrc is an image's source the console's CSP lets load: this origin's paths and data: images. */
function safeSrc(src: string): string | undefined {
  const s = src.trim();
  return /^\/(?!\/)/.test(s) || /^data:image\/(png|gif|jpeg|webp);/i.test(s) ? s : undefined;
}

/** linkProps are a link's attributes: safe, and opened apart from the portal when it leaves it. */
function linkProps(href: string | undefined): Record<string, string> {
  if (!href) return {};
  return /^https?:/i.test(href) ? { href, target: "_blank", rel: "noopener noreferrer nofollow" } : { href };
}

/** htmlNodes turns parsed HTML nodes into React nodes of the allowed elements and attributes. */
function htmlNodes(nodes: NodeListOf<ChildNode>, prefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  nodes.forEach((n, i) => {
    const key = `${prefix}.${i}`;
    if (n.nodeType === Node.TEXT_NODE) {
      out.push(n.textContent);
      return;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) return;
    const el = n as Element;
    const tag = el.tagName.toLowerCase();
    if (dropped.has(tag)) return;
    if (!allowed.has(tag)) {
      out.push(<Fragment key={key}>{htmlNodes(el.childNodes, key)}</Fragment>);
      return;
    }
    const props: Record<string, unknown> = { key };
    if (tag === "a") Object.assign(props, linkProps(safeHref(el.getAttribute("href") ?? "")));
    if (tag === "img") {
      const src = safeSrc(el.getAttribute("src") ?? "");
      const alt = el.getAttribute("alt") ?? "";
      if (!src) {
        if (alt) out.push(alt);
        return;
      }
      Object.assign(props, { src, alt, style: { maxWidth: "100%" } });
    }
    if (tag === "td" || tag === "th") {
      for (const a of ["colspan", "rowspan"] as const) {
        const v = Number(el.getAttribute(a));
        if (Number.isInteger(v) && v > 1 && v < 100) props[a === "colspan" ? "colSpan" : "rowSpan"] = v;
      }
    }
    if (tag === "ol") {
      const start = Number(el.getAttribute("start"));
      if (Number.isInteger(start) && start > 1) props.start = start;
    }
    out.push(voids.has(tag) ? createElement(tag, props) : createElement(tag, props, ...htmlNodes(el.childNodes, key)));
  });
  return out;
}

/** renderHTML shows a sanitised HTML body as React elements (no HTML is ever set on the page). */
export function renderHTML(html: string): ReactNode[] {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return htmlNodes(doc.body.childNodes, "h");
}

/** inline renders Markdown's inline marks: `code`, **strong**, *em* or _em_, and [links](url). */
export function inline(text: string, prefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const key = `${prefix}.${m.index}`;
    if (m[1] !== undefined) out.push(<code key={key}>{m[1]}</code>);
    else if (m[2] !== undefined || m[3] !== undefined) out.push(<strong key={key}>{inline(m[2] ?? m[3], key)}</strong>);
    else if (m[4] !== undefined || m[5] !== undefined) out.push(<em key={key}>{inline(m[4] ?? m[5], key)}</em>);
    else {
      const href = safeHref(m[7]);
      out.push(href ? <a key={key} {...linkProps(href)}>{inline(m[6], key)}</a> : m[6]);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * renderMarkdown shows a Markdown body: headings, paragraphs, lists,
 * quotes, fenced code, rules and the inline marks. Its text is text: HTML
 * in it shows as written.
 */
export function renderMarkdown(md: string): ReactNode[] {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  const out: ReactNode[] = [];
  let i = 0;
  const key = () => `m${out.length}`;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    if (/^```/.test(line)) {
      const code: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      out.push(
        <pre key={key()}>
          <code>{code.join("\n")}</code>
        </pre>,
      );
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (h) {
      out.push(createElement(`h${h[1].length}`, { key: key() }, ...inline(h[2], key())));
      i++;
      continue;
    }
    if (/^(\s*[-*_]){3,}\s*$/.test(line)) {
      out.push(<hr key={key()} />);
      i++;
      continue;
    }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]);
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]);
        if (item && /\d/.test(item[1]) === ordered) items.push(item[2]);
        else if (lines[i].trim() !== "" && /^\s+/.test(lines[i]) && items.length) items[items.length - 1] += " " + lines[i].trim();
        else break;
      }
      const k = key();
      const lis = items.map((it, j) => <li key={j}>{inline(it, `${k}.${j}`)}</li>);
      out.push(ordered ? <ol key={k}>{lis}</ol> : <ul key={k}>{lis}</ul>);
      continue;
    }
    if (/^>\s?/.test(line)) {
      const quote: string[] = [];
      for (; i < lines.length && /^>\s?/.test(lines[i]); i++) quote.push(lines[i].replace(/^>\s?/, ""));
      out.push(<blockquote key={key()}>{renderMarkdown(quote.join("\n"))}</blockquote>);
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && lines[i].trim() !== "" && !/^(```|#{1,6}\s|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]); i++) para.push(lines[i].trim());
    if (para.length === 0) para.push(lines[i++].trim()); // a line no other block took
    const k = key();
    out.push(<p key={k}>{inline(para.join(" "), k)}</p>);
  }
  return out;
}

/** ArticleBody shows an article's body as its format says, without ever setting HTML. */
export function ArticleBody({ body, format }: { body: string; format: "markdown" | "html" }) {
  return (
    <div className="portal-article-body" data-testid="portal-article-body" style={{ lineHeight: 1.7, overflowWrap: "anywhere" }}>
      {format === "html" ? renderHTML(body) : renderMarkdown(body)}
    </div>
  );
}
