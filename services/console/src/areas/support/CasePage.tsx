import { MergeCellsOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Button, Card, Col, Row, Space, Typography } from "antd";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { CaseHeader } from "./CaseHeader";
import { CaseSla } from "./CaseSla";
import { MergeDialog } from "./MergeDialog";
import { ReplyEditor } from "./ReplyEditor";
import { Suggestions } from "./Suggestions";
import { Thread } from "./Thread";
import { CaseWorkOrders } from "./WorkOrders";
import { caseKey } from "./useCasePatch";

/**
 * CasePage is a case: its header (status and the moves it allows, priority,
 * assignee, contact and account), its description, the thread with the
 * reply editor, its SLA clocks, its work orders, the knowledge base's articles suggested for
 * it, and merging it into another case.
 */
export default function CasePage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { can } = useSession();
  const [merging, setMerging] = useState(false);
  const one = useQuery({ queryKey: caseKey(id), queryFn: () => unwrap(api.GET("/v1/cases/{id}", { params: { path: { id } } })) });
  const c = one.data;
  if (one.isError) return <ErrorState error={one.error} onRetry={() => one.refetch()} />;
  if (!c) return <Card loading data-testid="page-case" />;
  const writable = can("support:write");
  return (
    <div data-testid="page-case">
      <CaseHeader c={c} />
      {writable && c.status !== "closed" && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Button icon={<MergeCellsOutlined />} onClick={() => setMerging(true)} data-testid="case-merge">
            {t("support.merge.action")}
          </Button>
        </Space>
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={16}>
          {c.description && (
            <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("support.case.description")}</h2>} style={{ marginBottom: 12 }}>
              <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }} data-testid="case-description">
                {c.description}
              </Typography.Paragraph>
            </Card>
          )}
          {writable && <ReplyEditor key={c.id} c={c} />}
          <Thread caseId={c.id} />
        </Col>
        <Col xs={24} lg={8}>
          <CaseSla caseId={c.id} />
          <CaseWorkOrders caseId={c.id} />
          <Suggestions text={`${c.subject}\n${c.description}`} />
        </Col>
      </Row>
      {merging && <MergeDialog c={c} onClose={() => setMerging(false)} />}
    </div>
  );
}
