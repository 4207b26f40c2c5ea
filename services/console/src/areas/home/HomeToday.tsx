import { Card, List, Typography } from "antd";
import dayjs from "dayjs";
import { useMemo, useSyncExternalStore } from "react";
import { Link } from "react-router-dom";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { recentEvent, recentRecords } from "../../lib/recent";
import { useCalendar } from "../calendar/activities";
import { cardTitle } from "./HomeTasks";

/** HomeMeetings lists the user's meetings of today. */
export function HomeMeetings() {
  const { t } = useI18n();
  const { me } = useSession();
  const [from, to] = useMemo(() => [dayjs().startOf("day"), dayjs().startOf("day").add(1, "day")], []);
  const cal = useCalendar({ assignee: me?.user.id ?? "me" }, from, to);
  const meetings = (cal.data ?? []).filter((a) => a.type === "meeting");
  return (
    <Card title={cardTitle(t("home.meetings"))} extra={<Link to="/calendar">{t("home.calendar")}</Link>}>
      {cal.isError ? (
        <ErrorState error={cal.error} onRetry={() => cal.refetch()} />
      ) : (
        <List
          loading={cal.isLoading}
          dataSource={meetings}
          data-testid="home-meetings"
          locale={{ emptyText: <Typography.Text type="secondary">{t("home.noMeetings")}</Typography.Text> }}
          renderItem={(a) => (
            <List.Item data-testid="home-meeting">
              <List.Item.Meta
                title={a.subject}
                description={`${dayjs(a.meeting?.startAt).format("HH:mm")} – ${dayjs(a.meeting?.endAt).format("HH:mm")}${a.meeting?.location ? ` · ${a.meeting.location}` : ""}`}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function subscribe(notify: () => void) {
  window.addEventListener(recentEvent, notify);
  window.addEventListener("storage", notify);
  return () => {
    window.removeEventListener(recentEvent, notify);
    window.removeEventListener("storage", notify);
  };
}

let snapshot = "";
let snapshotList = recentRecords();

/** useRecent is the user's recent records, kept current as pages remember more. */
function useRecent() {
  return useSyncExternalStore(subscribe, () => {
    const list = recentRecords();
    const key = JSON.stringify(list);
    if (key !== snapshot) {
      snapshot = key;
      snapshotList = list;
    }
    return snapshotList;
  });
}

/** HomeRecent lists the records the user opened last. */
export function HomeRecent() {
  const { t } = useI18n();
  const recent = useRecent();
  return (
    <Card title={cardTitle(t("home.recent"))}>
      <List
        dataSource={recent.slice(0, 10)}
        data-testid="home-recent"
        locale={{ emptyText: <Typography.Text type="secondary">{t("home.noRecent")}</Typography.Text> }}
        renderItem={(r) => (
          <List.Item data-testid="home-recent-item">
            <Link to={r.path}>{r.label}</Link>
            <span style={{ color: "#4b5563" }}>{t(`home.recordType.${r.type}`) === `home.recordType.${r.type}` ? r.type : t(`home.recordType.${r.type}`)}</span>
          </List.Item>
        )}
      />
    </Card>
  );
}
