import { api, unwrap } from "../../api/client";
import { downloadWithToken } from "../../lib/download";

/**
 * downloadPDF fetches a quote's PDF with the in-memory token (through the
 * API client, which renews it) and saves it as a file: a bare link could
 * not carry the token.
 */
export function downloadPDF(id: string, number: string, revision?: number): Promise<void> {
  return downloadWithToken(api.GET("/v1/quotes/{id}/pdf", { params: { path: { id }, query: { revision } }, parseAs: "blob" }), `${number}${revision ? `-r${revision}` : ""}.pdf`);
}

/** quoteHTML fetches a quote's printable page as text, for a sandboxed preview. */
export async function quoteHTML(id: string, revision?: number): Promise<string> {
  const text = await unwrap(api.GET("/v1/quotes/{id}/html", { params: { path: { id }, query: { revision } }, parseAs: "text" }));
  return text as string;
}
