import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Col, Form, Input, Popconfirm, Row, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { ifMatch, mergePatch, type Article } from "./api";
import { ArticleSide } from "./ArticleSide";
import { articleKey, articleLocales, articleStateColors, useCategories } from "./kb";

/** ArticleValues are the editor's fields. */
interface ArticleValues {
  locale: string;
  title: string;
  body: string;
  bodyFormat: Article["bodyFormat"];
  visibility: Article["visibility"];
  categoryId?: string;
  tags: string[];
}

/**
 * ArticlePage writes an article: a new one (/kb/new) or an existing one's
 * next draft (saved as a new version), published or archived by who may
 * administer the knowledge base, with its versions, translations and
 * feedback beside it.
 */
export default function ArticlePage() {
  const { id } = useParams();
  const article = useQuery({ queryKey: articleKey(id ?? ""), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/kb/articles/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <ArticleEditor key="new" />;
  if (article.isError) return <ErrorState error={article.error} onRetry={() => article.refetch()} />;
  if (!article.data) return <Card loading data-testid="page-article" />;
  return <ArticleEditor key={`${article.data.id}:${article.data.version}`} article={article.data} />;
}

/** ArticleEditor is the editor's form of article (none for a new one) with its actions. */
function ArticleEditor({ article }: { article?: Article }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const cats = useCategories(locale);
  const [form] = Form.useForm<ArticleValues>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState<"save" | "publish" | "archive" | "delete" | null>(null);
  const a = article;
  const writable = can("support:write");
  const admin = can("support:admin");
  const done = (next: Article) => {
    qc.setQueryData(articleKey(next.id), next);
    qc.invalidateQueries({ queryKey: ["support", "kb"] });
  };
  const save = async (v: ArticleValues, version?: number) => {
    setError("");
    setBusy("save");
    try {
      if (!a) {
        const made = await unwrap(api.POST("/v1/kb/articles", { body: { ...v, categoryId: v.categoryId || undefined } }));
        done(made);
        message.success(t("support.saved"));
        nav(`/kb/${made.id}`, { replace: true });
        return;
      }
      const { locale: _locale, ...patch } = v;
      void _locale;
      done(await unwrap(api.PATCH("/v1/kb/articles/{id}", { params: { path: { id: a.id }, header: ifMatch(version ?? a.version) }, headers: mergePatch, body: { ...patch, categoryId: v.categoryId || null } })));
      message.success(t("support.saved"));
    } catch (err) {
      const reload = () => qc.invalidateQueries({ queryKey: articleKey(a?.id ?? "") });
      const overwrite = async () => save(v, (await unwrap(api.GET("/v1/kb/articles/{id}", { params: { path: { id: a!.id } } }))).version);
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    } finally {
      setBusy(null);
    }
  };
  const act = async (what: "publish" | "archive") => {
    if (!a) return;
    setBusy(what);
    try {
      const path = what === "publish" ? "/v1/kb/articles/{id}/publish" : "/v1/kb/articles/{id}/archive";
      done(await unwrap(api.POST(path, { params: { path: { id: a.id } } })));
      message.success(t(what === "publish" ? "support.kb.publishDone" : "support.kb.archiveDone"));
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  const remove = async () => {
    if (!a) return;
    setBusy("delete");
    try {
      await unwrap(api.DELETE("/v1/kb/articles/{id}", { params: { path: { id: a.id } } }));
      qc.invalidateQueries({ queryKey: ["support", "kb"] });
      nav("/kb");
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
      setBusy(null);
    }
  };
  const initial: ArticleValues = a
    ? { locale: a.locale, title: a.title, body: a.body, bodyFormat: a.bodyFormat, visibility: a.visibility, categoryId: a.categoryId, tags: a.tags }
    : { locale: locale, title: "", body: "", bodyFormat: "markdown", visibility: "internal", tags: [] };
  return (
    <div data-testid="page-article">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {a ? a.title : t("support.kb.new")}
        </Typography.Title>
        {a && (
          <Space wrap>
            <Tag color={articleStateColors[a.state]} data-testid="article-state" data-state={a.state}>
              {t(`support.kb.state.${a.state}`)}
            </Tag>
            <Typography.Text type="secondary" data-testid="article-versions-info">
              {t("support.kb.versionInfo", { draft: a.draftVersion, published: a.publishedVersion ?? "—" })}
            </Typography.Text>
          </Space>
        )}
      </Space>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={16}>
          <Card size="small">
            <Form<ArticleValues> form={form} name="article" layout="vertical" initialValues={initial} onFinish={(v) => save(v)} disabled={!writable}>
              <Row gutter={12}>
                <Col xs={24} md={8}>
                  {a ? (
                    <Form.Item label={t("support.kb.locale")}>
                      <Typography.Text data-testid="article-locale">{articleLocales.includes(a.locale) ? t(`support.kb.localeName.${a.locale}`) : a.locale}</Typography.Text>
                    </Form.Item>
                  ) : (
                    <Form.Item name="locale" label={t("support.kb.locale")}>
                      <Select options={articleLocales.map((l) => ({ value: l, label: t(`support.kb.localeName.${l}`) }))} />
                    </Form.Item>
                  )}
                </Col>
                <Col xs={24} md={8}>
                  <Form.Item name="visibility" label={t("support.kb.visibility")}>
                    <Select options={(["internal", "public"] as const).map((v) => ({ value: v, label: t(`support.kb.visibility.${v}`) }))} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={8}>
                  <Form.Item name="categoryId" label={t("support.kb.category")}>
                    <Select allowClear options={cats.options} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="title" label={t("support.kb.articleTitle")} rules={[{ required: true, message: t("support.required") }, { max: 300 }]}>
                <Input data-testid="article-title" />
              </Form.Item>
              <Form.Item name="bodyFormat" label={t("support.kb.bodyFormat")}>
                <Select options={(["markdown", "html"] as const).map((f) => ({ value: f, label: t(`support.kb.format.${f}`) }))} style={{ maxWidth: 200 }} />
              </Form.Item>
              <Form.Item name="body" label={t("support.kb.body")}>
                <Input.TextArea rows={14} maxLength={100000} data-testid="article-body" style={{ fontFamily: "monospace" }} />
              </Form.Item>
              <Form.Item name="tags" label={t("support.kb.tags")}>
                <Select mode="tags" maxCount={20} open={false} suffixIcon={null} />
              </Form.Item>
              {error && (
                <div role="alert" style={{ color: "#a8071a", marginBottom: 12 }}>
                  {error}
                </div>
              )}
              {writable && (
                <Space wrap>
                  <Button type="primary" htmlType="submit" loading={busy === "save"} data-testid="article-save">
                    {a ? t("support.kb.saveDraft") : t("action.create")}
                  </Button>
                  {a && admin && (
                    <Button onClick={() => act("publish")} loading={busy === "publish"} disabled={a.state === "published" && a.publishedVersion === a.draftVersion} data-testid="article-publish">
                      {t("support.kb.publish")}
                    </Button>
                  )}
                  {a && admin && a.state === "published" && (
                    <Button onClick={() => act("archive")} loading={busy === "archive"} data-testid="article-archive">
                      {t("support.kb.archive")}
                    </Button>
                  )}
                  {a && admin && (
                    <Popconfirm title={t("support.kb.deleteConfirm")} onConfirm={remove} okText={t("action.delete")} cancelText={t("action.cancel")}>
                      <Button danger loading={busy === "delete"} data-testid="article-delete">
                        {t("action.delete")}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              )}
            </Form>
          </Card>
        </Col>
        {a && (
          <Col xs={24} lg={8}>
            <ArticleSide article={a} />
          </Col>
        )}
      </Row>
    </div>
  );
}
