/**
 * Every event this connection receives: type, channel, offset and publish→receive latency — or,
 * for events replayed from history after the connection came back, a "recovered" mark (their
 * wait was the time offline, not latency; see replay-marks.ts).
 */
import { useEventBusListener } from "@shared-infra/event-bus/react";
import { useState } from "react";
import { useEventBus } from "../bus.js";
import { ReplayMarks } from "../replay-marks.js";

interface Row {
  readonly key: string;
  readonly type: string;
  readonly channel: string;
  readonly offset: number | undefined;
  /** Publish (metadata.timestamp) → received here, ms; clocks of one machine in the demo. */
  readonly latency: number;
  /** Replayed from history after a reconnect rather than received live. */
  readonly recovered: boolean;
}

const LIMIT = 50;

export function EventInspector() {
  const [open, setOpen] = useState(true);
  const [rows, setRows] = useState<readonly Row[]>([]);
  const [marks] = useState(() => new ReplayMarks());
  useEventBus(
    "*",
    (event) => {
      const row: Row = {
        key: `${event.channel}:${event.id}`,
        type: event.type,
        channel: event.channel,
        offset: event.offset,
        latency: Math.max(0, Date.now() - Date.parse(event.metadata.timestamp)),
        recovered: false,
      };
      marks.delivered(row.channel, row.key);
      setRows((list) => [row, ...list].slice(0, LIMIT));
    },
    { limit: 0 },
  );
  useEventBusListener("status", ({ status, previous }) => {
    if (previous === "connected" && status !== "connected") marks.connectionLost();
  });
  useEventBusListener("gap", (gap) => marks.gap(gap.channel));
  useEventBusListener("recovered", (info) => {
    const keys = new Set(marks.recovered(info.channel, info.replayed));
    if (keys.size > 0)
      setRows((list) => list.map((row) => (keys.has(row.key) ? { ...row, recovered: true } : row)));
  });
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
                  <td>{row.recovered ? <Recovered waitedMs={row.latency} /> : `${row.latency} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Recovered({ waitedMs }: { waitedMs: number }) {
  return (
    <span title="Replayed from history after the connection came back: the wait was the time offline, not latency.">
      <span className="recovered" data-testid="recovered-mark">
        recovered
      </span>{" "}
      <span className="hint">({(waitedMs / 1000).toFixed(1)} s after publish)</span>
    </span>
  );
}
