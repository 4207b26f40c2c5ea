import { App, Button, Empty, Form, Input, Modal, Select, Space, Tree } from "antd";
import { DeleteOutlined, EditOutlined, PlusOutlined } from "@ant-design/icons";
import type { DataNode } from "antd/es/tree";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { ifMatch, PageHead, useTeams, type Team, okProps, useSave, useRemove } from "./shared";

/** TeamForm is a team's name and the team it sits under. */
interface TeamForm {
  name: string;
  parentId?: string;
}

/** below lists id and every team under it, so a team cannot be moved under itself. */
function below(all: Team[], id: string): Set<string> {
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const x of all) {
      if (x.parentId && out.has(x.parentId) && !out.has(x.id)) {
        out.add(x.id);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * TeamsPage shows the tenant's teams as a tree by parent; a team is
 * created under another, renamed, moved or deleted (the gateway refuses a
 * cycle, and the delete of a team with members or teams under it).
 */
export default function TeamsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const teams = useTeams();
  const manage = can("teams:manage");
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [form] = Form.useForm<TeamForm>();
  const all = useMemo(() => teams.data?.items ?? [], [teams.data]);
  const refresh = () => qc.invalidateQueries({ queryKey: ["admin", "teams"] });

  const close = () => { setEditing(null); refresh(); };

  const save = useSave({
    form,
    write: async (f: TeamForm, overwrite) => {
      const body = { name: f.name, parentId: f.parentId ?? "" };
      if (editing === "new") return unwrap(api.POST("/v1/teams", { body }));
      const team = editing as Team;
      const version = overwrite ? (await unwrap(api.GET("/v1/teams/{id}", { params: { path: { id: team.id } } }))).version : team.version;
      return unwrap(api.PATCH("/v1/teams/{id}", { params: { path: { id: team.id }, header: { "If-Match": ifMatch(version) } }, body }));
    },
    done: close,
    reload: close,
  });
  const remove = useRemove((team: Team) => unwrap(api.DELETE("/v1/teams/{id}", { params: { path: { id: team.id } } })), refresh);

  const open = (team: Team | "new", parentId?: string) => {
    form.resetFields();
    form.setFieldsValue(team === "new" ? { name: "", parentId } : { name: team.name, parentId: team.parentId });
    setEditing(team);
  };
  const tree = useMemo(() => {
    const node = (x: Team): DataNode => ({
      key: x.id,
      title: (
        <Space size={4} wrap>
          <span data-testid="team-name">{x.name}</span>
          {manage && (
            <>
              <Button size="small" type="text" icon={<PlusOutlined />} aria-label={t("admin.teams.addUnder", { name: x.name })} onClick={() => open("new", x.id)} />
              <Button size="small" type="text" icon={<EditOutlined />} aria-label={t("admin.teams.editOf", { name: x.name })} onClick={() => open(x)} />
              <Button
                size="small"
                type="text"
                icon={<DeleteOutlined />}
                aria-label={t("admin.teams.deleteOf", { name: x.name })}
                onClick={() => modal.confirm({ title: t("admin.teams.deleteTitle", { name: x.name }), okText: t("action.delete"), onOk: () => remove.mutateAsync(x) })}
              />
            </>
          )}
        </Space>
      ),
      children: all.filter((c) => c.parentId === x.id).map(node),
    });
    const ids = new Set(all.map((x) => x.id));
    return all.filter((x) => !x.parentId || !ids.has(x.parentId)).map(node);
  }, [all, manage, t]);
  const excluded = editing && editing !== "new" ? below(all, editing.id) : new Set<string>();

  return (
    <div data-testid="page-admin-teams">
      <PageHead title={t("admin.teams.title")}>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open("new")} data-testid="team-create">
            {t("admin.teams.create")}
          </Button>
        )}
      </PageHead>
      {teams.isError ? (
        <ErrorState error={teams.error} onRetry={() => teams.refetch()} />
      ) : all.length === 0 && !teams.isLoading ? (
        <Empty description={t("admin.teams.none")} />
      ) : (
        <nav aria-label={t("admin.teams.tree")}>
          <Tree treeData={tree} defaultExpandAll selectable={false} blockNode key={all.length} />
        </nav>
      )}
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("admin.teams.create") : t("admin.teams.edit")}
        okText={t("action.save")}
        cancelText={t("action.cancel")}
        onCancel={() => setEditing(null)}
        onOk={() => form.validateFields().then((f) => save.mutate({ values: f }))}
        confirmLoading={save.isPending}
        okButtonProps={okProps("team-save")}
        forceRender
      >
        <Form form={form} name="team" layout="vertical">
          <Form.Item name="name" label={t("admin.teams.name")} rules={[{ required: true, message: t("admin.required") }]}>
            <Input data-testid="team-name-input" autoComplete="off" />
          </Form.Item>
          <Form.Item name="parentId" label={t("admin.teams.parent")}>
            <Select allowClear options={all.filter((x) => !excluded.has(x.id)).map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
