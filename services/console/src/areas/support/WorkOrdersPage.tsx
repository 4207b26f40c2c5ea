import { List, Segmented, Select, Space, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { CursorPager } from "../../components/CursorPager";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { workOrderStatuses, type WorkOrder } from "./contracts";
import { WorkOrderLine } from "./WorkOrders";

/**
 * WorkOrdersPage lists the repair work orders, newest first: every one or
 * the user's own (as technician), by status, each linking to its case.
 */
export default function WorkOrdersPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [mine, setMine] = useState<"all" | "mine">("all");
  const [status, setStatus] = useState<WorkOrder["status"] | undefined>();
  const query = { status, technicianId: mine === "mine" ? me?.user.id : undefined, limit: 50 };
  const paged = usePagedQuery(["support", "work-orders", "list", query], (cursor) => unwrap(api.GET("/v1/work-orders", { params: { query: { ...query, cursor } } })));
  return (
    <div data-testid="page-work-orders">
      <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
        {t("support.workOrders.title")}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented<"all" | "mine">
          aria-label={t("support.workOrders.whose")}
          value={mine}
          onChange={(v) => {
            setMine(v);
            paged.pages.reset();
          }}
          options={[
            { value: "all", label: t("support.workOrders.all") },
            { value: "mine", label: t("support.workOrders.mine") },
          ]}
        />
        <Select
          allowClear
          aria-label={t("support.contract.statusLabel")}
          placeholder={t("support.contract.statusLabel")}
          value={status}
          onChange={(v?: WorkOrder["status"]) => {
            setStatus(v);
            paged.pages.reset();
          }}
          options={workOrderStatuses.map((s) => ({ value: s, label: t(`support.workOrder.status.${s}`) }))}
          style={{ minWidth: 160 }}
        />
      </Space>
      {paged.list.isError ? (
        <ErrorState error={paged.list.error} onRetry={() => paged.list.refetch()} />
      ) : (
        <>
          <List
            loading={paged.list.isLoading}
            aria-label={t("support.workOrders.title")}
            dataSource={paged.list.data?.items ?? []}
            rowKey="id"
            locale={{ emptyText: <Typography.Text type="secondary">{t("support.workOrders.none")}</Typography.Text> }}
            renderItem={(w) => <WorkOrderLine w={w} caseLink />}
          />
          <CursorPager {...paged.pager} />
        </>
      )}
    </div>
  );
}
