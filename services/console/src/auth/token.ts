// The access token lives in this module's memory only: never in
// localStorage, sessionStorage or a cookie. The refresh token is an HttpOnly
// cookie the gateway sets (scoped to /v1/auth); JavaScript never sees it.

let accessToken: string | null = null;
let listeners: Array<() => void> = [];

/** getAccessToken is the current access token, or null when signed out. */
export function getAccessToken(): string | null {
  return accessToken;
}

/** setAccessToken stores a new access token (null signs out) and tells the listeners. */
export function setAccessToken(token: string | null): void {
  accessToken = token;
  listeners.forEach((l) => l());
}

/** onTokenChange calls l whenever the token changes; it returns the unsubscribe. */
export function onTokenChange(l: () => void): () => void {
  listeners.push(l);
  return () => {
    listeners = listeners.filter((x) => x !== l);
  };
}

/** csrfToken reads the gateway's rapport_csrf cookie (double-submit). */
export function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)rapport_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}
