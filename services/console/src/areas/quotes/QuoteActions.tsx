import { App, Button, Form, Input, Modal, Space } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import type { Quote } from "./shared";

/** Move is a step of a quote's states, each its own POST /v1/quotes/{id}/<move>. */
export type Move = "submit" | "approve" | "reject" | "send" | "accept" | "decline";

/** moves are the steps a quote's state allows the user, in the order offered. */
export function moves(q: Quote, userId: string | undefined): Move[] {
  switch (q.state) {
    case "draft":
      return ["submit"];
    case "pendingApproval":
      return userId && q.approvers.includes(userId) ? ["approve", "reject"] : [];
    case "approved":
      return ["send"];
    case "sent":
      return ["accept", "decline"];
    default:
      return [];
  }
}

/** useMove makes a move with If-Match of the quote's version; a 412 offers a reload or a retry on the newer version. */
export function useMove(q: Quote, onDone?: (q: Quote) => void) {
  const qc = useQueryClient();
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const m = useMutation({
    mutationFn: ({ move, comment, version }: { move: Move; comment?: string; version?: number }) =>
      unwrap(
        api.POST(`/v1/quotes/{id}/${move}`, {
          params: { path: { id: q.id }, header: { "If-Match": `"${version ?? q.version}"` } },
          body: comment ? { comment } : {},
        }),
      ),
    onSuccess: (next, { move }) => {
      qc.setQueryData(["quotes", q.id], next);
      qc.invalidateQueries({ queryKey: ["quotes"] });
      message.success(t(`quotes.moved.${move}`));
      onDone?.(next);
    },
    onError: (err, vars) => {
      const reload = () => qc.invalidateQueries({ queryKey: ["quotes", q.id] });
      const retry = async () => {
        const cur = await unwrap(api.GET("/v1/quotes/{id}", { params: { path: { id: q.id } } }));
        m.mutate({ ...vars, version: cur.version });
      };
      resolveConflict(modal, t, err, reload, retry);
    },
  });
  return m;
}

/**
 * QuoteActions offers the moves the quote's state allows: each asks for an
 * optional comment (a rejection's reason is required) and is kept in the
 * quote's history.
 */
export function QuoteActions({ quote, onDone }: { quote: Quote; onDone?: (q: Quote) => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const [asking, setAsking] = useState<Move | null>(null);
  const list = moves(quote, me?.user.id);
  if (list.length === 0) return null;
  return (
    <Space wrap>
      {list.map((m) => (
        <Button key={m} type={m === "reject" || m === "decline" ? "default" : "primary"} onClick={() => setAsking(m)} data-testid={`quote-${m}`}>
          {t(`quotes.move.${m}`)}
        </Button>
      ))}
      {asking && <MoveDialog quote={quote} move={asking} onClose={() => setAsking(null)} onDone={onDone} />}
    </Space>
  );
}

/** MoveDialog confirms a move with its comment. */
export function MoveDialog({ quote, move, onClose, onDone }: { quote: Quote; move: Move; onClose: () => void; onDone?: (q: Quote) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ comment?: string }>();
  const [error, setError] = useState("");
  const m = useMove(quote, (q) => {
    onClose();
    onDone?.(q);
  });
  const required = move === "reject";
  return (
    <Modal
      open
      title={t(`quotes.move.${move}`) + " · " + quote.number}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t(`quotes.move.${move}`)}
      cancelText={t("action.cancel")}
      confirmLoading={m.isPending}
      okButtonProps={{ "data-testid": "move-confirm" }}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          m.mutate({ move, comment: v.comment?.trim() || undefined }, { onError: (err) => setError(isApiError(err) && err.status === 412 ? "" : applyProblem(form, err)) })
        }
      >
        <Form.Item name="comment" label={required ? t("quotes.move.reason") : t("quotes.move.comment")} rules={required ? [{ required: true, whitespace: true, message: t("quotes.required") }] : []}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="move-comment" />
        </Form.Item>
        {error && <div role="alert" style={{ color: "#a8071a" }}>{error}</div>}
      </Form>
    </Modal>
  );
}
