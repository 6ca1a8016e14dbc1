/**
 * A scripted stand-in for the socket.io transport, for UNIT tests of the bus's logic (state
 * machine driving, reconnect timing, token handling, ordering of hello/join/publish). Each
 * connection attempt is a FakeTransport; the test plays the relay: connect it, answer or refuse
 * its requests, push messages, drop it. Integration tests use the real relay instead.
 */
import type { Transport, TransportFactory, TransportHandlers } from "../../client/transport.js";
import { type ErrorCode, EventBusError } from "../../protocol/errors.js";
import type { ClientFrameMap, ClientFrameName, HandshakeAuth, HelloResult } from "../../protocol/frames.js";

export interface PendingRequest {
  readonly frame: ClientFrameName;
  readonly payload: unknown;
  resolve(result: unknown): void;
  reject(error: EventBusError): void;
}

export class FakeTransport implements Transport {
  readonly requests: PendingRequest[] = [];
  readonly sent: { frame: ClientFrameName; payload: unknown }[] = [];
  closed = false;
  connected = false;

  constructor(
    readonly auth: HandshakeAuth,
    readonly handlers: TransportHandlers,
  ) {}

  request = <K extends ClientFrameName>(frame: K, payload: ClientFrameMap[K]["request"]) => {
    if (!this.connected || this.closed) return Promise.reject(new EventBusError("NOT_CONNECTED"));
    this.sent.push({ frame, payload });
    return new Promise<ClientFrameMap[K]["result"]>((resolve, reject) => {
      this.requests.push({ frame, payload, resolve: resolve as (r: unknown) => void, reject });
    });
  };

  close(): void {
    this.closed = true;
    this.connected = false;
  }

  connect(): void {
    this.connected = true;
    this.handlers.connect();
  }

  refuse(code: ErrorCode): void {
    this.handlers.connectError(new EventBusError(code));
  }

  /** The connection drops: pending requests fail like socket.io's would. */
  drop(reason = "transport close"): void {
    this.connected = false;
    this.handlers.disconnect(reason);
    for (const r of this.requests.splice(0)) r.reject(new EventBusError("NOT_CONNECTED"));
  }

  /** Takes the oldest pending request for `frame` (throws if none). */
  take(frame: ClientFrameName): PendingRequest {
    const index = this.requests.findIndex((r) => r.frame === frame);
    const found = this.requests[index];
    if (!found)
      throw new Error(
        `no pending ${frame} request (pending: ${this.requests.map((r) => r.frame).join(", ")})`,
      );
    this.requests.splice(index, 1);
    return found;
  }

  answer<K extends ClientFrameName>(frame: K, result: ClientFrameMap[K]["result"]): PendingRequest {
    const request = this.take(frame);
    request.resolve(result);
    return request;
  }

  fail(frame: ClientFrameName, code: ErrorCode): PendingRequest {
    const request = this.take(frame);
    request.reject(new EventBusError(code));
    return request;
  }

  pending(frame: ClientFrameName): number {
    return this.requests.filter((r) => r.frame === frame).length;
  }
}

export class FakeRelay {
  readonly attempts: FakeTransport[] = [];

  readonly factory: TransportFactory = (auth, handlers) => {
    const transport = new FakeTransport(auth, handlers);
    this.attempts.push(transport);
    return transport;
  };

  get last(): FakeTransport {
    const last = this.attempts[this.attempts.length - 1];
    if (!last) throw new Error("no connection attempt yet");
    return last;
  }
}

export function helloResult(overrides: Partial<HelloResult> = {}, epoch = "e1"): HelloResult {
  return {
    userId: "u1",
    roles: [],
    connectionId: "c1",
    channels: [
      { channel: "user:u1", position: { offset: 0, epoch } },
      { channel: "broadcast", position: { offset: 0, epoch } },
    ],
    expiresAt: null,
    limits: { maxEventBytes: 1024 * 1024, maxDataBytes: 512 * 1024 },
    ...overrides,
  };
}

/** A message as the relay forwards it. */
export function wireMessage(type: string, data: unknown, offset?: number, epoch = "e1", id?: string): string {
  const envelope = {
    id:
      id ?? `0190a0b0-0000-7000-8000-${String(offset ?? Math.floor(Math.random() * 1e9)).padStart(12, "0")}`,
    type,
    data,
    metadata: { source: "test", timestamp: "2026-01-01T00:00:00.000Z" },
    ...(offset !== undefined && { offset, epoch }),
  };
  return JSON.stringify(envelope);
}

/** A live `m` frame's message as socket.io-client hands it over (protocol 3: an object). */
export function liveMessage(
  type: string,
  data: unknown,
  offset?: number,
  epoch = "e1",
  id?: string,
): unknown {
  return JSON.parse(wireMessage(type, data, offset, epoch, id)) as unknown;
}
