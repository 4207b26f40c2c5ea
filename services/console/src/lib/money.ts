import type { Locale } from "../i18n/types";

/**
 * Money amounts come from the API exactly: a decimal string ("221988.90")
 * or integer minor units. They are formatted from their digits, never
 * through a float, so 0.1 + 0.2 problems and 2^53 limits cannot show.
 */

interface Shape {
  prefix: string;
  suffix: string;
  group: string;
  decimal: string;
  digits: number;
  minus: string;
}

const shapes = new Map<string, Shape>();

/** shape learns a locale's way of writing a currency from Intl. */
function shape(currency: string, locale: Locale): Shape {
  const key = `${locale}|${currency}`;
  const known = shapes.get(key);
  if (known) return known;
  const nf = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  const parts = nf.formatToParts(-1234.5);
  const s: Shape = { prefix: "", suffix: "", group: ",", decimal: ".", digits, minus: "-" };
  let seenNumber = false;
  for (const p of parts) {
    switch (p.type) {
      case "integer":
      case "fraction":
        seenNumber = true;
        break;
      case "group":
        s.group = p.value;
        break;
      case "decimal":
        s.decimal = p.value;
        break;
      case "minusSign":
        s.minus = p.value;
        break;
      default:
        if (seenNumber) s.suffix += p.value;
        else s.prefix += p.value;
    }
  }
  s.prefix = s.prefix.replace(s.minus, "");
  shapes.set(key, s);
  return s;
}

/** roundDigits rounds a non-negative decimal string half away from zero to n fraction digits. */
function roundDigits(int: string, frac: string, n: number): [string, string] {
  if (frac.length <= n) return [int, frac.padEnd(n, "0")];
  const up = frac.charCodeAt(n) >= 53; // "5"
  let digits = (int + frac.slice(0, n)).split("").map(Number);
  if (up) {
    let i = digits.length - 1;
    while (i >= 0) {
      if (digits[i] === 9) {
        digits[i] = 0;
        i--;
      } else {
        digits[i]++;
        break;
      }
    }
    if (i < 0) digits = [1, ...digits];
  }
  const all = digits.join("");
  return [all.slice(0, all.length - n) || "0", all.slice(all.length - n)];
}

/**
 * formatMoney formats a decimal string amount ("-1234.5") in currency for
 * locale: formatMoney("221988.9", "CNY", "zh-CN") is "¥221,988.90".
 * A value that is not a decimal number is returned as it is.
 */
export function formatMoney(amount: string, currency: string, locale: Locale): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(amount);
  if (!m || (m[2] === "" && !m[3])) return amount;
  const s = shape(currency, locale);
  const [int, frac] = roundDigits(m[2].replace(/^0+(?=\d)/, "") || "0", m[3] ?? "", s.digits);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, s.group);
  const negative = m[1] === "-" && /[1-9]/.test(int + frac);
  const number = frac ? `${grouped}${s.decimal}${frac}` : grouped;
  return `${negative ? s.minus : ""}${s.prefix}${number}${s.suffix}`;
}

/** formatMinor formats integer minor units (12345 CNY is ¥123.45). */
export function formatMinor(minor: number | string, currency: string, locale: Locale): string {
  const s = shape(currency, locale);
  const str = String(minor);
  const neg = str.startsWith("-");
  const digits = (neg ? str.slice(1) : str).padStart(s.digits + 1, "0");
  const int = digits.slice(0, digits.length - s.digits);
  const frac = digits.slice(digits.length - s.digits);
  return formatMoney(`${neg ? "-" : ""}${int}${frac ? "." + frac : ""}`, currency, locale);
}
