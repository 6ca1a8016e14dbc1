/** Background promises (cleanups after a disconnect) that the relay awaits before closing. */
export class TaskSet {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks a promise; its rejection is passed to `onError` and never left unhandled. */
  track(promise: Promise<unknown>, onError: (error: unknown) => void): void {
    const tracked = promise.catch(onError).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once every tracked promise (including ones added meanwhile) settled. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
