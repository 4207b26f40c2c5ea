import { areas } from "../areas";
import { common } from "./common";
import { merge } from "./translate";
import type { Catalog, Locale, Messages } from "./types";

// The texts the console knows now: sign-in's (common) from the start, every
// area's once the signed-in shell has loaded them (loadAreaCatalogs). They
// live outside React so the shell's route can load them before it renders.

let tables: Record<Locale, Messages> = merge([common]);
let listeners: Array<() => void> = [];

/** getTables is the current text tables. */
export function getTables(): Record<Locale, Messages> {
  return tables;
}

/** onTablesChange calls l when texts are added; it returns the unsubscribe. */
export function onTablesChange(l: () => void): () => void {
  listeners.push(l);
  return () => {
    listeners = listeners.filter((x) => x !== l);
  };
}

/** sharedCatalogs are the texts of shared components that only signed-in pages use. */
function sharedCatalogs(): Promise<Catalog>[] {
  return [import("../components/filter/catalog").then((m) => m.filterCatalog)];
}

/** allCatalogs loads every area's texts and the shared components'. */
export async function allCatalogs(): Promise<Catalog[]> {
  return Promise.all([...areas.map((a) => a.catalog().then((m) => m.catalog)), ...sharedCatalogs()]);
}

let loading: Promise<void> | null = null;

/**
 * loadAreaCatalogs adds every area's texts to the tables, once; the shell's
 * route waits for it, so no signed-in page shows a key instead of a text.
 */
export function loadAreaCatalogs(): Promise<void> {
  loading ??= allCatalogs().then((cs) => {
    tables = merge([common, ...cs]);
    listeners.forEach((l) => l());
  });
  return loading;
}
