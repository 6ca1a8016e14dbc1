/**
 * The pure pieces under the Redis brokers: cluster key slots and the ready
 * gate that queues operations during an outage.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../../common/clock.js";
import { ReadyGate } from "../../../relay/brokers/redis/redis-gate.js";
import { hashTagOf, keySlot } from "../../../relay/brokers/redis/redis-slot.js";

describe("keySlot", () => {
  it("matches the slots Redis documents and computes", () => {
    expect(keySlot("123456789")).toBe(0x31c3 % 16384); // the CRC16-XMODEM check value
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("bar")).toBe(5061);
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
  });

  it("hashes the first non-empty {tag}, so a channel and its keys share a slot", () => {
    expect(hashTagOf("{room:photo:1}:history")).toBe("room:photo:1");
    expect(keySlot("{room:photo:1}:history")).toBe(keySlot("room:photo:1"));
    expect(hashTagOf("{}x")).toBe("{}x");
    expect(hashTagOf("a{b")).toBe("a{b");
  });
});

describe("ReadyGate", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs at once when open, and queued operations in order when it opens", async () => {
    const gate = new ReadyGate({ maxQueued: 10, timeoutMs: 1000, clock: systemClock });
    const order: number[] = [];
    const op = (n: number) => async () => {
      order.push(n);
      return n;
    };
    const queued = [gate.run(op(1)), gate.run(op(2))];
    expect(order).toEqual([]);
    gate.open();
    expect(order).toEqual([1, 2]); // synchronously, oldest first
    void gate.run(op(3));
    expect(order).toEqual([1, 2, 3]);
    expect(await Promise.all(queued)).toEqual([1, 2]);
  });

  it("rejects with TIMEOUT after timeoutMs, BROKER_UNAVAILABLE when full, CLOSED once closed", async () => {
    const gate = new ReadyGate({ maxQueued: 2, timeoutMs: 1000, clock: systemClock });
    const ran = vi.fn(async () => "ran");
    const first = gate.run(ran);
    vi.advanceTimersByTime(500);
    const second = gate.run(ran);
    await expect(gate.run(ran)).rejects.toMatchObject({ code: "BROKER_UNAVAILABLE" });
    vi.advanceTimersByTime(500);
    await expect(first).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(gate.waiting).toBe(1);
    vi.advanceTimersByTime(500);
    await expect(second).rejects.toMatchObject({ code: "TIMEOUT" });
    gate.close();
    await expect(gate.run(ran)).rejects.toMatchObject({ code: "CLOSED" });
    expect(ran).not.toHaveBeenCalled();
  });
});
