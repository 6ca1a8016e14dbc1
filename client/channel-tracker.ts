/**
 * Recovery state of one recoverable channel: its position `{ offset, epoch }`, the live messages
 * held back while a sync (hello/join) or a history request is pending, and the ordering rules.
 * Pure: it never does I/O, it returns a Step saying what to deliver and what to ask for.
 *
 * Rules (docs/architecture.md):
 * - a message is delivered iff its offset is the next one after the position (exactly once, in
 *   channel order); the position keeps the delivered event's id, which `since` carries so the relay
 *   can tell a history that was rolled back (docs/architecture.md, "Rollbacks");
 * - a smaller offset is a duplicate when its id was delivered recently or a sync just covered it;
 *   otherwise the offset was handed out again (a failover lost acknowledged writes) and `history`
 *   is asked from the position, whose id check answers `recovered: false` then;
 * - a hole (offset > position + 1) or another epoch holds the message back and asks for `history`
 *   from the position; `recovered: false` becomes a gap, and the position jumps to the relay's —
 *   except when the epoch changed: everything of the new epoch was published after the loss, so it
 *   is replayed from its start (offset 0) rather than skipped;
 * - messages without an offset (raw PUBLISH) are delivered live, de-duplicated by id;
 * - the hold-back buffer is bounded: past `maxBuffer`, later messages are dropped and fetched
 *   again from history once the pending request is answered;
 * - recovery is bounded: when `maxStalls` sessions in a row were cut by the relay as a slow consumer
 *   while this channel was recovering without moving its position (a slow link that cannot take a
 *   page before the relay cuts it), the next sync asks for no history and reports a gap to the
 *   relay's position — never a silent loop. Other disconnects (network flaps) never count.
 */
import type { EventEnvelope } from "../protocol/envelope.js";
import type { StreamPosition } from "../protocol/position.js";

export interface Incoming {
  /** Null for a message that could not be decoded: it still takes its place in the order. */
  readonly envelope: EventEnvelope | null;
  readonly position: StreamPosition | undefined;
  /**
   * Latest-only conflation (protocol version 2): the offset of the previous message the relay sent
   * on this channel; the offsets between were superseded by newer events of their key, not lost.
   */
  readonly after?: number;
}

/** A sync answer (hello/join ChannelSync) or a history page, decoded. */
export interface SyncInput {
  /** The channel's newest position at the relay. */
  readonly position: StreamPosition;
  /** Undefined when no position was sent (a fresh start). */
  readonly recovered: boolean | undefined;
  readonly messages: readonly Incoming[];
  readonly more: boolean;
}

export interface Step {
  readonly deliver: Incoming[];
  /** Ask `history` from this position. */
  history?: StreamPosition;
  /** Messages may have been lost before `deliver[at]`; the position jumped to `position`. */
  gap?: { readonly position: StreamPosition; readonly at: number };
  /** Nothing is pending any more (sync, pages and repairs done). */
  idle?: boolean;
  /** A hello/join sync finished. `recovered`: null for a fresh start, else the relay's answer. */
  settled?: { readonly recovered: boolean | null; readonly replayed: number };
}

export class ChannelTracker {
  position: StreamPosition | undefined;
  private waiting = false;
  private buffer: Incoming[] = [];
  private overflow = false;
  private stalled = false;
  private recovery: boolean | null = null;
  private syncing = false;
  private replayed = 0;
  private readonly recentIds = new RecentIds(256);
  /** Sessions in a row cut as a slow consumer while recovering without progress. */
  private stalls = 0;
  /** The last session ended while recovering without progress (a stall, if it was a slow-consumer cut). */
  private suspect = false;
  private startOffset: StreamPosition | undefined;
  /** Epochs this channel moved away from: late messages of theirs are dropped. */
  private readonly retired = new Set<string>();

  constructor(
    private readonly maxBuffer = 5000,
    private readonly maxStalls = 3,
  ) {}

  /** Whether the next sync should give up recovering (see the file comment). */
  get givingUp(): boolean {
    return this.stalls >= this.maxStalls;
  }

  /** The position to recover from in the next hello/join, or undefined (none, or giving up). */
  get since(): StreamPosition | undefined {
    return this.givingUp ? undefined : this.position;
  }

  /** The session ended: remember whether it was recovering without progress, then reset(). */
  sessionEnded(): void {
    const moved = !samePosition(this.startOffset, this.position);
    this.suspect = this.waiting && !moved;
    if (moved) this.stalls = 0;
    this.reset();
  }

  /** The last session was cut as a slow consumer: if it was stuck recovering, that is a stall. */
  cutAsSlow(): void {
    if (this.suspect) this.stalls++;
    this.suspect = false;
  }

  /** Whether a sync or history request is pending. */
  get pending(): boolean {
    return this.waiting;
  }

  /** A hello/join for this channel is about to be sent: hold live messages back until synced(). */
  begin(): void {
    this.reset();
    this.startOffset = this.position;
    this.waiting = true;
    this.syncing = true;
    this.recovery = null;
    this.replayed = 0;
  }

  /** The session ended: forget held messages (recovery will bring them back). */
  reset(): void {
    this.waiting = false;
    this.syncing = false;
    this.buffer = [];
    this.overflow = false;
    this.stalled = false;
  }

  /** The relay asked for a resync (its Redis connection dropped): fetch history from the position. */
  resync(): Step {
    const step: Step = { deliver: [] };
    if (!this.waiting && this.position) this.ask(step);
    return step;
  }

