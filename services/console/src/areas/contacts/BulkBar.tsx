import { Alert, App, Button, Form, List, Modal, Progress, Select, Space, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useT } from "../../i18n/I18n";
import { displayName, matchesPerson, usePeople } from "../../lib/people";
import { ifMatch, mergePatch, patchBody, useTags, type AnyRecord, type Entity } from "./api";
import { runBounded, type Failure } from "./bulk";
import { recordName } from "./entities";

/** ownerConcurrency bounds the owner changes in flight (the API has no bulk owner change). */
const ownerConcurrency = 4;

/**
 * BulkBar acts on the selected records: tags added and removed in one call
 * (POST …/tags), and the owner changed record by record (PATCH with
 * If-Match, a few at once) with progress and the failures listed.
 */
export function BulkBar({ entity, selected, onDone }: { entity: Entity; selected: AnyRecord[]; onDone: () => void }) {
  const t = useT();
  const [dialog, setDialog] = useState<"tags" | "owner" | null>(null);
  if (selected.length === 0) return null;
  return (
    <Space wrap style={{ marginBottom: 8 }} data-testid="bulk-bar">
      <Typography.Text strong>{t("contacts.bulk.selected", { n: selected.length })}</Typography.Text>
      <Button onClick={() => setDialog("tags")} data-testid="bulk-tags">
        {t("contacts.bulk.tags")}
      </Button>
      <Button onClick={() => setDialog("owner")} data-testid="bulk-owner">
        {t("contacts.bulk.owner")}
      </Button>
      {dialog === "tags" && <TagDialog entity={entity} selected={selected} onClose={(changed) => { setDialog(null); if (changed) onDone(); }} />}
      {dialog === "owner" && <OwnerDialog entity={entity} selected={selected} onClose={(changed) => { setDialog(null); if (changed) onDone(); }} />}
    </Space>
  );
}

function TagDialog({ entity, selected, onClose }: { entity: Entity; selected: AnyRecord[]; onClose: (changed: boolean) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const tags = useTags();
  const [add, setAdd] = useState<string[]>([]);
  const [remove, setRemove] = useState<string[]>([]);
  const run = useMutation({
    mutationFn: () => {
      const body = { ids: selected.map((r) => r.id), add, remove };
      return entity === "contact" ? unwrap(api.POST("/v1/contacts/tags", { body })) : unwrap(api.POST("/v1/accounts/tags", { body }));
    },
    onSuccess: (res) => {
      qc.invalidateQueries({ queryKey: ["tags"] });
      message.success(t("contacts.bulk.tagged", { n: res.updated }));
      onClose(true);
    },
  });
  const options = (tags.data?.items ?? []).map((x) => ({ value: x.name, label: x.name }));
  return (
    <Modal open title={t("contacts.bulk.tags")} onCancel={() => onClose(false)} onOk={() => run.mutate()} okText={t("action.save")} cancelText={t("action.cancel")} confirmLoading={run.isPending} okButtonProps={{ disabled: add.length + remove.length === 0, "data-testid": "bulk-tags-ok" }}>
      <Form layout="vertical">
        <Form.Item label={t("contacts.bulk.addTags")} htmlFor="bulk-add-tags">
          <Select id="bulk-add-tags" mode="tags" value={add} onChange={setAdd} options={options} data-testid="bulk-add-tags" />
        </Form.Item>
        <Form.Item label={t("contacts.bulk.removeTags")} htmlFor="bulk-remove-tags">
          <Select id="bulk-remove-tags" mode="multiple" value={remove} onChange={setRemove} options={options} />
        </Form.Item>
      </Form>
      {run.isError && <Alert type="error" showIcon message={run.error.message} />}
    </Modal>
  );
}

function OwnerDialog({ entity, selected, onClose }: { entity: Entity; selected: AnyRecord[]; onClose: (changed: boolean) => void }) {
  const t = useT();
  const [search, setSearch] = useState("");
  const users = usePeople(search);
  const [owner, setOwner] = useState<string>();
  const [done, setDone] = useState(0);
  const [failures, setFailures] = useState<Failure<AnyRecord>[] | null>(null);
  const run = useMutation({
    mutationFn: () =>
      runBounded(
        selected,
        ownerConcurrency,
        (r) => {
          const args = { params: { path: { id: r.id }, header: ifMatch(r.version) }, body: patchBody({ ownerId: owner }), headers: mergePatch };
          return entity === "contact" ? unwrap(api.PATCH("/v1/contacts/{id}", args)) : unwrap(api.PATCH("/v1/accounts/{id}", args));
        },
        setDone,
      ),
    onSuccess: setFailures,
  });
  const finished = failures !== null;
  return (
    <Modal
      open
      title={t("contacts.bulk.owner")}
      onCancel={() => onClose(finished)}
      onOk={() => (finished ? onClose(true) : run.mutate())}
      okText={finished ? t("action.close") : t("action.save")}
      cancelText={t("action.cancel")}
      confirmLoading={run.isPending}
      okButtonProps={{ disabled: !owner, "data-testid": "bulk-owner-ok" }}
    >
      {users.isError ? (
        <ErrorState error={users.error} onRetry={() => users.refetch()} />
      ) : (
        <Form layout="vertical">
          <Form.Item label={t("contacts.owner")} htmlFor="bulk-owner">
            <Select id="bulk-owner" showSearch filterOption={(input, o) => users.data?.some((u) => u.id === o?.value && matchesPerson(u, input)) ?? false} onSearch={setSearch} value={owner} onChange={setOwner} disabled={run.isPending || finished} loading={users.isFetching} options={(users.data ?? []).map((u) => ({ value: u.id, label: displayName(u) }))} />
          </Form.Item>
        </Form>
      )}
      {(run.isPending || finished) && <Progress percent={Math.round((done / selected.length) * 100)} status={failures?.length ? "exception" : undefined} aria-label={t("contacts.bulk.progress")} />}
      {finished && (
        <Typography.Paragraph data-testid="bulk-owner-result">{t("contacts.bulk.ownerDone", { ok: selected.length - failures.length, failed: failures.length })}</Typography.Paragraph>
      )}
      {finished && failures.length > 0 && (
        <List size="small" dataSource={failures} renderItem={(f) => <List.Item>{`${recordName(f.item)}: ${f.error instanceof Error ? f.error.message : String(f.error)}`}</List.Item>} />
      )}
    </Modal>
  );
}
