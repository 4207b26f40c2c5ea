import { useQuery } from "@tanstack/react-query";
import { Typography, type ButtonProps } from "antd";
import type { ReactNode } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

/** User, Team and Role are the gateway's records the admin pages edit. */
export type User = components["schemas"]["User"];
export type Team = components["schemas"]["Team"];
export type Role = components["schemas"]["Role"];

/** ifMatch is the If-Match value of a record's version ("3" quoted, as the services' ETags). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** mergePatch is the header of a PATCH the services read as a JSON merge patch. */
export const mergePatch = { "Content-Type": "application/merge-patch+json" };

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
