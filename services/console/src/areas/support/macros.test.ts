import { describe, expect, it } from "vitest";
import type { Case } from "./api";
import { actionsPatch, replyStatus } from "./macros";

const kase = (over: Partial<Case>): Case => ({ id: "c", number: 7, subject: "s", status: "open", priority: "normal", tags: ["Billing"], version: 3, ...over }) as Case;

describe("replyStatus", () => {
  it("is the macro's status when the case may move there", () => {
    expect(replyStatus(kase({}), { status: "pending_customer" })).toBe("pending_customer");
    expect(replyStatus(kase({}), { status: "open" })).toBeUndefined();
    expect(replyStatus(kase({ status: "solved" }), { status: "pending_customer" })).toBeUndefined();
    expect(replyStatus(kase({}), { status: "closed" })).toBeUndefined();
    expect(replyStatus(kase({}), undefined)).toBeUndefined();
  });
});

describe("actionsPatch", () => {
  it("changes what differs and adds tags to the case's own", () => {
    expect(actionsPatch(kase({}), { priority: "high", addTags: ["billing", "Refund"], queueId: "q1" })).toEqual({ priority: "high", queueId: "q1", tags: ["Billing", "Refund"] });
  });
  it("is null when nothing would change", () => {
    expect(actionsPatch(kase({ queueId: "q1" }), { priority: "normal", addTags: ["BILLING"], queueId: "q1", status: "solved" })).toBeNull();
    expect(actionsPatch(kase({}), {})).toBeNull();
    expect(actionsPatch(kase({}), undefined)).toBeNull();
  });
});
