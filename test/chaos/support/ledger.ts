/**
 * The accounting of a chaos run: what each publisher had acknowledged (with its offset and epoch),
 * what each receiver got on each channel, and the gaps receivers were told about. `audit()` says
 * what was lost, duplicated, out of order or never published — the figures the chaos tests assert.
 *
 * A missing event counts as lost unless a gap the receiver was told about covers it: a gap whose
 * position is in the event's epoch at or after its offset, or a gap in a newer epoch (the event's
 * epoch — its history — is gone). Epochs are ranked per channel by the order in which
 * acknowledgements first carried them; an epoch no acknowledgement carried yet is the newest.
 */
import type { StreamPosition } from "../../../protocol/position.js";

interface Publication {
  readonly id: string;
  readonly channel: string;
  readonly publisher: string;
  readonly seq: number;
  /** Absent for a publish that was refused or failed: it may or may not have been delivered. */
  readonly position: StreamPosition | undefined;
  /** Acknowledged, but its epoch is unknown (the SDK's ack carries only the offset). */
  readonly unplaced?: boolean;
}

interface Receipt {
  readonly id: string;
  readonly offset: number | undefined;
}

interface Gap {
  readonly position: StreamPosition;
}

export interface AuditResult {
  /** Acknowledged publishes. */
  readonly published: number;
  /** Publishes that failed with an error (the publisher knows; not counted as lost). */
  readonly failed: number;
  /** Deliveries expected: acknowledged publishes × receivers of their channel. */
  readonly expected: number;
  readonly delivered: number;
  /** Expected deliveries that never came and no gap covers. Must be 0. */
  readonly lost: number;
  /** Deliveries of an event a receiver already had. Must be 0. */
  readonly duplicated: number;
  /** Deliveries that came after a later event of the same publisher on the channel. Must be 0. */
  readonly outOfOrder: number;
  /** Deliveries of ids nobody published. Must be 0. */
  readonly unknown: number;
  /** Gap notifications received. */
  readonly gaps: number;
  /** Expected deliveries that did not come but a reported gap covers (the app was told to refetch). */
  readonly coveredByGaps: number;
  /**
   * Of those, events of the epoch the gap resumed in (published after the history loss but before
   * the receiver resumed): still in Redis, yet skipped — the client continues at the newest position.
   */
  readonly coveredInNewEpoch: number;
  /** Deliveries of publishes that had failed from the publisher's point of view (allowed). */
  readonly deliveredDespiteFailure: number;
  /** Acknowledged publishes without a known epoch that a receiver did not get (see `acknowledged`). */
  readonly unplacedMissing: number;
  /** A few examples of lost/duplicated/out-of-order deliveries, for failure messages. */
  readonly examples: readonly string[];
}

/** The guarantees held: nothing lost, duplicated, out of order or unknown (gaps are counted apart). */
export function isClean(audit: AuditResult): boolean {
  return audit.lost === 0 && audit.duplicated === 0 && audit.outOfOrder === 0 && audit.unknown === 0;
}

export class DeliveryLedger {
  private readonly publications = new Map<string, Publication>();
  private readonly byChannel = new Map<string, Publication[]>();
  private readonly epochRanks = new Map<string, Map<string, number>>();
  private readonly receivers = new Map<string, Set<string>>();
  private readonly receipts = new Map<string, Receipt[]>();
  private readonly gapsOf = new Map<string, Gap[]>();

  /** `receiver` is subscribed to `channel` for the whole run (before the first publish). */
  subscribe(receiver: string, channel: string): void {
    let channels = this.receivers.get(receiver);
    if (!channels) {
      channels = new Set();
      this.receivers.set(receiver, channels);
    }
    channels.add(channel);
  }

  /** A publish was acknowledged at `position` (recoverable channels). */
  published(channel: string, publisher: string, seq: number, id: string, position: StreamPosition): void {
    this.add({ id, channel, publisher, seq, position });
    let ranks = this.epochRanks.get(channel);
    if (!ranks) {
      ranks = new Map();
      this.epochRanks.set(channel, ranks);
    }
    if (!ranks.has(position.epoch)) ranks.set(position.epoch, ranks.size);
  }

  /**
   * A publish acknowledged without its epoch (the SDK's ack): it counts as published and for
   * duplicates, but whether a missing one is covered by a gap cannot be told — missing ones are
   * counted apart (`unplacedMissing`), not as lost.
   */
  acknowledged(channel: string, publisher: string, seq: number, id: string): void {
    this.add({ id, channel, publisher, seq, position: undefined, unplaced: true });
  }

  /** A publish rejected with an error: not lost if missing, not unknown if delivered. */
  failed(channel: string, publisher: string, seq: number, id: string): void {
    this.add({ id, channel, publisher, seq, position: undefined });
  }

