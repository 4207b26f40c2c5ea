import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Space, Switch, Typography } from "antd";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useT } from "../../i18n/I18n";

type Preference = components["schemas"]["NotificationPreference"];

const prefsKey = ["notifications", "preferences"] as const;

/**
 * PreferencesPage sets, per kind of notification, whether the user gets it
 * in the console and by email; each switch saves at once.
 */
export default function PreferencesPage() {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const prefs = useQuery({ queryKey: prefsKey, queryFn: () => unwrap(api.GET("/v1/notification-preferences")) });
  const save = useMutation({
    mutationFn: (p: Preference) => unwrap(api.PUT("/v1/notification-preferences", { body: { items: [p] } })),
    onSuccess: (data) => {
      qc.setQueryData(prefsKey, data);
      void message.success(t("notifications.prefs.saved"));
    },
  });
  const name = (kind: string) => {
    const key = `notifications.prefs.name.${kind}`;
    const text = t(key);
    return text === key ? kind : text;
  };
  const toggle = (p: Preference, channel: "inApp" | "email") => (
    <Switch
      checked={p[channel]}
      loading={save.isPending && save.variables?.kind === p.kind}
      onChange={(on) => save.mutate({ ...p, [channel]: on })}
      aria-label={t("notifications.prefs.toggle", { kind: name(p.kind), channel: t(`notifications.prefs.${channel}`) })}
      data-testid={`pref-${p.kind}-${channel}`}
    />
  );

  return (
    <div data-testid="page-notification-settings">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("notifications.prefs.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("notifications.prefs.intro")}</Typography.Paragraph>
      {prefs.isError ? (
        <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} />
      ) : (
        <ResponsiveList<Preference>
          rowKey="kind"
          loading={prefs.isLoading}
          data={prefs.data?.items ?? []}
          caption={t("notifications.prefs.title")}
          columns={[
            { key: "kind", title: t("notifications.prefs.kind"), render: (_, p) => name(p.kind) },
            { key: "inApp", title: t("notifications.prefs.inApp"), render: (_, p) => toggle(p, "inApp") },
            { key: "email", title: t("notifications.prefs.email"), render: (_, p) => toggle(p, "email") },
          ]}
          card={(p) => (
            <Space direction="vertical" style={{ width: "100%" }}>
              <Typography.Text strong>{name(p.kind)}</Typography.Text>
              <Space wrap>
                <span>{t("notifications.prefs.inApp")}</span>
                {toggle(p, "inApp")}
                <span>{t("notifications.prefs.email")}</span>
                {toggle(p, "email")}
              </Space>
            </Space>
          )}
        />
      )}
    </div>
  );
}
