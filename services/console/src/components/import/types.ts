import type { components } from "../../api/schema";

/** ImportPreview is what a preview of a CSV file answers (contacts' or leads'). */
export type ImportPreview = components["schemas"]["ImportPreview"] | components["schemas"]["LeadImportPreview"];

/** ImportJob is an import's state and figures (contacts' or leads'). */
export type ImportJob = components["schemas"]["Import"] | components["schemas"]["LeadImport"];

/** ImportOptions are what the wizard sends with the file. */
export type ImportOptions = components["schemas"]["ImportOptions"] & components["schemas"]["LeadImportOptions"];

/** DuplicatePolicy says what a row matching a live record does. */
export type DuplicatePolicy = ImportOptions["duplicatePolicy"];

/**
 * ImportKind is what the wizard imports: the calls of one service's import
 * API (/v1/imports for contacts, /v1/lead-imports for leads) and how its
 * fields are named to the user.
 */
export interface ImportKind {
  /** key names the kind in query keys and test ids ("contacts", "leads"). */
  key: string;
  preview(file: File, encoding?: string): Promise<ImportPreview>;
  start(file: File, options: ImportOptions): Promise<ImportJob>;
  get(id: string): Promise<ImportJob>;
  cancel(id: string): Promise<ImportJob>;
  /** errors downloads the error report (CSV). */
  errors(id: string): Promise<Blob>;
  /** fieldLabel names a field a column may fill, in the user's language. */
  fieldLabel(field: string): string;
  /** done is where "see the records" goes once the import ended. */
  done: string;
  /** path is the wizard's own path: an import is remembered among the recent records as path?job=<id>. */
  path: string;
}

/** multipart is an upload's body: the options part (JSON), then the file, as the import API wants them. */
export function multipart(file: File, options: object): FormData {
  const fd = new FormData();
  fd.append("options", new Blob([JSON.stringify(options)], { type: "application/json" }));
  fd.append("file", file, file.name);
  return fd;
}

/** running says whether an import may still change. */
export function running(job: ImportJob): boolean {
  return job.state === "uploading" || job.state === "queued" || job.state === "running";
}
