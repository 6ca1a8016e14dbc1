/**
 * Slow consumers: a socket that does not read fast enough accumulates packets in engine.io's
 * per-connection write buffer (and bytes in the WebSocket's send buffer). The relay's sweep
 * (sweep.ts) disconnects sockets over either limit with SLOW_CONSUMER and drops their buffers, so
 * one stuck client cannot grow the relay's memory without bound. Forwarding itself stays free of
 * per-socket work. The client reconnects and recovers from history.
 */
import type { RelaySocket } from "../types.js";

interface EngineInternals {
  writeBuffer?: readonly unknown[];
  transport?: { socket?: { bufferedAmount?: number } };
}

export interface Backlog {
  readonly packets: number;
  readonly bytes: number;
}

/** Packets queued in engine.io for this socket, and bytes queued in its WebSocket. */
export function outgoingBacklog(socket: RelaySocket): Backlog {
  // writeBuffer and the ws instance are engine.io internals (not in its typings); read defensively.
  const conn = socket.conn as unknown as EngineInternals;
  return {
    packets: conn.writeBuffer?.length ?? 0,
    bytes: conn.transport?.socket?.bufferedAmount ?? 0,
  };
}

export interface SlowConsumerLimits {
  readonly maxBufferedMessages: number;
  readonly maxBufferedBytes: number;
}

/** The socket's backlog when it is over a limit, else undefined. */
export function slowBacklog(socket: RelaySocket, limits: SlowConsumerLimits): Backlog | undefined {
  const backlog = outgoingBacklog(socket);
  return backlog.packets > limits.maxBufferedMessages || backlog.bytes > limits.maxBufferedBytes
    ? backlog
    : undefined;
}
