/** The system broadcast banner: the latest `system.maintenance` sent to everyone. */
import { useState } from "react";
import { useEventBus } from "../bus.js";

export function BroadcastBanner() {
  const { last } = useEventBus("system.maintenance", null, { limit: 1 });
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!last || dismissed === last.id) return null;
  const when = new Date(last.data.scheduled).toLocaleString();
  return (
    <div className="banner" role="alert" data-testid="broadcast-banner">
      <strong>System maintenance:</strong> {last.data.message} — {when}, {last.data.duration}.
      <button type="button" onClick={() => setDismissed(last.id)}>
        Dismiss
      </button>
    </div>
  );
}
