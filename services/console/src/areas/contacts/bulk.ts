/** Failure is one item a bulk run could not do, with why. */
export interface Failure<I> {
  item: I;
  error: unknown;
}

/**
 * runBounded calls work for every item with at most limit calls in flight,
 * reporting after each one how many are done; it never stops at a failure
 * but returns every failure, in the items' order.
 */
export async function runBounded<I>(items: I[], limit: number, work: (item: I) => Promise<unknown>, onProgress?: (done: number) => void): Promise<Failure<I>[]> {
  const failures: (Failure<I> | undefined)[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await work(items[i]);
      } catch (error) {
        failures[i] = { item: items[i], error };
      }
      done += 1;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return failures.filter((f): f is Failure<I> => f !== undefined);
}
