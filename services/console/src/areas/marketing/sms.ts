/**
 * SMS length as the marketing service counts it (templates/sms.go): GSM-7
 * when every character is in the GSM 03.38 alphabet (extension characters
 * take two septets), otherwise UCS-2 in UTF-16 code units (Chinese is
 * UCS-2; an emoji outside the BMP takes two); 160/153 septets or 70/67
 * units a message, and a character never straddles two parts.
 */

const gsm7Basic =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const gsm7Extension = "^{}\\[~]|€\f";

/** SMSLength is a body's encoding, its length in the encoding's units and the messages it takes. */
export interface SMSLength {
  encoding: "GSM-7" | "UCS-2";
  units: number;
  segments: number;
}

/** smsLength counts body as the service does; an empty body takes no message. */
export function smsLength(body: string): SMSLength {
  const chars = Array.from(body);
  let units: number[] | undefined = [];
  for (const c of chars) {
    if (gsm7Basic.includes(c)) units.push(1);
    else if (gsm7Extension.includes(c)) units.push(2);
    else {
      units = undefined;
      break;
    }
  }
  const encoding = units ? "GSM-7" : "UCS-2";
  const each = units ?? chars.map((c) => c.length);
  const [single, part] = units ? [160, 153] : [70, 67];
  const total = each.reduce((a, b) => a + b, 0);
  if (total === 0) return { encoding, units: 0, segments: 0 };
  if (total <= single) return { encoding, units: total, segments: 1 };
  let segments = 1;
  let room = part;
  for (const u of each) {
    if (u > room) {
      segments += 1;
      room = part;
    }
    room -= u;
  }
  return { encoding, units: total, segments };
}
