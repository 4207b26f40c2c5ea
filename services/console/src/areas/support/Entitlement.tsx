import { useQuery } from "@tanstack/react-query";
import { Tag, Tooltip } from "antd";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";

/** entitlementColors are the Tag colours of a case's entitlement states, readable with white text. */
const entitlementColors = { covered: "#237804", exhausted: "#a8071a", none: "default" };

/**
 * Entitlement shows whether a case's account has a service contract that
 * covers it (with what is left of it), has used it up, or has none.
 */
export function Entitlement({ caseId }: { caseId: string }) {
  const { t } = useI18n();
  const e = useQuery({ queryKey: ["support", "cases", "entitlement", caseId], queryFn: () => unwrap(api.GET("/v1/cases/{id}/entitlement", { params: { path: { id: caseId } } })) });
  if (!e.data) return null;
  const c = e.data.contract;
  const tag = (
    <Tag color={entitlementColors[e.data.state]} data-testid="case-entitlement" data-state={e.data.state}>
      {t(`support.entitlement.${e.data.state}`)}
    </Tag>
  );
  if (!c) return tag;
  return (
    <Tooltip title={`${c.number} · ${c.name} · ${t(`support.contract.left.${c.entitlement.kind}`, { remaining: c.entitlement.remaining, total: c.entitlement.total })}`}>
      <span tabIndex={0}>{tag}</span>
    </Tooltip>
  );
}
