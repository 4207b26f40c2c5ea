import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Progress, Space, Tag } from "antd";
import { useEffect } from "react";
import { Link } from "react-router-dom";
import { ErrorState } from "../ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { saveBlob } from "../../lib/download";
import { rememberRecord } from "../../lib/recent";
import { running, type ImportJob, type ImportKind } from "./types";

/** pollMs is how often a running import is read again. */
const pollMs = 1000;

/** stateColor is a state's tag: dark enough under white text for 4.5:1 contrast (none: the default tag). */
const stateColor: Record<ImportJob["state"], string | undefined> = {
  uploading: undefined,
  queued: undefined,
  running: "#1d4ed8",
  completed: "#166534",
  failed: "#b91c1c",
  cancelled: "#92400e",
};

/**
 * ImportProgress watches an import: read every second while it runs, its
 * share of the file as a progress bar with rows per second, the rows
 * created, updated, skipped and failed; it can be cancelled, and its error
 * report (available while it runs) downloads with the user's token. The
 * import is remembered among the user's recent records.
 */
export function ImportProgress({ kind, id }: { kind: ImportKind; id: string }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const key = [kind.key, "import", id];
  const job = useQuery({
    queryKey: key,
    queryFn: () => kind.get(id),
    refetchInterval: (q) => (q.state.data && !running(q.state.data) ? false : pollMs),
    staleTime: 0,
  });
  const cancel = useMutation({
    mutationFn: () => kind.cancel(id),
    onSuccess: (j) => qc.setQueryData(key, j),
  });
  const report = useMutation({
    mutationFn: () => kind.errors(id),
    onSuccess: (blob) => saveBlob(blob, `import-${id}-errors.csv`),
  });

  const fileName = job.data?.fileName;
  useEffect(() => {
    if (fileName) rememberRecord({ type: "import", id, label: fileName, path: `${kind.path}?job=${id}` });
  }, [fileName, id, kind.path]);

  if (job.isError) return <ErrorState error={job.error} onRetry={() => job.refetch()} />;
  const j = job.data;
  if (!j) return <Card loading />;
  const percent = Math.floor(j.progress * 100);
  const live = running(j);
  const n = (v: number) => formatNumber(v, locale);

  return (
    <Card data-testid="import-progress" data-state={j.state} title={<h2 style={{ fontSize: 16, margin: 0 }}>{j.fileName}</h2>} extra={<Tag key={j.state} color={stateColor[j.state]} data-testid="import-state">{t(`import.state.${j.state}`)}</Tag>}>
      <Progress
        percent={percent}
        status={j.state === "failed" ? "exception" : j.state === "completed" ? "success" : live ? "active" : "normal"}
        aria-label={t("import.progress.label")}
        data-testid="import-percent"
        data-percent={percent}
      />
      <p data-testid="import-speed">{t("import.progress.speed", { rows: n(j.rowsRead), speed: n(Math.round(j.rowsPerSecond)) })}</p>
      {j.failureReason && <Alert type="error" showIcon message={j.failureReason} style={{ marginBottom: 12 }} />}
      <Descriptions size="small" column={{ xs: 2, sm: 4 }}>
        <Descriptions.Item label={t("import.count.created")}>
          <span data-testid="import-created">{n(j.created)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("import.count.updated")}>
          <span data-testid="import-updated">{n(j.updated)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("import.count.skipped")}>
          <span data-testid="import-skipped">{n(j.skipped)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("import.count.failed")}>
          <span data-testid="import-failed">{n(j.failed)}</span>
        </Descriptions.Item>
      </Descriptions>
      {(cancel.error || report.error) && <Alert type="error" showIcon message={(cancel.error ?? report.error)?.message} style={{ marginBottom: 12 }} />}
      <Space wrap>
        {live && (
          <Button danger loading={cancel.isPending} onClick={() => cancel.mutate()} data-testid="import-cancel">
            {t("import.cancel")}
          </Button>
        )}
        {j.failed > 0 && (
          <Button loading={report.isPending} onClick={() => report.mutate()} data-testid="import-errors">
            {t("import.errors")}
          </Button>
        )}
        {!live && (
          <Link to={kind.done} data-testid="import-done">
            {t("import.see")}
          </Link>
        )}
      </Space>
    </Card>
  );
}
