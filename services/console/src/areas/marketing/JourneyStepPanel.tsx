import { Alert, AutoComplete, Button, Card, Form, Input, Popconfirm, Radio, Select, Typography } from "antd";
import { useMemo, useState } from "react";
import { FilterBuilder } from "../../components/filter/FilterBuilder";
import { buildFilter, parseFilter, type BuilderState } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import type { Template } from "./api";
import { updateFields, type JourneyStep } from "./journeys";
import { segmentFilterFields } from "./segments";

/** JourneyStepPanelProps are the step edited, the journey's steps, the templates to pick from and where changes go. */
export interface JourneyStepPanelProps {
  step: JourneyStep;
  index: number;
  steps: JourneyStep[];
  templates: Template[];
  problems?: string[];
  /** readOnly hides the controls that change the step. */
  readOnly: boolean;
  onChange: (s: JourneyStep) => void;
  onRemove: () => void;
}

/**
 * JourneyStepPanel edits the selected step by its type: a send's template
 * (its channel follows), a wait's duration or time, a branch's condition
 * (a filter over the audience contact in the filter builder, or an open or
 * a click of a send step), an update's tags or field, and removes it.
 */
export function JourneyStepPanel({ step, index, steps, templates, problems, readOnly, onChange, onRemove }: JourneyStepPanelProps) {
  const { t } = useI18n();
  const set = (patch: Partial<JourneyStep>) => onChange({ ...step, ...patch });
  const id = (f: string) => `journey-step-${f}`;
  return (
    <Card
      title={`${index + 1}. ${t(`marketing.journey.step.${step.type}`)}`}
      data-testid="journey-step-panel"
      extra={
        !readOnly &&
        steps.length > 1 && (
          <Popconfirm title={t("marketing.journey.removeConfirm")} onConfirm={onRemove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
            <Button danger size="small" data-testid="journey-step-remove">
              {t("marketing.journey.remove")}
            </Button>
          </Popconfirm>
        )
      }
    >
      {problems && <Alert type="error" showIcon message={problems.join("; ")} style={{ marginBottom: 12 }} data-testid="journey-step-panel-problem" />}
      <Form layout="vertical" component="div" disabled={readOnly}>
        {step.type === "send" && (
          <Form.Item label={t("marketing.send.template")} htmlFor={id("template")}>
            <Select
              id={id("template")}
              showSearch
              optionFilterProp="label"
              value={step.templateId || undefined}
              onChange={(v: string) => set({ templateId: v, channel: templates.find((x) => x.id === v)?.channel ?? step.channel })}
              options={templates.map((x) => ({ value: x.id, label: `${x.name} (${t(`marketing.channel.${x.channel}`)})` }))}
            />
          </Form.Item>
        )}
        {step.type === "wait" && <WaitFields step={step} set={set} id={id} />}
        {step.type === "branch" && <BranchFields step={step} steps={steps} set={set} id={id} />}
        {step.type === "update" && <UpdateFields step={step} set={set} id={id} />}
        {step.type === "exit" && <Typography.Paragraph>{t("marketing.journey.exitHelp")}</Typography.Paragraph>}
      </Form>
    </Card>
  );
}

/** FieldsProps are what the type-specific parts of the panel share. */
interface FieldsProps {
  step: JourneyStep;
  set: (patch: Partial<JourneyStep>) => void;
  id: (f: string) => string;
}

/** WaitFields edit a wait: a duration (ISO 8601, P1D) or until a time (HH:MM UTC, or a moment). */
function WaitFields({ step, set, id }: FieldsProps) {
  const { t } = useI18n();
  const mode = step.until !== undefined && step.until !== "" ? "until" : "duration";
  return (
    <>
      <Form.Item label={t("marketing.journey.waitMode")}>
        <Radio.Group value={mode} onChange={(e) => set(e.target.value === "until" ? { duration: undefined, until: "09:00" } : { until: undefined, duration: "P1D" })}>
          <Radio value="duration">{t("marketing.journey.duration")}</Radio>
          <Radio value="until">{t("marketing.journey.until")}</Radio>
        </Radio.Group>
      </Form.Item>
      {mode === "duration" ? (
        <Form.Item label={t("marketing.journey.duration")} htmlFor={id("duration")} extra={t("marketing.journey.durationHelp")}>
          <Input id={id("duration")} value={step.duration ?? ""} onChange={(e) => set({ duration: e.target.value })} />
        </Form.Item>
      ) : (
        <Form.Item label={t("marketing.journey.until")} htmlFor={id("until")} extra={t("marketing.journey.untilHelp")}>
          <Input id={id("until")} value={step.until ?? ""} onChange={(e) => set({ until: e.target.value })} />
        </Form.Item>
      )}
    </>
  );
}

/** BranchFields edit a branch's condition: a filter, or an open or a click of a send step. */
function BranchFields({ step, steps, set, id }: FieldsProps & { steps: JourneyStep[] }) {
  const { t } = useI18n();
  const fields = useMemo(() => segmentFilterFields(t), [t]);
  const c = step.condition ?? {};
  const mode = c.opened !== undefined ? "opened" : c.clicked !== undefined ? "clicked" : "filter";
  const stored = c.filter && Object.keys(c.filter).length > 0 ? parseFilter(c.filter, fields) : undefined;
  const [builder, setBuilder] = useState<BuilderState>(stored ?? { match: "and", rows: [] });
  const advanced = !!c.filter && Object.keys(c.filter).length > 0 && !stored;
  const sends = steps.filter((s) => s.type === "send" && s.id !== step.id);
  const choose = (m: string) => {
    if (m === "filter") set({ condition: { filter: buildFilter(builder, fields) as unknown as Record<string, never> } });
    else set({ condition: { [m]: sends[0]?.id ?? "" } });
  };
  return (
    <>
      <Form.Item label={t("marketing.journey.condition")}>
        <Radio.Group value={mode} onChange={(e) => choose(e.target.value)} data-testid="journey-condition-mode">
          <Radio value="filter">{t("marketing.journey.condition.filter")}</Radio>
          <Radio value="opened">{t("marketing.journey.condition.opened")}</Radio>
          <Radio value="clicked">{t("marketing.journey.condition.clicked")}</Radio>
        </Radio.Group>
      </Form.Item>
      {mode === "filter" ? (
        <FilterBuilder
          fields={fields}
          value={builder}
          advanced={advanced}
          onChange={(b) => {
            setBuilder(b);
            set({ condition: { filter: (buildFilter(b, fields) ?? {}) as unknown as Record<string, never> } });
          }}
          onClear={() => {
            setBuilder({ match: "and", rows: [] });
            set({ condition: { filter: {} } });
          }}
        />
      ) : (
        <Form.Item label={t("marketing.journey.sendStep")} htmlFor={id("send")}>
          <Select
            id={id("send")}
            value={(mode === "opened" ? c.opened : c.clicked) || undefined}
            onChange={(v: string) => set({ condition: { [mode]: v } })}
            options={sends.map((s) => ({ value: s.id, label: `${steps.indexOf(s) + 1}. ${t("marketing.journey.step.send")} (${s.id})` }))}
          />
        </Form.Item>
      )}
    </>
  );
}

/** UpdateFields edit an update: tags added and removed, or a field set to a value. */
function UpdateFields({ step, set, id }: FieldsProps) {
  const { t } = useI18n();
  const u = step.update ?? {};
  const mode = u.field !== undefined ? "field" : "tags";
  return (
    <>
      <Form.Item label={t("marketing.journey.updateMode")}>
        <Radio.Group value={mode} onChange={(e) => set({ update: e.target.value === "field" ? { field: "lifecycleStage", value: "" } : { addTags: [] } })}>
          <Radio value="tags">{t("marketing.journey.tags")}</Radio>
          <Radio value="field">{t("marketing.journey.field")}</Radio>
        </Radio.Group>
      </Form.Item>
      {mode === "tags" ? (
        <>
          <Form.Item label={t("marketing.journey.addTags")} htmlFor={id("addTags")}>
            <Select id={id("addTags")} mode="tags" open={false} value={u.addTags ?? []} onChange={(v: string[]) => set({ update: { ...u, addTags: v } })} />
          </Form.Item>
          <Form.Item label={t("marketing.journey.removeTags")} htmlFor={id("removeTags")}>
            <Select id={id("removeTags")} mode="tags" open={false} value={u.removeTags ?? []} onChange={(v: string[]) => set({ update: { ...u, removeTags: v } })} />
          </Form.Item>
        </>
      ) : (
        <>
          <Form.Item label={t("marketing.journey.field")} htmlFor={id("field")} extra={t("marketing.journey.fieldHelp")}>
            <AutoComplete
              id={id("field")}
              value={u.field ?? ""}
              onChange={(v: string) => set({ update: { ...u, field: v } })}
              options={updateFields.map((f) => ({ value: f, label: t(`marketing.field.${f}`) }))}
            />
          </Form.Item>
          <Form.Item label={t("marketing.journey.value")} htmlFor={id("value")}>
            <Input id={id("value")} value={u.value ?? ""} maxLength={1000} onChange={(e) => set({ update: { ...u, value: e.target.value } })} />
          </Form.Item>
        </>
      )}
    </>
  );
}
