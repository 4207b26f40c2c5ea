import { App, Button, Card, Form, Input, InputNumber, Select, Space, Tag, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { useIsPhone } from "../../lib/useIsPhone";
import { ifMatch, mergePatch, PageHead, useSave, useRemove } from "./shared";

type Pipeline = components["schemas"]["Pipeline"];
type StageInput = components["schemas"]["StageInput"];
type Field = components["schemas"]["OpportunityField"];

/** opportunityFields are what a stage may require (OpportunityField). */
const opportunityFields: Field[] = ["amount", "closeDate", "accountId", "primaryContactId", "nextStep", "lostReason", "competitors", "lineItems"];
const kinds: StageInput["kind"][] = ["open", "won", "lost"];

/** PipelineForm is a pipeline as the editor holds it. */
interface PipelineForm {
  name: string;
  stages: StageInput[];
}

/** starter is a new pipeline's stages: the open, won and lost ones every pipeline needs. */
function starter(t: (k: string) => string): StageInput[] {
  return [
    { name: t("admin.pipelines.starter.open"), kind: "open", probability: 10, requiredFields: [] },
    { name: t("admin.pipelines.starter.won"), kind: "won", probability: 100, requiredFields: [] },
    { name: t("admin.pipelines.starter.lost"), kind: "lost", probability: 0, requiredFields: ["lostReason"] },
  ];
}

/**
 * PipelinesPage edits the tenant's sales pipelines: the stages in order
 * (moved up and down), each one's kind, default probability and the
 * fields an opportunity needs to enter it. Saving sends the whole list
 * (a stage keeps its id, so opportunities in it stay).
 */
export default function PipelinesPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const phone = useIsPhone();
  const manage = can("sales:admin");
  const list = useQuery({ queryKey: ["admin", "pipelines"], queryFn: () => unwrap(api.GET("/v1/pipelines")) });
  const [selected, setSelected] = useState<string | "new">("");
  const [form] = Form.useForm<PipelineForm>();
  const pipelines = list.data?.items ?? [];
  const current: Pipeline | undefined = selected === "new" ? undefined : pipelines.find((p) => p.id === selected) ?? pipelines[0];

  useEffect(() => {
    if (selected === "new") form.setFieldsValue({ name: "", stages: starter(t) });
    else if (current) form.setFieldsValue({ name: current.name, stages: current.stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind, probability: s.probability, requiredFields: s.requiredFields })) });
  }, [selected, current, form, t]);
  const refresh = () => qc.invalidateQueries({ queryKey: ["admin", "pipelines"] });

  const save = useSave({
    form,
    write: async (f: PipelineForm, overwrite) => {
      if (!current) return unwrap(api.POST("/v1/pipelines", { body: f }));
      const version = overwrite ? (await unwrap(api.GET("/v1/pipelines/{id}", { params: { path: { id: current.id } } }))).version : current.version;
      return unwrap(api.PATCH("/v1/pipelines/{id}", { params: { path: { id: current.id }, header: { "If-Match": ifMatch(version) } }, headers: mergePatch, body: f }));
    },
    done: (p) => { setSelected(p.id); refresh(); },
    reload: refresh,
  });
  const remove = useRemove((p: Pipeline) => unwrap(api.DELETE("/v1/pipelines/{id}", { params: { path: { id: p.id }, header: { "If-Match": ifMatch(p.version) } } })), () => { setSelected(""); refresh(); });

  if (list.isError) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  return (
    <div data-testid="page-admin-pipelines">
      <PageHead title={t("admin.pipelines.title")}>
        <Select
          aria-label={t("admin.pipelines.pick")}
          data-testid="pipeline-pick"
          value={selected === "new" ? "new" : current?.id}
          onChange={setSelected}
          style={{ minWidth: 200 }}
          loading={list.isLoading}
          options={[
            ...pipelines.map((p) => ({ value: p.id, label: p.isDefault ? `${p.name} (${t("admin.pipelines.default")})` : p.name })),
            ...(manage ? [{ value: "new", label: t("admin.pipelines.create") }] : []),
          ]}
        />
        {manage && current && !current.isDefault && (
          <Button onClick={() => modal.confirm({ title: t("admin.pipelines.deleteTitle", { name: current.name }), okText: t("action.delete"), onOk: () => remove.mutateAsync(current) })}>
            {t("action.delete")}
          </Button>
        )}
      </PageHead>
      <Form form={form} name="pipeline" layout="vertical" disabled={!manage} onFinish={(f) => save.mutate({ values: f })}>
        <Form.Item name="name" label={t("admin.pipelines.name")} rules={[{ required: true, message: t("admin.required") }]}>
          <Input autoComplete="off" style={{ maxWidth: 400 }} />
        </Form.Item>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("admin.pipelines.stages")}
        </Typography.Title>
        <Form.List name="stages">
          {(fields, { add, remove: drop, move }) => (
            <>
              {fields.map((field, i) => (
                <Card key={field.key} size="small" style={{ marginBottom: 8 }} data-testid="stage">
                  <Space wrap align="start" style={{ width: "100%" }}>
                    <Typography.Text strong aria-hidden style={{ display: "inline-block", minWidth: 24, paddingTop: 34 }}>
                      {i + 1}
                    </Typography.Text>
                    <Form.Item name={[field.name, "name"]} label={t("admin.pipelines.stage")} rules={[{ required: true, message: t("admin.required") }]}>
                      <Input autoComplete="off" style={{ width: phone ? 240 : 200 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, "kind"]} label={t("admin.pipelines.kind")}>
                      <Select style={{ width: 110 }} options={kinds.map((k) => ({ value: k, label: t(`admin.pipelines.kind.${k}`) }))} />
                    </Form.Item>
                    <Form.Item name={[field.name, "probability"]} label={t("admin.pipelines.probability")}>
                      <InputNumber min={0} max={100} addonAfter="%" style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, "requiredFields"]} label={t("admin.pipelines.required")}>
                      <Select mode="multiple" style={{ width: phone ? 240 : 280 }} options={opportunityFields.map((x) => ({ value: x, label: t(`admin.pipelines.field.${x}`) }))} />
                    </Form.Item>
                    <Space style={{ paddingTop: phone ? 0 : 30 }}>
                      <Button icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t("admin.moveUp", { n: i + 1 })} />
                      <Button icon={<ArrowDownOutlined />} disabled={i === fields.length - 1} onClick={() => move(i, i + 1)} aria-label={t("admin.moveDown", { n: i + 1 })} />
                      <Button icon={<DeleteOutlined />} onClick={() => drop(field.name)} aria-label={t("admin.pipelines.removeStage", { n: i + 1 })} />
                    </Space>
                  </Space>
                </Card>
              ))}
              {manage && (
                <Button icon={<PlusOutlined />} onClick={() => add({ name: "", kind: "open", probability: 50, requiredFields: [] })} style={{ marginBottom: 16 }}>
                  {t("admin.pipelines.addStage")}
                </Button>
              )}
            </>
          )}
        </Form.List>
        {manage && (
          <Space style={{ display: "flex" }}>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="pipeline-save">
              {t("action.save")}
            </Button>
            {current && <Tag>{t("admin.pipelines.version", { v: current.version })}</Tag>}
          </Space>
        )}
      </Form>
    </div>
  );
}
