import { Grid } from "antd";

/** useIsPhone is true on a narrow screen (below Ant Design's md, 768 px): lists become cards. */
export function useIsPhone(): boolean {
  const screens = Grid.useBreakpoint();
  return screens.md === false;
}
