/**
 * An SSE reader for tests in Node, over `fetch` streaming: it parses the stream as the HTML spec
 * says (fields, comments, `retry`, the last event id) and reconnects the way a browser's
 * EventSource does — after the stream ends or the network fails, with `Last-Event-ID`, after the
 * `retry` delay; never again after an HTTP error status (an EventSource "fails" then). No
 * EventSource polyfill: the relay is tested against what the spec and browsers do. With
 * `via: "curl"` each connection is a real `curl -sN` process instead of `fetch`.
 *
 *   const reader = openSse(`${relay.url}/events?room=photo:1`, { token });
 *   await reader.messages.waitFor(10);
 *   reader.close();   // afterEach: closeAllSse()
 */
import { spawn } from "node:child_process";
import { type Collector, collector } from "./wait.js";

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string;
}

export interface SseMessage {
  readonly channel: string;
  readonly message: {
    readonly type: string;
    readonly data: unknown;
    readonly offset?: number;
    readonly id: string;
  };
}

export interface SseReader {
  /** Every event, named or not (not comments). */
  readonly events: Collector<SseEvent>;
  /** The data of `message` events, parsed. */
  readonly messages: Collector<SseMessage>;
  /** Connections opened so far (the first and each reconnect). */
  readonly connections: number;
  /** HTTP status of the last response, and its body when it was an error. */
  readonly status: number | undefined;
  readonly errorBody: string | undefined;
  readonly lastEventId: string;
  readonly comments: number;
  close(): void;
}

export interface SseReaderOptions {
  /** Sent as `Authorization: Bearer` (otherwise put `token=` in the URL, as an EventSource must). */
  readonly token?: string;
  readonly lastEventId?: string;
  /** Upper bound for the reconnect delay the stream asks (keeps tests quick). */
  readonly maxRetryMs?: number;
  /** Stops reconnecting after this many connections. */
  readonly maxConnections?: number;
  /** `curl`: each connection is a `curl -sN` process (the reconnect loop stays here). Default fetch. */
  readonly via?: "fetch" | "curl";
}

const open = new Set<SseReader>();

export function closeAllSse(): void {
  for (const reader of open) reader.close();
}

export function openSse(url: string, options: SseReaderOptions = {}): SseReader {
  const events = collector<SseEvent>("SSE events");
  const messages = collector<SseMessage>("SSE messages");
  const abort = new AbortController();
  const state = {
    connections: 0,
    status: undefined as number | undefined,
    errorBody: undefined as string | undefined,
  };
  let lastEventId = options.lastEventId ?? "";
  let retryMs = 1000;
  let comments = 0;
  const dispatch = (event: SseEvent) => {
    events.push(event);
    if (event.event === "message") messages.push(JSON.parse(event.data) as SseMessage);
  };
  const parser = createParser(dispatch, {
    id: (id) => {
      lastEventId = id;
    },
    retry: (ms) => {
      retryMs = ms;
    },
    comment: () => {
      comments++;
    },
  });
  const connect = async (): Promise<boolean> => {
    state.connections++;
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (lastEventId !== "") headers["last-event-id"] = lastEventId;
    if (options.via === "curl") return curl(url, headers, abort.signal, state, (text) => parser.feed(text));
    const response = await fetch(url, { headers, signal: abort.signal });
    state.status = response.status;
    if (response.status !== 200 || !response.body) {
      state.errorBody = await response.text();
      return false;
    }
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
    return true;
  };
  const run = async () => {
    while (!abort.signal.aborted && state.connections < (options.maxConnections ?? 10_000)) {
      const again = await connect().catch(() => !abort.signal.aborted);
      parser.reset(lastEventId);
      if (!again) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryMs, options.maxRetryMs ?? 200)));
    }
  };
  const reader: SseReader = {
    events,
    messages,
    get connections() {
      return state.connections;
    },
    get status() {
      return state.status;
    },
    get errorBody() {
      return state.errorBody;
    },
    get lastEventId() {
      return lastEventId;
    },
    get comments() {
      return comments;
    },
    close() {
      open.delete(reader);
      abort.abort();
    },
  };
  open.add(reader);
  void run();
  return reader;
}

/**
 * One connection made by `curl -sN -i`: the status line and headers come first on stdout, then the
 * stream, fed to the parser as it arrives. Resolves true when the stream ended or the network
 * failed (reconnect), false after an HTTP error (an EventSource fails then).
 */
function curl(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  state: { status: number | undefined; errorBody: string | undefined },
  feed: (text: string) => void,
): Promise<boolean> {
  const args = ["-sN", "-i", ...Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), url];
  const child = spawn("curl", args, { stdio: ["ignore", "pipe", "ignore"] });
  const kill = () => child.kill("SIGKILL");
  signal.addEventListener("abort", kill, { once: true });
  let head = "";
  let body: string | undefined;
  const decoder = new TextDecoder();
  child.stdout.on("data", (chunk: Buffer) => {
    const text = decoder.decode(chunk, { stream: true });
    if (body !== undefined) {
      if (state.status === 200) feed(text);
      else body += text;
      return;
    }
    head += text;
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    state.status = Number(/^HTTP\/\S+ (\d{3})/.exec(head)?.[1] ?? 0);
    body = head.slice(end + 4);
    if (state.status === 200) feed(body);
  });
  return new Promise((resolve) => {
    child.once("close", () => {
      signal.removeEventListener("abort", kill);
      if (state.status !== undefined && state.status !== 200 && body !== undefined) {
        state.errorBody = body;
        resolve(false);
      } else resolve(!signal.aborted);
    });
  });
}

interface ParserHooks {
  id(id: string): void;
  retry(ms: number): void;
  comment(): void;
}

/** The spec's line-by-line event stream interpretation. */
function createParser(dispatch: (event: SseEvent) => void, hooks: ParserHooks) {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id = "";
  const line = (text: string) => {
    if (text === "") {
      hooks.id(id); // the spec sets the last event id when an event is dispatched, not on its `id:` line
      if (data.length > 0) dispatch({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return hooks.comment();
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id" && !value.includes("\0")) id = value;
    else if (field === "retry" && /^\d+$/.test(value)) hooks.retry(Number(value));
  };
  return {
    feed(text: string) {
      buffer += text;
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        if (end < 0) return;
        const length = buffer.startsWith("\r\n", end) ? 2 : 1;
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + length);
      }
    },
    /** A new connection starts a new stream: a half-received event is dropped. */
    reset(lastId: string) {
      id = lastId;
      buffer = "";
      event = "";
      data = [];
    },
  };
}
