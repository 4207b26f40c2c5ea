import { Alert, App, Button, Card, Col, Descriptions, Drawer, Form, List, Row, Space, Tag, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { PersonName } from "../../lib/people";
import { useIsPhone } from "../../lib/useIsPhone";
import { ifMatch, mergePatch, type Lead } from "./api";
import { ConvertDialog } from "./ConvertDialog";
import { customValue, useCustomLabels } from "./customFields";
import { LeadFields, leadPatch, leadValues, type LeadValues } from "./LeadFields";
import { leadTitle } from "./LeadsPage";

/** LeadPage is one lead: its fields, its score and why, how it was assigned, its duplicates; edit and convert. */
export default function LeadPage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  const [converting, setConverting] = useState(false);
  const lead = useQuery({ queryKey: ["lead", id], queryFn: () => unwrap(api.GET("/v1/leads/{id}", { params: { path: { id } } })) });
  const score = useQuery({ queryKey: ["lead", id, "score"], queryFn: () => unwrap(api.GET("/v1/leads/{id}/score", { params: { path: { id } } })) });
  const assignment = useQuery({ queryKey: ["lead", id, "assignment"], queryFn: () => unwrap(api.GET("/v1/leads/{id}/assignment", { params: { path: { id } } })) });
  const labels = useCustomLabels("lead");
  const duplicates = useQuery({ queryKey: ["lead", id, "duplicates"], queryFn: () => unwrap(api.GET("/v1/leads/{id}/duplicates", { params: { path: { id } } })) });
  if (lead.isError) return <div data-testid="page-lead"><ErrorState error={lead.error} onRetry={() => lead.refetch()} /></div>;
  const l = lead.data;
  if (!l) return <div data-testid="page-lead"><Card loading /></div>;
  const converted = l.status === "converted";
  const custom = Object.entries(l.customFields ?? {});
  return (
    <div data-testid="page-lead">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 16 }}>
        <Space wrap>
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="lead-title">
            {leadTitle(l)}
          </Typography.Title>
          <Tag data-testid="lead-status">{t(`sales.status.${l.status}`)}</Tag>
        </Space>
        {converted ? null : (
          <Space>
            <Button onClick={() => setEditing(true)} data-testid="lead-edit">
              {t("action.edit")}
            </Button>
            <Button type="primary" onClick={() => setConverting(true)} data-testid="lead-convert">
              {t("sales.convert.open")}
            </Button>
          </Space>
        )}
      </Space>
      {converted ? (
        <Alert
          type="success"
          style={{ marginBottom: 16 }}
          data-testid="lead-converted"
          message={t("sales.lead.convertedAt", { when: formatDateTime(l.convertedAt, locale) })}
          description={
            <Space wrap>
              {l.convertedContactId ? <Link to={`/contacts/${l.convertedContactId}`}>{t("sales.convert.contact")}</Link> : null}
              {l.convertedAccountId ? <Link to={`/accounts/${l.convertedAccountId}`}>{t("sales.convert.account")}</Link> : null}
              {l.convertedOpportunityId ? <Link to={`/opportunities/${l.convertedOpportunityId}`}>{t("sales.convert.opportunity")}</Link> : null}
            </Space>
          }
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("sales.lead.details")}</h2>}>
            <Descriptions column={1} size="small" data-testid="lead-fields">
              <Descriptions.Item label={t("sales.lead.company")}>{l.company}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.jobTitle")}>{l.title}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.email")}>{l.email}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.phone")}>{l.phoneE164 || l.phone}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.source")}>{l.source}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.rating")}>{l.rating ? t(`sales.rating.${l.rating}`) : ""}</Descriptions.Item>
              {l.disqualifiedReason ? <Descriptions.Item label={t("sales.lead.disqualifiedReason")}>{l.disqualifiedReason}</Descriptions.Item> : null}
              <Descriptions.Item label={t("sales.lead.owner")}><PersonName id={l.ownerId} /></Descriptions.Item>
              {l.teamId ? <Descriptions.Item label={t("sales.lead.team")}>{l.teamId}</Descriptions.Item> : null}
              <Descriptions.Item label={t("sales.lead.tags")}>{l.tags.map((g) => <Tag key={g}>{g}</Tag>)}</Descriptions.Item>
              {custom.map(([k, v]) => (
                <Descriptions.Item key={k} label={labels.get(k) ?? k}>{customValue(v)}</Descriptions.Item>
              ))}
              <Descriptions.Item label={t("sales.lead.created")}>{formatDateTime(l.createdAt, locale)}</Descriptions.Item>
              <Descriptions.Item label={t("sales.lead.updated")}>{formatDateTime(l.updatedAt, locale)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Space direction="vertical" style={{ width: "100%" }} size={16}>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("sales.lead.scoreIs", { score: score.data?.score ?? l.score })}</h2>} data-testid="lead-score">
              {score.isError ? (
                <ErrorState error={score.error} onRetry={() => score.refetch()} />
              ) : (
                <List
                  size="small"
                  loading={score.isLoading}
                  dataSource={score.data?.reasons ?? []}
                  locale={{ emptyText: <Typography.Text type="secondary">{t("sales.lead.noScore")}</Typography.Text> }}
                  renderItem={(r) => (
                    <List.Item extra={<Tag color={r.points >= 0 ? "green" : "red"}>{r.points > 0 ? `+${r.points}` : r.points}</Tag>}>{r.reason}</List.Item>
                  )}
                />
              )}
            </Card>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("sales.lead.assignment")}</h2>} data-testid="lead-assignment">
              {assignment.isError ? (
                <ErrorState error={assignment.error} onRetry={() => assignment.refetch()} />
              ) : (
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t("sales.lead.owner")}><PersonName id={assignment.data?.ownerId} /></Descriptions.Item>
                  <Descriptions.Item label={t("sales.lead.assignmentReason")}>{assignment.data?.assignmentReason || t("sales.lead.assignedByHand")}</Descriptions.Item>
                  {assignment.data?.firstTouch ? (
                    <Descriptions.Item label={t("sales.lead.firstTouch")}>
                      {assignment.data.firstTouch.touchedAt
                        ? t("sales.lead.touched", { when: formatDateTime(assignment.data.firstTouch.touchedAt, locale) })
                        : assignment.data.firstTouch.missedAt
                          ? t("sales.lead.missed", { when: formatDateTime(assignment.data.firstTouch.dueAt, locale) })
                          : t("sales.lead.due", { when: formatDateTime(assignment.data.firstTouch.dueAt, locale) })}
                    </Descriptions.Item>
                  ) : null}
                </Descriptions>
              )}
            </Card>
            <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("sales.lead.duplicates")}</h2>} data-testid="lead-duplicates">
              {duplicates.isError ? (
                <ErrorState error={duplicates.error} onRetry={() => duplicates.refetch()} />
              ) : (
                <List
                  size="small"
                  loading={duplicates.isLoading}
                  dataSource={duplicates.data?.items ?? []}
                  locale={{ emptyText: <Typography.Text type="secondary">{t("sales.lead.noDuplicates")}</Typography.Text> }}
                  renderItem={(d) => (
                    <List.Item>
                      <Link to={`/leads/${d.id}`}>{leadTitle(d)}</Link> <Typography.Text type="secondary">{d.email || d.phone}</Typography.Text>
                    </List.Item>
                  )}
                />
              )}
            </Card>
          </Space>
        </Col>
      </Row>
      <EditLead lead={l} open={editing} onClose={() => setEditing(false)} />
      {converting ? <ConvertDialog lead={l} onClose={() => setConverting(false)} /> : null}
    </div>
  );
}

