import { Card, List, Table } from "antd";
import type { TableProps } from "antd";
import type { Key, ReactNode } from "react";
import { useIsPhone } from "../lib/useIsPhone";

/** ResponsiveListProps are a Table's, plus how one record looks as a card. */
export interface ResponsiveListProps<T> {
  rowKey: keyof T & string;
  columns: TableProps<T>["columns"];
  data: T[];
  loading?: boolean;
  /** card renders one record on a phone. */
  card: (item: T) => ReactNode;
  onOpen?: (item: T) => void;
  selectedKeys?: Key[];
  onSelect?: (keys: Key[]) => void;
  /** footer goes under the list: paging, mostly. */
  footer?: ReactNode;
  caption?: string;
}

/**
 * ResponsiveList is a table on a desktop and a list of cards on a phone.
 * Each record is marked data-testid="row" either way; paging is the
 * caller's (cursor paging, see CursorPager), so the table has none.
 */
export function ResponsiveList<T extends object>(p: ResponsiveListProps<T>) {
  const phone = useIsPhone();
  if (phone) {
    return (
      <>
        <List
          loading={p.loading}
          dataSource={p.data}
          rowKey={p.rowKey}
          aria-label={p.caption}
          renderItem={(item) => (
            <List.Item data-testid="row" style={{ padding: 4 }}>
              <Card size="small" hoverable={!!p.onOpen} onClick={() => p.onOpen?.(item)} style={{ width: "100%" }}>
                {p.card(item)}
              </Card>
            </List.Item>
          )}
        />
        {p.footer}
      </>
    );
  }
  return (
    <>
      <Table<T>
        size="middle"
        rowKey={p.rowKey}
        columns={p.columns}
        dataSource={p.data}
        loading={p.loading}
        pagination={false}
        scroll={{ x: "max-content" }}
        rowSelection={p.onSelect ? { selectedRowKeys: p.selectedKeys, onChange: (keys) => p.onSelect?.(keys) } : undefined}
        onRow={(item) => ({ "data-testid": "row", onClick: () => p.onOpen?.(item), style: p.onOpen ? { cursor: "pointer" } : undefined }) as object}
        title={p.caption ? () => <span className="sr-only">{p.caption}</span> : undefined}
      />
      {p.footer}
    </>
  );
}
