import { useCallback, useState } from "react";

/**
 * useCursorStack keeps the cursors of the pages visited: cursor is the
 * current page's ("" is the first), next(c) goes on with the nextCursor a
 * page answered, prev() returns, reset() goes back to the first page (after
 * the filter or sort changed).
 */
export function useCursorStack() {
  const [stack, setStack] = useState<string[]>([""]);
  const next = useCallback((c: string) => setStack((s) => [...s, c]), []);
  const prev = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([""]), []);
  return { cursor: stack[stack.length - 1], depth: stack.length, next, prev, reset };
}