  live(message: Incoming): Step {
    const step: Step = { deliver: [] };
    if (this.waiting) this.hold(message);
    else this.accept(message, step);
    return step;
  }

  /** The answer to a hello/join (`fromHistory` false) or to a history request. */
  synced(input: SyncInput, fromHistory: boolean): Step {
    const step: Step = { deliver: [] };
    this.waiting = false;
    if (!fromHistory) this.recovery = input.recovered ?? null;
    // Gave up: this sync asked for no history; a moved position below is reported as a gap.
    if (!fromHistory && this.givingUp) this.stalls = 0;
    if (this.isGap(input)) {
      const previous = this.position;
      if (!fromHistory) this.recovery = false;
      if (previous && previous.epoch !== input.position.epoch) {
        // History before the new epoch is lost (a gap); the new epoch's own events are not.
        this.retired.add(previous.epoch);
        this.position = { offset: 0, epoch: input.position.epoch };
        step.gap = { position: this.position, at: 0 };
        if (input.position.offset > 0) return this.ask(step);
      } else {
        this.position = input.position;
        step.gap = { position: input.position, at: 0 };
      }
    } else {
      this.replay(input, step);
      this.stalled = fromHistory && input.messages.length === 0;
      if (input.more) return this.ask(step);
    }
    this.flush(step);
    this.stalled = false;
    if (!this.waiting && this.overflow) {
      this.overflow = false;
      this.ask(step);
    }
    if (this.waiting) return step;
    step.idle = true;
    if (this.syncing) step.settled = { recovered: this.recovery, replayed: this.replayed };
    this.syncing = false;
    return step;
  }

  private isGap(input: SyncInput): boolean {
    if (input.recovered === false) return true;
    if (input.recovered === true || !this.position) return false;
    const { offset, epoch } = input.position;
    return epoch !== this.position.epoch || offset !== this.position.offset;
  }

  private replay(input: SyncInput, step: Step): void {
    if (input.recovered === undefined) {
      this.position = input.position;
      return;
    }
    for (const message of input.messages) {
      const p = message.position;
      if (!p || (this.position && p.epoch === this.position.epoch && p.offset <= this.position.offset))
        continue;
      this.advance(message, p, step);
      this.replayed++;
    }
    // A rewind (a join without a position of ours) that replayed nothing starts at the relay's.
    if (!this.position && !input.more) this.position = input.position;
  }

  private ask(step: Step): Step {
    this.waiting = true;
    if (this.position) step.history = this.position;
    return step;
  }

  private hold(message: Incoming): void {
    if (this.buffer.length < this.maxBuffer) this.buffer.push(message);
    else this.overflow = true;
  }

  private flush(step: Step): void {
    const held = this.buffer;
    this.buffer = [];
    for (let i = 0; i < held.length; i++) {
      if (this.waiting) {
        this.buffer.push(...held.slice(i));
        return;
      }
      this.accept(held[i] as Incoming, step, true);
    }
  }

  /** Delivers a message with a position: the position moves to it and keeps its event id. */
  private advance(message: Incoming, p: StreamPosition, step: Step): void {
    const id = message.envelope?.id;
    this.position = id === undefined ? p : { ...p, id };
    if (id !== undefined) this.recentIds.add(id);
    step.deliver.push(message);
  }

  private accept(message: Incoming, step: Step, afterSync = false): void {
    const p = message.position;
    const current = this.position;
    if (!p) {
      if (message.envelope && this.recentIds.add(message.envelope.id)) step.deliver.push(message);
      return;
    }
    const foreign = current !== undefined && p.epoch !== current.epoch;
    if (current && !foreign && p.offset <= current.offset) {
      if (!afterSync && !this.isKnown(message)) this.ask(step);
      return;
    }
    if (!current || (!foreign && (p.offset === current.offset + 1 || follows(message, current)))) {
      this.advance(message, p, step);
      return;
    }
    if (foreign && this.retired.has(p.epoch)) return;
    if (!(afterSync && this.stalled)) {
      this.askWith(message, step);
      return;
    }
    // The relay just answered that nothing is missing, yet this message does not follow.
    if (foreign) {
      this.retired.add(p.epoch);
      return;
    }
    step.gap = { position: p, at: step.deliver.length };
    this.advance(message, p, step);
  }

  /** An old offset whose event was delivered recently: a plain duplicate (no id: nothing to check). */
  private isKnown(message: Incoming): boolean {
    return message.envelope === null || this.recentIds.has(message.envelope.id);
  }

  private askWith(message: Incoming, step: Step): void {
    this.hold(message);
    this.ask(step);
  }
}

/** A conflated message: everything between the position and it was superseded, not lost. */
function follows(message: Incoming, current: StreamPosition): boolean {
  return message.after !== undefined && message.after <= current.offset;
}

function samePosition(a: StreamPosition | undefined, b: StreamPosition | undefined): boolean {
  return a?.offset === b?.offset && a?.epoch === b?.epoch;
}

/** The last `size` ids seen, for de-duplicating messages that have no offset. */
export class RecentIds {
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];

  constructor(private readonly size: number) {}

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** False when the id was seen recently. */
  add(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    this.order.push(id);
    if (this.order.length > this.size) this.seen.delete(this.order.shift() as string);
    return true;
  }
}
