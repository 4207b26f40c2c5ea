import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError, type Problem } from "./problem";
import { csrfToken, getAccessToken, setAccessToken } from "../auth/token";

/** TokenAnswer is what login and refresh answer in cookie-session mode. */
interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
}

let refreshing: Promise<boolean> | null = null;
let onExpired: () => void = () => {};

/** setSessionExpiredHandler decides what happens when the session cannot be renewed. */
export function setSessionExpiredHandler(f: () => void): void {
  onExpired = f;
}

/**
 * refreshSession renews the access token with the refresh cookie (and the
 * CSRF header the gateway wants on that path). Concurrent callers share one
 * call, so a burst of 401s rotates the refresh token once.
 */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/v1/auth/refresh", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
          body: "{}",
        });
        if (!res.ok) {
          setAccessToken(null);
          return false;
        }
        const body = (await res.json()) as TokenAnswer;
        setAccessToken(body.accessToken);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/**
 * authFetch is the fetch every API call goes through: it adds the access
 * token, and on a 401 renews the session once and tries again; when renewal
 * fails the session-expired handler sends the user to sign-in.
 */
async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = getAccessToken();
  if (token) input.headers.set("Authorization", `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(input);
  } catch {
    throw new ApiError(0, { title: "network error" });
  }
  if (res.status !== 401) return res;
  if (!(await refreshSession())) {
    onExpired();
    return res;
  }
  retry.headers.set("Authorization", `Bearer ${getAccessToken()}`);
  return fetch(retry);
}

/** api is the typed client of the gateway's merged OpenAPI document. */
export const api = createClient<paths>({ baseUrl: "", fetch: authFetch });

/** Answer is the shape openapi-fetch returns from every call. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * unwrap returns a call's data or throws an ApiError carrying its
 * problem+json; a 2xx without a body gives undefined as T.
 */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const problem: Problem = (error && typeof error === "object" ? error : { title: String(error ?? response.statusText) }) as Problem;
  throw new ApiError(response.status, { status: response.status, ...problem });
}

/** etag reads a response's version (the If-Match value for the next write). */
export function etag(response: Response): string | undefined {
  return response.headers.get("ETag") ?? undefined;
}
