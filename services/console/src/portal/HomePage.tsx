import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Input, List, Space, Tag, Typography } from "antd";
import { Link, useSearchParams } from "react-router-dom";
import { markSegments } from "../areas/support/highlight";
import { portalGet, portalHome, type ArticleSummary } from "./api";
import { PortalError } from "./PortalError";
import { localeName, usePortal } from "./usePortal";

/** Marked shows a search highlight (escaped text with <mark>s) as text with its matches marked. */
function Marked({ html }: { html: string }) {
  return <>{markSegments(html).map((s, i) => (s.marked ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}</>;
}

/**
 * HomePage is the portal's front page: a search of the published public
 * articles (?q= in the address, so back and a shared link keep it), best
 * first, else the latest; the visitor's language first, every language
 * when it has none.
 */
export default function HomePage() {
  const { slug, base, locale, t } = usePortal();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const articles = useQuery({
    queryKey: ["portal", slug, "articles", q, locale],
    queryFn: async () => {
      const mine = await portalGet<{ items: ArticleSummary[] }>(base, "/articles", { q, locale });
      if (mine.items.length > 0) return mine.items;
      return (await portalGet<{ items: ArticleSummary[] }>(base, "/articles", { q })).items;
    },
  });
  const home = portalHome(slug);
  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }} data-testid="portal-home">
      <div style={{ textAlign: "center", padding: "16px 0" }}>
        <Typography.Title level={1} style={{ fontSize: 26 }}>
          {t("portal.home.heading")}
        </Typography.Title>
        <div role="search" data-testid="portal-search">
          <Input.Search
            key={q}
            defaultValue={q}
            placeholder={t("portal.home.search")}
            aria-label={t("portal.home.search")}
            enterButton={t("portal.home.searchButton")}
            size="large"
            maxLength={500}
            allowClear
            onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {})}
          />
        </div>
      </div>
      <Card size="small" title={q ? t("portal.home.results", { q }) : t("portal.home.latest")}>
        {articles.isError ? (
          <PortalError error={articles.error} t={t} onRetry={() => articles.refetch()} />
        ) : (
          <List<ArticleSummary>
            loading={articles.isLoading}
            dataSource={articles.data ?? []}
            locale={{ emptyText: <Empty description={q ? t("portal.home.none") : t("portal.home.empty")} /> }}
            renderItem={(a) => (
              <List.Item key={a.id} data-testid="portal-article-hit">
                <List.Item.Meta
                  title={
                    <Link to={`${home}/articles/${a.id}`}>
                      {a.highlights ? <Marked html={a.highlights.title} /> : a.title}
                    </Link>
                  }
                  description={a.highlights?.body ? <Marked html={a.highlights.body} /> : undefined}
                />
                {a.locale !== locale && <Tag>{localeName(t, a.locale)}</Tag>}
              </List.Item>
            )}
          />
        )}
      </Card>
      <div style={{ textAlign: "center" }}>
        <Typography.Text>{t("portal.home.askUs")} </Typography.Text>
        <Link to={`${home}/cases/new`}>{t("portal.nav.newCase")}</Link>
      </div>
    </Space>
  );
}
