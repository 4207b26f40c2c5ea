import { api, unwrap } from "../../api/client";
import { multipart, type ImportKind } from "../../components/import/types";
import type { T } from "../../i18n/I18n";

/** label names a field by the area's catalog, or as the API does when the catalog has no name for it (custom fields). */
function label(t: T, prefix: string, field: string): string {
  const key = `${prefix}${field}`;
  const text = t(key);
  return text === key ? field : text;
}

/** contactImports imports contacts through /v1/imports. */
export function contactImports(t: T): ImportKind {
  return {
    key: "contacts",
    done: "/contacts",
    path: "/import",
    fieldLabel: (f) => label(t, "imports.field.contacts.", f),
    preview: (file, encoding) =>
      unwrap(api.POST("/v1/imports/preview", { body: { file: file.name, options: { duplicatePolicy: "skip", encoding } }, bodySerializer: (b) => multipart(file, b.options ?? {}) })),
    start: (file, options) => unwrap(api.POST("/v1/imports", { body: { file: file.name, options }, bodySerializer: (b) => multipart(file, b.options) })),
    get: (id) => unwrap(api.GET("/v1/imports/{id}", { params: { path: { id } } })),
    cancel: (id) => unwrap(api.DELETE("/v1/imports/{id}", { params: { path: { id } } })),
    errors: (id) => unwrap(api.GET("/v1/imports/{id}/errors", { params: { path: { id } }, parseAs: "blob" })),
  };
}

/** leadImports imports leads through /v1/lead-imports. */
export function leadImports(t: T): ImportKind {
  return {
    key: "leads",
    done: "/leads",
    path: "/leads/import",
    fieldLabel: (f) => label(t, "imports.field.leads.", f),
    preview: (file, encoding) =>
      unwrap(api.POST("/v1/lead-imports/preview", { body: { file: file.name, options: { duplicatePolicy: "skip", encoding } }, bodySerializer: (b) => multipart(file, b.options ?? {}) })),
    start: (file, options) => unwrap(api.POST("/v1/lead-imports", { body: { file: file.name, options }, bodySerializer: (b) => multipart(file, b.options) })),
    get: (id) => unwrap(api.GET("/v1/lead-imports/{id}", { params: { path: { id } } })),
    cancel: (id) => unwrap(api.DELETE("/v1/lead-imports/{id}", { params: { path: { id } } })),
    errors: (id) => unwrap(api.GET("/v1/lead-imports/{id}/errors", { params: { path: { id } }, parseAs: "blob" })),
  };
}
