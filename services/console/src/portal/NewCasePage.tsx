import { Alert, Button, Card, Form, Input, Result, Typography, type UploadFile } from "antd";
import { useState } from "react";
import { isApiError } from "../api/problem";
import { applyProblem } from "../lib/forms";
import { portalPost, type Submitted } from "./api";
import { appendFiles, FilePicker, maxFiles } from "./files";
import { usePortal } from "./usePortal";

/** CaseValues are the request form's fields; website is the honeypot. */
interface CaseValues {
  name: string;
  email: string;
  subject: string;
  description: string;
  website: string;
}

/**
 * honeypot hides the website field from people (off screen, out of the
 * tab order and of assistive technology) while leaving it in the form for
 * robots, which fill every field in: the service drops such a request.
 */
const honeypot = { position: "absolute", left: -10000, top: "auto", width: 1, height: 1, overflow: "hidden" } as const;

/**
 * NewCasePage submits a request (a case) with files; the answer is that a
 * link to follow it was mailed, never the case itself.
 */
export default function NewCasePage() {
  const { base, t } = usePortal();
  const [form] = Form.useForm<CaseValues>();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [done, setDone] = useState(false);
  const submit = async (v: CaseValues) => {
    setBusy(true);
    setError("");
    try {
      const body = new FormData();
      for (const k of ["name", "email", "subject", "description", "website"] as const) body.append(k, v[k] ?? "");
      appendFiles(body, files);
      await portalPost<Submitted>(base, "/cases", body);
      setDone(true);
    } catch (err) {
      setError(isApiError(err) && err.status === 429 ? t("portal.newCase.tooMany") : applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  if (done)
    return (
      <div data-testid="portal-case-submitted">
        <Result
          status="success"
          title={t("portal.newCase.doneTitle")}
          subTitle={t("portal.newCase.doneBody")}
          extra={
            <Button
              onClick={() => {
                form.resetFields();
                setFiles([]);
                setDone(false);
              }}
            >
              {t("portal.newCase.another")}
            </Button>
          }
        />
      </div>
    );
  const required = { required: true, whitespace: true, message: t("portal.newCase.required") };
  return (
    <Card data-testid="portal-new-case">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("portal.newCase.heading")}
      </Typography.Title>
      <Typography.Paragraph>{t("portal.newCase.intro")}</Typography.Paragraph>
      <Form<CaseValues> form={form} name="portalCase" layout="vertical" onFinish={submit} initialValues={{ website: "" }} style={{ position: "relative" }}>
        <Form.Item name="name" label={t("portal.newCase.name")} rules={[{ max: 200 }]}>
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item name="email" label={t("portal.newCase.email")} rules={[required, { type: "email", message: t("portal.newCase.badEmail") }, { max: 254 }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <Form.Item name="subject" label={t("portal.newCase.subject")} rules={[required, { max: 500 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t("portal.newCase.description")} rules={[required, { max: 20000 }]}>
          <Input.TextArea rows={6} />
        </Form.Item>
        <div style={honeypot} aria-hidden="true">
          <Form.Item name="website" label={t("portal.newCase.website")}>
            <Input tabIndex={-1} autoComplete="off" />
          </Form.Item>
        </div>
        <Form.Item label={t("portal.newCase.attachments")} extra={t("portal.newCase.filesHelp", { max: maxFiles })}>
          <FilePicker files={files} onChange={setFiles} t={t} testId="portal-case-files" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="portal-case-submit">
          {t("portal.newCase.submit")}
        </Button>
      </Form>
    </Card>
  );
}
