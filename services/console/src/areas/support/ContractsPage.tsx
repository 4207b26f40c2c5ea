import { PlusOutlined } from "@ant-design/icons";
import { Button, DatePicker, Form, Input, InputNumber, Progress, Select, Space, Tag, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { FormDialog, useDialogSave } from "../quotes/FormDialog";
import { RecordSelect } from "../sales/RecordSelect";
import { ifMatch, mergePatch } from "./api";
import { contractColors, contractStatuses, remainingShare, type Contract } from "./contracts";

/** ContractValues are the contract dialog's fields. */
interface ContractValues {
  accountId: string;
  name: string;
  period: [Dayjs, Dayjs];
  kind: Contract["entitlement"]["kind"];
  total: number;
  status: Contract["status"];
  renewalReminderDays: number;
}

/** toInput writes the dialog's values as the API's contract. */
function toInput(v: ContractValues) {
  return {
    accountId: v.accountId,
    name: v.name,
    startDate: v.period[0].format("YYYY-MM-DD"),
    endDate: v.period[1].format("YYYY-MM-DD"),
    entitlement: { kind: v.kind, total: v.total },
    status: v.status,
    renewalReminderDays: v.renewalReminderDays,
  };
}

/**
 * ContractsPage lists the service contracts, newest first, by status: each
 * with its account, period and what is left of its entitlement; who may
 * administer support creates and edits them.
 */
export default function ContractsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [status, setStatus] = useState<Contract["status"] | undefined>();
  const [editing, setEditing] = useState<Contract | "new" | null>(null);
  const paged = usePagedQuery(["support", "contracts", "list", status], (cursor) => unwrap(api.GET("/v1/service-contracts", { params: { query: { status, limit: 50, cursor } } })));
  const statusTag = (c: Contract) => (
    <Tag color={contractColors[c.status]} data-testid="contract-status">
      {t(`support.contract.status.${c.status}`)}
    </Tag>
  );
  const left = (c: Contract) => (
    <Space size={4}>
      <Progress type="circle" size={24} percent={remainingShare(c.entitlement)} showInfo={false} aria-hidden />
      {t(`support.contract.left.${c.entitlement.kind}`, { remaining: c.entitlement.remaining, total: c.entitlement.total })}
    </Space>
  );
  return (
    <div data-testid="page-contracts">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.contracts.title")}
        </Typography.Title>
        {can("support:admin") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="contract-new">
            {t("support.contracts.new")}
          </Button>
        )}
      </Space>
      <Select
        allowClear
        aria-label={t("support.contract.statusLabel")}
        placeholder={t("support.contract.statusLabel")}
        value={status}
        onChange={(v?: Contract["status"]) => {
          setStatus(v);
          paged.pages.reset();
        }}
        options={contractStatuses.map((s) => ({ value: s, label: t(`support.contract.status.${s}`) }))}
        style={{ minWidth: 160, marginBottom: 12 }}
      />
      <PagedList<Contract>
        paged={paged}
        rowKey="id"
        caption={t("support.contracts.title")}
        onOpen={can("support:admin") ? (c) => setEditing(c) : undefined}
        columns={[
          { title: t("support.contract.number"), dataIndex: "number" },
          { title: t("support.contract.name"), dataIndex: "name" },
          { title: t("support.case.account"), key: "account", render: (_: unknown, c: Contract) => <Link to={`/accounts/${c.accountId}`} onClick={(e) => e.stopPropagation()}>{t("support.contract.openAccount")}</Link> },
          { title: t("support.contract.period"), key: "period", render: (_: unknown, c: Contract) => `${formatDate(c.startDate, locale)} – ${formatDate(c.endDate, locale)}` },
          { title: t("support.contract.entitlement"), key: "left", render: (_: unknown, c: Contract) => left(c) },
          { title: t("support.contract.statusLabel"), key: "status", render: (_: unknown, c: Contract) => statusTag(c) },
        ]}
        card={(c) => (
          <Space direction="vertical" size={2} style={{ width: "100%" }}>
            <Space style={{ justifyContent: "space-between", width: "100%" }}>
              <Typography.Text strong>
                {c.number} · {c.name}
              </Typography.Text>
              {statusTag(c)}
            </Space>
            <Typography.Text type="secondary">
              {formatDate(c.startDate, locale)} – {formatDate(c.endDate, locale)}
            </Typography.Text>
            {left(c)}
          </Space>
        )}
      />
      {editing && <ContractDialog contract={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** ContractDialog creates a contract, or changes one (a merge patch with If-Match). */
function ContractDialog({ contract: c, onClose }: { contract?: Contract; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ContractValues>();
  const save = useDialogSave<ContractValues>({
    form,
    queryKey: ["support", "contracts"],
    onClose,
    version: c ? async () => (await unwrap(api.GET("/v1/service-contracts/{id}", { params: { path: { id: c.id } } }))).version : undefined,
    write: (v, version) =>
      c
        ? unwrap(api.PATCH("/v1/service-contracts/{id}", { params: { path: { id: c.id }, header: ifMatch(version ?? c.version) }, headers: mergePatch, body: toInput(v) }))
        : unwrap(api.POST("/v1/service-contracts", { body: toInput(v) })),
  });
  const initial: Partial<ContractValues> = c
    ? { accountId: c.accountId, name: c.name, period: [dayjs(c.startDate), dayjs(c.endDate)], kind: c.entitlement.kind, total: c.entitlement.total, status: c.status, renewalReminderDays: c.renewalReminderDays }
    : { kind: "cases", total: 10, status: "active", renewalReminderDays: 30, period: [dayjs(), dayjs().add(1, "year").subtract(1, "day")] };
  return (
    <FormDialog title={c ? t("support.contracts.edit") : t("support.contracts.new")} form={form} save={save} okTestId="contract-save" onClose={onClose} initialValues={initial}>
      <Form.Item name="accountId" label={t("support.case.account")} rules={[{ required: true, message: t("support.required") }]}>
        <RecordSelect kind="account" label={t("support.case.account")} />
      </Form.Item>
      <Form.Item name="name" label={t("support.contract.name")} rules={[{ required: true, message: t("support.required") }, { max: 200 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="period" label={t("support.contract.period")} rules={[{ required: true, message: t("support.required") }]}>
        <DatePicker.RangePicker style={{ width: "100%" }} />
      </Form.Item>
      <Space wrap>
        <Form.Item name="kind" label={t("support.contract.kind")}>
          <Select style={{ minWidth: 140 }} options={(["cases", "hours"] as const).map((k) => ({ value: k, label: t(`support.contract.kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="total" label={t("support.contract.total")} rules={[{ required: true, message: t("support.required") }]}>
          <InputNumber min={0} max={1000000} precision={0} />
        </Form.Item>
        <Form.Item name="renewalReminderDays" label={t("support.contract.reminder")}>
          <InputNumber min={0} max={365} precision={0} />
        </Form.Item>
      </Space>
      <Form.Item name="status" label={t("support.contract.statusLabel")}>
        <Select options={contractStatuses.map((s) => ({ value: s, label: t(`support.contract.status.${s}`) }))} />
      </Form.Item>
    </FormDialog>
  );
}
