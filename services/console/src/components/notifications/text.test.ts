import { describe, expect, it } from "vitest";
import { catalog } from "../../areas/notifications/catalog";
import { format, merge } from "../../i18n/translate";
import type { Locale } from "../../i18n/types";
import { notificationText } from "./text";

const tables = merge([catalog]);
const tr = (l: Locale) => (key: string, params?: Record<string, string | number>) => format(tables[l], key, params);
const base = { id: "01", link: "/", createdAt: "2026-12-06T10:00:00Z" };

describe("notificationText", () => {
  it("renders a kind with its params in each language", () => {
    const n = { ...base, kind: "record.assigned", params: { entity: "account", name: "Acme <b>Ltd</b>" } };
    expect(notificationText(tr("en"), "en", n)).toBe("The account Acme <b>Ltd</b> was assigned to you");
    expect(notificationText(tr("zh-CN"), "zh-CN", n)).toBe("客户 Acme <b>Ltd</b> 已分配给您");
  });
  it("says someone when the actor is unknown, and formats times", () => {
    const q = { ...base, kind: "quote.approved", params: { number: "Q-1", name: "Rollout" } };
    expect(notificationText(tr("en"), "en", q)).toBe("Someone approved your quote Q-1 “Rollout”");
    const r = { ...base, kind: "task.reminder", params: { subject: "Call", due: "2026-12-06T12:30:00Z" } };
    expect(notificationText(tr("en"), "en", r)).not.toContain("2026-12-06T12:30:00Z");
  });
  it("names a kind it does not know", () => {
    expect(notificationText(tr("en"), "en", { ...base, kind: "case.assigned", params: {} })).toContain("(case.assigned)");
  });
});
