import { Button } from "antd";
import { api } from "../api/client";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n/I18n";

/**
 * LanguageSwitch toggles English and 简体中文. A signed-in user's choice is
 * stored on their user (PATCH /v1/me), so it follows them to every device.
 */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  const { status, reloadMe } = useSession();
  const toggle = async () => {
    const next = locale === "en" ? "zh-CN" : "en";
    setLocale(next);
    if (status === "signedIn") {
      await api.PATCH("/v1/me", { body: { locale: next } });
      await reloadMe();
    }
  };
  return (
    <Button type="text" onClick={toggle} data-testid="lang-switch" aria-label={t("shell.languageLabel")} lang={locale === "en" ? "zh-CN" : "en"}>
      {t("shell.language")}
    </Button>
  );
}
