/**
 * One periodic pass over the relay's sockets, running only while sockets are connected: it finds
 * slow consumers (delivery/slow-consumer.ts) and expired tokens (token-refresh.ts). One relay-wide
 * timer instead of a timer per socket keeps idle connections small; expiry is enforced within one
 * period.
 */
import { type Clock, createRepeater, type Repeater } from "../../../common/clock.js";
import type { RelaySocket } from "../types.js";

export class SocketSweep {
  private readonly repeater: Repeater;

  constructor(
    private readonly sockets: () => Iterable<RelaySocket>,
    periodMs: number,
    private readonly clock: Clock,
    private readonly check: (socket: RelaySocket, now: number) => void,
  ) {
    this.repeater = createRepeater(clock, periodMs, () => this.run());
  }

  /** Starts or stops the sweep according to the number of connected sockets. */
  update(connected: number): void {
    if (connected > 0) this.repeater.start();
    else this.repeater.stop();
  }

  run(now = this.clock.now()): void {
    for (const socket of this.sockets()) this.check(socket, now);
  }

  stop(): void {
    this.repeater.stop();
  }
}
