import { ApiError, isApiError, type Problem } from "../api/problem";
import type { components } from "../api/schema";
import { saveBlob } from "../lib/download";

/** The portal API's answers, as the support service's OpenAPI document names them. */
export type ArticleSummary = components["schemas"]["PortalArticleSummary"];
export type Article = components["schemas"]["PortalArticle"];
export type PortalCase = components["schemas"]["PortalCase"];
export type PortalEntry = components["schemas"]["PortalEntry"];
export type Submitted = components["schemas"]["PortalSubmitted"];

/** FeedbackCounts are an article's counts after a reader's feedback. */
export interface FeedbackCounts {
  helpfulCount: number;
  notHelpfulCount: number;
}

/** Query is a call's query parameters; empty values are left out. */
type Query = Record<string, string | number | undefined>;

/**
 * portalBase is the API of the tenant's portal whose slug is in the page's
 * address, or, without a slug (a page on the tenant's own domain), of the
 * domain's: the gateway answers it without credentials, as the tenant's
 * portal.
 */
export function portalBase(slug: string): string {
  return `${portalHome(slug)}/api/v1`;
}

/** portalHome is the address of the portal's home page: /portal/<slug>, or /portal on the tenant's own domain. */
export function portalHome(slug: string): string {
  return slug ? `/portal/${encodeURIComponent(slug)}` : "/portal";
}

/** url is base + path with the query's non-empty values. */
function url(base: string, path: string, query?: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return base + path + (s ? `?${s}` : "");
}

/** call fetches without the console's session and throws an answer's problem+json as an ApiError. */
async function call(input: string, init?: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(input, { ...init, credentials: "omit" });
  } catch {
    throw new ApiError(0, { title: "network error" });
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => ({ title: res.statusText }))) as Problem;
  throw new ApiError(res.status, { status: res.status, ...problem });
}

/** portalGet reads a JSON answer of the portal's API. */
export async function portalGet<T>(base: string, path: string, query?: Query): Promise<T> {
  return (await call(url(base, path, query), { headers: { Accept: "application/json" } })).json() as Promise<T>;
}

/**
 * portalPost sends a form: a FormData as multipart/form-data (files
 * included), anything else as JSON.
 */
export async function portalPost<T>(base: string, path: string, body: FormData | object, query?: Query): Promise<T> {
  const init: RequestInit =
    body instanceof FormData
      ? { method: "POST", body, headers: { Accept: "application/json" } }
      : { method: "POST", body: JSON.stringify(body), headers: { Accept: "application/json", "Content-Type": "application/json" } };
  return (await call(url(base, path, query), init)).json() as Promise<T>;
}

/** portalDownload saves a file the portal's API answers, under the name its answer gives, else name. */
export async function portalDownload(base: string, path: string, query: Query, name: string): Promise<void> {
  const res = await call(url(base, path, query));
  const given = /filename="?([^";]+)"?/.exec(res.headers.get("Content-Disposition") ?? "")?.[1];
  saveBlob(await res.blob(), given ?? name);
}

/** isNoPortal says whether err is the gateway's answer to a portal that does not exist (or is not active). */
export function isNoPortal(err: unknown): boolean {
  return isApiError(err) && err.status === 404 && (err.problem.type ?? "").endsWith("/portal-not-found");
}
