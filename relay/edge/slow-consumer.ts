/**
 * Slow consumers: a socket that does not read fast enough accumulates packets in engine.io's
 * per-connection write buffer (and bytes in the WebSocket's send buffer). A periodic sweep — running
 * only while sockets are connected — disconnects sockets over either limit with SLOW_CONSUMER and
 * drops their buffers, so one stuck client cannot grow the relay's memory without bound. Forwarding
 * itself stays free of per-socket work. The client reconnects and recovers from history.
 */
import type { RelaySocket } from "./types.js";

interface EngineInternals {
  writeBuffer?: readonly unknown[];
  transport?: { socket?: { bufferedAmount?: number } };
}

/** Packets queued in engine.io for this socket, and bytes queued in its WebSocket. */
export function outgoingBacklog(socket: RelaySocket): { packets: number; bytes: number } {
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
  readonly slowConsumerCheckMs: number;
}

export class SlowConsumerGuard {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sockets: () => Iterable<RelaySocket>,
    private readonly limits: SlowConsumerLimits,
    private readonly onSlow: (socket: RelaySocket, backlog: { packets: number; bytes: number }) => void,
  ) {}

  /** Starts or stops the sweep according to the number of connected sockets. */
  update(connected: number): void {
    if (connected > 0 && !this.timer) {
      this.timer = setInterval(() => this.sweep(), this.limits.slowConsumerCheckMs);
      this.timer.unref();
    } else if (connected === 0) {
      this.stop();
    }
  }

  sweep(): void {
    for (const socket of this.sockets()) {
      const backlog = outgoingBacklog(socket);
      if (backlog.packets > this.limits.maxBufferedMessages || backlog.bytes > this.limits.maxBufferedBytes) {
        this.onSlow(socket, backlog);
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
