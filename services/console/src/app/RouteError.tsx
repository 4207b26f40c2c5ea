import { isRouteErrorResponse, useRouteError } from "react-router-dom";
import { ApiError } from "../api/problem";
import { ErrorState } from "../components/ErrorState";

/**
 * RouteError is shown when a page cannot load or throws while rendering
 * (a chunk lost to a redeploy, say), and for an address no page has (a
 * 404): an error with a retry where one may help, never a blank page.
 */
export function RouteError() {
  const err = useRouteError();
  const shown = isRouteErrorResponse(err) ? new ApiError(err.status, { status: err.status, title: err.statusText }) : err;
  return <ErrorState error={shown} onRetry={() => window.location.reload()} />;
}
