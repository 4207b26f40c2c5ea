import { unwrap } from "../api/client";

/** saveBlob hands a downloaded file to the browser to save under name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * downloadWithToken saves the file a call of the API client answers (made
 * with parseAs "blob"): the client carries and renews the in-memory access
 * token, which a bare link could not. The file is named as the answer's
 * Content-Disposition says, else name.
 */
export async function downloadWithToken(call: Promise<{ data?: unknown; error?: unknown; response: Response }>, name: string): Promise<void> {
  const blob = (await unwrap(call)) as Blob;
  const { response } = await call;
  const given = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1];
  saveBlob(blob, given ?? name);
}
