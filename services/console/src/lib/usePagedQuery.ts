import { useQuery } from "@tanstack/react-query";
import { useCursorStack } from "./useCursorStack";

/**
 * usePagedQuery reads a cursor-paged list: key is the list's query key
 * without the cursor (the current page's is appended), fetch reads the page
 * at a cursor (undefined for the first). It gives the query (list), the
 * cursor stack (pages, to reset() when a filter changes) and the props of
 * the CursorPager that moves through it (pager).
 */
export function usePagedQuery<P extends { nextCursor?: string }>(key: readonly unknown[], fetch: (cursor: string | undefined) => Promise<P>) {
  const pages = useCursorStack();
  const list = useQuery({ queryKey: [...key, pages.cursor], queryFn: () => fetch(pages.cursor || undefined) });
  const next = list.data?.nextCursor;
  const pager = {
    hasPrev: pages.depth > 1,
    hasNext: !!next,
    onPrev: pages.prev,
    onNext: () => next && pages.next(next),
    busy: list.isFetching,
  };
  return { list, pages, pager };
}
