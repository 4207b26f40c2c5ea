import { App, Button, Col, Form, List, Row, Space, Tag, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, HolderOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { AssignmentPreview } from "./AssignmentPreview";
import { RuleEditor, type RuleBody, type RuleForm } from "./RuleEditor";
import { listFields } from "./fieldsApi";
import { conditionText, leadFilterFields, moved } from "./ruleFields";
import { ifMatch, mergePatch, PageHead, userLabel, useTeams, useUsers, useSave, useRemove } from "./shared";

type Rule = components["schemas"]["LeadAssignmentRule"];

/**
 * AssignmentRulesPage is the tenant's ordered list of lead assignment
 * rules: dragged (or moved with the arrows) into a new order, which is
 * saved at once (PUT /order); created, edited and deleted; and beside it a
 * preview of which rule a sample lead would hit.
 */
export default function AssignmentRulesPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const manage = can("sales:admin");
  const key = ["admin", "assignment-rules"];
  const rules = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET("/v1/lead-assignment-rules")) });
  const defs = useQuery({ queryKey: ["admin", "custom-fields", "lead"], queryFn: () => listFields("lead") });
  const users = useUsers(can("users:read"));
  const teams = useTeams(can("teams:read"));
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  // The dragged row: a ref for the handlers (a drop may follow its drag
  // start before React renders), state for the look.
  const drag = useRef<number | null>(null);
  const [dragged, setDragged] = useState<number | null>(null);
  const [hit, setHit] = useState<string | null>(null);
  const [form] = Form.useForm<RuleForm>();
  const fields = useMemo(() => leadFilterFields(t, (defs.data ?? []) as components["schemas"]["LeadCustomField"][]), [t, defs.data]);
  const list = rules.data?.items ?? [];
  const refresh = () => qc.invalidateQueries({ queryKey: key });

  const reorder = useMutation({
    mutationFn: (ids: string[]) => unwrap(api.PUT("/v1/lead-assignment-rules/order", { body: { ids } })),
    onMutate: (ids) => qc.setQueryData(key, { items: ids.map((id) => list.find((r) => r.id === id)!) }),
    onSuccess: (res) => { qc.setQueryData(key, res); message.success(t("admin.rules.reordered")); },
    onError: (err) => { message.error(err.message); refresh(); },
  });
  const close = () => { setEditing(null); refresh(); };
  const save = useSave({
    form,
    write: async (b: RuleBody, overwrite) => {
      if (editing === "new") {
        return unwrap(api.POST("/v1/lead-assignment-rules", { body: { ...b, condition: (b.condition ?? undefined) as Record<string, never> | undefined, firstTouchMinutes: b.firstTouchMinutes ?? undefined } }));
      }
      const r = editing as Rule;
      const version = overwrite ? (await unwrap(api.GET("/v1/lead-assignment-rules/{id}", { params: { path: { id: r.id } } }))).version : r.version;
      // A merge patch: the target's absent parts are cleared with null.
      const target = { userId: null, teamId: null, strategy: null, members: null, maxOpenLeads: null, workingHours: null, ...b.target };
      return unwrap(
        api.PATCH("/v1/lead-assignment-rules/{id}", {
          params: { path: { id: r.id }, header: { "If-Match": ifMatch(version) } },
          headers: mergePatch,
          body: { name: b.name, active: b.active, condition: b.condition as Record<string, never> | null, target: target as unknown as Record<string, never>, firstTouchMinutes: b.firstTouchMinutes },
        }),
      );
    },
    done: close,
    reload: close,
  });
  const remove = useRemove((r: Rule) => unwrap(api.DELETE("/v1/lead-assignment-rules/{id}", { params: { path: { id: r.id }, header: { "If-Match": ifMatch(r.version) } } })), refresh);

  const move = (from: number, to: number) => {
    if (to < 0 || to >= list.length || from === to) return;
    reorder.mutate(moved(list.map((r) => r.id), from, to));
  };
  const targetText = (r: Rule) =>
    r.target.type === "user"
      ? t("admin.rules.toUser", { name: userLabel(users.data?.items, r.target.userId ?? "") })
      : t("admin.rules.toTeam", { name: teams.data?.items.find((x) => x.id === r.target.teamId)?.name ?? r.target.teamId ?? "", n: r.target.members?.length ?? 0, how: t(`admin.rules.${r.target.strategy ?? "roundRobin"}`) });

  if (rules.isError) return <ErrorState error={rules.error} onRetry={() => rules.refetch()} />;
  return (
    <div data-testid="page-admin-assignment-rules">
      <PageHead title={t("admin.rules.title")}>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="rule-create">
            {t("admin.rules.create")}
          </Button>
        )}
      </PageHead>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Typography.Paragraph type="secondary">{t("admin.rules.help")}</Typography.Paragraph>
          <List
            loading={rules.isLoading}
            dataSource={list}
            rowKey="id"
            aria-label={t("admin.rules.title")}
            locale={{ emptyText: t("admin.rules.none") }}
            renderItem={(r, i) => (
              <List.Item
                data-testid="rule-row"
                data-rule={r.name}
                data-hit={hit === r.id ? "true" : undefined}
                draggable={manage}
                onDragStart={(e) => { drag.current = i; setDragged(i); e.dataTransfer.effectAllowed = "move"; }}
                onDragOver={(e) => { if (drag.current !== null) e.preventDefault(); }}
                onDrop={(e) => { e.preventDefault(); if (drag.current !== null) move(drag.current, i); drag.current = null; setDragged(null); }}
                onDragEnd={() => { drag.current = null; setDragged(null); }}
                style={{ background: hit === r.id ? "#e6f4ff" : dragged === i ? "#fafafa" : undefined, padding: "8px 12px", cursor: manage ? "grab" : undefined, flexWrap: "wrap", gap: 8 }}
              >
                <Space align="start">
                  {manage && <HolderOutlined aria-hidden style={{ paddingTop: 4 }} />}
                  <Space direction="vertical" size={0}>
                    <Space wrap>
                      <Typography.Text strong>{`${i + 1}. ${r.name}`}</Typography.Text>
                      {!r.active && <Tag>{t("admin.rules.off")}</Tag>}
                      {hit === r.id && <Tag color="blue">{t("admin.rules.hitTag")}</Tag>}
                    </Space>
                    <Typography.Text type="secondary">{r.condition ? t("admin.rules.when", { what: conditionText(t, r.condition, fields) }) : t("admin.rules.every")}</Typography.Text>
                    <Typography.Text>{targetText(r)}</Typography.Text>
                  </Space>
                </Space>
                {manage && (
                  <Space wrap>
                    <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t("admin.moveUp", { n: i + 1 })} data-testid="rule-up" />
                    <Button size="small" icon={<ArrowDownOutlined />} disabled={i === list.length - 1} onClick={() => move(i, i + 1)} aria-label={t("admin.moveDown", { n: i + 1 })} />
                    <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t("admin.rules.editOf", { name: r.name })} />
                    <Button
                      size="small"
                      icon={<DeleteOutlined />}
                      aria-label={t("admin.rules.deleteOf", { name: r.name })}
                      onClick={() => modal.confirm({ title: t("admin.rules.deleteTitle", { name: r.name }), okText: t("action.delete"), onOk: () => remove.mutateAsync(r) })}
                    />
                  </Space>
                )}
              </List.Item>
            )}
          />
        </Col>
        <Col xs={24} lg={10}>
          <AssignmentPreview users={users.data?.items ?? []} onHit={setHit} />
        </Col>
      </Row>
      <RuleEditor
        open={editing !== null}
        rule={editing === "new" ? null : editing}
        fields={fields}
        users={users.data?.items ?? []}
        teams={teams.data?.items ?? []}
        saving={save.isPending}
        form={form}
        onSave={(b) => save.mutate({ values: b })}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}
