import { Button, Tag, Timeline as AntTimeline, Typography } from "antd";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { PersonName } from "../../lib/people";
import type { Entity, TimelineEntry } from "./api";
import { mentionSegments } from "./mentions";

const colours: Record<TimelineEntry["category"], string> = { activity: "blue", record: "gray", sales: "green", support: "orange", marketing: "purple" };

/** NoteBody shows a note's text with its mentions as "@Name", all as text. */
export function NoteBody({ body }: { body: string }) {
  return (
    <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginBottom: 0 }} data-testid="note-body">
      {mentionSegments(body).map((s, i) => ("mention" in s ? <Typography.Text key={i} strong>{`@${s.mention}`}</Typography.Text> : <span key={i}>{s.text}</span>))}
    </Typography.Paragraph>
  );
}

/**
 * Timeline lists what happened with a contact or account, newest first:
 * activities, the record's changes and other services' events, a page at a
 * time by cursor.
 */
export function Timeline({ entity, id }: { entity: Entity; id: string }) {
  const { t, locale } = useI18n();
  const q = useInfiniteQuery({
    queryKey: [entity, id, "timeline"],
    initialPageParam: "",
    getNextPageParam: (p: { nextCursor?: string }) => p.nextCursor || undefined,
    queryFn: ({ pageParam }) => {
      const params = { path: { id }, query: { cursor: pageParam || undefined, limit: 30 } };
      return entity === "contact" ? unwrap(api.GET("/v1/contacts/{id}/timeline", { params })) : unwrap(api.GET("/v1/accounts/{id}/timeline", { params }));
    },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const entries = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div data-testid="timeline">
      {!q.isLoading && entries.length === 0 && <Typography.Paragraph type="secondary">{t("contacts.timeline.empty")}</Typography.Paragraph>}
      <AntTimeline
        items={entries.map((e) => ({
          key: e.id + e.type + e.at,
          color: colours[e.category],
          children: (
            <div data-testid="timeline-entry">
              <div>
                <Tag>{t(`contacts.timeline.type.${e.category}`)}</Tag>
                <Typography.Text strong>{e.summary || t(`contacts.activity.${e.activity?.type ?? "note"}`)}</Typography.Text>
              </div>
              {e.activity?.body && <NoteBody body={e.activity.body} />}
              {e.changed && e.changed.length > 0 && <Typography.Text type="secondary">{t("contacts.timeline.changed", { fields: e.changed.join(", ") })}</Typography.Text>}
              <div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatDateTime(e.at, locale)}
                  {e.actor && (
                    <>
                      {" · "}
                      <PersonName id={e.actor} />
                    </>
                  )}
                </Typography.Text>
              </div>
            </div>
          ),
        }))}
      />
      {q.hasNextPage && (
        <Button onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage} data-testid="timeline-more">
          {t("contacts.timeline.more")}
        </Button>
      )}
    </div>
  );
}
