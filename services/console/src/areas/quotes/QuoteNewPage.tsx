import { Form, Select, Space, Typography } from "antd";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { LineEditor } from "./LineEditor";

/**
 * QuoteNewPage builds a quote: an opportunity (its account comes with it),
 * its lines from a price book, then the quote made of them.
 */
export default function QuoteNewPage() {
  const { t } = useI18n();
  const nav = useNavigate();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const opportunityId = params.get("opportunityId") ?? "";
  const [search, setSearch] = useState("");
  const opps = useQuery({
    queryKey: ["opportunities", "open", "pick"],
    queryFn: () => unwrap(api.GET("/v1/opportunities", { params: { query: { status: "open", limit: 200 } } })),
  });
  const found = (opps.data?.items ?? []).filter((o) => !search || o.name.toLowerCase().includes(search.toLowerCase()));
  return (
    <div data-testid="page-quote-new">
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("quotes.new.title")}
      </Typography.Title>
      <Space direction="vertical" style={{ width: "100%" }} size="middle">
        <Form layout="vertical">
          <Form.Item label={t("quotes.new.opportunity")} htmlFor="quote-opportunity" help={t("quotes.new.opportunityHelp")}>
            <Select
              id="quote-opportunity"
              showSearch
              filterOption={false}
              onSearch={setSearch}
              loading={opps.isLoading}
              value={opportunityId || undefined}
              onChange={(v: string) => setParams({ opportunityId: v })}
              options={found.map((o) => ({ value: o.id, label: o.name }))}
              notFoundContent={t("quotes.new.noOpportunities")}
              style={{ maxWidth: 480 }}
              data-testid="quote-opportunity"
            />
          </Form.Item>
        </Form>
        {opps.isError && <ErrorState error={opps.error} onRetry={() => opps.refetch()} />}
        {opportunityId && (
          <LineEditor
            key={opportunityId}
            opportunityId={opportunityId}
            saveLabel={t("quotes.new.create")}
            onSaved={async () => {
              const q = await unwrap(api.POST("/v1/quotes", { body: { opportunityId } }));
              qc.invalidateQueries({ queryKey: ["quotes"] });
              nav(`/quotes/${q.id}`);
            }}
          />
        )}
      </Space>
    </div>
  );
}
