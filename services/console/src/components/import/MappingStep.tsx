import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Descriptions, Form, Radio, Row, Select, Space, Table, Tag } from "antd";
import { useEffect, useMemo, useState } from "react";
import { ErrorState } from "../ErrorState";
import { ScrollRegion } from "../ScrollRegion";
import { useT } from "../../i18n/I18n";
import type { DuplicatePolicy, ImportKind, ImportOptions } from "./types";

/** encodings are the encodings offered when the detected one is wrong (WHATWG names). */
const encodings = ["utf-8", "gb18030", "gbk", "big5", "utf-16le", "utf-16be", "shift_jis", "euc-kr", "windows-1252", "iso-8859-1"];

const policies: DuplicatePolicy[] = ["skip", "update", "create"];

/**
 * MappingStep previews the file (the service reads its first 64 KiB) and
 * lets the user map each column to a field, starting from the service's
 * suggestions, choose the duplicate policy and start the import. Choosing
 * another encoding previews the file again in it.
 */
export function MappingStep({ kind, file, busy, onBack, onStart }: { kind: ImportKind; file: File; busy: boolean; onBack: () => void; onStart: (o: ImportOptions) => void }) {
  const t = useT();
  const [encoding, setEncoding] = useState<string | undefined>(undefined);
  const preview = useQuery({
    queryKey: [kind.key, "import-preview", file.name, file.size, file.lastModified, encoding ?? ""],
    queryFn: () => kind.preview(file, encoding),
    staleTime: Infinity,
  });
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [policy, setPolicy] = useState<DuplicatePolicy>("skip");
  const [unmapped, setUnmapped] = useState(false);
  const data = preview.data;
  useEffect(() => {
    if (data) setMapping({ ...data.suggestedMapping });
  }, [data]);

  const fieldOptions = useMemo(
    () => [{ value: "", label: t("import.map.none") }, ...(data?.fields ?? []).filter((f) => f !== "").map((f) => ({ value: f, label: kind.fieldLabel(f) }))],
    [data, kind, t],
  );
  const rows = useMemo(() => (data?.rows ?? []).map((cells, i) => ({ key: i, cells })), [data]);

  if (preview.isError) return <ErrorState error={preview.error} onRetry={() => preview.refetch()} />;
  if (!data) return <Card loading data-testid="import-preview-loading" />;
  const mapped = Object.values(mapping).some((f) => f !== "");

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="import-mapping">
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("import.preview.title")}</h2>}>
        <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
          <Descriptions.Item label={t("import.preview.file")}>{file.name}</Descriptions.Item>
          <Descriptions.Item label={t("import.preview.encoding")}>
            <Tag color="blue" data-testid="import-encoding">
              {data.encoding}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t("import.preview.delimiter")}>
            <code>{data.delimiter === "\t" ? "TAB" : data.delimiter}</code>
          </Descriptions.Item>
        </Descriptions>
        <Form.Item label={t("import.preview.otherEncoding")} htmlFor="import-encoding-choice" style={{ marginBottom: 12 }}>
          <Select
            id="import-encoding-choice"
            allowClear
            style={{ maxWidth: 240 }}
            placeholder={t("import.preview.detected")}
            value={encoding}
            onChange={(v: string | undefined) => setEncoding(v)}
            options={encodings.map((e) => ({ value: e, label: e }))}
          />
        </Form.Item>
        <ScrollRegion label={t("import.preview.title")}>
          <Table
            size="small"
            pagination={false}
            style={{ width: "max-content", minWidth: "100%" }}
            dataSource={rows}
            data-testid="import-preview"
            columns={data.header.map((h, i) => ({ key: i, title: h, render: (_: unknown, r: { cells: string[] }) => r.cells[i] ?? "" }))}
          />
        </ScrollRegion>
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("import.map.title")}</h2>}>
        <Row gutter={[16, 8]}>
          {data.header.map((h, i) => (
            <Col xs={24} md={12} lg={8} key={`${i}-${h}`}>
              <Form.Item label={h} htmlFor={`import-map-${i}`} style={{ marginBottom: 8 }} layout="vertical">
                <Select
                  id={`import-map-${i}`}
                  data-testid={`import-map-${i}`}
                  showSearch
                  optionFilterProp="label"
                  value={mapping[h] ?? ""}
                  onChange={(v: string) => setMapping((m) => ({ ...m, [h]: v }))}
                  options={fieldOptions}
                />
              </Form.Item>
            </Col>
          ))}
        </Row>
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("import.policy.title")}</h2>}>
        <Radio.Group value={policy} onChange={(e) => setPolicy(e.target.value as DuplicatePolicy)} aria-label={t("import.policy.title")}>
          <Space direction="vertical">
            {policies.map((p) => (
              <Radio key={p} value={p} data-testid={`import-policy-${p}`}>
                {t(`import.policy.${p}`)}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Card>
      {unmapped && <Alert type="warning" showIcon message={t("import.map.nothing")} data-testid="import-unmapped" />}
      <Space wrap>
        <Button onClick={onBack}>{t("import.back")}</Button>
        <Button
          type="primary"
          loading={busy}
          data-testid="import-start"
          onClick={() => {
            setUnmapped(!mapped);
            if (mapped) onStart({ duplicatePolicy: policy, mapping: Object.fromEntries(Object.entries(mapping).filter(([, f]) => f !== "")), encoding });
          }}
        >
          {t("import.start")}
        </Button>
      </Space>
    </Space>
  );
}
