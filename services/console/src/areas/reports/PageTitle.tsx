import { Space, Typography } from "antd";
import type { ReactNode } from "react";

/** PageTitle is a reporting page's heading with its actions beside it. */
export function PageTitle({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      {children && <Space wrap>{children}</Space>}
    </Space>
  );
}
