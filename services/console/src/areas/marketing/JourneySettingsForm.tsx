import { useQuery } from "@tanstack/react-query";
import { Card, Col, Form, Input, Radio, Row, Select, type FormInstance } from "antd";
import { useMemo } from "react";
import { api, unwrap } from "../../api/client";
import { FilterBuilder } from "../../components/filter/FilterBuilder";
import type { BuilderState } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import { marketingKey } from "./api";
import { settingsOf, triggerEvents, type Journey, type JourneySettings } from "./journeys";
import { segmentFilterFields } from "./segments";

/** JourneySettingsFormProps are the form, the journey shown (none for a new one), the goal's filter and where changes go. */
export interface JourneySettingsFormProps {
  form: FormInstance<JourneySettings>;
  journey?: Journey;
  readOnly: boolean;
  goal: BuilderState;
  onGoal: (s: BuilderState) => void;
  onChange: () => void;
}

/**
 * JourneySettingsForm holds a journey's settings beside its steps: the
 * name and campaign, the trigger (a segment or list entered, a form
 * submitted, or an event, of a campaign or any), the re-entry rule and
 * the goal (a segment entered or a filter in the filter builder).
 */
export function JourneySettingsForm({ form, journey, readOnly, goal, onGoal, onChange }: JourneySettingsFormProps) {
  const { t } = useI18n();
  const fields = useMemo(() => segmentFilterFields(t), [t]);
  const segments = useQuery({ queryKey: marketingKey("segments", "all"), queryFn: () => unwrap(api.GET("/v1/segments", { params: { query: { limit: 200 } } })) });
  const campaigns = useQuery({ queryKey: marketingKey("campaigns", "parents"), queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })) });
  const forms = useQuery({ queryKey: marketingKey("forms", "all"), queryFn: () => unwrap(api.GET("/v1/forms", { params: { query: { limit: 200 } } })) });
  const v = Form.useWatch([], form) as JourneySettings | undefined;
  const type = v?.trigger?.type ?? journey?.trigger.type ?? "segment_entered";
  const segmentOptions = (segments.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }));
  const campaignOptions = (campaigns.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }));
  const required = [{ required: true, message: t("marketing.required") }];
  // A Select's rule is a validator: a required rule sets aria-required on the Select's box, which its role does not allow.
  const chosen = [{ validator: (_: unknown, x: unknown) => (x ? Promise.resolve() : Promise.reject(new Error(t("marketing.required")))) }];
  return (
    <Card>
      <Form<JourneySettings> form={form} name="journey" layout="vertical" disabled={readOnly} initialValues={settingsOf(journey)} onValuesChange={onChange}>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t("marketing.name")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="campaignId" label={t("marketing.send.campaign")}>
              <Select aria-label={t("marketing.send.campaign")} allowClear showSearch optionFilterProp="label" options={campaignOptions} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={["trigger", "type"]} label={t("marketing.journey.trigger")}>
              <Select
                aria-label={t("marketing.journey.trigger")}
                options={(["segment_entered", "form_submitted", "event"] as const).map((x) => ({ value: x, label: t(`marketing.journey.trigger.${x}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            {type === "segment_entered" && (
              <Form.Item name={["trigger", "segmentId"]} label={t("marketing.send.segment")} rules={chosen}>
                <Select aria-label={t("marketing.send.segment")} showSearch optionFilterProp="label" options={segmentOptions} />
              </Form.Item>
            )}
            {type === "form_submitted" && (
              <Form.Item name={["trigger", "formId"]} label={t("marketing.journey.form")} rules={chosen}>
                <Select aria-label={t("marketing.journey.form")} showSearch optionFilterProp="label" options={(forms.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
              </Form.Item>
            )}
            {type === "event" && (
              <Row gutter={8}>
                <Col span={12}>
                  <Form.Item name={["trigger", "event"]} label={t("marketing.journey.event")} rules={chosen}>
                    <Select aria-label={t("marketing.journey.event")} options={triggerEvents.map((x) => ({ value: x, label: x }))} />
                  </Form.Item>
                </Col>
                <Col span={12}>
                  <Form.Item name={["trigger", "campaignId"]} label={t("marketing.journey.eventCampaign")}>
                    <Select aria-label={t("marketing.journey.eventCampaign")} allowClear showSearch optionFilterProp="label" options={campaignOptions} />
                  </Form.Item>
                </Col>
              </Row>
            )}
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={["reEntry", "mode"]} label={t("marketing.journey.reEntry")}>
              <Radio.Group>
                {(["never", "always", "after"] as const).map((m) => (
                  <Radio key={m} value={m}>
                    {t(`marketing.journey.reEntry.${m}`)}
                  </Radio>
                ))}
              </Radio.Group>
            </Form.Item>
            {v?.reEntry?.mode === "after" && (
              <Form.Item name={["reEntry", "after"]} label={t("marketing.journey.reEntryAfter")} extra={t("marketing.journey.durationHelp")} rules={required}>
                <Input />
              </Form.Item>
            )}
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="goalKind" label={t("marketing.journey.goal")}>
              <Radio.Group>
                {(["none", "segment", "filter"] as const).map((m) => (
                  <Radio key={m} value={m}>
                    {t(`marketing.journey.goal.${m}`)}
                  </Radio>
                ))}
              </Radio.Group>
            </Form.Item>
            {v?.goalKind === "segment" && (
              <Form.Item name="goalSegmentId" label={t("marketing.journey.goalSegment")} rules={chosen}>
                <Select aria-label={t("marketing.journey.goalSegment")} showSearch optionFilterProp="label" options={segmentOptions} />
              </Form.Item>
            )}
          </Col>
        </Row>
        {v?.goalKind === "filter" && (
          <FilterBuilder
            fields={fields}
            value={goal}
            onChange={(s) => {
              onGoal(s);
              onChange();
            }}
          />
        )}
      </Form>
    </Card>
  );
}