  received(receiver: string, channel: string, id: string, offset: number | undefined): void {
    const key = pairKey(receiver, channel);
    let list = this.receipts.get(key);
    if (!list) {
      list = [];
      this.receipts.set(key, list);
    }
    list.push({ id, offset });
  }

  gap(receiver: string, channel: string, position: StreamPosition): void {
    const key = pairKey(receiver, channel);
    let list = this.gapsOf.get(key);
    if (!list) {
      list = [];
      this.gapsOf.set(key, list);
    }
    list.push({ position });
  }

  /** Deliveries `receiver` got on `channel` so far. */
  count(receiver: string, channel: string): number {
    return this.receipts.get(pairKey(receiver, channel))?.length ?? 0;
  }

  /** Whether `receiver` got the event `id` on `channel`. */
  has(receiver: string, channel: string, id: string): boolean {
    return this.receipts.get(pairKey(receiver, channel))?.some((r) => r.id === id) ?? false;
  }

  /** The id of the last acknowledged publish on `channel`. */
  lastAcknowledged(channel: string): string | undefined {
    const list = this.byChannel.get(channel) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const publication = list[i];
      if (publication?.position) return publication.id;
    }
    return undefined;
  }

  audit(): AuditResult {
    const totals = {
      expected: 0,
      delivered: 0,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unknown: 0,
      gaps: 0,
      coveredByGaps: 0,
      coveredInNewEpoch: 0,
      deliveredDespiteFailure: 0,
      unplacedMissing: 0,
    };
    const examples: string[] = [];
    const note = (text: string) => {
      if (examples.length < 8) examples.push(text);
    };
    for (const [receiver, channels] of this.receivers) {
      for (const channel of channels) {
        const key = pairKey(receiver, channel);
        const receipts = this.receipts.get(key) ?? [];
        const gaps = this.gapsOf.get(key) ?? [];
        totals.gaps += gaps.length;
        totals.delivered += receipts.length;
        const seen = new Set<string>();
        const lastSeq = new Map<string, number>();
        for (const receipt of receipts) {
          const publication = this.publications.get(receipt.id);
          if (!publication || publication.channel !== channel) {
            totals.unknown++;
            note(`${receiver} got unknown ${receipt.id} on ${channel}`);
            continue;
          }
          if (seen.has(receipt.id)) {
            totals.duplicated++;
            note(`${receiver} got ${publication.publisher}#${publication.seq} twice on ${channel}`);
            continue;
          }
          seen.add(receipt.id);
          if (!publication.position && !publication.unplaced) totals.deliveredDespiteFailure++;
          const previous = lastSeq.get(publication.publisher) ?? -1;
          if (publication.seq < previous) {
            totals.outOfOrder++;
            note(
              `${receiver} got ${publication.publisher}#${publication.seq} after #${previous} on ${channel}`,
            );
          }
          lastSeq.set(publication.publisher, Math.max(previous, publication.seq));
        }
        for (const publication of this.byChannel.get(channel) ?? []) {
          if (publication.unplaced && !seen.has(publication.id)) totals.unplacedMissing++;
          if (!publication.position) continue;
          totals.expected++;
          if (seen.has(publication.id)) continue;
          const cover = this.cover(channel, publication.position, gaps);
          if (cover) {
            totals.coveredByGaps++;
            if (cover === "same-epoch") totals.coveredInNewEpoch++;
            continue;
          }
          totals.lost++;
          note(
            `${receiver} never got ${publication.publisher}#${publication.seq} (offset ${publication.position.offset}) on ${channel}`,
          );
        }
      }
    }
    const all = [...this.publications.values()];
    return {
      published: all.filter((p) => p.position || p.unplaced).length,
      failed: all.filter((p) => !p.position && !p.unplaced).length,
      ...totals,
      examples,
    };
  }

  private add(publication: Publication): void {
    this.publications.set(publication.id, publication);
    let list = this.byChannel.get(publication.channel);
    if (!list) {
      list = [];
      this.byChannel.set(publication.channel, list);
    }
    list.push(publication);
  }

  private cover(
    channel: string,
    position: StreamPosition,
    gaps: readonly Gap[],
  ): "same-epoch" | "older-epoch" | undefined {
    const ranks = this.epochRanks.get(channel);
    const rank = (epoch: string) => ranks?.get(epoch) ?? Number.POSITIVE_INFINITY;
    if (gaps.some((g) => g.position.epoch === position.epoch && position.offset <= g.position.offset)) {
      return "same-epoch";
    }
    if (
      gaps.some((g) => g.position.epoch !== position.epoch && rank(g.position.epoch) > rank(position.epoch))
    ) {
      return "older-epoch";
    }
    return undefined;
  }
}

function pairKey(receiver: string, channel: string): string {
  return `${receiver}\u0000${channel}`;
}
