import { useMutation, useQuery } from "@tanstack/react-query";
import { App, Typography, type ButtonProps, type FormInstance } from "antd";
import type { ReactNode } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";

/** User, Team and Role are the gateway's records the admin pages edit. */
export type User = components["schemas"]["User"];
export type Team = components["schemas"]["Team"];
export type Role = components["schemas"]["Role"];

export { versionTag as ifMatch, mergePatch } from "../../api/headers";

/**
 * directoryLimit is the page size of the directories the admin pages pick
 * from (users, teams, roles): the API's largest page.
 */
const directoryLimit = 200;

/** useUsers reads the first page of the tenant's users (a picker's options). */
export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ["admin", "users", "directory"],
    queryFn: () => unwrap(api.GET("/v1/users", { params: { query: { limit: directoryLimit } } })),
    enabled,
  });
}

/** useTeams reads the tenant's teams. */
export function useTeams(enabled = true) {
  return useQuery({
    queryKey: ["admin", "teams"],
    queryFn: () => unwrap(api.GET("/v1/teams", { params: { query: { limit: directoryLimit } } })),
    enabled,
  });
}

/** useRoles reads the tenant's roles, built-in and custom. */
export function useRoles(enabled = true) {
  return useQuery({
    queryKey: ["admin", "roles"],
    queryFn: () => unwrap(api.GET("/v1/roles", { params: { query: { limit: directoryLimit } } })),
    enabled,
  });
}

/** userLabel is how a picker names a user: their name, else their email, else the id. */
export function userLabel(users: User[] | undefined, id: string): string {
  const u = users?.find((x) => x.id === id);
  return u ? u.name || u.email : id;
}

/** PageHead is an admin page's title with its actions beside it. */
export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "center", justifyContent: "space-between", marginBottom: 16 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>{children}</div>
    </div>
  );
}

/** okProps are a dialog's OK button props with its data-testid (and extra ones). */
export function okProps(testId: string, extra?: ButtonProps): ButtonProps {
  return { ...extra, ...({ "data-testid": testId } as ButtonProps) };
}

/** SaveOptions are what an admin page's save of a versioned record does. */
interface SaveOptions<V, R> {
  /** form is the dialog's form: a problem's errors land on its fields. */
  form: FormInstance;
  /** write creates or changes the record; overwrite: with the version read again, the user having chosen to overwrite another's change. */
  write: (values: V, overwrite: boolean) => Promise<R>;
  /** done runs after a save; it returns true when it told the user itself (else "Saved" is shown). */
  done: (saved: R) => boolean | void;
  /** reload runs when the user, told of another's change (412), takes theirs. */
  reload: () => void;
}

/**
 * useSave is an admin page's save of a versioned record: on a 412 the user
 * chooses between reloading and overwriting (saved again with overwrite);
 * other problems land on the form's fields, the rest in a message.
 * Call mutate({ values }).
 */
export function useSave<V, R>({ form, write, done, reload }: SaveOptions<V, R>) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const save = useMutation({
    mutationFn: ({ values, overwrite }: { values: V; overwrite?: boolean }) => write(values, !!overwrite),
    onSuccess: (saved) => {
      if (done(saved) !== true) message.success(t("admin.saved"));
    },
    onError: (err, vars) => {
      if (resolveConflict(modal, t, err, reload, () => save.mutate({ ...vars, overwrite: true }))) return;
      const rest = applyProblem(form, err);
      if (rest) message.error(rest);
    },
  });
  return save;
}

/**
 * useRemove is an admin page's delete (or revoke, or disable) of a record:
 * on success the message under the key text, then done; a failure's
 * message otherwise.
 */
export function useRemove<R>(remove: (record: R) => Promise<unknown>, done: () => void, text = "admin.deleted") {
  const { t } = useI18n();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: remove,
    onSuccess: () => {
      message.success(t(text));
      done();
    },
    onError: (err) => message.error(err.message),
  });
}
