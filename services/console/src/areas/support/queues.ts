import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

/** useQueues reads the tenant's support queues: their options for a select and a queue's name by id. */
export function useQueues() {
  const q = useQuery({ queryKey: ["support", "queues"], queryFn: () => unwrap(api.GET("/v1/support-queues")), staleTime: 60_000 });
  const items = q.data?.items ?? [];
  const name = (id: string | undefined) => items.find((x) => x.id === id)?.name ?? id ?? "";
  return { query: q, options: items.map((x) => ({ value: x.id, label: x.name })), name };
}
