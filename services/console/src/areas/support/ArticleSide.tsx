import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, Input, List, Modal, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { PersonName } from "../../lib/people";
import type { Article, ArticleVersion } from "./api";
import { articleLocales } from "./kb";

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

/**
 * ArticleSide is what goes beside an article's editor: its translations
 * (with a translation into another locale started from it), its versions
 * (each readable, the published one marked) and its readers' feedback.
 */
export function ArticleSide({ article: a }: { article: Article }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [shown, setShown] = useState<ArticleVersion | null>(null);
  const [translating, setTranslating] = useState(false);
  const versions = useQuery({ queryKey: ["support", "kb", "versions", a.id, a.version], queryFn: () => unwrap(api.GET("/v1/kb/articles/{id}/versions", { params: { path: { id: a.id } } })) });
  const translations = useQuery({ queryKey: ["support", "kb", "translations", a.id, a.version], queryFn: () => unwrap(api.GET("/v1/kb/articles/{id}/translations", { params: { path: { id: a.id } } })) });
  const others = (translations.data?.items ?? []).filter((x) => x.id !== a.id);
  const missing = articleLocales.filter((l) => l !== a.locale && !others.some((x) => x.locale === l));
  return (
    <>
      <Card size="small" title={h2(t("support.kb.translations"))} style={{ marginBottom: 12 }} data-testid="article-translations" loading={translations.isLoading}>
        <List
          size="small"
          dataSource={others}
          rowKey="id"
          locale={{ emptyText: <Typography.Text type="secondary">{t("support.kb.noTranslations")}</Typography.Text> }}
          renderItem={(x) => (
            <List.Item>
              <Link to={`/kb/${x.id}`}>
                <Tag>{x.locale}</Tag> {x.title}
              </Link>
            </List.Item>
          )}
        />
        {can("support:write") && missing.length > 0 && (
          <Button size="small" onClick={() => setTranslating(true)} style={{ marginTop: 8 }} data-testid="article-translate">
            {t("support.kb.translate")}
          </Button>
        )}
      </Card>
      <Card size="small" title={h2(t("support.kb.versions"))} style={{ marginBottom: 12 }} loading={versions.isLoading} data-testid="article-versions">
        <List
          size="small"
          dataSource={versions.data?.items ?? []}
          rowKey="number"
          renderItem={(v) => (
            <List.Item data-testid="article-version">
              <Space wrap size={4}>
                <Button type="link" size="small" onClick={() => setShown(v)} style={{ padding: 0 }}>
                  {t("support.kb.versionN", { n: v.number })}
                </Button>
                {v.number === a.publishedVersion && <Tag color="#237804">{t("support.kb.state.published")}</Tag>}
                <Typography.Text type="secondary">
                  <PersonName id={v.createdBy} /> · {formatDateTime(v.createdAt, locale)}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>
      <Card size="small" title={h2(t("support.kb.feedback"))} data-testid="article-feedback">
        {t("support.kb.feedbackCounts", { helpful: a.helpfulCount, notHelpful: a.notHelpfulCount })}
      </Card>
      <Modal open={shown !== null} onCancel={() => setShown(null)} footer={null} width={760} title={shown ? `${t("support.kb.versionN", { n: shown.number })} · ${shown.title}` : ""} destroyOnClose>
        {shown && (
          <Typography.Paragraph style={{ whiteSpace: "pre-wrap", fontFamily: "monospace" }} data-testid="article-version-body">
            {shown.body}
          </Typography.Paragraph>
        )}
      </Modal>
      {translating && <TranslateDialog article={a} locales={missing} onClose={() => setTranslating(false)} />}
    </>
  );
}

/** TranslateDialog starts a translation of an article into one of locales, as a new draft. */
function TranslateDialog({ article: a, locales, onClose }: { article: Article; locales: string[]; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<{ locale: string; title: string; body: string }>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (v: { locale: string; title: string; body: string }) => {
    setBusy(true);
    setError("");
    try {
      const made = await unwrap(api.POST("/v1/kb/articles/{id}/translations", { params: { path: { id: a.id } }, body: { ...v, bodyFormat: a.bodyFormat } }));
      qc.invalidateQueries({ queryKey: ["support", "kb"] });
      message.success(t("support.saved"));
      onClose();
      nav(`/kb/${made.id}`);
    } catch (err) {
      setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t("support.kb.translate")} onCancel={onClose} onOk={() => form.submit()} okText={t("action.create")} cancelText={t("action.cancel")} confirmLoading={busy} okButtonProps={{ "data-testid": "translation-create" }}>
      <Form form={form} name="translation" layout="vertical" initialValues={{ locale: locales[0], title: a.title, body: a.body }} onFinish={submit}>
        <Form.Item name="locale" label={t("support.kb.locale")}>
          <Select options={locales.map((l) => ({ value: l, label: t(`support.kb.localeName.${l}`) }))} />
        </Form.Item>
        <Form.Item name="title" label={t("support.kb.articleTitle")} rules={[{ required: true, message: t("support.required") }]}>
          <Input />
        </Form.Item>
        <Form.Item name="body" label={t("support.kb.body")}>
          <Input.TextArea rows={8} />
        </Form.Item>
        {error && (
          <div role="alert" style={{ color: "#a8071a" }}>
            {error}
          </div>
        )}
      </Form>
    </Modal>
  );
}
