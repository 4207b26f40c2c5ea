import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/problem";
import { downloadWithToken } from "./download";

/** saved records the names and contents of the files handed to the browser. */
function watchSaves() {
  const saved: { name: string; blob: Blob }[] = [];
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = (b: Blob | MediaSource) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, b as Blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void blobs.delete(url);
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
  return saved;
}

/** answer is what the API client gives for a blob download. */
function answer(body: string, status: number, headers: Record<string, string> = {}) {
  const response = new Response(body, { status, headers });
  return Promise.resolve(response.ok ? { data: new Blob([body]), response } : { error: { title: body }, response });
}

describe("downloadWithToken", () => {
  afterEach(() => vi.restoreAllMocks());

  it("saves the file under the name the answer gives, else the caller's", async () => {
    const saved = watchSaves();
    await downloadWithToken(answer("a,b\n", 200, { "Content-Disposition": 'attachment; filename="contacts-2026.csv"' }), "contacts.csv");
    await downloadWithToken(answer("%PDF", 200), "Q-0001-r2.pdf");
    expect(saved.map((s) => s.name)).toEqual(["contacts-2026.csv", "Q-0001-r2.pdf"]);
    expect(saved[1].blob.size).toBe(4);
    expect(document.querySelectorAll("a").length).toBe(0);
  });

  it("saves nothing and throws the problem when the call fails", async () => {
    const saved = watchSaves();
    await expect(downloadWithToken(answer("Forbidden", 403), "x.pdf")).rejects.toBeInstanceOf(ApiError);
    expect(saved).toEqual([]);
  });
});
