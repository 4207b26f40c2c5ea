import { App, Modal, Radio, Select, Space, Spin, Typography } from "antd";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ApiError, isApiError } from "../../api/problem";
import { ErrorState } from "../../components/ErrorState";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { useIsPhone } from "../../lib/useIsPhone";
import { ifMatch, mergePatch, type Board, type Opportunity, type OpportunityField, type OpportunityPatch, type Stage } from "./api";
import { findCard, moveCard } from "./board";
import { BoardColumnView } from "./BoardColumnView";
import { StageFieldsDialog } from "./StageFieldsDialog";
import "./board.css";

const opportunityFields: OpportunityField[] = ["amount", "closeDate", "accountId", "primaryContactId", "nextStep", "lostReason", "competitors", "lineItems"];

/** stageNeeds is the fields a move's 422 says the stage needs, or null when it is another refusal. */
function stageNeeds(err: unknown): OpportunityField[] | null {
  if (!isApiError(err) || err.status !== 422 || err.fields.length === 0) return null;
  const fields = err.fields.map((f) => f.field as OpportunityField);
  return fields.every((f) => opportunityFields.includes(f)) ? fields : null;
}

/** boardKey is the query key of a pipeline's board. */
function boardKey(pipelineId: string): string[] {
  return ["board", pipelineId];
}

/** BoardPage is /board (the default pipeline's) or /pipelines/:id/board. */
export default function BoardPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const pipelines = useQuery({ queryKey: ["pipelines"], queryFn: () => unwrap(api.GET("/v1/pipelines")) });
  const pipelineId = id ?? pipelines.data?.items.find((p) => p.isDefault)?.id;
  return (
    <div data-testid="page-board">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t("sales.board.title")}
        </Typography.Title>
        <Select
          aria-label={t("sales.opp.pipeline")}
          style={{ minWidth: 200 }}
          value={pipelineId}
          loading={pipelines.isLoading}
          options={pipelines.data?.items.map((p) => ({ value: p.id, label: p.name }))}
          onChange={(v) => navigate(`/pipelines/${v}/board`)}
          data-testid="board-pipeline"
        />
      </Space>
      {pipelines.isError ? <ErrorState error={pipelines.error} onRetry={() => pipelines.refetch()} /> : pipelineId ? <PipelineBoard pipelineId={pipelineId} /> : <Spin />}
    </div>
  );
}

/** Pending is a move waiting for the fields its stage needs. */
interface Pending {
  opportunity: Opportunity;
  stage: Stage;
  fields: OpportunityField[];
}

/**
 * PipelineBoard shows a pipeline's columns and moves opportunities between
 * them: the card moves at once and goes back if the move fails; a stage
 * that needs fields asks for them and tries again.
 */
