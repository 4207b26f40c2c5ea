import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useCursorStack } from "./useCursorStack";

/** Paged is a cursor-paged list as usePagedQuery reads it. */
export interface Paged<P> {
  /** list is the current page's query. */
  list: UseQueryResult<P>;
  /** pages is the cursor stack: reset() when a filter changes. */
  pages: ReturnType<typeof useCursorStack>;
  /** pager is the props of the CursorPager that moves through the list. */
  pager: { hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void; busy: boolean };
}

/**
 * usePagedQuery reads a cursor-paged list: key is the list's query key
 * without the cursor (the current page's is appended), fetch reads the page
 * at a cursor (undefined for the first).
 */
export function usePagedQuery<P extends { nextCursor?: string }>(key: readonly unknown[], fetch: (cursor: string | undefined) => Promise<P>): Paged<P> {
  const pages = useCursorStack();
  const list = useQuery({ queryKey: [...key, pages.cursor], queryFn: () => fetch(pages.cursor || undefined) });
  const next = list.data?.nextCursor;
  const pager = {
    hasPrev: pages.depth > 1,
    hasNext: !!next,
    onPrev: pages.prev,
    onNext: () => {
      if (next) pages.next(next);
    },
    busy: list.isFetching,
  };
  return { list, pages, pager };
}
