import { useMemo } from "react";
import { ImportWizard } from "../../components/import/ImportWizard";
import { useT } from "../../i18n/I18n";
import { contactImports } from "./kinds";

/** ContactImportPage imports contacts from a CSV file. */
export default function ContactImportPage() {
  const t = useT();
  const kind = useMemo(() => contactImports(t), [t]);
  return <ImportWizard kind={kind} title={t("imports.contacts.title")} />;
}
