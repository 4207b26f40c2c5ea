/**
 * Amounts typed by a user ("1,234.5") become minor units of a currency for
 * the API, and line totals are reckoned as the service does — from their
 * digits, never through a float.
 */

/** currencyDigits is the number of minor-unit digits of currency (2 for CNY, 0 for JPY). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/**
 * toMinor reads a non-negative decimal ("5000", "12.5", "1,000.00") as
 * minor units of a currency with digits fraction digits; null when it is
 * not such a number or has more fraction digits than the currency.
 */
export function toMinor(text: string, digits: number): number | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.replace(/[,\s]/g, ""));
  if (!m) return null;
  const frac = m[2] ?? "";
  if (frac.length > digits) return null;
  const n = Number(m[1] + frac.padEnd(digits, "0"));
  return Number.isSafeInteger(n) ? n : null;
}

/** scaled reads a non-negative decimal with at most places fraction digits as an integer times 10^places. */
function scaled(text: string, places: number): bigint | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] ?? "").length > places) return null;
  return BigInt(m[1] + (m[2] ?? "").padEnd(places, "0"));
}

/**
 * lineTotal is a line's total in minor units as the sales service reckons
 * it — unit price × quantity × (1 − discount/100), rounded half-even to the
 * minor unit — exactly, in integers; null when quantity or discount is not
 * a decimal the API takes.
 */
export function lineTotal(unitMinor: number, quantity: string, discountPercent: string): number | null {
  const q = scaled(quantity, 4);
  const d = scaled(discountPercent || "0", 2);
  if (q === null || d === null || d > 10000n) return null;
  const num = BigInt(unitMinor) * q * (10000n - d);
  const den = 10n ** 8n;
  let out = num / den;
  const rest = (num % den) * 2n;
  if (rest > den || (rest === den && out % 2n === 1n)) out += 1n;
  return Number(out);
}
