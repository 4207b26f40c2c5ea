import { App } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { ifMatch, mergePatch, type Case, type CasePatch } from "./api";

/** caseKey is the query key of a case by id. */
export const caseKey = (id: string) => ["support", "cases", "one", id];

/** patchCase writes a merge patch to a case at version (PATCH /v1/cases/{id} with If-Match). */
export function patchCase(id: string, version: number, body: CasePatch): Promise<Case> {
  return unwrap(api.PATCH("/v1/cases/{id}", { params: { path: { id }, header: ifMatch(version) }, headers: mergePatch, body }));
}

/**
 * useCasePatch changes a case c: the answer replaces the case read, lists
 * are read again; a 412 offers to reload the case or to write the change
 * over the other one (at the version read anew); other failures show.
 */
export function useCasePatch(c: Case | undefined) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (vars: { patch: CasePatch; version?: number }) => patchCase(c!.id, vars.version ?? c!.version, vars.patch),
    onSuccess: (next) => {
      qc.setQueryData(caseKey(next.id), next);
      qc.invalidateQueries({ queryKey: ["support", "cases", "list"] });
      qc.invalidateQueries({ queryKey: ["support", "cases", "sla", next.id] });
      message.success(t("support.saved"));
    },
    onError: (err, vars) => {
      const reload = () => qc.invalidateQueries({ queryKey: caseKey(c!.id) });
      const overwrite = async () => {
        const cur = await unwrap(api.GET("/v1/cases/{id}", { params: { path: { id: c!.id } } }));
        m.mutate({ patch: vars.patch, version: cur.version });
      };
      if (resolveConflict(modal, t, err, reload, overwrite)) return;
      message.error(err instanceof Error ? err.message : String(err));
    },
  });
  return { change: (patch: CasePatch) => m.mutate({ patch }), pending: m.isPending };
}
