import { Card, Modal, Space, Tag, Timeline, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey } from "./api";
import type { Journey, JourneyEnrolment } from "./journeys";
import { enrolmentStatusColors } from "./statusColors";

/**
 * JourneyEnrolments lists the journey's enrolments, newest first: the
 * contact, its round, its status, the step it runs next (or ended at) and
 * when, and what came of the last step it ran; opening one shows every
 * step it ran with what came of it.
 */
export function JourneyEnrolments({ journey }: { journey: Journey }) {
  const { t, locale } = useI18n();
  const paged = usePagedQuery(marketingKey("journeys", journey.id, "enrolments"), (cursor) =>
    unwrap(api.GET("/v1/journeys/{id}/enrolments", { params: { path: { id: journey.id }, query: { cursor, limit: 50 } } })),
  );
  const [open, setOpen] = useState<JourneyEnrolment>();
  const step = (id?: string) => {
    const i = journey.steps.findIndex((s) => s.id === id);
    return i < 0 ? (id ?? "") : `${i + 1}. ${t(`marketing.journey.step.${journey.steps[i].type}`)}`;
  };
  const status = (e: JourneyEnrolment) => <Tag color={enrolmentStatusColors[e.status]}>{t(`marketing.enrolment.status.${e.status}`)}</Tag>;
  const last = (e: JourneyEnrolment) => {
    const h = e.history[e.history.length - 1];
    return h ? `${step(h.stepId)}: ${h.outcome}` : "";
  };
  const contact = (e: JourneyEnrolment) => (
    <Link to={`/contacts/${e.contactId}`} title={e.contactId}>
      {e.contactId.slice(0, 8)}
    </Link>
  );
  return (
    <Card title={t("marketing.journey.enrolments")} style={{ marginTop: 16 }} data-testid="journey-enrolments">
      <PagedList<JourneyEnrolment>
        paged={paged}
        rowKey="id"
        caption={t("marketing.journey.enrolments")}
        onOpen={setOpen}
        columns={[
          { title: t("marketing.enrolment.contact"), key: "contact", render: (_: unknown, e: JourneyEnrolment) => contact(e) },
          { title: t("marketing.enrolment.round"), dataIndex: "round", align: "right" },
          { title: t("marketing.enrolment.status"), key: "status", render: (_: unknown, e: JourneyEnrolment) => status(e) },
          { title: t("marketing.enrolment.step"), key: "step", render: (_: unknown, e: JourneyEnrolment) => step(e.stepId) },
          { title: t("marketing.enrolment.nextRunAt"), key: "next", render: (_: unknown, e: JourneyEnrolment) => formatDateTime(e.nextRunAt, locale) },
          { title: t("marketing.enrolment.last"), key: "last", render: (_: unknown, e: JourneyEnrolment) => last(e) },
          { title: t("marketing.enrolment.enteredAt"), key: "entered", render: (_: unknown, e: JourneyEnrolment) => formatDateTime(e.enteredAt, locale) },
        ]}
        card={(e) => (
          <Space direction="vertical" size={2}>
            <Space size={4} wrap>
              {contact(e)}
              {status(e)}
            </Space>
            <Typography.Text type="secondary">{[step(e.stepId), formatDateTime(e.enteredAt, locale)].filter(Boolean).join(" · ")}</Typography.Text>
          </Space>
        )}
      />
      <Modal open={!!open} title={t("marketing.enrolment.history")} onCancel={() => setOpen(undefined)} footer={null} data-testid="enrolment-history">
        {open && (
          <Timeline
            items={open.history.map((h) => ({
              key: `${h.stepId}-${h.at}`,
              children: `${formatDateTime(h.at, locale)} · ${step(h.stepId)}: ${h.outcome}`,
            }))}
          />
        )}
      </Modal>
    </Card>
  );
}
