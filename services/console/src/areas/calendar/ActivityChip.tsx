import { CheckSquareOutlined, TeamOutlined } from "@ant-design/icons";
import { Button, Descriptions, Modal, Space, Tag } from "antd";
import dayjs from "dayjs";
import type { CSSProperties, DragEvent } from "react";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { isOpenTask, startOf, useActivityWrites, type Activity } from "./activities";

/** dragType is the drag data's type that carries an activity's id. */
export const dragType = "application/x-rapport-activity";

/** dropped is the id of the activity a drop carries, or "". */
export function dropped(e: DragEvent): string {
  return e.dataTransfer.getData(dragType) || e.dataTransfer.getData("text/plain");
}

/**
 * ActivityChip is one meeting or task in a calendar: its time and subject,
 * draggable to another slot (meetings and open tasks), opening its details
 * when clicked. Given a style (the week grid's span), it is placed by it.
 */
export function ActivityChip({ a, onOpen, showTime = true, style }: { a: Activity; onOpen: (a: Activity) => void; showTime?: boolean; style?: CSSProperties }) {
  const done = a.type === "task" && !isOpenTask(a);
  return (
    <button
      type="button"
      className={`cal-chip cal-chip-${a.type}${done ? " cal-chip-done" : ""}${style ? " cal-chip-span" : ""}`}
      style={style}
      draggable={movable(a)}
      onDragStart={(e) => {
        e.dataTransfer.setData(dragType, a.id);
        e.dataTransfer.setData("text/plain", a.id);
        e.dataTransfer.effectAllowed = "move";
      }}
      onClick={(e) => {
        e.stopPropagation();
        onOpen(a);
      }}
      data-testid="cal-item"
      data-id={a.id}
      data-start={startOf(a)}
    >
      {a.type === "meeting" ? <TeamOutlined aria-hidden /> : <CheckSquareOutlined aria-hidden />} {showTime && <span>{dayjs(startOf(a)).format("HH:mm")} </span>}
      <span>{a.subject}</span>
    </button>
  );
}

/** movable says whether a can be rescheduled: a meeting or an open task. */
export function movable(a: Activity): boolean {
  return a.type === "meeting" || isOpenTask(a);
}

/** ActivityDetails shows an activity opened in a calendar; a meeting or an open task can be moved (onMove) from it, an open task completed; afterClose runs once it has left. */
export function ActivityDetails({ a, onClose, onMove, afterClose }: { a: Activity | null; onClose: () => void; onMove: (a: Activity) => void; afterClose?: () => void }) {
  const { t, locale } = useI18n();
  const { complete } = useActivityWrites();
  return (
    <Modal
      open={!!a}
      title={a?.subject || t(`calendar.type.${a?.type ?? "task"}`)}
      onCancel={onClose}
      afterClose={afterClose}
      footer={
        a && movable(a) ? (
          <Space wrap>
            <Button data-testid="activity-move" onClick={() => onMove(a)}>
              {t("calendar.move")}
            </Button>
            {isOpenTask(a) && (
              <Button type="primary" loading={complete.isPending} data-testid="activity-complete" onClick={() => complete.mutate({ a }, { onSuccess: onClose })}>
                {t("calendar.complete")}
              </Button>
            )}
          </Space>
        ) : null
      }
    >
      {a && (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("calendar.type")}>
            <Tag>{t(`calendar.type.${a.type}`)}</Tag>
            {a.type === "task" && <Tag color={isOpenTask(a) ? "blue" : "#166534"}>{t(isOpenTask(a) ? "calendar.open" : "calendar.done")}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={a.type === "meeting" ? t("calendar.start") : t("calendar.due")}>{formatDateTime(startOf(a), locale)}</Descriptions.Item>
          {a.meeting && <Descriptions.Item label={t("calendar.end")}>{formatDateTime(a.meeting.endAt, locale)}</Descriptions.Item>}
          {a.meeting?.location && <Descriptions.Item label={t("calendar.location")}>{a.meeting.location}</Descriptions.Item>}
          {a.body && <Descriptions.Item label={t("calendar.notes")}>{a.body}</Descriptions.Item>}
        </Descriptions>
      )}
    </Modal>
  );
}
