/**
 * Exact money arithmetic for the quote builder's live preview: decimal
 * strings and integer minor units through BigInt, never a float. The
 * server's totals (money.LineTotal: quantity × unit price less the
 * discount, rounded half-even to the minor unit, then summed) are the ones
 * that count; the preview does the same sums so that it agrees with them.
 */

/** scaled reads a non-negative decimal string with at most places fraction digits as an integer scaled by 10^places; null when it is not one. */
export function scaled(s: string, places: number): bigint | null {
  const m = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(s);
  if (!m || (m[1] === "" && !m[2]) || (m[2] ?? "").length > places) return null;
  return BigInt((m[1] || "0") + (m[2] ?? "").padEnd(places, "0"));
}

/** divHalfEven divides n ≥ 0 by d > 0, rounding half to even. */
function divHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/**
 * lineTotalMinor is a line's total in minor units: quantity (a decimal
 * string, at most 4 places) × unit price (minor units) less discount
 * percent (at most 2 places), rounded half-even; null for a bad quantity or
 * discount.
 */
export function lineTotalMinor(quantity: string, unitMinor: bigint, discountPercent: string): bigint | null {
  const q = scaled(quantity, 4);
  const d = scaled(discountPercent.trim() === "" ? "0" : discountPercent, 2);
  if (q === null || d === null || d > 10000n) return null;
  return divHalfEven(q * unitMinor * (10000n - d), 100000000n);
}

/** toMinor reads a price typed in major units ("12.5") as minor units of a currency with exponent digits; null when it is not one. */
export function toMinor(s: string, exponent: number): bigint | null {
  return scaled(s, exponent);
}

/** minorToDecimal writes minor units as a decimal string of the currency's digits (1250, 2 → "12.50"). */
export function minorToDecimal(minor: bigint | number, exponent: number): string {
  const v = BigInt(minor);
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(exponent + 1, "0");
  const int = digits.slice(0, digits.length - exponent);
  const frac = digits.slice(digits.length - exponent);
  return `${neg ? "-" : ""}${int}${exponent > 0 ? "." + frac : ""}`;
}

/** exceeds says whether the decimal string a is greater than b (both at most 4 places); false when either is not a decimal. */
export function exceeds(a: string, b: string): boolean {
  const x = scaled(a, 4);
  const y = scaled(b, 4);
  return x !== null && y !== null && x > y;
}
