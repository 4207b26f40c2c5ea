import { App, Button, Checkbox, Form, Input, Modal, Popover, Radio, Select, Space } from "antd";
import { ColumnHeightOutlined, DeleteOutlined, SaveOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components, operations } from "../../api/schema";
import { resolveConflict } from "../../components/conflict";
import type { FilterNode } from "../../components/filter/model";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, mergePatch, patchBody, type CustomField, type Entity, type SavedView } from "./api";
import { columnNames, fieldLabel, sortable } from "./entities";

/** ViewState is what a saved view keeps of a list. */
export interface ViewState {
  q: string;
  filter?: FilterNode;
  columns: string[];
  sort: string;
}

type CreateView = NonNullable<operations["createView"]["requestBody"]>["content"]["application/json"];

/** ViewBody is what a save or an update of a view sends. */
interface ViewBody {
  q: string;
  filter: Record<string, never> | null;
  columns: string[];
  sort: string;
}

interface Props {
  entity: Entity;
  views: SavedView[];
  current?: SavedView;
  state: ViewState;
  custom: CustomField[];
  onPick: (v: SavedView | undefined) => void;
  onColumns: (c: string[]) => void;
  onSort: (s: string) => void;
}

/**
 * ViewBar picks a saved view (the caller's and the shared ones), saves the
 * list as it is as a new view or into the current one (If-Match; a 412
 * offers to reload or overwrite), deletes it, and chooses the columns and
 * the sort, which a view keeps.
 */
