/**
 * The webhook delivery log: every attempt the dispatcher made to the demo partner endpoint (GET
 * /api/webhooks/log), newest first — event, attempt number, HTTP status, outcome (delivered, retry
 * with its next time, dead), duration — with the endpoint's breaker, pending jobs and how many
 * distinct webhook-ids the receiver verified and accepted. Refreshed every 2 s while open.
 */
import { useEffect, useId, useRef, useState } from "react";
import { api, type WebhookLogView } from "../api.js";

const REFRESH_MS = 2000;

export function WebhookPanel({ getToken }: { getToken: () => string }) {
  const [log, setLog] = useState<WebhookLogView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const token = useRef(getToken);
  token.current = getToken;
  useEffect(() => {
    let live = true;
    const load = () =>
      api.webhookLog(token.current()).then(
        (next) => {
          if (!live) return;
          setLog(next);
          setError(null);
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return (
    <section className="panel" aria-labelledby={titleId} data-testid="webhook-panel">
      <h2 id={titleId}>Webhooks: delivery log</h2>
      {error && <p className="error">{error}</p>}
      {log && (
        <>
          <p className="hint" data-testid="webhook-summary">
            Endpoint <strong>{log.endpoint}</strong> ({log.url}): {log.received} event
            {log.received === 1 ? "" : "s"} accepted, breaker {log.stats?.breaker ?? "?"},{" "}
            {log.stats?.pending ?? 0} pending, {log.stats?.deadLetters ?? 0} dead letters
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Status</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">ms</th>
                </tr>
              </thead>
              <tbody>
                {log.attempts.map((a) => (
                  <tr
                    key={`${a.eventId}:${a.attempt}:${a.at}`}
                    data-testid="webhook-row"
                    data-outcome={a.outcome}
                  >
                    <td>{new Date(a.at).toISOString().slice(11, 23)}</td>
                    <td title={a.eventId}>{a.eventType}</td>
                    <td>{a.attempt}</td>
                    <td>{a.status || a.error}</td>
                    <td>
                      {a.outcome}
                      {a.nextAttemptAt
                        ? ` (next in ${Math.max(0, Math.round((a.nextAttemptAt - a.at) / 100) / 10)} s)`
                        : ""}
                    </td>
                    <td>{Math.round(a.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
