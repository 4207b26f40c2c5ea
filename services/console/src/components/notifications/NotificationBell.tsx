import { BellOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge, Button, Empty, List, Popover, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { ErrorState } from "../ErrorState";
import { openNotificationStream, type Notification } from "./stream";
import { notificationText } from "./text";

/** notificationsKey is the query key of everything about notifications. */
const notificationsKey = ["notifications"] as const;

/**
 * NotificationBell is the header's bell: the unread count as a badge, kept
 * current by the notification stream, and on click the latest
 * notifications — one opens its page and is marked read — with "mark all
 * read" and a link to the settings.
 */
export function NotificationBell() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const refresh = () => void qc.invalidateQueries({ queryKey: notificationsKey });
    return openNotificationStream({ onNotification: refresh, onConnected: refresh });
  }, [qc]);

  const count = useQuery({
    queryKey: [...notificationsKey, "unread-count"],
    queryFn: () => unwrap(api.GET("/v1/notifications/unread-count")),
  });
  const list = useQuery({
    queryKey: [...notificationsKey, "latest"],
    queryFn: () => unwrap(api.GET("/v1/notifications", { params: { query: { limit: 10 } } })),
    enabled: open,
  });
  const invalidate = () => qc.invalidateQueries({ queryKey: notificationsKey });
  const read = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/v1/notifications/{id}/read", { params: { path: { id } } })),
    onSuccess: invalidate,
  });
  const readAll = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/notifications/read-all")),
    onSuccess: invalidate,
  });

  const openOne = async (n: Notification) => {
    setOpen(false);
    if (!n.readAt) await read.mutateAsync(n.id).catch(() => undefined);
    nav(n.link || "/");
  };
  const unread = count.data?.count ?? 0;

  const content = (
    <div style={{ width: "min(360px, calc(100vw - 32px))" }} data-testid="notifications-panel">
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <List
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("notifications.empty")} /> }}
          renderItem={(n) => (
            <List.Item style={{ padding: 0 }}>
              <Button
                type="text"
                block
                onClick={() => void openOne(n)}
                data-testid="notification-item"
                data-unread={n.readAt ? "false" : "true"}
                style={{ height: "auto", textAlign: "start", whiteSpace: "normal", padding: "8px 4px" }}
              >
                <Space direction="vertical" size={0} style={{ width: "100%" }}>
                  <Typography.Text strong={!n.readAt}>{notificationText(t, locale, n)}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(n.createdAt, locale)}
                  </Typography.Text>
                </Space>
              </Button>
            </List.Item>
          )}
        />
      )}
      <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 8 }} wrap>
        <Button size="small" onClick={() => readAll.mutate()} disabled={unread === 0} loading={readAll.isPending} data-testid="notifications-read-all">
          {t("notifications.markAllRead")}
        </Button>
        <Button size="small" type="link" onClick={() => { setOpen(false); nav("/settings/notifications"); }} data-testid="notifications-settings">
          {t("notifications.settings")}
        </Button>
      </Space>
    </div>
  );

  return (
    <Popover open={open} onOpenChange={setOpen} trigger="click" placement="bottomRight" title={t("notifications.title")} content={content}>
      <Button
        type="text"
        data-testid="notification-bell"
        data-count={unread}
        aria-label={unread > 0 ? t("notifications.bellUnread", { count: unread }) : t("notifications.bell")}
        icon={
          <Badge count={unread} size="small" overflowCount={99}>
            <BellOutlined style={{ fontSize: 18 }} />
          </Badge>
        }
      />
    </Popover>
  );
}
