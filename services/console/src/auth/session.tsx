import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, refreshSession, setSessionExpiredHandler, unwrap } from "../api/client";
import { ApiError, type Problem } from "../api/problem";
import type { components } from "../api/schema";
import { setRecentUser } from "../lib/recent";
import { csrfToken, setAccessToken } from "./token";

/** Me is the signed-in user, their tenant and grants (GET /v1/me). */
export type Me = components["schemas"]["Me"];

/** Status is where the session is; "expired" is signed out by the server, not by the user. */
type Status = "loading" | "signedOut" | "expired" | "signedIn";

interface SessionValue {
  status: Status;
  me: Me | null;
  signIn: (tenant: string, email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** can says whether the user holds a permission ("sales:write"; "sales:*" grants it). */
  can: (perm: string) => boolean;
  reloadMe: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

/** postAuth calls an /v1/auth route of the cookie session and throws its problem. */
async function postAuth(path: string, body: object): Promise<{ accessToken: string }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: "network error" });
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data as Problem);
  return data as { accessToken: string };
}

/** granted says whether perms grant perm, wildcards included. */
export function granted(perms: string[], perm: string): boolean {
  const [area] = perm.split(":");
  return perms.includes(perm) || perms.includes(`${area}:*`) || perms.includes("*");
}

/**
 * SessionProvider signs in and out and restores a session on load from the
 * refresh cookie: the access token is only ever in memory.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>("loading");
  const [me, setMe] = useState<Me | null>(null);
  const qc = useQueryClient();

  const loadMe = useCallback(async () => {
    const m = await unwrap(api.GET("/v1/me"));
    setRecentUser(`${m.tenant.id}.${m.user.id}`);
    setMe(m);
    setStatus("signedIn");
  }, []);

  useEffect(() => {
    setSessionExpiredHandler(() => {
      setAccessToken(null);
      setMe(null);
      setStatus("expired");
    });
    (async () => {
      if (csrfToken() && (await refreshSession())) {
        try {
          await loadMe();
          return;
        } catch {
          /* fall through: signed out */
        }
      }
      setStatus("signedOut");
    })();
  }, [loadMe]);

  const signIn = useCallback(
    async (tenant: string, email: string, password: string) => {
      const pair = await postAuth("/v1/auth/login", { tenant, email, password, session: "cookie" });
      setAccessToken(pair.accessToken);
      await loadMe();
    },
    [loadMe],
  );

  const signOut = useCallback(async () => {
    try {
      await postAuth("/v1/auth/logout", {});
    } finally {
      setAccessToken(null);
      setMe(null);
      setStatus("signedOut");
      qc.clear();
    }
  }, [qc]);

  const can = useCallback((perm: string) => granted(me?.permissions ?? [], perm), [me]);
  const value = useMemo(() => ({ status, me, signIn, signOut, can, reloadMe: loadMe }), [status, me, signIn, signOut, can, loadMe]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** useSession gives the session. */
export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}

