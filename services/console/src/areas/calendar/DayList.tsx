import { Button, Empty, List, Tag } from "antd";
import dayjs from "dayjs";
import { useI18n } from "../../i18n/I18n";
import { isOpenTask, startOf, useActivityWrites, type Activity } from "./activities";
import { movable } from "./ActivityChip";

/** DayList is a phone's calendar: the day's meetings and tasks in order, each movable one moved (onMove) and open tasks completed in place. */
export function DayList({ items, onOpen, onMove }: { items: Activity[]; onOpen: (a: Activity) => void; onMove: (a: Activity) => void }) {
  const { t } = useI18n();
  const { complete } = useActivityWrites();
  if (items.length === 0) return <Empty description={t("calendar.nothing")} />;
  return (
    <List
      data-testid="cal-day-list"
      dataSource={items}
      rowKey="id"
      renderItem={(a) => (
        <List.Item
          data-testid="cal-item"
          data-id={a.id}
          actions={[
            ...(movable(a)
              ? [
                  <Button key="move" size="small" onClick={() => onMove(a)} data-testid="cal-move" aria-label={t("calendar.moveNamed", { subject: a.subject || t(`calendar.type.${a.type}`) })}>
                    {t("calendar.move")}
                  </Button>,
                ]
              : []),
            ...(isOpenTask(a)
              ? [
                  <Button key="done" size="small" onClick={() => complete.mutate({ a })} aria-label={t("calendar.completeNamed", { subject: a.subject ?? "" })}>
                    {t("calendar.complete")}
                  </Button>,
                ]
              : []),
          ]}
        >
          <List.Item.Meta
            title={
              <a onClick={() => onOpen(a)} role="button" tabIndex={0} onKeyDown={(e) => e.key === "Enter" && onOpen(a)}>
                {a.subject || t(`calendar.type.${a.type}`)}
              </a>
            }
            description={
              <>
                <Tag>{t(`calendar.type.${a.type}`)}</Tag>
                {dayjs(startOf(a)).format("HH:mm")}
                {a.meeting && ` – ${dayjs(a.meeting.endAt).format("HH:mm")}`}
              </>
            }
          />
        </List.Item>
      )}
    />
  );
}
