/**
 * Per-socket, per-user and per-address limits: token buckets (one per socket for inbound frames, with
 * a second that counts refused frames — a client that keeps flooding after being refused is
 * disconnected; keyed buckets for users' publish bytes and addresses' handshakes), and the per-user
 * connection index. On the injected clock.
 */
import { type Clock, systemClock } from "../../../common/clock.js";

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: Pick<Clock, "now"> = systemClock,
  ) {
    this.tokens = capacity;
    this.updatedAt = clock.now();
  }

  /** Takes `count` tokens (default one); false, taking nothing, when fewer are left. */
  take(count = 1): boolean {
    this.refill();
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Whether the bucket is full again (an idle bucket can be forgotten). */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.capacity;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
  }
}

/**
 * Token buckets by key (an address, a user id), created on first use and forgotten once full again
 * (so a key's budget survives reconnects, and idle keys cost nothing). At most `maxKeys` buckets:
 * past that, new keys share one overflow bucket (an attacker with many addresses cannot grow memory).
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly overflow: TokenBucket;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly clock: Pick<Clock, "now"> = systemClock,
    private readonly maxKeys = 100_000,
  ) {
    this.overflow = new TokenBucket(capacity, perSecond, clock);
  }

  take(key: string, count = 1): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.forgetFull();
      if (this.buckets.size >= this.maxKeys) return this.overflow.take(count);
      bucket = new TokenBucket(this.capacity, this.perSecond, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.take(count);
  }

  /** Drops the buckets that are full again (run now and then; cost O(keys)). */
  forgetFull(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

export type RateVerdict = "ok" | "limited" | "flood";

export interface RateOptions {
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly floodTolerance: number;
}

/**
 * Frames allowed by a rate bucket; refused frames drain a tolerance bucket (refilling at a tenth of
 * its size per second), and when that is empty too: flood. Both buckets live in one small object
 * (one per socket), the options and clock are shared.
 */
export class FrameRateLimiter {
  private frames: number;
  private refusals: number;
  private updatedAt: number;

  constructor(
    private readonly options: RateOptions,
    private readonly clock: Pick<Clock, "now"> = systemClock,
  ) {
    this.frames = options.rateBurst;
    this.refusals = options.floodTolerance;
    this.updatedAt = clock.now();
  }

  check(): RateVerdict {
    const now = this.clock.now();
    const seconds = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    const { rateBurst, ratePerSecond, floodTolerance } = this.options;
    this.frames = Math.min(rateBurst, this.frames + seconds * ratePerSecond);
    this.refusals = Math.min(floodTolerance, this.refusals + (seconds * floodTolerance) / 10);
    if (this.frames >= 1) {
      this.frames -= 1;
      return "ok";
    }
    if (this.refusals >= 1) {
      this.refusals -= 1;
      return "limited";
    }
    return "flood";
  }

  /**
   * Charges `count` more frames after the fact (a `history` page by the bytes it returned): the
   * socket's next frames are refused until the bucket refilled. Never below one burst of debt.
   */
  charge(count: number): void {
    this.frames = Math.max(-this.options.rateBurst, this.frames - count);
  }
}

/** Live connections per user on this relay (a user with one connection costs no Set). */
export class ConnectionIndex<T extends object> {
  private readonly byUser = new Map<string, T | Set<T>>();

  count(userId: string): number {
    const entry = this.byUser.get(userId);
    if (entry === undefined) return 0;
    return entry instanceof Set ? entry.size : 1;
  }

  add(userId: string, connection: T): void {
    const entry = this.byUser.get(userId);
    if (entry === undefined) this.byUser.set(userId, connection);
    else if (entry instanceof Set) entry.add(connection);
    else if (entry !== connection) this.byUser.set(userId, new Set([entry, connection]));
  }

  remove(userId: string, connection: T): void {
    const entry = this.byUser.get(userId);
    if (entry === connection) this.byUser.delete(userId);
    else if (entry instanceof Set && entry.delete(connection) && entry.size === 0) this.byUser.delete(userId);
  }

  of(userId: string): readonly T[] {
    const entry = this.byUser.get(userId);
    if (entry === undefined) return [];
    return entry instanceof Set ? [...entry] : [entry];
  }

  get users(): number {
    return this.byUser.size;
  }
}
