import { describe, expect, it } from "vitest";
import { areas } from "../areas";
import { common } from "./common";
import { merge, missingKeys } from "./translate";

describe("catalogs", () => {
  it("say every text in English and 简体中文", () => {
    for (const c of [common, ...areas.map((a) => a.catalog)]) expect(missingKeys(c)).toEqual([]);
  });
  it("define no key twice", () => {
    expect(() => merge([common, ...areas.map((a) => a.catalog)])).not.toThrow();
  });
});
