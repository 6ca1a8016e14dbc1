/**
 * Refused handshakes, logged without letting a flood flood the log: the first refusal from an
 * address in an interval is logged at once; the rest are counted and written as one line per
 * address when the interval ends (`refused N more connections from <address>` with their codes).
 * At most `maxAddresses` addresses are tracked per interval; the rest are summed in one line.
 */
import { type Clock, createRepeater, type Repeater } from "../../../common/clock.js";
import type { RelayLogger } from "./logger.js";

interface Tally {
  count: number;
  readonly codes: Map<string, number>;
}

export class RefusalLog {
  private tallies = new Map<string, Tally>();
  private others = 0;
  private readonly repeater: Repeater;

  constructor(
    private readonly logger: RelayLogger,
    clock: Clock,
    intervalMs = 10_000,
    private readonly maxAddresses = 1000,
  ) {
    this.repeater = createRepeater(clock, intervalMs, () => this.flush());
  }

  refused(address: string, code: string): void {
    const tally = this.tallies.get(address);
    if (tally) {
      tally.count++;
      tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
      return;
    }
    if (this.tallies.size >= this.maxAddresses) {
      this.others++;
      return;
    }
    this.tallies.set(address, { count: 0, codes: new Map() });
    this.repeater.start();
    this.logger.info({ code, remoteAddress: address }, "refused a connection");
  }

  flush(): void {
    for (const [address, tally] of this.tallies) {
      if (tally.count === 0) continue;
      const codes = Object.fromEntries(tally.codes);
      this.logger.warn(
        { remoteAddress: address, count: tally.count, codes },
        `refused ${tally.count} more connections from ${address}`,
      );
    }
    if (this.others > 0)
      this.logger.warn({ count: this.others }, `refused ${this.others} connections from other addresses`);
    this.tallies = new Map();
    this.others = 0;
    this.repeater.stop();
  }

  close(): void {
    this.flush();
  }
}
