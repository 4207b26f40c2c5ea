import { Button, Space } from "antd";
import { useT } from "../i18n/I18n";

/**
 * CursorPager moves through a cursor-paged list: the caller keeps the stack
 * of cursors it came by (see useCursorStack), so "previous" needs no offset
 * and every page costs the same at any depth.
 */
export function CursorPager({ hasPrev, hasNext, onPrev, onNext, busy }: { hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void; busy?: boolean }) {
  const t = useT();
  return (
    <Space style={{ marginTop: 12 }}>
      <Button onClick={onPrev} disabled={!hasPrev || busy} data-testid="prev-page">
        {t("action.prev")}
      </Button>
      <Button onClick={onNext} disabled={!hasNext || busy} data-testid="next-page">
        {t("action.next")}
      </Button>
    </Space>
  );
}
