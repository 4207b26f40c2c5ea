import { admin } from "./admin";
import { calendar } from "./calendar";
import { contacts } from "./contacts";
import { home } from "./home";
import { imports } from "./imports";
import { marketing } from "./marketing";
import { notifications } from "./notifications";
import { quotes } from "./quotes";
import { reports } from "./reports";
import { sales } from "./sales";
import { support } from "./support";
import type { Area } from "./types";
import { webhooks } from "./webhooks";

/**
 * areas are the parts of the console, in menu order. A service's pages are
 * an Area of their own folder, added here.
 */
export const areas: Area[] = [home, contacts, calendar, imports, sales, quotes, support, marketing, reports, notifications, admin, webhooks];
