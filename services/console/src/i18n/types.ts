/** Locale is a language the console speaks. */
export type Locale = "en" | "zh-CN";

/** Messages maps a key ("contacts.list.title") to its text; {name} marks a parameter. */
export type Messages = Record<string, string>;

/** Catalog is one area's messages in every locale; both must hold the same keys. */
export interface Catalog {
  en: Messages;
  zh: Messages;
}