export function ViewBar({ entity, views, current, state, custom, onPick, onColumns, onSort }: Props) {
  const t = useT();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const [saving, setSaving] = useState(false);
  const body: ViewBody = { q: state.q, filter: (state.filter ?? null) as unknown as Record<string, never> | null, columns: state.columns, sort: state.sort };
  const done = () => qc.invalidateQueries({ queryKey: ["saved-views", entity] });
  const update = useMutation({
    mutationFn: (version: number) =>
      unwrap(api.PATCH("/v1/saved-views/{id}", { params: { path: { id: current!.id }, header: ifMatch(version) }, body: patchBody(body), headers: mergePatch })),
    onSuccess: (v) => {
      done();
      onPick(v);
      message.success(t("contacts.views.saved"));
    },
    onError: (err) => {
      const overwrite = async () => update.mutate((await unwrap(api.GET("/v1/saved-views/{id}", { params: { path: { id: current!.id } } }))).version);
      if (!resolveConflict(modal, t, err, done, overwrite)) message.error(err.message);
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/saved-views/{id}", { params: { path: { id: current!.id } } })),
    onSuccess: () => {
      done();
      onPick(undefined);
    },
    onError: (err) => message.error(err.message),
  });
  const [desc, ...rest] = state.sort.split(",");
  const sortField = desc?.replace(/^-/, "") ?? "";
  const direction = desc?.startsWith("-") ? "-" : "";
  const allColumns = [...columnNames[entity], ...custom.map((d) => `customFields.${d.key}`)];
  const sorts = [...sortable[entity], ...custom.filter((d) => d.type !== "multiSelect").map((d) => `customFields.${d.key}`)];
  return (
    <Space wrap style={{ marginBottom: 12 }}>
      <Select
        virtual={false}
        aria-label={t("contacts.views.pick")}
        data-testid="view-pick"
        style={{ minWidth: 200 }}
        placeholder={t("contacts.views.all")}
        allowClear
        value={current?.id}
        onChange={(id?: string) => onPick(views.find((v) => v.id === id))}
        options={views.map((v) => ({ value: v.id, label: v.visibility === "shared" ? `${v.name} · ${t("contacts.views.shared")}` : v.name }))}
      />
      <Button icon={<SaveOutlined />} onClick={() => setSaving(true)} data-testid="view-save">
        {t("contacts.views.saveAs")}
      </Button>
      {current && !current.builtin && (
        <>
          <Button onClick={() => update.mutate(current.version)} loading={update.isPending} data-testid="view-update">
            {t("contacts.views.update")}
          </Button>
          <Button
            icon={<DeleteOutlined />}
            aria-label={t("contacts.views.delete")}
            data-testid="view-delete"
            onClick={() => modal.confirm({ title: t("contacts.views.deleteConfirm", { name: current.name }), onOk: () => remove.mutateAsync() })}
          />
        </>
      )}
      <Popover
        trigger="click"
        content={
          <Checkbox.Group value={state.columns} onChange={(c) => onColumns(allColumns.filter((x) => c.includes(x)))} style={{ display: "grid", gap: 4, maxHeight: 320, overflow: "auto" }}>
            {allColumns.map((c) => (
              <Checkbox key={c} value={c}>
                {fieldLabel(c, t, custom)}
              </Checkbox>
            ))}
          </Checkbox.Group>
        }
      >
        <Button icon={<ColumnHeightOutlined />} data-testid="columns">
          {t("contacts.columns")}
        </Button>
      </Popover>
      <Select
        virtual={false}
        aria-label={t("contacts.sort")}
        data-testid="sort-field"
        style={{ minWidth: 160 }}
        placeholder={t("contacts.sort")}
        allowClear
        value={sortField || undefined}
        onChange={(f?: string) => onSort(f ? [direction + f, ...rest].join(",") : "")}
        options={sorts.map((s) => ({ value: s, label: fieldLabel(s, t, custom) }))}
      />
      {sortField && (
        <Select
          virtual={false}
          aria-label={t("contacts.sortDirection")}
          value={direction}
          onChange={(d: string) => onSort([d + sortField, ...rest].join(","))}
          options={[
            { value: "", label: t("contacts.sort.asc") },
            { value: "-", label: t("contacts.sort.desc") },
          ]}
        />
      )}
      <SaveViewDialog open={saving} entity={entity} body={body} onClose={() => setSaving(false)} onSaved={(v) => { done(); onPick(v); }} />
    </Space>
  );
}

/**
 * createBody passes a view to POST /v1/saved-views, whose body the document
 * declares as SavedViewInput with entity and name required (an allOf the
 * generator types as an object of nothing).
 */
function createBody(v: components["schemas"]["SavedViewInput"] & { entity: Entity; name: string }): CreateView {
  return v as unknown as CreateView;
}

function SaveViewDialog({ open, entity, body, onClose, onSaved }: { open: boolean; entity: Entity; body: ViewBody; onClose: () => void; onSaved: (v: SavedView) => void }) {
  const t = useT();
  const [form] = Form.useForm<{ name: string; visibility: "private" | "shared" }>();
  const [error, setError] = useState("");
  const create = useMutation({
    mutationFn: (v: { name: string; visibility: "private" | "shared" }) => unwrap(api.POST("/v1/saved-views", { body: createBody({ ...body, entity, name: v.name, visibility: v.visibility }) })),
    onSuccess: (v) => {
      form.resetFields();
      onSaved(v);
      onClose();
    },
    onError: (err) => setError(applyProblem(form, err)),
  });
  return (
    <Modal open={open} title={t("contacts.views.saveAs")} onCancel={onClose} onOk={() => form.submit()} okText={t("action.save")} cancelText={t("action.cancel")} confirmLoading={create.isPending} okButtonProps={{ "data-testid": "view-save-ok" }}>
      <Form form={form} layout="vertical" initialValues={{ visibility: "private" }} onFinish={(v) => { setError(""); create.mutate(v); }}>
        <Form.Item name="name" label={t("contacts.views.name")} rules={[{ required: true, whitespace: true, message: t("contacts.required") }]}>
          <Input data-testid="view-name" maxLength={200} />
        </Form.Item>
        <Form.Item name="visibility" label={t("contacts.views.visibility")}>
          <Radio.Group options={[{ value: "private", label: t("contacts.views.private") }, { value: "shared", label: t("contacts.views.shared") }]} />
        </Form.Item>
        {error && <div role="alert" style={{ color: "#b91c1c" }}>{error}</div>}
      </Form>
    </Modal>
  );
}
