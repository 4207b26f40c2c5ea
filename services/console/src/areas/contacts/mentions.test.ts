import { describe, expect, it } from "vitest";
import { encodeMentions, mentionSegments } from "./mentions";

const ann = { name: "Ann", id: "0190c2b4-0000-7000-8000-000000000001" };
const annLee = { name: "Ann Lee", id: "0190c2b4-0000-7000-8000-000000000002" };
const wei = { name: "张伟", id: "0190c2b4-0000-7000-8000-000000000003" };

describe("encodeMentions", () => {
  it("writes a picked colleague as @[Name](user:<uuid>)", () => {
    expect(encodeMentions("ask @Ann about it", [ann])).toBe(`ask @[Ann](user:${ann.id}) about it`);
    expect(encodeMentions("@张伟，请跟进", [wei])).toBe(`@[张伟](user:${wei.id})，请跟进`);
  });

  it("prefers the longer name and needs the name to end", () => {
    expect(encodeMentions("@Ann Lee and @Ann, not @Annabel", [ann, annLee])).toBe(`@[Ann Lee](user:${annLee.id}) and @[Ann](user:${ann.id}), not @Annabel`);
  });

  it("leaves text without picked names as typed, HTML included", () => {
    expect(encodeMentions("<img src=x onerror=alert(1)> @Bob", [ann])).toBe("<img src=x onerror=alert(1)> @Bob");
    expect(encodeMentions("no mention", [])).toBe("no mention");
  });

  it("drops brackets from a name so the link reads back", () => {
    const odd = { name: "Li (Sales)", id: ann.id };
    const body = encodeMentions("@Li (Sales) hi", [odd]);
    expect(body).toBe(`@[Li Sales](user:${ann.id}) hi`);
    expect(mentionSegments(body)).toEqual([{ mention: "Li Sales", id: ann.id }, { text: " hi" }]);
  });
});

describe("mentionSegments", () => {
  it("splits a body into text and mentions", () => {
    expect(mentionSegments(`call @[Ann Lee](user:${annLee.id}) today`)).toEqual([{ text: "call " }, { mention: "Ann Lee", id: annLee.id }, { text: " today" }]);
    expect(mentionSegments("plain")).toEqual([{ text: "plain" }]);
    expect(mentionSegments("@[x](user:not-a-uuid)")).toEqual([{ text: "@[x](user:not-a-uuid)" }]);
  });
});
