import { BookOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card, List, Typography } from "antd";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { Highlight } from "./Highlight";
import { useDebounced } from "../../lib/useDebounced";

/**
 * Suggestions lists the published articles that match a case's text best
 * (GET /v1/kb/suggestions), each linking to the article; nothing shows
 * while there is no text or no match.
 */
export function Suggestions({ text }: { text: string }) {
  const { t } = useI18n();
  const term = useDebounced(text.slice(0, 10000), 400);
  const hits = useQuery({
    queryKey: ["support", "kb", "suggestions", term],
    enabled: term.trim() !== "",
    queryFn: () => unwrap(api.GET("/v1/kb/suggestions", { params: { query: { text: term, limit: 5 } } })),
    staleTime: 60_000,
  });
  const items = hits.data?.items ?? [];
  if (!term.trim() || items.length === 0) return null;
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("support.kb.suggested")}</h2>} data-testid="kb-suggestions" style={{ marginTop: 12 }}>
      <List
        size="small"
        dataSource={items}
        rowKey="id"
        renderItem={(h) => (
          <List.Item data-testid="kb-suggestion">
            <Typography.Text>
              <BookOutlined aria-hidden /> <Link to={`/kb/${h.id}`}>{h.title}</Link>
            </Typography.Text>
            {h.highlights.body && (
              <div style={{ fontSize: 12 }}>
                <Highlight html={h.highlights.body} />
              </div>
            )}
          </List.Item>
        )}
      />
    </Card>
  );
}
