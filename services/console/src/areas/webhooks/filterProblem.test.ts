import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { onFilter } from "./filterProblem";

describe("onFilter", () => {
  it("puts a problem about a part of the filter on the filter's field", () => {
    const err = new ApiError(400, { title: "invalid", errors: [{ field: "filter/and/0/field", reason: "unknown field" }, { field: "url", reason: "private address" }, { field: "filter", reason: "bad" }] });
    const moved = onFilter(err) as ApiError;
    expect(moved.status).toBe(400);
    expect(moved.fields).toEqual([{ field: "filter", reason: "and/0/field: unknown field" }, { field: "url", reason: "private address" }, { field: "filter", reason: "bad" }]);
  });
  it("leaves other errors alone", () => {
    const e = new Error("x");
    expect(onFilter(e)).toBe(e);
  });
});
