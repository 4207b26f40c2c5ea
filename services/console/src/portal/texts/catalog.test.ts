import { describe, expect, it } from "vitest";
import { merge, missingKeys } from "../../i18n/translate";
import { portalCatalog } from "./catalog";

describe("the portal's catalog", () => {
  it("says every text in English and 简体中文", () => {
    expect(missingKeys(portalCatalog)).toEqual([]);
  });
  it("keeps every key under portal.", () => {
    expect(Object.keys(portalCatalog.en).filter((k) => !k.startsWith("portal."))).toEqual([]);
  });
  it("defines no key twice", () => {
    expect(() => merge([portalCatalog])).not.toThrow();
  });
});
