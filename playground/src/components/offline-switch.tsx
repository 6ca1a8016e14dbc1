/**
 * Cuts the connection on purpose so you can watch publishes queue in the outbox and missed events
 * arrive (recovered) when you go back online.
 */
import { useConnection } from "@shared-infra/event-bus/react";
import { useId } from "react";

export function OfflineSwitch() {
  const { status, connect, disconnect } = useConnection();
  const id = useId();
  const offline = status === "disconnected";
  return (
    <label className="switch" htmlFor={id}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={offline}
        aria-checked={offline}
        onChange={(e) => (e.currentTarget.checked ? disconnect() : connect())}
      />
      <span>Work offline</span>
    </label>
  );
}
