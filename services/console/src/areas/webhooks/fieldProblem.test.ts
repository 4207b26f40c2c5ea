import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { ontoFields } from "./fieldProblem";

describe("ontoFields", () => {
  it("puts a problem about a part of the filter or an event type on the form's field", () => {
    const err = new ApiError(400, {
      title: "invalid",
      errors: [
        { field: "filter/and/0/field", reason: "unknown field" },
        { field: "url", reason: "private address" },
        { field: "filter", reason: "bad" },
        { field: "eventTypes/1", reason: "names no event type" },
      ],
    });
    const moved = ontoFields(err) as ApiError;
    expect(moved.status).toBe(400);
    expect(moved.fields).toEqual([
      { field: "filter", reason: "and/0/field: unknown field" },
      { field: "url", reason: "private address" },
      { field: "filter", reason: "bad" },
      { field: "eventTypes", reason: "1: names no event type" },
    ]);
  });
  it("leaves other errors alone", () => {
    const e = new Error("x");
    expect(ontoFields(e)).toBe(e);
  });
});
