import { App, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { useQueues } from "./queues";
import { renderMacro, useMacros, type MacroActions, type MacroRendered } from "./macros";

/**
 * MacroPicker chooses a canned reply for the case caseId: the macro is
 * rendered for the case by the service (its merge fields filled) and
 * handed to onPick, text and actions.
 */
export function MacroPicker({ caseId, onPick }: { caseId: string; onPick: (r: MacroRendered) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const macros = useMacros();
  const pick = async (id: string) => {
    setBusy(true);
    try {
      onPick(await renderMacro(id, caseId));
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Select<string>
      showSearch
      value={null}
      placeholder={t("support.macros.insert")}
      aria-label={t("support.macros.insert")}
      loading={macros.isLoading || busy}
      optionFilterProp="label"
      options={(macros.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
      notFoundContent={macros.isError ? t("support.macros.loadFailed") : t("support.macros.none")}
      onChange={(id) => id && pick(id)}
      style={{ minWidth: 220 }}
      data-testid="reply-macro"
    />
  );
}

/** MacroActionsNote shows the actions a chosen macro applies with the reply, which the agent may drop. */
export function MacroActionsNote({ actions, onDrop }: { actions: MacroActions; onDrop: () => void }) {
  const { t } = useI18n();
  const queues = useQueues();
  const parts = [
    actions.status ? t("support.macros.action.status", { status: t(`support.status.${actions.status}`) }) : "",
    actions.priority ? t("support.macros.action.priority", { priority: t(`support.priority.${actions.priority}`) }) : "",
    actions.queueId ? t("support.macros.action.queue", { queue: queues.name(actions.queueId) }) : "",
    actions.addTags?.length ? t("support.macros.action.tags", { tags: actions.addTags.join(", ") }) : "",
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <Space wrap size={4} data-testid="reply-macro-actions">
      <Typography.Text type="secondary">{t("support.macros.withReply")}</Typography.Text>
      <Tag
        closable
        onClose={(e) => {
          e.preventDefault();
          onDrop();
        }}
      >
        {parts.join(" · ")}
      </Tag>
    </Space>
  );
}
