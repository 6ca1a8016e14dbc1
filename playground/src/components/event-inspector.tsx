/** Every event this connection receives: type, channel, offset and publish→receive latency. */
import { useState } from "react";
import { useEventBus } from "../bus.js";

interface Row {
  readonly key: string;
  readonly type: string;
  readonly channel: string;
  readonly offset: number | undefined;
  /** Publish (metadata.timestamp) → received here, ms; clocks of one machine in the demo. */
  readonly latency: number;
}

const LIMIT = 50;

export function EventInspector() {
  const [open, setOpen] = useState(true);
  const [rows, setRows] = useState<readonly Row[]>([]);
  useEventBus(
    "*",
    (event) => {
      const row: Row = {
        key: `${event.channel}:${event.id}`,
        type: event.type,
        channel: event.channel,
        offset: event.offset,
        latency: Math.max(0, Date.now() - Date.parse(event.metadata.timestamp)),
      };
      setRows((list) => [row, ...list].slice(0, LIMIT));
    },
    { limit: 0 },
  );
  return (
    <section className="panel inspector" aria-labelledby="inspector-title">
      <h2 id="inspector-title">
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          Event inspector ({rows.length})
        </button>
      </h2>
      {open && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Channel</th>
                <th scope="col">Offset</th>
                <th scope="col">Latency</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key} data-testid="inspector-row">
                  <td>{row.type}</td>
                  <td>{row.channel}</td>
                  <td>{row.offset ?? "—"}</td>
                  <td>{row.latency} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
