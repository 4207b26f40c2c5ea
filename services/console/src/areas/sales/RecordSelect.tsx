import { Select } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";

/**
 * RecordSelect picks an account or a contact of the contacts service by
 * searching it as the user types (a form control: value is the record's id).
 */
export function RecordSelect({ kind, id, value, onChange, label }: { kind: "account" | "contact"; id?: string; value?: string; onChange?: (v: string) => void; label?: string }) {
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["record-search", kind, q],
    enabled: q.trim() !== "",
    queryFn: async () => {
      if (kind === "account") {
        const page = await unwrap(api.GET("/v1/accounts", { params: { query: { q, limit: 20 } } }));
        return page.items.map((a) => ({ value: a.id, label: a.name ?? a.id }));
      }
      const page = await unwrap(api.GET("/v1/contacts", { params: { query: { q, limit: 20 } } }));
      return page.items.map((c) => ({ value: c.id, label: c.displayName ?? c.id }));
    },
  });
  return (
    <Select
      id={id}
      aria-label={label}
      showSearch
      allowClear
      value={value}
      onChange={onChange}
      filterOption={false}
      onSearch={setQ}
      loading={found.isFetching}
      options={found.data ?? []}
      notFoundContent={null}
    />
  );
}