/** EditLead changes a lead with If-Match; a 412 offers to reload or overwrite. */
function EditLead({ lead, open, onClose }: { lead: Lead; open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const phone = useIsPhone();
  const [form] = Form.useForm<LeadValues>();
  const [error, setError] = useState("");
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: ({ values, version }: { values: LeadValues; version: number }) =>
      unwrap(api.PATCH("/v1/leads/{id}", { params: { path: { id: lead.id }, header: ifMatch(version) }, headers: mergePatch, body: leadPatch(lead, values) })),
    onSuccess: (l) => {
      client.setQueryData(["lead", lead.id], l);
      client.invalidateQueries({ queryKey: ["leads"] });
      onClose();
    },
    onError: (err, { values }) => {
      const reload = () => {
        client.invalidateQueries({ queryKey: ["lead", lead.id] });
        onClose();
      };
      const overwrite = async () => {
        const latest = await unwrap(api.GET("/v1/leads/{id}", { params: { path: { id: lead.id } } }));
        save.mutate({ values, version: latest.version });
      };
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    },
  });
  return (
    <Drawer open={open} onClose={onClose} title={t("sales.lead.edit")} width={phone ? "100%" : 520} destroyOnClose>
      <Form form={form} name="lead" layout="vertical" initialValues={leadValues(lead)} onFinish={(values) => save.mutate({ values, version: lead.version })} data-testid="lead-edit-form">
        {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
        <LeadFields withStatus />
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="lead-save">
          {t("action.save")}
        </Button>
      </Form>
    </Drawer>
  );
}
