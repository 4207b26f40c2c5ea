import { useQuery } from "@tanstack/react-query";
import { Select } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { marketingKey } from "./api";
import { audienceSearch } from "./segments";
import { useDebounced } from "../../lib/useDebounced";

/** ContactPicker chooses a contact of the audience, searched by name or address as it is typed. */
export function ContactPicker({ id, label, value, onChange }: { id: string; label: string; value?: string; onChange: (id: string | undefined) => void }) {
  const [q, setQ] = useState("");
  const search = useDebounced(q, 300);
  const found = useQuery({
    queryKey: marketingKey("audience", "search", search),
    queryFn: () => unwrap(api.GET("/v1/audience/contacts", { params: { query: { filter: audienceSearch(search), limit: 20 } } })),
  });
  return (
    <Select
      id={id}
      aria-label={label}
      showSearch
      allowClear
      filterOption={false}
      value={value}
      onSearch={setQ}
      onChange={(v?: string) => onChange(v)}
      loading={found.isFetching}
      options={(found.data?.items ?? []).map((c) => ({ value: c.id, label: [c.displayName || c.id, c.email].filter(Boolean).join(" · ") }))}
      style={{ minWidth: 260, width: "100%" }}
      data-testid={id}
    />
  );
}
