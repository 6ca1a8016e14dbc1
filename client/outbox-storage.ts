/**
 * Where the outbox keeps publishes across page reloads. The interface is asynchronous so an
 * IndexedDB implementation fits; the localStorage one ships. One key per message
 * (`<prefix><id>`), so tabs sharing the storage never overwrite each other's entries; a message
 * sent by two tabs arrives once (the relay de-duplicates by id).
 */
import { isId } from "../protocol/ids.js";

/** A publish as stored: `data` is already serialised JSON. */
export interface OutboxRecord {
  readonly id: string;
  readonly type: string;
  readonly room: string;
  readonly data: string;
  readonly createdAt: number;
  readonly traceId?: string;
}

export interface OutboxStorage {
  /** Every stored record (any order; the outbox sorts them by id, which sorts by creation time). */
  load(): Promise<readonly OutboxRecord[]>;
  add(record: OutboxRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The part of the Web Storage API this needs (window.localStorage, or any implementation). */
export type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

export interface LocalStorageOutboxOptions {
  /** Key prefix; use one per bus if a page runs several. Default "event-bus:outbox:". */
  readonly prefix?: string;
  /** Default: globalThis.localStorage. */
  readonly storage?: StorageLike;
}

export function localStorageOutbox(options: LocalStorageOutboxOptions = {}): OutboxStorage {
  const prefix = options.prefix ?? "event-bus:outbox:";
  const storage = (): StorageLike => {
    const found = options.storage ?? (globalThis as { localStorage?: StorageLike }).localStorage;
    if (!found) throw new Error("localStorage is not available here; pass `storage`.");
    return found;
  };
  return {
    async load() {
      const store = storage();
      const records: OutboxRecord[] = [];
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        if (key === null || !key.startsWith(prefix)) continue;
        const record = parseRecord(store.getItem(key));
        if (record) records.push(record);
      }
      return records;
    },
    async add(record) {
      storage().setItem(prefix + record.id, JSON.stringify(record));
    },
    async remove(id) {
      storage().removeItem(prefix + id);
    },
  };
}

/** In-memory storage with the same behaviour (tests, or a bus that must not persist). */
export function memoryOutbox(): OutboxStorage {
  const records = new Map<string, OutboxRecord>();
  return {
    load: async () => [...records.values()],
    add: async (record) => void records.set(record.id, record),
    remove: async (id) => void records.delete(id),
  };
}

function parseRecord(text: string | null): OutboxRecord | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<OutboxRecord> | null;
    if (
      value &&
      isId(value.id) &&
      typeof value.type === "string" &&
      typeof value.room === "string" &&
      typeof value.data === "string" &&
      typeof value.createdAt === "number"
    ) {
      return value as OutboxRecord;
    }
  } catch {
    // a foreign or corrupted entry under our prefix: ignore it
  }
  return undefined;
}
