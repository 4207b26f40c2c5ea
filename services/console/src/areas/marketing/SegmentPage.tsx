import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Form, Input, Popconfirm, Row, Space, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { FilterBuilder } from "../../components/filter/FilterBuilder";
import { buildFilter, parseFilter, type BuilderState, type FilterNode } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { ifMatch, marketingKey, mergePatch, type Segment } from "./api";
import { LiveCount } from "./LiveCount";
import { PageTitle } from "./PageTitle";
import { SegmentMembers } from "./SegmentMembers";
import { segmentFilterFields } from "./segments";

/** SegmentValues are the segment form's fields. */
interface SegmentValues {
  name: string;
  description?: string;
}

/**
 * SegmentPage is a new segment or list (/marketing/segments/new?kind=…) or
 * an existing one: its name, a dynamic segment's conditions with the live
 * count of the contacts they select, and its members.
 */
export default function SegmentPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const seg = useQuery({ queryKey: marketingKey("segments", id), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/segments/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <SegmentEditor key="new" kind={params.get("kind") === "static" ? "static" : "dynamic"} />;
  if (seg.isError) return <ErrorState error={seg.error} onRetry={() => seg.refetch()} />;
  if (!seg.data) return <Card loading data-testid="page-segment" />;
  return <SegmentEditor key={`${seg.data.id}:${seg.data.version}`} kind={seg.data.kind} segment={seg.data} />;
}

/** SegmentEditor edits segment (none for a new one of kind). */
function SegmentEditor({ kind, segment }: { kind: Segment["kind"]; segment?: Segment }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<SegmentValues>();
  const fields = useMemo(() => segmentFilterFields(t), [t]);
  const stored = segment?.filter ? parseFilter(segment.filter, fields) : undefined;
  const [builder, setBuilder] = useState<BuilderState>(stored ?? { match: "and", rows: [] });
  const [advanced, setAdvanced] = useState(!!segment?.filter && !stored);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const writable = can("marketing:write");
  const filter = advanced ? (segment?.filter as FilterNode | undefined) : buildFilter(builder, fields);

  const save = async (v: SegmentValues, version?: number) => {
    setError("");
    if (kind === "dynamic" && !filter) {
      setError(t("marketing.segment.needCondition"));
      return;
    }
    setBusy(true);
    try {
      const body = { name: v.name.trim(), description: v.description ?? "", ...(kind === "dynamic" ? { filter: filter as unknown as Record<string, never> } : {}) };
      if (!segment) {
        const made = await unwrap(api.POST("/v1/segments", { body: { ...body, kind } }));
        qc.invalidateQueries({ queryKey: marketingKey("segments") });
        message.success(t("marketing.saved"));
        nav(`/marketing/segments/${made.id}`, { replace: true });
        return;
      }
      const next = await unwrap(
        api.PATCH("/v1/segments/{id}", { params: { path: { id: segment.id }, header: ifMatch(version ?? segment.version) }, headers: mergePatch, body }),
      );
      qc.setQueryData(marketingKey("segments", segment.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("segments") });
      message.success(t("marketing.saved"));
    } catch (err) {
      const reload = () => qc.invalidateQueries({ queryKey: marketingKey("segments", segment?.id) });
      const overwrite = async () => save(v, (await unwrap(api.GET("/v1/segments/{id}", { params: { path: { id: segment!.id } } }))).version);
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    try {
      await unwrap(api.DELETE("/v1/segments/{id}", { params: { path: { id: segment!.id }, header: ifMatch(segment!.version) } }));
      qc.invalidateQueries({ queryKey: marketingKey("segments") });
      nav("/marketing/segments", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const title = segment ? segment.name : t(kind === "dynamic" ? "marketing.segments.newDynamic" : "marketing.segments.newStatic");
  return (
    <div data-testid="page-segment">
      <PageTitle
        title={
          <Space wrap>
            {title}
            <Tag>{t(`marketing.segment.kind.${kind}`)}</Tag>
            {segment && <Tag data-testid="segment-member-count">{t("marketing.segment.memberCount", { n: formatNumber(segment.memberCount, locale) })}</Tag>}
          </Space>
        }
      >
        {segment && writable && (
          <Popconfirm title={t("marketing.segment.deleteConfirm")} onConfirm={remove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
            <Button danger data-testid="segment-delete">
              {t("marketing.delete")}
            </Button>
          </Popconfirm>
        )}
      </PageTitle>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={kind === "dynamic" ? 15 : 24}>
          <Card>
            <Form<SegmentValues> form={form} name="segment" layout="vertical" disabled={!writable} initialValues={{ name: segment?.name ?? "", description: segment?.description ?? "" }} onFinish={(v) => save(v)}>
              <Form.Item name="name" label={t("marketing.name")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="description" label={t("marketing.description")}>
                <Input.TextArea rows={2} maxLength={2000} />
              </Form.Item>
              {kind === "dynamic" && (
                <div style={{ marginBottom: 16 }}>
                  <Typography.Title level={2} style={{ fontSize: 16 }}>
                    {t("marketing.segment.conditions")}
                  </Typography.Title>
                  <FilterBuilder
                    fields={fields}
                    value={builder}
                    onChange={setBuilder}
                    advanced={advanced}
                    onClear={() => {
                      setAdvanced(false);
                      setBuilder({ match: "and", rows: [] });
                    }}
                  />
                </div>
              )}
              {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="segment-error" />}
              {writable && (
                <Button type="primary" htmlType="submit" loading={busy} data-testid="segment-save">
                  {t("marketing.save")}
                </Button>
              )}
            </Form>
          </Card>
        </Col>
        {kind === "dynamic" && writable && (
          <Col xs={24} lg={9}>
            <LiveCount filter={filter} />
          </Col>
        )}
      </Row>
      {segment && <SegmentMembers segment={segment} />}
    </div>
  );
}
