/**
 * roiPercent writes an ROI as the service gives it — a decimal string with
 * four places, 1.5000 for 150 % — as a percentage with two places
 * ("150.00"), moving the point by its digits (never through a float);
 * undefined for none (no cost above zero).
 */
export function roiPercent(roi: string | null | undefined): string | undefined {
  if (roi == null) return undefined;
  const m = /^(-?)(\d+)\.(\d{4})$/.exec(roi);
  if (!m) return undefined;
  const [, sign, int, frac] = m;
  const whole = (int + frac.slice(0, 2)).replace(/^0+(?=\d)/, "");
  const out = `${whole}.${frac.slice(2)}`;
  return sign && /[1-9]/.test(out) ? `-${out}` : out;
}

/** roiTone is how an ROI reads: gain above zero, loss below, even at zero, none without one. */
export function roiTone(roi: string | null | undefined): "gain" | "loss" | "even" | "none" {
  if (roi == null) return "none";
  if (roi.startsWith("-") && /[1-9]/.test(roi)) return "loss";
  return /[1-9]/.test(roi) ? "gain" : "even";
}
