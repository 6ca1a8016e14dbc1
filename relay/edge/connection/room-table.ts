/**
 * The rooms of one socket, by room name: the subset of a Map's interface the relay uses, kept as
 * one flat array of alternating names and entries. A socket joins a handful of rooms (at most
 * `maxRoomsPerSocket`), so a linear scan is as fast as hashing, and an idle connection with one room
 * holds a 2-slot array instead of a Map and its hash table (≈ 150 bytes less; docs/performance.md).
 */
export class RoomTable<V> {
  /** name0, value0, name1, value1, … */
  private slots: (string | V)[] = [];

  get size(): number {
    return this.slots.length / 2;
  }

  private indexOf(name: string): number {
    for (let i = 0; i < this.slots.length; i += 2) if (this.slots[i] === name) return i;
    return -1;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  get(name: string): V | undefined {
    const at = this.indexOf(name);
    return at < 0 ? undefined : (this.slots[at + 1] as V);
  }

  set(name: string, value: V): this {
    const at = this.indexOf(name);
    if (at >= 0) this.slots[at + 1] = value;
    else this.slots = this.slots.concat([name, value]); // copied at its exact size, no growth slack
    return this;
  }

  delete(name: string): boolean {
    const at = this.indexOf(name);
    if (at < 0) return false;
    this.slots = this.slots.slice(0, at).concat(this.slots.slice(at + 2));
    return true;
  }

  *entries(): IterableIterator<[string, V]> {
    // A snapshot: the table may change while its entries are visited (set and delete copy).
    const slots = this.slots;
    for (let i = 0; i < slots.length; i += 2) yield [slots[i] as string, slots[i + 1] as V];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
