import { useMutation, useQuery } from "@tanstack/react-query";
import { App, Button, Card, Result, Space, Typography } from "antd";
import { LikeOutlined, DislikeOutlined } from "@ant-design/icons";
import { Link, useParams } from "react-router-dom";
import { isApiError } from "../api/problem";
import { portalGet, portalHome, portalPost, type Article, type FeedbackCounts } from "./api";
import { ArticleBody } from "./body";
import { PortalError } from "./PortalError";
import { localeName, usePortal } from "./usePortal";

/**
 * ArticlePage shows a published public article, its translations and
 * the question whether it helped; an article of another tenant, or no
 * longer published, is not found.
 */
export default function ArticlePage() {
  const { slug, base, t } = usePortal();
  const { message } = App.useApp();
  const id = useParams().id ?? "";
  const home = portalHome(slug);
  const article = useQuery({ queryKey: ["portal", slug, "article", id], queryFn: () => portalGet<Article>(base, `/articles/${encodeURIComponent(id)}`) });
  const feedback = useMutation({
    mutationFn: (helpful: boolean) => portalPost<FeedbackCounts>(base, `/articles/${encodeURIComponent(id)}/feedback`, { helpful }),
    onError: (err) => message.error(err instanceof Error ? err.message : String(err)),
  });
  if (isApiError(article.error) && article.error.status === 404)
    return (
      <div data-testid="portal-article-missing">
        <Result
          status="404"
          title={t("portal.notFound.title")}
          subTitle={t("portal.article.notFound")}
          extra={<Link to={home}>{t("portal.article.back")}</Link>}
        />
      </div>
    );
  if (article.isError) return <PortalError error={article.error} t={t} onRetry={() => article.refetch()} />;
  if (!article.data) return <Card loading />;
  const a = article.data;
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Link to={home}>← {t("portal.article.back")}</Link>
      <Card>
        <article lang={a.locale} data-testid="portal-article">
          <Typography.Title level={1} style={{ fontSize: 24 }} data-testid="portal-article-title">
            {a.title}
          </Typography.Title>
          <ArticleBody body={a.body} format={a.bodyFormat} />
        </article>
        {a.translations.length > 0 && (
          <Space wrap style={{ marginTop: 12 }}>
            <Typography.Text type="secondary">{t("portal.article.translations")}</Typography.Text>
            {a.translations.map((tr) => (
              <Link key={tr.id} to={`${home}/articles/${tr.id}`} lang={tr.locale}>
                {localeName(t, tr.locale)}
              </Link>
            ))}
          </Space>
        )}
      </Card>
      <Card size="small" data-testid="portal-feedback">
        {feedback.data ? (
          <Space direction="vertical" size={0}>
            <Typography.Text strong data-testid="portal-feedback-thanks">
              {t("portal.article.thanks")}
            </Typography.Text>
            <Typography.Text type="secondary" data-testid="portal-feedback-counts">
              {t("portal.article.counts", { helpful: feedback.data.helpfulCount, notHelpful: feedback.data.notHelpfulCount })}
            </Typography.Text>
          </Space>
        ) : (
          <Space wrap>
            <Typography.Text>{t("portal.article.helpfulQuestion")}</Typography.Text>
            <Button icon={<LikeOutlined />} loading={feedback.isPending && feedback.variables} disabled={feedback.isPending} onClick={() => feedback.mutate(true)} data-testid="portal-helpful">
              {t("portal.article.yes")}
            </Button>
            <Button icon={<DislikeOutlined />} loading={feedback.isPending && !feedback.variables} disabled={feedback.isPending} onClick={() => feedback.mutate(false)} data-testid="portal-not-helpful">
              {t("portal.article.no")}
            </Button>
          </Space>
        )}
      </Card>
    </Space>
  );
}
