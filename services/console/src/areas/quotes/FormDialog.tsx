import { App, Form, Modal, type FormInstance } from "antd";
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";

/** DialogSaveOptions are what a quotes dialog's save does. */
interface DialogSaveOptions<V> {
  /** form is the dialog's form: a problem's errors land on its fields. */
  form: FormInstance<V>;
  /** write saves the values; version is the record's, read again, when the user chose to overwrite another's change. */
  write: (values: V, version?: number) => Promise<unknown>;
  /** queryKey is what a save (or a reload after a conflict) makes stale. */
  queryKey: QueryKey;
  /** onClose closes the dialog, after a save or a reload. */
  onClose: () => void;
  /** version reads the record's current version; without it (a record with no version) a 412 is an error like others. */
  version?: () => Promise<number>;
}

/** DialogSave is a dialog's save (useDialogSave) as FormDialog shows it. */
export interface DialogSave<V> {
  pending: boolean;
  /** error is the problem's text no field took ("" for none). */
  error: string;
  submit: (values: V) => void;
}

/**
 * useDialogSave saves a quotes dialog's form: on success the list under
 * queryKey is read again, "Saved" shown and the dialog closed; on a 412 the
 * user reloads or overwrites (written again with the version read anew);
 * other problems land on the fields, the rest in the dialog's alert.
 */
export function useDialogSave<V>({ form, write, queryKey, onClose, version }: DialogSaveOptions<V>): DialogSave<V> {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const [error, setError] = useState("");
  const save = useMutation({
    mutationFn: (vars: { values: V; version?: number }) => write(vars.values, vars.version),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey });
      message.success(t("quotes.saved"));
      onClose();
    },
    onError: (err, vars) => {
      if (version) {
        const reload = () => {
          qc.invalidateQueries({ queryKey });
          onClose();
        };
        const overwrite = async () => save.mutate({ values: vars.values, version: await version() });
        if (resolveConflict(modal, t, err, reload, overwrite)) return;
      }
      setError(applyProblem(form, err));
    },
  });
  const submit = (values: V) => {
    setError("");
    save.mutate({ values });
  };
  return { pending: save.isPending, error, submit };
}

/** FormDialogProps are a FormDialog's title, form, save and fields. */
interface FormDialogProps<V> {
  title: string;
  form: FormInstance<V>;
  save: DialogSave<V>;
  /** okTestId is the save button's data-testid. */
  okTestId: string;
  onClose: () => void;
  initialValues?: Partial<V>;
  children: ReactNode;
}

/** FormDialog is an open dialog holding a vertical form, saved by its OK button, with the save's error below the fields. */
export function FormDialog<V>({ title, form, save, okTestId, onClose, initialValues, children }: FormDialogProps<V>) {
  const { t } = useI18n();
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("action.save")}
      cancelText={t("action.cancel")}
      confirmLoading={save.pending}
      okButtonProps={{ "data-testid": okTestId }}
    >
      <Form<V> form={form} layout="vertical" initialValues={initialValues} onFinish={save.submit}>
        {children}
        {save.error && (
          <div role="alert" style={{ color: "#a8071a" }}>
            {save.error}
          </div>
        )}
      </Form>
    </Modal>
  );
}
