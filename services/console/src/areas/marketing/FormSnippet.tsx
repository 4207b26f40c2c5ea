import { CopyOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Card, Input, Segmented, Space, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { marketingKey, type MarketingForm } from "./api";

/** FormSnippet shows the form's hosted page and the HTML or iframe to paste into a site, with a copy button. */
export function FormSnippet({ form }: { form: MarketingForm }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [kind, setKind] = useState<"html" | "iframe">("html");
  const q = useQuery({
    queryKey: marketingKey("forms", form.id, "snippet", form.version),
    queryFn: () => unwrap(api.GET("/v1/forms/{id}/snippet", { params: { path: { id: form.id } } })),
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const code = q.data?.[kind] ?? "";
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      message.success(t("marketing.form.copied"));
    } catch {
      message.error(t("marketing.form.copyFailed"));
    }
  };
  return (
    <Card title={t("marketing.form.snippet")} style={{ marginTop: 16 }} loading={q.isLoading} data-testid="form-snippet">
      {q.data && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Typography.Text>
            {t("marketing.form.hostedPage")}{" "}
            <Typography.Link href={q.data.url} target="_blank" rel="noreferrer" data-testid="form-url">
              {q.data.url}
            </Typography.Link>
          </Typography.Text>
          <Space wrap>
            <Segmented
              aria-label={t("marketing.form.snippetKind")}
              value={kind}
              onChange={(v) => setKind(v as typeof kind)}
              options={[
                { value: "html", label: t("marketing.form.snippetHtml") },
                { value: "iframe", label: t("marketing.form.snippetIframe") },
              ]}
            />
            <Button icon={<CopyOutlined />} onClick={copy} data-testid="form-snippet-copy">
              {t("marketing.form.copy")}
            </Button>
          </Space>
          <Input.TextArea readOnly value={code} rows={8} aria-label={t("marketing.form.snippet")} style={{ fontFamily: "monospace" }} data-testid="form-snippet-code" />
        </Space>
      )}
    </Card>
  );
}
