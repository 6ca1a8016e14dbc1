/**
 * Slow consumers: a socket that does not read fast enough accumulates packets in engine.io's
 * per-connection write buffer and bytes in the WebSocket's send buffer. Bytes are checked at write
 * time by the fan-out (fanout-adapter.ts) and both are checked by the relay's periodic sweep
 * (connection/sweep.ts); a socket over either limit is disconnected with SLOW_CONSUMER and its
 * buffers dropped, so one stuck client cannot grow the relay's memory without bound. The client
 * reconnects and recovers from history.
 */
import { type Backlog, engineBacklog } from "./engine-internals.js";

export type { Backlog } from "./engine-internals.js";

export interface SlowConsumerLimits {
  readonly maxBufferedMessages: number;
  readonly maxBufferedBytes: number;
}

/** What is queued for a connection: packets in engine.io, bytes in its WebSocket. */
export function outgoingBacklog(conn: unknown): Backlog {
  return engineBacklog(conn);
}

/** The connection's backlog when it is over a limit, else undefined. */
export function slowBacklog(conn: unknown, limits: SlowConsumerLimits): Backlog | undefined {
  const backlog = engineBacklog(conn);
  return backlog.packets > limits.maxBufferedMessages || backlog.bytes > limits.maxBufferedBytes
    ? backlog
    : undefined;
}
