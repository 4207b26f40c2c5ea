import type { ReactNode } from "react";
import type { RouteObject } from "react-router-dom";
import type { Catalog } from "../i18n/types";

/** MenuGroup is the part of the side menu an entry goes into. */
export type MenuGroup = "main" | "sales" | "service" | "marketing" | "insights" | "admin";

/** MenuEntry is one item of the side menu. */
export interface MenuEntry {
  path: string;
  /** labelKey is the i18n key of the label. */
  labelKey: string;
  icon: ReactNode;
  group: MenuGroup;
  /** order sorts the entries within a group. */
  order: number;
  /** permission hides the entry from who lacks it ("sales:read"). */
  permission?: string;
}

/**
 * Area is one part of the console (contacts, sales, admin …): its routes
 * (children of the signed-in shell, each lazily loaded so it is its own
 * chunk), its menu entries and its texts in every language (loaded lazily
 * too). A later service
 * adds its pages by adding an Area to src/areas/index.ts.
 */
export interface Area {
  name: string;
  routes: RouteObject[];
  menu: MenuEntry[];
  /**
   * catalog loads the area's texts (a module exporting `catalog`); they are
   * loaded with the signed-in shell, so the sign-in route carries none.
   */
  catalog: () => Promise<{ catalog: Catalog }>;
}

/** page makes a lazy route of a module whose default export is the page. */
export function page(path: string, load: () => Promise<{ default: () => ReactNode }>): RouteObject {
  return { path, lazy: async () => ({ Component: (await load()).default }) };
}
