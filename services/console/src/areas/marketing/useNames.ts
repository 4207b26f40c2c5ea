import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { marketingKey } from "./api";

/**
 * useNames names the tenant's templates, segments and campaigns by id (the
 * first 200 of each, which the pickers read too); an id it does not hold
 * is shown as is.
 */
export function useNames() {
  const templates = useQuery({ queryKey: marketingKey("templates", "all"), queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { limit: 200 } } })) });
  const segments = useQuery({ queryKey: marketingKey("segments", "all"), queryFn: () => unwrap(api.GET("/v1/segments", { params: { query: { limit: 200 } } })) });
  const campaigns = useQuery({ queryKey: marketingKey("campaigns", "parents"), queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })) });
  const name = (items: { id: string; name: string }[] | undefined, id: string | undefined) => (id ? (items?.find((x) => x.id === id)?.name ?? id) : "");
  return {
    template: (id?: string) => name(templates.data?.items, id),
    segment: (id?: string) => name(segments.data?.items, id),
    campaign: (id?: string) => name(campaigns.data?.items, id),
  };
}
