/**
 * Connection status and the outbox's pending count, announced to screen readers when it changes.
 * While not connected it also shows why (the SDK's cause: unreachable relay, failing token
 * endpoint, refused token, …), with what to do about it as a tooltip and for screen readers.
 */
import { useConnection } from "@shared-infra/event-bus/react";
import { connectionCause } from "../connection-cause.js";

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
  const cause = error && status !== "connected" ? connectionCause(error) : undefined;
  return (
    <div className={`badge badge-${status}`} role="status" aria-live="polite" data-testid="connection-status">
      <span className="dot" aria-hidden="true" />
      <span>{LABELS[status] ?? status}</span>
      {pending > 0 && (
        <span className="pending" data-testid="outbox-pending">{` · ${pending} waiting to send`}</span>
      )}
      {cause && (
        <span className="cause" data-testid="connection-cause" title={cause.hint}>
          {` · ${cause.problem}`}
          <span className="sr-only">{` ${cause.hint}`}</span>
        </span>
      )}
    </div>
  );
}
