import { Alert, App, Button, List, Modal, Radio, Table, Tag, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { ifMatch, useCustomFields, type AnyRecord, type Entity } from "./api";
import { cell, type CellContext } from "./cells";
import { basePath, fieldLabel, valueAt } from "./entities";

/** mergeable are the fields a merge may take from the other record (services/contacts duplicates.mergeableFields). */
const mergeable: Record<Entity, string[]> = {
  contact: ["firstName", "lastName", "displayName", "jobTitle", "accountId", "lifecycleStage", "source", "address", "consent", "ownerId", "teamId"],
  account: ["name", "domain", "industry", "sizeBand", "annualRevenue", "parentAccountId", "billingAddress", "shippingAddress", "ownerId", "teamId"],
};

/** Duplicates lists the records that look like this one, each with a side-by-side merge into it. */
export function Duplicates({ entity, record }: { entity: Entity; record: AnyRecord }) {
  const { t } = useI18n();
  const [loser, setLoser] = useState<string>();
  const q = useQuery({
    queryKey: [entity, record.id, "duplicates"],
    queryFn: () =>
      entity === "contact"
        ? unwrap(api.GET("/v1/contacts/{id}/duplicates", { params: { path: { id: record.id } } }))
        : unwrap(api.GET("/v1/accounts/{id}/duplicates", { params: { path: { id: record.id } } })),
  });
  return (
    <div data-testid="duplicates">
      <List
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        locale={{ emptyText: <Typography.Text>{t("contacts.dups.none")}</Typography.Text> }}
        renderItem={(d) => (
          <List.Item actions={[<Button key="m" size="small" onClick={() => setLoser(d.id)} data-testid="merge-open">{t("contacts.dups.merge")}</Button>]}>
            <List.Item.Meta
              title={<Link to={`${basePath(entity)}/${d.id}`}>{d.displayName}</Link>}
              description={<>{d.matchedOn.map((m) => <Tag key={m}>{t(`contacts.dups.on.${m}`)}</Tag>)} {Math.round(d.score * 100)}%</>}
            />
          </List.Item>
        )}
      />
      {loser && <MergeDialog entity={entity} winner={record} loserId={loser} onClose={() => setLoser(undefined)} />}
    </div>
  );
}

function MergeDialog({ entity, winner, loserId, onClose }: { entity: Entity; winner: AnyRecord; loserId: string; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const custom = useCustomFields(entity);
  const [choice, setChoice] = useState<Record<string, "winner" | "loser">>({});
  const loser = useQuery({
    queryKey: [entity, loserId],
    queryFn: () =>
      entity === "contact" ? unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id: loserId } } })) : unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id: loserId } } })),
  });
  const defs = custom.data?.items ?? [];
  const ctx: CellContext = { t, locale, custom: defs };
  const fields = [...mergeable[entity], ...defs.map((d) => `customFields.${d.key}`)].filter(
    (f) => loser.data && JSON.stringify(valueAt(winner, f) ?? null) !== JSON.stringify(valueAt(loser.data, f) ?? null),
  );
  const merge = useMutation({
    mutationFn: (version: number) => {
      const args = { params: { path: { id: winner.id }, header: ifMatch(version) }, body: { loserId, fields: choice } };
      return entity === "contact" ? unwrap(api.POST("/v1/contacts/{id}/merge", args)) : unwrap(api.POST("/v1/accounts/{id}/merge", args));
    },
    onSuccess: (r) => {
      qc.setQueryData([entity, winner.id], r);
      qc.invalidateQueries({ queryKey: [entity, winner.id] });
      qc.invalidateQueries({ queryKey: [`${entity}s`] });
      onClose();
    },
    onError: (err) => {
      const reload = () => {
        qc.invalidateQueries({ queryKey: [entity, winner.id] });
        onClose();
      };
      const overwrite = async () => {
        const cur = entity === "contact" ? await unwrap(api.GET("/v1/contacts/{id}", { params: { path: { id: winner.id } } })) : await unwrap(api.GET("/v1/accounts/{id}", { params: { path: { id: winner.id } } }));
        merge.mutate(cur.version);
      };
      resolveConflict(modal, t, err, reload, overwrite);
    },
  });
  const show = (r: AnyRecord, f: string) => {
    const v = valueAt(r, f);
    return typeof v === "object" && v !== null && !f.startsWith("customFields.") ? JSON.stringify(v) : cell(f, r, ctx);
  };
  return (
    <Modal open width={760} title={t("contacts.dups.mergeTitle")} onCancel={onClose} onOk={() => merge.mutate(winner.version)} okText={t("contacts.dups.merge")} cancelText={t("action.cancel")} confirmLoading={merge.isPending} okButtonProps={{ disabled: !loser.data, "data-testid": "merge-ok" }}>
      <Typography.Paragraph>{t("contacts.dups.mergeHelp")}</Typography.Paragraph>
      {merge.isError && !(isApiError(merge.error) && merge.error.status === 412) && <Alert type="error" showIcon message={merge.error.message} style={{ marginBottom: 8 }} />}
      <Table
        size="small"
        rowKey="f"
        loading={loser.isLoading}
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={fields.map((f) => ({ f }))}
        locale={{ emptyText: <Typography.Text>{t("contacts.dups.same")}</Typography.Text> }}
        columns={[
          { key: "f", title: t("filter.field"), render: (_, { f }) => fieldLabel(f, t, defs) },
          ...(["winner", "loser"] as const).map((side) => ({
            key: side,
            title: side === "winner" ? t("contacts.dups.this") : t("contacts.dups.other"),
            render: (_: unknown, { f }: { f: string }) => (
              <Radio checked={(choice[f] ?? "winner") === side} onChange={() => setChoice((c) => ({ ...c, [f]: side }))} aria-label={`${fieldLabel(f, t, defs)}: ${side === "winner" ? t("contacts.dups.this") : t("contacts.dups.other")}`}>
                {side === "winner" ? show(winner, f) : loser.data ? show(loser.data, f) : null}
              </Radio>
            ),
          })),
        ]}
      />
    </Modal>
  );
}
