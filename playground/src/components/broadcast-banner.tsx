/** The system broadcast banner: the latest `system.maintenance` sent to everyone, with its scheduled start. */
import { useState } from "react";
import { useEventBus } from "../bus.js";

export function BroadcastBanner() {
  const { last } = useEventBus("system.maintenance", null, { limit: 1 });
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (!last || dismissed === last.id) return null;
  const { scheduled, message, duration } = last.data;
  const starts = new Date(scheduled);
  const when = Number.isNaN(starts.getTime())
    ? scheduled
    : starts.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return (
    <div className="banner" role="alert" data-testid="broadcast-banner">
      <strong>System maintenance:</strong>
      <span>
        {message} — starts{" "}
        <time dateTime={scheduled} data-testid="maintenance-start">
          {when}
        </time>
        , for {duration}.
      </span>
      <button type="button" onClick={() => setDismissed(last.id)}>
        Dismiss
      </button>
    </div>
  );
}