function PipelineBoard({ pipelineId }: { pipelineId: string }) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const phone = useIsPhone();
  const client = useQueryClient();
  const key = boardKey(pipelineId);
  const board = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET("/v1/pipelines/{id}/board", { params: { path: { id: pipelineId }, query: { limit: 100 } } })),
  });
  const [over, setOver] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [asking, setAsking] = useState<Opportunity | null>(null);

  /** send patches the opportunity into stage; it throws the refusal after putting the board back. */
  const send = useCallback(
    async (o: Opportunity, stage: Stage, extra: OpportunityPatch, version: number) => {
      const key = boardKey(pipelineId);
      const before = client.getQueryData<Board>(key);
      await client.cancelQueries({ queryKey: key });
      client.setQueryData<Board>(key, (b) => b && moveCard(b, o.id, stage.id, { ...o, ...(extra as Partial<Opportunity>), stageId: stage.id }));
      try {
        const moved = await unwrap(api.PATCH("/v1/opportunities/{id}", { params: { path: { id: o.id }, header: ifMatch(version) }, headers: mergePatch, body: { ...extra, stageId: stage.id } }));
        client.setQueryData<Board>(key, (b) => b && { ...b, columns: b.columns.map((c) => ({ ...c, opportunities: c.opportunities.map((x) => (x.id === moved.id ? moved : x)) })) });
        client.setQueryData(["opportunity", moved.id], moved);
        client.invalidateQueries({ queryKey: key });
        client.invalidateQueries({ queryKey: ["board-more", pipelineId] });
      } catch (err) {
        client.setQueryData(key, before);
        throw err;
      }
    },
    [client, pipelineId],
  );

  /** move tries a move and handles its refusal: needed fields, a conflict, or another problem. */
  const move = useCallback(
    async (id: string, stage: Stage) => {
      setOver(null);
      const key = boardKey(pipelineId);
      const b = client.getQueryData<Board>(key);
      const found = b && findCard(b, id);
      if (!found || found.opportunity.stageId === stage.id) return;
      const o = found.opportunity;
      try {
        await send(o, stage, {}, o.version);
      } catch (err) {
        const needs = stageNeeds(err);
        if (needs) {
          setPending({ opportunity: o, stage, fields: needs });
          return;
        }
        const reload = () => client.invalidateQueries({ queryKey: key });
        const overwrite = async () => {
          const latest = await unwrap(api.GET("/v1/opportunities/{id}", { params: { path: { id } } }));
          await send(latest, stage, {}, latest.version).catch((e: unknown) => message.error(e instanceof Error ? e.message : String(e)));
        };
        if (!resolveConflict(modal, t, err, reload, overwrite)) message.error(err instanceof Error ? err.message : String(err));
      }
    },
    [client, send, modal, message, t, pipelineId],
  );

  const onDragOver = useCallback((stageId: string) => setOver((s) => (s === stageId ? s : stageId)), []);
  if (board.isError) return <ErrorState error={board.error} onRetry={() => board.refetch()} />;
  if (!board.data) return <Spin />;
  const stages = board.data.columns.map((c) => c.stage);
  return (
    <>
      <div className={`board${phone ? " board-phone" : ""}`} data-testid="board" onDragLeave={(e) => e.currentTarget === e.target && setOver(null)}>
        {board.data.columns.map((c) => (
          <BoardColumnView key={c.stage.id} column={c} pipelineId={pipelineId} phone={phone} over={over === c.stage.id} onDragOver={onDragOver} onDrop={move} onMoveAsk={setAsking} />
        ))}
      </div>
      {asking ? (
        <Modal open title={t("sales.board.moveTitle", { name: asking.name })} footer={null} onCancel={() => setAsking(null)}>
          <Radio.Group
            aria-label={t("sales.opp.stage")}
            value={asking.stageId}
            onChange={(e) => {
              const stage = stages.find((s) => s.id === e.target.value);
              setAsking(null);
              if (stage) void move(asking.id, stage);
            }}
          >
            <Space direction="vertical">
              {stages.map((s) => (
                <Radio key={s.id} value={s.id} data-testid="board-move-to">
                  {s.name}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Modal>
      ) : null}
      {pending ? (
        <StageFieldsDialog
          stage={pending.stage}
          fields={pending.fields}
          opportunityId={pending.opportunity.id}
          onCancel={() => setPending(null)}
          onSubmit={async (extra) => {
            const latest = client.getQueryData<Board>(key);
            const o = (latest && findCard(latest, pending.opportunity.id)?.opportunity) ?? pending.opportunity;
            try {
              await send(o, pending.stage, extra, o.version);
              setPending(null);
            } catch (err) {
              const needs = stageNeeds(err);
              if (needs && needs.some((f) => !pending.fields.includes(f))) {
                setPending({ ...pending, fields: [...new Set([...pending.fields, ...needs])] });
              }
              throw err instanceof ApiError ? err : new ApiError(0, { title: String(err) });
            }
          }}
        />
      ) : null}
    </>
  );
}
