/** Connection status and the outbox's pending count, announced to screen readers when it changes. */
import { useConnection } from "@shared-infra/event-bus/react";

const LABELS: Record<string, string> = {
  idle: "Not connected",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  disconnected: "Offline",
  unauthorized: "Signed out (token refused)",
};

export function ConnectionBadge() {
  const { status, pending, error } = useConnection();
  return (
    <div className={`badge badge-${status}`} role="status" aria-live="polite" data-testid="connection-status">
      <span className="dot" aria-hidden="true" />
      <span>{LABELS[status] ?? status}</span>
      {pending > 0 && (
        <span className="pending" data-testid="outbox-pending">{` · ${pending} waiting to send`}</span>
      )}
      {error && status !== "connected" && <span className="sr-only">{error.message}</span>}
    </div>
  );
}
