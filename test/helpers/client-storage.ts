/**
 * A Web Storage (localStorage) implementation in memory, for tests of the outbox's persistence
 * in Node: one instance stands for one browser profile, shared across "page reloads".
 */
import type { StorageLike } from "../../client/outbox-storage.js";

export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();
  /** setItem calls that failed on purpose (quota tests). */
  failWrites = false;

  get length(): number {
    return this.items.size;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    if (this.failWrites) throw new Error("QuotaExceededError");
    this.items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }
}
