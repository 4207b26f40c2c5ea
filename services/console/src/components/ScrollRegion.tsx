import type { ReactNode } from "react";

/**
 * ScrollRegion holds content wider than the screen (a read-only table on a
 * phone) in a region that scrolls sideways and takes the keyboard's focus,
 * so it can be scrolled without a pointer (WCAG 2.1.1; axe's
 * scrollable-region-focusable): Ant Design's own table scroll container
 * cannot be focused, and a preview of text has nothing inside to focus.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: "auto" }}>
      {children}
    </div>
  );
}
