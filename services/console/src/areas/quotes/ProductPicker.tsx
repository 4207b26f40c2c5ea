import { Select } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useT } from "../../i18n/I18n";
import type { Product } from "./shared";

/**
 * ProductPicker chooses an active product, searching the catalogue by a
 * prefix of its SKU or name as the user types; only may lists the ids to
 * offer (a price book's priced products), when given.
 */
export function ProductPicker({ value, onChange, only, id, testId }: { value?: string; onChange?: (id: string, p?: Product) => void; only?: Set<string>; id?: string; testId?: string }) {
  const t = useT();
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["products", "pick", q],
    queryFn: () => unwrap(api.GET("/v1/products", { params: { query: { q: q || undefined, active: true, limit: 50 } } })),
  });
  const items = (found.data?.items ?? []).filter((p) => !only || only.has(p.id));
  return (
    <Select
      id={id}
      showSearch
      value={value}
      filterOption={false}
      onSearch={setQ}
      loading={found.isFetching}
      placeholder={t("quotes.pickProduct")}
      aria-label={t("quotes.pickProduct")}
      notFoundContent={t("quotes.noProducts")}
      onChange={(v: string) => onChange?.(v, items.find((p) => p.id === v))}
      options={items.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))}
      style={{ minWidth: 200, width: "100%" }}
      data-testid={testId}
    />
  );
}

/** ProductName shows a product's name by id. */
export function ProductName({ id }: { id: string }) {
  const p = useQuery({ queryKey: ["products", "one", id], staleTime: 300_000, queryFn: () => unwrap(api.GET("/v1/products/{id}", { params: { path: { id } } })) });
  return <>{p.data ? `${p.data.sku} · ${p.data.name}` : id}</>;
}
