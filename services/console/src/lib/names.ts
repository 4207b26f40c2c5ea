
const cjk = /[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]/;

/** PersonName is the part of a contact, lead or user that makes a name. */
export interface PersonName {
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * personName writes a person's name as their language does: a Chinese,
 * Japanese or Korean name surname first without a space (张伟), any other
 * given name first ("Ada Lovelace") — whatever the console's language.
 */
export function personName(p: PersonName): string {
  const first = (p.firstName ?? "").trim();
  const last = (p.lastName ?? "").trim();
  if (cjk.test(first + last)) return `${last}${first}`;
  return [first, last].filter(Boolean).join(" ");
}
