import PortalChat from "./chat/PortalChat";
import { usePortal } from "./usePortal";

/** ChatPage is the portal's "Start a chat" page: the visitor's chat widget on the tenant's portal. */
export default function ChatPage() {
  const { base, t } = usePortal();
  return (
    <div data-testid="portal-chat-page">
      <PortalChat apiBase={base} t={t} />
    </div>
  );
}
