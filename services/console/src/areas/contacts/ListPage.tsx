import { App, Badge, Button, Card, Checkbox, Input, Space, Tag, Typography } from "antd";
import { DownloadOutlined, FilterOutlined, PlusOutlined } from "@ant-design/icons";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { CursorPager } from "../../components/CursorPager";
import { ErrorState } from "../../components/ErrorState";
import { FilterBuilder } from "../../components/filter/FilterBuilder";
import { buildFilter, parseFilter, type BuilderState, type FilterNode } from "../../components/filter/model";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { useCursorStack } from "../../lib/useCursorStack";
import { useIsPhone } from "../../lib/useIsPhone";
import { exportRecords, listRecords, useCustomFields, useTags, type AnyRecord, type Contact, type Entity, type SavedView } from "./api";
import { BulkBar } from "./BulkBar";
import { cell, primary, type CellContext } from "./cells";
import { basePath, defaultColumns, fieldLabel, filterFields, recordName } from "./entities";
import { RecordForm } from "./RecordForm";
import { ViewBar } from "./ViewBar";

const pageSize = 50;

/**
 * ListPage lists contacts or accounts: saved views, the filter builder,
 * search, columns, sort, cursor paging (no count, no offset), multi-select
 * with bulk actions, CSV export of the view and a create form.
 */
