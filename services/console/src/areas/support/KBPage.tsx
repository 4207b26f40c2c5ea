import { PlusOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Input, List, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import type { Article } from "./api";
import { Highlight } from "./Highlight";
import { articleLocales, articleStateColors, articleStates, useCategories } from "./kb";

/**
 * KBPage is the knowledge base: its articles in every locale, filtered by
 * locale, state and visibility, or — with a search term, Chinese or
 * English — the articles found, best first, with their matches marked.
 */
export default function KBPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const cats = useCategories(locale);
  const [q, setQ] = useState("");
  const [lang, setLang] = useState<string | undefined>();
  const [state, setState] = useState<Article["state"] | undefined>();
  const [visibility, setVisibility] = useState<Article["visibility"] | undefined>();
  const filters = { locale: lang, state, visibility };
  const paged = usePagedQuery(["support", "kb", "list", filters], (cursor) => unwrap(api.GET("/v1/kb/articles", { params: { query: { ...filters, limit: 50, cursor } } })));
  const search = useQuery({
    queryKey: ["support", "kb", "search", q, filters],
    enabled: q !== "",
    queryFn: () => unwrap(api.GET("/v1/kb/search", { params: { query: { q, ...filters, limit: 50 } } })),
  });
  const change = <V,>(set: (v: V) => void) => (v: V) => {
    set(v);
    paged.pages.reset();
  };
  const stateTag = (s: Article["state"]) => <Tag color={articleStateColors[s]}>{t(`support.kb.state.${s}`)}</Tag>;
  return (
    <div data-testid="page-kb">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.kb.title")}
        </Typography.Title>
        {can("support:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/kb/new")} data-testid="kb-new">
            {t("support.kb.new")}
          </Button>
        )}
      </Space>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input.Search allowClear aria-label={t("support.kb.search")} placeholder={t("support.kb.search")} onSearch={(v) => setQ(v.trim())} style={{ width: 260 }} data-testid="kb-search" />
        <Select allowClear aria-label={t("support.kb.locale")} placeholder={t("support.kb.locale")} value={lang} onChange={change(setLang)} options={articleLocales.map((l) => ({ value: l, label: t(`support.kb.localeName.${l}`) }))} style={{ minWidth: 130 }} />
        <Select allowClear aria-label={t("support.kb.state")} placeholder={t("support.kb.state")} value={state} onChange={change(setState)} options={articleStates.map((s) => ({ value: s, label: t(`support.kb.state.${s}`) }))} style={{ minWidth: 130 }} />
        <Select
          allowClear
          aria-label={t("support.kb.visibility")}
          placeholder={t("support.kb.visibility")}
          value={visibility}
          onChange={change(setVisibility)}
          options={(["internal", "public"] as const).map((v) => ({ value: v, label: t(`support.kb.visibility.${v}`) }))}
          style={{ minWidth: 130 }}
        />
      </Space>
      {q !== "" ? (
        search.isError ? (
          <ErrorState error={search.error} onRetry={() => search.refetch()} />
        ) : (
          <List
            loading={search.isLoading}
            aria-label={t("support.kb.results")}
            dataSource={search.data?.items ?? []}
            rowKey="id"
            locale={{ emptyText: <Typography.Text type="secondary">{t("support.kb.noResults")}</Typography.Text> }}
            renderItem={(h) => (
              <List.Item data-testid="kb-hit" style={{ display: "block" }}>
                <Space wrap>
                  <Link to={`/kb/${h.id}`}>
                    <Highlight html={h.highlights.title} />
                  </Link>
                  {stateTag(h.state)}
                  <Tag>{h.locale}</Tag>
                </Space>
                {h.highlights.body && (
                  <div>
                    <Highlight html={h.highlights.body} />
                  </div>
                )}
              </List.Item>
            )}
          />
        )
      ) : (
        <PagedList<Article>
          paged={paged}
          rowKey="id"
          caption={t("support.kb.title")}
          onOpen={(a) => nav(`/kb/${a.id}`)}
          columns={[
            { title: t("support.kb.articleTitle"), dataIndex: "title" },
            { title: t("support.kb.locale"), dataIndex: "locale" },
            { title: t("support.kb.state"), key: "state", render: (_: unknown, a: Article) => stateTag(a.state) },
            { title: t("support.kb.visibility"), key: "visibility", render: (_: unknown, a: Article) => t(`support.kb.visibility.${a.visibility}`) },
            { title: t("support.kb.category"), key: "category", render: (_: unknown, a: Article) => (a.categoryId ? cats.name(a.categoryId) : "") },
            { title: t("support.kb.updated"), key: "updated", render: (_: unknown, a: Article) => formatDate(a.updatedAt, locale) },
          ]}
          card={(a) => (
            <Space direction="vertical" size={2} style={{ width: "100%" }}>
              <Typography.Text strong>{a.title}</Typography.Text>
              <Space size={4} wrap>
                {stateTag(a.state)}
                <Tag>{a.locale}</Tag>
              </Space>
            </Space>
          )}
        />
      )}
    </div>
  );
}
