import { describe, expect, it } from "vitest";
import { markSegments } from "./highlight";

describe("markSegments", () => {
  it("splits marked and plain runs", () => {
    expect(markSegments("reset <mark>密码</mark> now")).toEqual([
      { text: "reset ", marked: false },
      { text: "密码", marked: true },
      { text: " now", marked: false },
    ]);
  });
  it("reads escaped text as text, never as markup", () => {
    expect(markSegments("&lt;img src=x onerror=alert(1)&gt; &amp; <mark>a&quot;b</mark>")).toEqual([
      { text: "<img src=x onerror=alert(1)> & ", marked: false },
      { text: 'a"b', marked: true },
    ]);
  });
  it("gives nothing for nothing", () => {
    expect(markSegments("")).toEqual([]);
  });
});
