import type { Paged } from "../lib/usePagedQuery";
import { CursorPager } from "./CursorPager";
import { ErrorState } from "./ErrorState";
import { ResponsiveList, type ResponsiveListProps } from "./ResponsiveList";

/** PagedListProps are a ResponsiveList's but for its data, loading and footer, which come from paged. */
export type PagedListProps<T> = Omit<ResponsiveListProps<T>, "data" | "loading" | "footer"> & {
  /** paged is the list's query (usePagedQuery). */
  paged: Paged<{ items: T[]; nextCursor?: string }>;
};

/**
 * PagedList shows a cursor-paged list read by usePagedQuery: its page as a
 * ResponsiveList with a CursorPager under it, or the ErrorState (with
 * retry) when the page could not be read.
 */
export function PagedList<T extends object>({ paged, ...props }: PagedListProps<T>) {
  const { list, pager } = paged;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  return <ResponsiveList<T> {...props} data={list.data?.items ?? []} loading={list.isLoading} footer={<CursorPager {...pager} />} />;
}
