import { DatePicker, Form, Input } from "antd";
import type { Dayjs } from "dayjs";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { FormDialog, useDialogSave } from "../quotes/FormDialog";
import { ProductPicker } from "../quotes/ProductPicker";
import { AssigneeSelect } from "./AssigneeSelect";

/** WorkOrderValues are the new work order dialog's fields. */
interface WorkOrderValues {
  productId: string;
  serialNumber?: string;
  address?: string;
  technicianId?: string;
  window?: [Dayjs, Dayjs];
}

/**
 * WorkOrderDialog creates a repair work order for a case: the product and
 * its serial number, the on-site address, and — to schedule it — the
 * technician and the window.
 */
export function WorkOrderDialog({ caseId, onClose }: { caseId: string; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<WorkOrderValues>();
  const save = useDialogSave<WorkOrderValues>({
    form,
    queryKey: ["support", "work-orders"],
    onClose,
    write: (v) => {
      const scheduled = !!(v.technicianId && v.window);
      return unwrap(
        api.POST("/v1/work-orders", {
          body: {
            caseId,
            productId: v.productId,
            serialNumber: v.serialNumber || undefined,
            address: v.address || undefined,
            technicianId: v.technicianId || undefined,
            scheduledStart: v.window?.[0].toISOString(),
            scheduledEnd: v.window?.[1].toISOString(),
            status: scheduled ? "scheduled" : "new",
          },
        }),
      );
    },
  });
  return (
    <FormDialog title={t("support.workOrders.new")} form={form} save={save} okTestId="work-order-save" onClose={onClose}>
      <Form.Item name="productId" label={t("support.workOrder.product")} rules={[{ required: true, message: t("support.required") }]}>
        <ProductPicker />
      </Form.Item>
      <Form.Item name="serialNumber" label={t("support.workOrder.serial")} rules={[{ max: 100 }]}>
        <Input />
      </Form.Item>
      <Form.Item name="address" label={t("support.workOrder.address")} rules={[{ max: 1000 }]}>
        <Input.TextArea rows={2} />
      </Form.Item>
      <Form.Item name="technicianId" label={t("support.workOrder.technician")}>
        <AssigneeSelect />
      </Form.Item>
      <Form.Item name="window" label={t("support.workOrder.window")}>
        <DatePicker.RangePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
      </Form.Item>
    </FormDialog>
  );
}