export function ListPage({ entity }: { entity: Entity }) {
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const nav = useNavigate();
  const phone = useIsPhone();
  const custom = useCustomFields(entity);
  const tags = useTags();
  const views = useQuery({ queryKey: ["saved-views", entity], queryFn: () => unwrap(api.GET("/v1/saved-views", { params: { query: { entity } } })) });
  const [view, setView] = useState<SavedView>();
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [builder, setBuilder] = useState<BuilderState>({ match: "and", rows: [] });
  const [advanced, setAdvanced] = useState<FilterNode>();
  const [columns, setColumns] = useState(defaultColumns[entity]);
  const [sort, setSort] = useState("");
  const [showFilter, setShowFilter] = useState(false);
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [selectedKeys, setSelectedKeys] = useState<string[]>([]);
  const cursor = useCursorStack();
  const customDefs = useMemo(() => custom.data?.items ?? [], [custom.data]);
  const fields = useMemo(() => filterFields(entity, customDefs, t), [entity, customDefs, t]);
  const filter = advanced ?? buildFilter(builder, fields);

  useEffect(() => {
    const h = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(h);
  }, [search]);

  // A new query starts from the first page, in the same render.
  const key = JSON.stringify([q, filter, sort]);
  const [listKey, setListKey] = useState(key);
  if (listKey !== key) {
    setListKey(key);
    cursor.reset();
    setSelectedKeys([]);
  }
  const at = listKey === key ? cursor.cursor : "";
  const list = useQuery({
    queryKey: [`${entity}s`, "list", key, at],
    queryFn: () => listRecords(entity, { q, filter, sort, cursor: at, limit: pageSize }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];

  const accountIds = entity === "contact" && columns.includes("accountId") ? [...new Set(items.map((c) => (c as Contact).accountId).filter((x): x is string => !!x))].sort() : [];
  const accounts = useQuery({
    queryKey: ["accounts", "names", accountIds],
    enabled: accountIds.length > 0,
    queryFn: () => unwrap(api.GET("/v1/accounts", { params: { query: { filter: JSON.stringify({ field: "id", op: "in", value: accountIds }), limit: 200 } } })),
  });
  const ctx: CellContext = { t, locale, custom: customDefs, accounts: new Map((accounts.data?.items ?? []).map((a) => [a.id, a.name ?? ""])) };

  const pick = (v: SavedView | undefined) => {
    setView(v);
    setSearch(v?.q ?? "");
    setQ(v?.q ?? "");
    const parsed = parseFilter(v?.filter, fields);
    setBuilder(parsed ?? { match: "and", rows: [] });
    setAdvanced(parsed ? undefined : (v?.filter as unknown as FilterNode));
    setColumns(v?.columns.length ? v.columns : defaultColumns[entity]);
    setSort(v?.sort ?? "");
  };
  const doExport = async () => {
    setExporting(true);
    try {
      await exportRecords(entity, { q, filter, sort });
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setExporting(false);
    }
  };

  const open = (r: AnyRecord) => nav(`${basePath(entity)}/${r.id}`);
  const pageIds = items.map((r) => r.id);
  const allPicked = pageIds.length > 0 && pageIds.every((id) => selectedKeys.includes(id));
  const selectColumn = {
    key: "select",
    width: 48,
    // The table copies titles into a hidden row that measures the columns,
    // so the title holds no control: "select all" is above the table.
    title: <span className="sr-only">{t("contacts.selectColumn")}</span>,
    render: (_: unknown, r: AnyRecord) => (
      <Checkbox
        aria-label={t("contacts.select", { name: recordName(r) })}
        checked={selectedKeys.includes(r.id)}
        onClick={(e) => e.stopPropagation()}
        onChange={(e) => setSelectedKeys((k) => (e.target.checked ? [...k, r.id] : k.filter((x) => x !== r.id)))}
        data-testid="row-select"
      />
    ),
  };
  const tableColumns = [selectColumn, ...columns.map((name, i) => ({
    key: name,
    title: fieldLabel(name, t, customDefs),
    render: (_: unknown, r: AnyRecord) =>
      i === 0 ? (
        <Link to={`${basePath(entity)}/${r.id}`} onClick={(e) => e.stopPropagation()}>
          {cell(name, r, ctx) || recordName(r)}
        </Link>
      ) : (
        cell(name, r, ctx)
      ),
  }))];
  const card = (r: AnyRecord) => (
    <div>
      <Typography.Text strong>{recordName(r)}</Typography.Text>
      <div>{entity === "contact" ? primary((r as Contact).emails)?.address ?? "" : ("domain" in r && r.domain) || ""}</div>
      <Space size={[0, 4]} wrap>
        {(r.tags ?? []).map((x) => (
          <Tag key={x}>{x}</Tag>
        ))}
      </Space>
    </div>
  );
  const title = entity === "contact" ? t("contacts.title") : t("contacts.accounts.title");
  const conditions = advanced ? 1 : builder.rows.length;

  return (
    <div data-testid={`page-${entity}s`}>
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 12 }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {title}
        </Typography.Title>
        <Space wrap>
          <Button icon={<DownloadOutlined />} onClick={doExport} loading={exporting} data-testid="export">
            {t("contacts.export")}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="create">
            {entity === "contact" ? t("contacts.new") : t("contacts.accounts.new")}
          </Button>
        </Space>
      </Space>
      <Space wrap style={{ marginBottom: 12, width: "100%" }}>
        <Input.Search
          aria-label={t("contacts.search")}
          placeholder={t("contacts.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => setQ(v.trim())}
          allowClear
          maxLength={200}
          style={{ width: phone ? "100%" : 320 }}
          data-testid="search"
        />
        {!phone && (
          <Checkbox checked={allPicked} indeterminate={!allPicked && selectedKeys.length > 0} onChange={(e) => setSelectedKeys(e.target.checked ? pageIds : [])} data-testid="select-all">
            {t("contacts.selectAll")}
          </Checkbox>
        )}
        <Badge count={conditions} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setShowFilter((s) => !s)} aria-expanded={showFilter} data-testid="filter-toggle">
            {t("filter.title")}
          </Button>
        </Badge>
      </Space>
      {showFilter && (
        <Card size="small" style={{ marginBottom: 12 }}>
          <FilterBuilder
            fields={fields}
            value={builder}
            onChange={(b) => {
              setAdvanced(undefined);
              setBuilder(b);
            }}
            advanced={!!advanced}
            onClear={() => {
              setAdvanced(undefined);
              setBuilder({ match: "and", rows: [] });
            }}
            suggestions={{ tags: (tags.data?.items ?? []).map((x) => x.name) }}
          />
        </Card>
      )}
      <ViewBar entity={entity} views={views.data?.items ?? []} current={view} state={{ q, filter, columns, sort }} custom={customDefs} onPick={pick} onColumns={setColumns} onSort={setSort} />
      <BulkBar entity={entity} selected={items.filter((r) => selectedKeys.includes(r.id))} onDone={() => { setSelectedKeys([]); list.refetch(); }} />
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <ResponsiveList<AnyRecord>
          rowKey="id"
          columns={tableColumns}
          data={items}
          loading={list.isFetching}
          card={card}
          onOpen={open}
          caption={title}
          footer={<CursorPager hasPrev={cursor.depth > 1} hasNext={!!list.data?.nextCursor} busy={list.isFetching} onPrev={cursor.prev} onNext={() => list.data?.nextCursor && cursor.next(list.data.nextCursor)} />}
        />
      )}
      {creating && <RecordForm entity={entity} onClose={() => setCreating(false)} onSaved={(r) => nav(`${basePath(entity)}/${r.id}`)} />}
    </div>
  );
}

/** ContactsList is the contacts list page. */
export function ContactsList() {
  return <ListPage entity="contact" />;
}

/** AccountsList is the accounts list page. */
export function AccountsList() {
  return <ListPage entity="account" />;
}
