import { ConfigProvider, DatePicker, Form, Modal } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { isApiError } from "../../api/problem";
import { useT } from "../../i18n/I18n";
import { startOf, useActivityWrites, type Activity } from "./activities";

/**
 * MoveDialog reschedules an activity without a mouse: a date and time
 * picker (typed, or picked from its panel) and the same PATCH with If-Match
 * as a drag — a meeting keeps its length, a task gets the new due time. It
 * closes on success, and on a 412, whose choice (reload or overwrite) the
 * conflict dialog then offers.
 */
export function MoveDialog({ a, onClose }: { a: Activity | null; onClose: () => void }) {
  const t = useT();
  const [form] = Form.useForm<{ start: Dayjs }>();
  const { reschedule } = useActivityWrites();

  const submit = ({ start }: { start: Dayjs }) => {
    if (!a) return;
    reschedule.mutate(
      { a, start: start.second(0).millisecond(0) },
      {
        onSuccess: onClose,
        onError: (err) => {
          if (isApiError(err) && err.status === 412) onClose();
        },
      },
    );
  };

  return (
    <Modal
      open={!!a}
      title={t("calendar.moveNamed", { subject: a?.subject || t(`calendar.type.${a?.type ?? "task"}`) })}
      okText={t("calendar.moveSave")}
      cancelText={t("action.cancel")}
      confirmLoading={reschedule.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ "data-testid": "cal-move-save" }}
      destroyOnClose
    >
      {/* the panel's days of the months around are greyed, yet readable at 4.5:1 */}
      <ConfigProvider theme={{ token: { colorTextDisabled: "#737373" } }}>
        <Form key={a?.id} form={form} name="move" layout="vertical" initialValues={{ start: a ? dayjs(startOf(a)) : undefined }} onFinish={submit} data-testid="cal-move-form">
          <Form.Item name="start" label={a?.type === "meeting" ? t("calendar.moveStart") : t("calendar.moveDue")} rules={[{ required: true, message: t("calendar.required") }]}>
            <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" allowClear={false} style={{ width: "100%" }} />
          </Form.Item>
        </Form>
      </ConfigProvider>
    </Modal>
  );
}
