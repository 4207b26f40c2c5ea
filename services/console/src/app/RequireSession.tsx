import { Navigate, Outlet, useLocation } from "react-router-dom";
import { useSession } from "../auth/session";
import { PageLoading } from "./PageLoading";

/**
 * RequireSession shows its routes to a signed-in user; anyone else goes to
 * sign-in, which brings them back here afterwards.
 */
export function RequireSession() {
  const { status } = useSession();
  const loc = useLocation();
  if (status === "loading") return <PageLoading />;
  if (status !== "signedIn") {
    const back = encodeURIComponent(loc.pathname + loc.search);
    return <Navigate to={`/signin?return=${back}${status === "expired" ? "&expired=1" : ""}`} replace />;
  }
  return <Outlet />;
}
