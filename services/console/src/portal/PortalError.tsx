import { Button, Result } from "antd";
import { isApiError } from "../api/problem";
import type { PortalT } from "./usePortal";

/**
 * PortalError shows a failed load in the portal's words, with a retry
 * when trying again may help (a lost connection, a 5xx, a 429).
 */
export function PortalError({ error, t, onRetry }: { error: unknown; t: PortalT; onRetry?: () => void }) {
  const status = isApiError(error) ? error.status : 0;
  const title = status === 0 ? t("portal.error.network") : status === 429 ? t("portal.error.busy") : t("portal.error.server");
  const retry = !isApiError(error) || error.retryable;
  return (
    <div data-testid="portal-error">
      <Result
        status="warning"
        title={title}
        extra={
          retry && onRetry ? (
            <Button type="primary" onClick={onRetry}>
              {t("portal.retry")}
            </Button>
          ) : undefined
        }
      />
    </div>
  );
}
