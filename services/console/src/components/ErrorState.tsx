import { Button, Result } from "antd";
import { isApiError } from "../api/problem";
import { useT } from "../i18n/I18n";

/**
 * ErrorState shows a failed load: what went wrong and, when trying again
 * may help (a lost connection, a 5xx, a 429), a retry button — never a
 * blank page.
 */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const status = isApiError(error) ? error.status : 0;
  const title =
    status === 0 ? t("error.network") : status === 403 ? t("error.forbidden") : status === 404 ? t("error.notFound") : t("error.server");
  const detail = error instanceof Error ? error.message : String(error);
  const retry = !isApiError(error) || error.retryable;
  return (
    <Result
      status={status === 403 ? "403" : status === 404 ? "404" : "warning"}
      title={title}
      subTitle={detail}
      extra={
        retry && onRetry ? (
          <Button type="primary" onClick={onRetry} data-testid="retry">
            {t("action.retry")}
          </Button>
        ) : undefined
      }
    />
  );
}
