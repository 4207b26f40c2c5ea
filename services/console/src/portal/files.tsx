import { PaperClipOutlined } from "@ant-design/icons";
import { Button, Upload, type UploadFile } from "antd";
import type { PortalT } from "./usePortal";

/** maxFiles is how many files a portal form may carry (the service's portal.MaxFiles). */
export const maxFiles = 5;

/** FilePicker holds a form's files in the page until it is sent: nothing uploads on its own. */
export function FilePicker({ files, onChange, t, testId }: { files: UploadFile[]; onChange: (f: UploadFile[]) => void; t: PortalT; testId: string }) {
  return (
    <div data-testid={testId}>
      <Upload
        multiple
        maxCount={maxFiles}
        fileList={files}
        beforeUpload={() => false}
        onChange={({ fileList }) => onChange(fileList.slice(0, maxFiles))}
      >
        <Button icon={<PaperClipOutlined />}>{t("portal.newCase.addFiles")}</Button>
      </Upload>
    </div>
  );
}

/** appendFiles adds the picked files to a multipart form under "attachments", as the portal's API reads them. */
export function appendFiles(form: FormData, files: UploadFile[]): void {
  for (const f of files) if (f.originFileObj) form.append("attachments", f.originFileObj, f.name);
}
