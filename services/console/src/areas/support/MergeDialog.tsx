import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Modal, Select } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import type { Case } from "./api";
import { useDebounced } from "../../lib/useDebounced";

/**
 * MergeDialog merges a duplicate case into another one, found by number or
 * subject among the cases still worked, and opens the case merged into.
 */
export function MergeDialog({ c, onClose }: { c: Case; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [search, setSearch] = useState("");
  const term = useDebounced(search.trim(), 250);
  const [into, setInto] = useState<string>();
  const [busy, setBusy] = useState(false);
  const found = useQuery({
    queryKey: ["support", "cases", "list", "merge", term],
    queryFn: () => unwrap(api.GET("/v1/cases", { params: { query: { q: term || undefined, view: "queue", limit: 20 } } })),
  });
  const options = (found.data?.items ?? []).filter((x) => x.id !== c.id).map((x) => ({ value: x.id, label: `#${x.number} · ${x.subject}` }));
  const merge = async () => {
    if (!into) return;
    setBusy(true);
    try {
      const target = await unwrap(api.POST("/v1/cases/{id}/merge", { params: { path: { id: c.id } }, body: { intoCaseId: into } }));
      qc.invalidateQueries({ queryKey: ["support", "cases"] });
      message.success(t("support.merge.done", { number: target.number }));
      onClose();
      nav(`/cases/${target.id}`);
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t("support.merge.title", { number: c.number })} onCancel={onClose} onOk={merge} okText={t("support.merge.action")} cancelText={t("action.cancel")} confirmLoading={busy} okButtonProps={{ disabled: !into, "data-testid": "merge-confirm" }}>
      <p>{t("support.merge.help")}</p>
      <Select
        showSearch
        filterOption={false}
        onSearch={setSearch}
        aria-label={t("support.merge.into")}
        placeholder={t("support.merge.into")}
        value={into}
        onChange={setInto}
        options={options}
        loading={found.isFetching}
        style={{ width: "100%" }}
        data-testid="merge-into"
      />
    </Modal>
  );
}
