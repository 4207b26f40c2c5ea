import { useMemo } from "react";
import { ImportWizard } from "../../components/import/ImportWizard";
import { useT } from "../../i18n/I18n";
import { leadImports } from "./kinds";

/** LeadImportPage imports leads from a CSV file. */
export default function LeadImportPage() {
  const t = useT();
  const kind = useMemo(() => leadImports(t), [t]);
  return <ImportWizard kind={kind} title={t("imports.leads.title")} />;
}
