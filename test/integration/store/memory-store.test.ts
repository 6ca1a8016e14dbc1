import { expect, it } from "vitest";
import { MemoryEventStore } from "../../../relay/store/memory-store.js";
import { describeStoreContract, records } from "./store-contract.js";

describeStoreContract("memory", async () => ({
  store: async () => new MemoryEventStore(),
  teardown: async () => {},
}));

it("keeps the newest maxEvents events", async () => {
  const store = new MemoryEventStore(3);
  await store.append(records(Array.from({ length: 5 }, (_, second) => ({ type: "a.b", second }))));
  const { events } = await store.read({});
  expect(events.map((e) => (e.data as { n: number }).n)).toEqual([2, 3, 4]);
  expect(store.size).toBe(3);
});
