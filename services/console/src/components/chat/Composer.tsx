import { SendOutlined } from "@ant-design/icons";
import { Button, Input, Space } from "antd";

/** ComposerProps are the text being typed, what sends it, and the composer's words. */
export interface ComposerProps {
  value: string;
  onChange: (text: string) => void;
  /** onSend sends the text; the composer keeps it until the server has it. */
  onSend: () => void;
  /** disabled is true while the socket cannot take a message. */
  disabled: boolean;
  /** sending is true while a message is on its way. */
  sending: boolean;
  labels: { message: string; placeholder: string; send: string };
}

/**
 * Composer is a chat's text box and Send button: Enter sends, Shift+Enter
 * starts a new line. The text stays in the box while the socket is away,
 * so nothing typed is lost.
 */
export function Composer({ value, onChange, onSend, disabled, sending, labels }: ComposerProps) {
  const canSend = !disabled && !sending && value.trim() !== "";
  return (
    <Space.Compact style={{ width: "100%" }}>
      <Input.TextArea
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (canSend) onSend();
          }
        }}
        aria-label={labels.message}
        placeholder={labels.placeholder}
        autoSize={{ minRows: 1, maxRows: 5 }}
        maxLength={4000}
        data-testid="chat-input"
      />
      <Button type="primary" icon={<SendOutlined />} onClick={onSend} disabled={!canSend} loading={sending} data-testid="chat-send" style={{ height: "auto" }}>
        {labels.send}
      </Button>
    </Space.Compact>
  );
}
