// Package pg opens a service's PostgreSQL database, runs its embedded goose
// migrations under an advisory lock, and runs work inside transactions scoped
// to one tenant (row-level security on current_setting('app.tenant_id')).
//
// Every tenant-owned table carries tenant_id and a forced row-level-security
// policy written with TenantPolicySQL's shape:
//
//	ALTER TABLE t ENABLE ROW LEVEL SECURITY;
//	ALTER TABLE t FORCE ROW LEVEL SECURITY;
//	CREATE POLICY tenant_isolation ON t
//	  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
//	  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
//
// A transaction that set no tenant therefore sees no rows at all. The service
// connects as a role that neither owns the tables nor bypasses RLS (CheckRole
// refuses one that does); migrations run as the owner and grant DML to it.
package pg
