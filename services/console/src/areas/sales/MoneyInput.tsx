import { Select } from "antd";

const currencies = ["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "SGD", "TWD", "KRW", "AUD"];

/** CurrencySelect chooses an ISO 4217 currency (a form control: value and onChange come from Form.Item). */
export function CurrencySelect({ id, label, value, onChange }: { id?: string; label: string; value?: string; onChange?: (v: string) => void }) {
  return <Select id={id} aria-label={label} value={value} onChange={onChange} style={{ width: 96 }} options={currencies.map((c) => ({ value: c, label: c }))} />;
}
