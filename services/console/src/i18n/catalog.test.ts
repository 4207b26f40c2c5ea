import { describe, expect, it } from "vitest";
import { common } from "./common";
import { allCatalogs } from "./tables";
import { merge, missingKeys } from "./translate";

describe("catalogs", () => {
  it("say every text in English and 简体中文", async () => {
    for (const c of [common, ...(await allCatalogs())]) expect(missingKeys(c)).toEqual([]);
  });
  it("define no key twice", async () => {
    const all = await allCatalogs();
    expect(() => merge([common, ...all])).not.toThrow();
  });
});
