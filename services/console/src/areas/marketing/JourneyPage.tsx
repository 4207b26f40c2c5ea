import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Form, Popconfirm, Row, Space, Tag } from "antd";
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ApiError, isApiError } from "../../api/problem";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { buildFilter, parseFilter, type BuilderState } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, marketingKey, mergePatch } from "./api";
import { JourneyCanvas } from "./JourneyCanvas";
import { JourneyEnrolments } from "./JourneyEnrolments";
import { addStep, journeyBody, removeStep, replaceStep, stepProblems, type Journey, type JourneyStep, type JourneySettings } from "./journeys";
import { JourneySettingsForm } from "./JourneySettingsForm";
import { JourneyStepPanel } from "./JourneyStepPanel";
import { PageTitle } from "./PageTitle";
import { segmentFilterFields } from "./segments";
import { journeyStatusColors } from "./statusColors";
import { useNames } from "./useNames";

/** JourneyPage is a new journey (/marketing/journeys/new) or an existing one with its enrolments. */
export default function JourneyPage() {
  const { id } = useParams();
  const q = useQuery({ queryKey: marketingKey("journeys", id), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/journeys/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <JourneyEditor key="new" />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Card loading data-testid="page-journey" />;
  return <JourneyEditor key={`${q.data.id}:${q.data.version}`} journey={q.data} />;
}

/** firstStep is a new journey's one step: a send going nowhere yet. */
const firstStep: JourneyStep[] = [{ id: "s1", type: "send", channel: "email", next: "" }];

/**
 * JourneyEditor edits journey (none for a new one): its settings (name,
 * trigger, re-entry, goal), its steps on the canvas with the selected one
 * in the side panel, a save that shows the API's problems at the steps
 * they name, and the status buttons (activate, pause, archive).
 */
function JourneyEditor({ journey }: { journey?: Journey }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const names = useNames();
  const [form] = Form.useForm<JourneySettings>();
  const fields = useMemo(() => segmentFilterFields(t), [t]);
  const [steps, setSteps] = useState<JourneyStep[]>(journey?.steps ?? firstStep);
  const [selected, setSelected] = useState<string | undefined>(steps[0]?.id);
  const storedGoal = journey?.goal?.filter ? parseFilter(journey.goal.filter, fields) : undefined;
  const [goal, setGoal] = useState<BuilderState>(storedGoal ?? { match: "and", rows: [] });
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(!journey);
  const templates = useQuery({ queryKey: marketingKey("templates", "all"), queryFn: () => unwrap(api.GET("/v1/templates", { params: { query: { limit: 200 } } })) });
  const writable = can("marketing:write") && journey?.status !== "archived";
  const edit = (next: JourneyStep[]) => {
    setSteps(next);
    setDirty(true);
  };

  const fail = (err: unknown, retry: (version: number) => void) => {
    const reload = () => qc.invalidateQueries({ queryKey: marketingKey("journeys", journey?.id) });
    const overwrite = async () => retry((await unwrap(api.GET("/v1/journeys/{id}", { params: { path: { id: journey!.id } } }))).version);
    if (resolveConflict(modal, t, err, reload, overwrite)) return;
    if (!isApiError(err)) {
      setError(err instanceof Error ? err.message : String(err));
      return;
    }
    const { byStep, rest } = stepProblems(steps, err.fields);
    setProblems(byStep);
    const first = steps.find((s) => byStep[s.id]);
    if (first) setSelected(first.id);
    const left = rest.length > 0 || Object.keys(byStep).length === 0 ? applyProblem(form, new ApiError(err.status, { ...err.problem, errors: rest })) : "";
    setError(left || (first ? t("marketing.journey.stepProblems") : ""));
  };

  const save = async (version?: number) => {
    let values: JourneySettings;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setError("");
    setProblems({});
    setBusy(true);
    const body = journeyBody(values, steps, buildFilter(goal, fields));
    try {
      if (!journey) {
        const made = await unwrap(api.POST("/v1/journeys", { body: { ...body, campaignId: body.campaignId ?? undefined, goal: body.goal ?? undefined } }));
        qc.invalidateQueries({ queryKey: marketingKey("journeys") });
        message.success(t("marketing.saved"));
        nav(`/marketing/journeys/${made.id}`, { replace: true });
        return;
      }
      const next = await unwrap(
        api.PATCH("/v1/journeys/{id}", { params: { path: { id: journey.id }, header: ifMatch(version ?? journey.version) }, headers: mergePatch, body: { ...body, goal: body.goal as Record<string, never> | null } }),
      );
      qc.setQueryData(marketingKey("journeys", journey.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("journeys", "list") });
      message.success(t("marketing.saved"));
    } catch (err) {
      fail(err, (v) => save(v));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (status: Journey["status"], version?: number) => {
    if (!journey) return;
    setError("");
    setProblems({});
    try {
      const next = await unwrap(
        api.PATCH("/v1/journeys/{id}", { params: { path: { id: journey.id }, header: ifMatch(version ?? journey.version) }, headers: mergePatch, body: { status } }),
      );
      qc.setQueryData(marketingKey("journeys", journey.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("journeys", "list") });
    } catch (err) {
      fail(err, (v) => setStatus(status, v));
    }
  };

  const remove = async () => {
    try {
      await unwrap(api.DELETE("/v1/journeys/{id}", { params: { path: { id: journey!.id }, header: ifMatch(journey!.version) } }));
      qc.invalidateQueries({ queryKey: marketingKey("journeys") });
      nav("/marketing/journeys", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const number = (id: string) => {
    const i = steps.findIndex((x) => x.id === id);
    return i < 0 ? id : String(i + 1);
  };
  const describe = (s: JourneyStep): string => {
    switch (s.type) {
      case "send":
        return s.templateId ? names.template(s.templateId) : t("marketing.journey.noTemplate");
      case "wait":
        return s.duration || (s.until ? t("marketing.journey.untilValue", { until: s.until }) : "");
      case "branch":
        if (s.condition?.opened) return t("marketing.journey.ifOpened", { step: number(s.condition.opened) });
        if (s.condition?.clicked) return t("marketing.journey.ifClicked", { step: number(s.condition.clicked) });
        return t("marketing.journey.condition.filter");
      case "update":
        return s.update?.field ? `${s.update.field} = ${s.update.value ?? ""}` : [...(s.update?.addTags ?? []).map((x) => `+${x}`), ...(s.update?.removeTags ?? []).map((x) => `−${x}`)].join(" ");
      default:
        return t("marketing.journey.exitHelp");
    }
  };

  const current = steps.find((s) => s.id === selected);
  const statusButtons = journey && can("marketing:write") && (
    <>
      {(journey.status === "draft" || journey.status === "paused") && (
        <Button type="primary" onClick={() => setStatus("active")} disabled={dirty} title={dirty ? t("marketing.journey.saveFirst") : undefined} data-testid="journey-activate">
          {t("marketing.journey.activate")}
        </Button>
      )}
      {journey.status === "active" && (
        <Button onClick={() => setStatus("paused")} disabled={dirty} data-testid="journey-pause">
          {t("marketing.journey.pause")}
        </Button>
      )}
      {journey.status !== "archived" && (
        <Popconfirm title={t("marketing.journey.archiveConfirm")} onConfirm={() => setStatus("archived")} okText={t("marketing.journey.archive")} cancelText={t("marketing.cancel")}>
          <Button data-testid="journey-archive">{t("marketing.journey.archive")}</Button>
        </Popconfirm>
      )}
      <Popconfirm title={t("marketing.journey.deleteConfirm")} onConfirm={remove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
        <Button danger data-testid="journey-delete">
          {t("marketing.delete")}
        </Button>
      </Popconfirm>
    </>
  );
  return (
    <div data-testid="page-journey" data-status={journey?.status ?? "new"}>
      <PageTitle
        title={
          <Space wrap>
            {journey ? journey.name : t("marketing.journeys.new")}
            {journey && (
              <Tag color={journeyStatusColors[journey.status]} data-testid="journey-status">
                {t(`marketing.journey.status.${journey.status}`)}
              </Tag>
            )}
          </Space>
        }
      >
        {statusButtons}
      </PageTitle>
      <JourneySettingsForm form={form} journey={journey} readOnly={!writable} goal={goal} onGoal={setGoal} onChange={() => setDirty(true)} />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={15}>
          <Card title={t("marketing.journey.steps")}>
            <JourneyCanvas
              steps={steps}
              selected={selected}
              problems={problems}
              describe={describe}
              onSelect={setSelected}
              onAdd={
                writable
                  ? (from, kind, type) => {
                      const made = addStep(steps, from, kind, type);
                      edit(made.steps);
                      setSelected(made.id);
                    }
                  : undefined
              }
            />
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          {current && (
            <JourneyStepPanel
              key={current.id}
              step={current}
              index={steps.indexOf(current)}
              steps={steps}
              templates={templates.data?.items ?? []}
              problems={problems[current.id]}
              readOnly={!writable}
              onChange={(s) => edit(replaceStep(steps, s))}
              onRemove={() => {
                const next = removeStep(steps, current.id);
                edit(next);
                setSelected(next[0]?.id);
              }}
            />
          )}
        </Col>
      </Row>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 12 }} data-testid="journey-error" />}
      {writable && (
        <Button type="primary" onClick={() => save()} loading={busy} style={{ marginTop: 16 }} data-testid="journey-save">
          {t("marketing.save")}
        </Button>
      )}
      {journey && <JourneyEnrolments journey={journey} />}
    </div>
  );
}
