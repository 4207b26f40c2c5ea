import type { HookAPI } from "antd/es/modal/useModal";
import { isApiError } from "../api/problem";
import type { T } from "../i18n/I18n";

/**
 * resolveConflict handles a 412 (someone else changed the record since it
 * was loaded): it asks whether to reload their version or overwrite it with
 * ours. It returns false when err is not a conflict.
 */
export function resolveConflict(modal: HookAPI, t: T, err: unknown, reload: () => void, overwrite: () => void): boolean {
  if (!isApiError(err) || err.status !== 412) return false;
  modal.confirm({
    title: t("conflict.title"),
    content: t("conflict.body"),
    okText: t("conflict.overwrite"),
    cancelText: t("conflict.reload"),
    onOk: overwrite,
    onCancel: reload,
  });
  return true;
}
