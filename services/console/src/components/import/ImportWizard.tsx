import { InboxOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Card, Space, Steps, Typography, Upload } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useT } from "../../i18n/I18n";
import { ImportProgress } from "./ImportProgress";
import { MappingStep } from "./MappingStep";
import type { ImportKind, ImportOptions } from "./types";

/**
 * ImportWizard imports a CSV file in three steps: choose the file, check
 * the preview (the detected encoding, delimiter and first rows) and map its
 * columns to fields with the service's suggestions and a duplicate policy,
 * then watch the import run (progress, rows per second, cancel, the error
 * report). The running import's id is kept in the address (?job=), so a
 * reload goes on watching it.
 */
export function ImportWizard({ kind, title }: { kind: ImportKind; title: string }) {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const job = params.get("job");
  const [file, setFile] = useState<File | null>(null);
  const start = useMutation({
    mutationFn: ({ f, options }: { f: File; options: ImportOptions }) => kind.start(f, options),
    onSuccess: (j) => setParams({ job: j.id }),
  });

  const step = job ? 2 : file ? 1 : 0;
  const again = () => {
    setFile(null);
    start.reset();
    setParams({});
  };

  return (
    <div data-testid={`page-import-${kind.key}`}>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {title}
      </Typography.Title>
      <Steps
        current={step}
        size="small"
        style={{ marginBottom: 16 }}
        items={[{ title: t("import.step.file") }, { title: t("import.step.map") }, { title: t("import.step.run") }]}
      />
      {step === 0 && (
        <Card>
          <Upload.Dragger
            accept=".csv,.txt,text/csv"
            multiple={false}
            showUploadList={false}
            beforeUpload={(f) => {
              setFile(f);
              return false;
            }}
            data-testid="import-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined aria-hidden />
            </p>
            <p className="ant-upload-text">{t("import.file.drop")}</p>
            <p className="ant-upload-hint">{t("import.file.hint")}</p>
          </Upload.Dragger>
        </Card>
      )}
      {step === 1 && file && (
        <>
          {start.isError && <Alert type="error" showIcon message={start.error.message} style={{ marginBottom: 12 }} data-testid="import-start-error" />}
          <MappingStep kind={kind} file={file} busy={start.isPending} onBack={again} onStart={(options) => start.mutate({ f: file, options })} />
        </>
      )}
      {step === 2 && job && (
        <Space direction="vertical" style={{ width: "100%" }}>
          <ImportProgress kind={kind} id={job} />
          <Button onClick={again} data-testid="import-again">
            {t("import.again")}
          </Button>
        </Space>
      )}
    </div>
  );
}
