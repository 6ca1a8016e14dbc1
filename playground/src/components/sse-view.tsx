/**
 * The relay's Server-Sent Events stream (GET /events, docs/relay.md) beside the SDK: a plain
 * `EventSource` — no SDK — on the user's own channels, showing each event with its channel and
 * offset, `gap` and `notice` events, reconnects, and the last id (the positions it would resume
 * from). EventSource cannot set headers, so the token is in the query; when the relay refuses it
 * (expired: the stream closes for good), the view waits (backing off), asks the demo backend for a fresh token and opens
 * a new stream with `?lastEventId=`, so nothing is lost in between.
 */
import { useEffect, useRef, useState } from "react";
import { api } from "../api.js";

interface Row {
  readonly key: string;
  readonly kind: "event" | "gap" | "notice" | "open";
  readonly text: string;
}

const LIMIT = 30;
/** New streams (fresh token) in a row without one opening, before the view gives up. */
const MAX_REOPENS = 5;
/** The first wait before a new stream, doubled each time (0.5, 1, 2, 4, 8 s). */
const REOPEN_BASE_MS = 500;

function describe(kind: Row["kind"], data: string): string {
  try {
    const value = JSON.parse(data) as Record<string, unknown>;
    if (kind === "event") {
      const message = value.message as { type?: string; offset?: number };
      return `${message.type} on ${String(value.channel)} @ ${message.offset ?? "live"}`;
    }
    if (kind === "gap") return `gap on ${String(value.channel)}: refetch its state`;
    return `${String(value.code)}: the relay closed the stream`;
  } catch {
    return data.slice(0, 80);
  }
}

function useSseStream(enabled: boolean, userId: string, getToken: () => string) {
  const [rows, setRows] = useState<readonly Row[]>([]);
  const [state, setState] = useState("closed");
  const [lastId, setLastId] = useState("");
  const tokenOf = useRef(getToken);
  tokenOf.current = getToken; // a new function each render: read through a ref, not an effect dependency
  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | undefined;
    let stopped = false;
    let last = "";
    let reopens = 0;
    let count = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const add = (kind: Row["kind"], text: string) =>
      setRows((list) => [{ key: `${count++}`, kind, text }, ...list].slice(0, LIMIT));
    const open = (token: string) => {
      const resume = last === "" ? "" : `&lastEventId=${encodeURIComponent(last)}`;
      const es = new EventSource(`/events?token=${encodeURIComponent(token)}${resume}`);
      source = es;
      setState("connecting");
      es.onopen = () => {
        reopens = 0;
        setState("open");
        add("open", "stream open");
      };
      const track = (kind: Row["kind"]) => (event: MessageEvent<string>) => {
        if (event.lastEventId) last = event.lastEventId;
        setLastId(last);
        add(kind, describe(kind, event.data));
      };
      es.onmessage = track("event");
      es.addEventListener("gap", track("gap"));
      es.addEventListener("notice", track("notice"));
      es.onerror = () => {
        if (es.readyState !== EventSource.CLOSED) return setState("reconnecting"); // it retries itself
        es.close();
        if (stopped || reopens++ >= MAX_REOPENS) return setState("closed");
        setState("new token");
        // A refusal (expired token) or a proxy's 502 while the relay restarts: both close the
        // EventSource for good. Back off, then a new one with a fresh token resumes from `last`.
        timer = setTimeout(
          () => {
            api.signIn(userId).then(
              (session) => !stopped && open(session.token),
              () => setState("closed"),
            );
          },
          REOPEN_BASE_MS * 2 ** reopens,
        );
      };
    };
    open(tokenOf.current());
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
      setState("closed");
    };
  }, [enabled, userId]);
  return { rows, state, lastId };
}

export function SseView({ userId, getToken }: { userId: string; getToken: () => string }) {
  const [enabled, setEnabled] = useState(false);
  const { rows, state, lastId } = useSseStream(enabled, userId, getToken);
  return (
    <section className="panel sse" aria-labelledby="sse-title">
      <h2 id="sse-title">Server-Sent Events</h2>
      <p className="hint">
        A plain <code>EventSource</code> on <code>GET /events</code>: the same events, recovered by{" "}
        <code>Last-Event-ID</code>.
      </p>
      <button type="button" aria-pressed={enabled} onClick={() => setEnabled(!enabled)}>
        {enabled ? "Close stream" : "Open stream"}
      </button>{" "}
      <span data-testid="sse-state">{state}</span>
      {lastId && (
        <p className="hint sse-id" title={lastId}>
          Last id: <code>{lastId.length > 60 ? `${lastId.slice(0, 60)}…` : lastId}</code>
        </p>
      )}
      <ul className="sse-log" data-testid="sse-log">
        {rows.map((row) => (
          <li key={row.key} className={`sse-${row.kind}`} data-testid="sse-row">
            {row.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
