import { Checkbox, Col, Row, Typography } from "antd";
import { useT } from "../../i18n/I18n";
import { permissionGroups } from "./permissions";

/** permissionLabel names a permission in words beside its code. */
export function permissionLabel(t: (k: string) => string, perm: string): string {
  if (perm === "*") return t("admin.perm.everything");
  const [mod, action] = perm.split(":");
  if (["contacts", "sales", "support", "marketing", "reporting"].includes(mod)) return t(`admin.perm.action.${action === "*" ? "all" : action}`);
  return t(`admin.perm.${mod}.${action}`);
}

/**
 * PermissionPicker offers every permission, a box per module and one for
 * management, as checkboxes; value is the chosen permissions. It is a form
 * control (value, onChange), labelled by its groups' headings.
 */
export function PermissionPicker({ value, onChange, id }: { value?: string[]; onChange?: (v: string[]) => void; id?: string }) {
  const t = useT();
  const chosen = value ?? [];
  return (
    <div id={id} data-testid="permission-picker">
      {permissionGroups.map((g) => (
        <fieldset key={g.key} style={{ border: "1px solid #f0f0f0", borderRadius: 6, padding: "4px 12px 8px", marginBottom: 8 }}>
          <legend style={{ fontSize: 14, width: "auto", marginBottom: 0, border: 0, padding: "0 4px" }}>
            <Typography.Text strong>{t(`admin.perm.group.${g.key}`)}</Typography.Text>
          </legend>
          <Checkbox.Group
            value={chosen.filter((p) => g.permissions.includes(p))}
            onChange={(v) => onChange?.([...chosen.filter((p) => !g.permissions.includes(p)), ...(v as string[])])}
            style={{ width: "100%" }}
          >
            <Row gutter={[8, 4]}>
              {g.permissions.map((p) => (
                <Col xs={24} sm={12} key={p}>
                  <Checkbox value={p} data-testid={`perm-${p}`}>
                    <code>{p}</code> <Typography.Text type="secondary">{permissionLabel(t, p)}</Typography.Text>
                  </Checkbox>
                </Col>
              ))}
            </Row>
          </Checkbox.Group>
        </fieldset>
      ))}
    </div>
  );
}
