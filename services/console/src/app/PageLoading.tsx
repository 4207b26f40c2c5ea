import { Spin } from "antd";

/** PageLoading fills the page while its code or first data loads. */
export function PageLoading() {
  return (
    <div style={{ display: "grid", placeItems: "center", minHeight: 200 }}>
      <Spin />
    </div>
  );
}
