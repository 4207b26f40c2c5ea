/** RecentRecord is a record the user opened, as the home page lists it. */
export interface RecentRecord {
  /** type names the kind of record ("contact", "lead", "opportunity" …). */
  type: string;
  id: string;
  /** label is what the list shows: the record's name as the page showed it. */
  label: string;
  /** path is the console path that opens it ("/contacts/…"). */
  path: string;
  /** at is when it was last opened (ms since the epoch). */
  at: number;
}

/** recentLimit is how many records the list keeps. */
export const recentLimit = 20;

/** recentEvent is dispatched on window when the list changes. */
export const recentEvent = "rapport:recent";

let currentUser = "";

/**
 * setRecentUser names whose list rememberRecord and recentRecords use: each
 * user of a shared browser keeps a list of their own.
 */
export function setRecentUser(userId: string): void {
  currentUser = userId;
}

function storageKey(userId: string): string {
  return `rapport.recent.${userId}`;
}

function isRecord(v: unknown): v is RecentRecord {
  if (!v || typeof v !== "object") return false;
  const r = v as Record<string, unknown>;
  return typeof r.type === "string" && typeof r.id === "string" && typeof r.label === "string" && typeof r.path === "string" && typeof r.at === "number";
}

/** recentRecords is the user's list, most recently opened first. */
export function recentRecords(userId: string = currentUser): RecentRecord[] {
  if (!userId) return [];
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isRecord) : [];
  } catch {
    return [];
  }
}

/**
 * rememberRecord puts a record the user opened at the top of their recent
 * list (once: opening it again moves it up), keeping the last recentLimit.
 * A page calls it when its record has loaded. Nothing is kept before a user
 * is signed in.
 */
export function rememberRecord(r: Omit<RecentRecord, "at">, userId: string = currentUser): void {
  if (!userId || !r.id) return;
  const rest = recentRecords(userId).filter((x) => !(x.type === r.type && x.id === r.id));
  const list = [{ ...r, at: Date.now() }, ...rest].slice(0, recentLimit);
  try {
    localStorage.setItem(storageKey(userId), JSON.stringify(list));
  } catch {
    return; // storage full or denied: the list is a convenience
  }
  window.dispatchEvent(new Event(recentEvent));
}
