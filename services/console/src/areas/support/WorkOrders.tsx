import { PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Input, List, Modal, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { PersonName } from "../../lib/people";
import { ifMatch, mergePatch } from "./api";
import { nextWorkOrderStatuses, workOrderColors, type WorkOrder } from "./contracts";
import { WorkOrderDialog } from "./WorkOrderDialog";

/**
 * WorkOrderLine is one work order: its status (moved as the service
 * allows), technician, window, totals and sign-off, and a link to its case
 * when caseLink.
 */
export function WorkOrderLine({ w, caseLink }: { w: WorkOrder; caseLink?: boolean }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [signing, setSigning] = useState(false);
  const [name, setName] = useState("");
  const fail = (err: unknown) => message.error(err instanceof Error ? err.message : String(err));
  const move = (status: WorkOrder["status"]) =>
    unwrap(api.PATCH("/v1/work-orders/{id}", { params: { path: { id: w.id }, header: ifMatch(w.version) }, headers: mergePatch, body: { status } }))
      .then(() => qc.invalidateQueries({ queryKey: ["support", "work-orders"] }))
      .catch(fail);
  const signOff = () =>
    unwrap(api.POST("/v1/work-orders/{id}/sign-off", { params: { path: { id: w.id } }, body: { name, typedName: name } }))
      .then(() => {
        setSigning(false);
        qc.invalidateQueries({ queryKey: ["support", "work-orders"] });
      })
      .catch(fail);
  const moves = nextWorkOrderStatuses(w.status);
  return (
    <List.Item data-testid="work-order" style={{ display: "block" }}>
      <Space wrap size={4}>
        <Typography.Text strong>WO-{w.number}</Typography.Text>
        <Tag color={workOrderColors[w.status]} data-testid="work-order-status" data-status={w.status}>
          {t(`support.workOrder.status.${w.status}`)}
        </Tag>
        {w.serialNumber && <Typography.Text type="secondary">{t("support.workOrder.serialN", { serial: w.serialNumber })}</Typography.Text>}
        {caseLink && <Link to={`/cases/${w.caseId}`}>{t("support.workOrder.openCase")}</Link>}
      </Space>
      <div>
        {w.technicianId ? <PersonName id={w.technicianId} /> : t("support.case.unassigned")}
        {w.scheduledStart && ` · ${formatDateTime(w.scheduledStart, locale)} – ${formatDateTime(w.scheduledEnd, locale)}`}
      </div>
      <Typography.Text type="secondary">
        {w.totals.currency ? `${formatMinor(w.totals.partsMinor, w.totals.currency, locale)} · ` : ""}
        {t("support.workOrder.minutes", { n: w.totals.labourMinutes })}
        {w.signOff && ` · ${t("support.workOrder.signedBy", { name: w.signOff.name })}`}
      </Typography.Text>
      {can("support:write") && (moves.length > 0 || (w.status === "completed" && !w.signOff)) && (
        <Space wrap style={{ marginTop: 4 }}>
          {moves.length > 0 && (
            <Select<WorkOrder["status"]>
              key={w.version}
              size="small"
              aria-label={t("support.case.moveTo")}
              placeholder={t("support.case.moveTo")}
              onChange={move}
              options={moves.map((s) => ({ value: s, label: t(`support.workOrder.status.${s}`) }))}
              style={{ minWidth: 160 }}
            />
          )}
          {w.status === "completed" && !w.signOff && (
            <Button size="small" onClick={() => setSigning(true)}>
              {t("support.workOrder.signOff")}
            </Button>
          )}
        </Space>
      )}
      <Modal open={signing} title={t("support.workOrder.signOff")} onCancel={() => setSigning(false)} onOk={signOff} okButtonProps={{ disabled: name.trim() === "" }} okText={t("action.save")} cancelText={t("action.cancel")}>
        <Input aria-label={t("support.workOrder.signerName")} placeholder={t("support.workOrder.signerName")} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      </Modal>
    </List.Item>
  );
}

/** CaseWorkOrders is a case's repair work orders, with a new one created from the case. */
export function CaseWorkOrders({ caseId }: { caseId: string }) {
  const { t } = useI18n();
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const list = useQuery({ queryKey: ["support", "work-orders", "case", caseId], queryFn: () => unwrap(api.GET("/v1/work-orders", { params: { query: { caseId, limit: 50 } } })) });
  return (
    <Card
      size="small"
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("support.workOrders.title")}</h2>}
      extra={
        can("support:write") && (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="work-order-new">
            {t("support.workOrders.new")}
          </Button>
        )
      }
      loading={list.isLoading}
      style={{ marginBottom: 12 }}
      data-testid="case-work-orders"
    >
      <List size="small" dataSource={list.data?.items ?? []} rowKey="id" locale={{ emptyText: <Typography.Text type="secondary">{t("support.workOrders.none")}</Typography.Text> }} renderItem={(w) => <WorkOrderLine w={w} />} />
      {creating && <WorkOrderDialog caseId={caseId} onClose={() => setCreating(false)} />}
    </Card>
  );
}
