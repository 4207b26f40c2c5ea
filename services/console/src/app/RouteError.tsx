import { useRouteError } from "react-router-dom";
import { ErrorState } from "../components/ErrorState";

/**
 * RouteError is shown when a page cannot load or throws while rendering
 * (a chunk lost to a redeploy, say): an error with a retry, never a blank page.
 */
export function RouteError() {
  const err = useRouteError();
  return <ErrorState error={err} onRetry={() => window.location.reload()} />;
}
