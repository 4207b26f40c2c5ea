import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ArticleBody, safeHref } from "./body";

const html = (body: string, format: "markdown" | "html") => renderToStaticMarkup(<ArticleBody body={body} format={format} />);

describe("ArticleBody", () => {
  it("shows an HTML body's allowed elements and drops scripts, handlers and script links", () => {
    const out = html('<h2>Reset</h2><p onclick="x()">Open <a href="javascript:alert(1)">this</a> and <a href="https://example.com/a">that</a></p><script>alert(1)</script><img src="https://evil.example/x.png" alt="pic"><custom-el>kept text</custom-el>', "html");
    expect(out).toContain("<h2>Reset</h2>");
    expect(out).toContain('<a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow">that</a>');
    expect(out).toContain("<a>this</a>");
    expect(out).toContain("kept text");
    expect(out).toContain("pic");
    expect(out).not.toMatch(/script|onclick|javascript|evil\.example|<img|<custom-el/);
  });
  it("shows Markdown's blocks and marks, and HTML in it as text", () => {
    const out = html("# Title\n\nSome **bold** and *em* with `code` and [a link](https://example.com).\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n```\nx < y\n```\n\n<b>not bold</b>", "markdown");
    expect(out).toContain("<h1>Title</h1>");
    expect(out).toContain("<strong>bold</strong>");
    expect(out).toContain("<em>em</em>");
    expect(out).toContain("<code>code</code>");
    expect(out).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">a link</a>');
    expect(out).toContain("<ul><li>one</li><li>two</li></ul>");
    expect(out).toContain("<ol><li>first</li><li>second</li></ol>");
    expect(out).toContain("<blockquote><p>quoted</p></blockquote>");
    expect(out).toContain("<pre><code>x &lt; y</code></pre>");
    expect(out).toContain("&lt;b&gt;not bold&lt;/b&gt;");
  });
});

describe("safeHref", () => {
  it("keeps web, mail and relative links and refuses other schemes, however spelt", () => {
    expect(safeHref("https://example.com")).toBe("https://example.com");
    expect(safeHref("mailto:a@b.example")).toBe("mailto:a@b.example");
    expect(safeHref("/portal/acme")).toBe("/portal/acme");
    expect(safeHref("guide.html")).toBe("guide.html");
    for (const bad of ["javascript:alert(1)", " JavaScript:alert(1)", "java\nscript:alert(1)", "data:text/html,x", "//evil.example", "vbscript:x"]) {
      expect(safeHref(bad)).toBeUndefined();
    }
  });
});
