/**
 * Per-socket and per-user limits: a token bucket for inbound frames, a second bucket that counts
 * refused frames (a client that keeps flooding after being refused is disconnected), and the
 * per-user connection index. Injectable clock for tests.
 */
export type Clock = () => number;

/** A token bucket: `capacity` tokens, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: Clock = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export type RateVerdict = "ok" | "limited" | "flood";

/** Frames allowed by the rate bucket; refused frames drain a tolerance bucket, and then: flood. */
export class FrameRateLimiter {
  private readonly frames: TokenBucket;
  private readonly refusals: TokenBucket;

  constructor(
    options: { ratePerSecond: number; rateBurst: number; floodTolerance: number },
    now: Clock = Date.now,
  ) {
    this.frames = new TokenBucket(options.rateBurst, options.ratePerSecond, now);
    this.refusals = new TokenBucket(options.floodTolerance, options.floodTolerance / 10, now);
  }

  check(): RateVerdict {
    if (this.frames.take()) return "ok";
    return this.refusals.take() ? "limited" : "flood";
  }
}

/** Live connections per user on this relay. */
export class ConnectionIndex<T> {
  private readonly byUser = new Map<string, Set<T>>();

  count(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  add(userId: string, connection: T): void {
    let set = this.byUser.get(userId);
    if (!set) {
      set = new Set();
      this.byUser.set(userId, set);
    }
    set.add(connection);
  }

  remove(userId: string, connection: T): void {
    const set = this.byUser.get(userId);
    if (set?.delete(connection) && set.size === 0) this.byUser.delete(userId);
  }

  of(userId: string): readonly T[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  get users(): number {
    return this.byUser.size;
  }
}
