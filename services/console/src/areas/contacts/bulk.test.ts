import { describe, expect, it } from "vitest";
import { runBounded } from "./bulk";

describe("runBounded", () => {
  it("keeps at most limit calls in flight, does every item and reports each", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const progress: number[] = [];
    const failures = await runBounded(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        seen.push(i);
      },
      (d) => progress.push(d),
    );
    expect(failures).toEqual([]);
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("goes on past failures and returns them in order", async () => {
    const failures = await runBounded(["a", "b", "c", "d"], 2, async (x) => {
      if (x === "b" || x === "d") throw new Error(`no ${x}`);
    });
    expect(failures.map((f) => [f.item, (f.error as Error).message])).toEqual([
      ["b", "no b"],
      ["d", "no d"],
    ]);
  });

  it("does nothing for no items", async () => {
    expect(await runBounded([], 3, async () => undefined)).toEqual([]);
  });
});
