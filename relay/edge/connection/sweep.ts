/**
 * One periodic pass over the relay's sockets, running only while sockets are connected: it finds
 * slow consumers (slow-consumer.ts) and expired tokens (token-refresh.ts). One relay-wide timer
 * instead of a timer per socket keeps idle connections small; expiry is enforced within one period.
 */
import type { RelaySocket } from "../types.js";

export class SocketSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sockets: () => Iterable<RelaySocket>,
    private readonly periodMs: number,
    private readonly check: (socket: RelaySocket, now: number) => void,
  ) {}

  /** Starts or stops the sweep according to the number of connected sockets. */
  update(connected: number): void {
    if (connected > 0 && !this.timer) {
      this.timer = setInterval(() => this.run(), this.periodMs);
      this.timer.unref();
    } else if (connected === 0) {
      this.stop();
    }
  }

  run(now = Date.now()): void {
    for (const socket of this.sockets()) this.check(socket, now);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
