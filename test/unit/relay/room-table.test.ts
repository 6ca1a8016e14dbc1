import { describe, expect, it } from "vitest";
import { RoomTable } from "../../../relay/edge/connection/room-table.js";

describe("RoomTable (a socket's rooms)", () => {
  it("behaves like a Map for set, get, has, delete, size and iteration order", () => {
    const table = new RoomTable<number>();
    const map = new Map<string, number>();
    const steps: [string, string, number?][] = [
      ["set", "a", 1],
      ["set", "b", 2],
      ["set", "a", 3],
      ["set", "c", 4],
      ["delete", "b"],
      ["delete", "zz"],
      ["set", "b", 5],
      ["delete", "a"],
    ];
    for (const [op, name, value] of steps) {
      if (op === "set") {
        table.set(name, value ?? 0);
        map.set(name, value ?? 0);
      } else {
        expect(table.delete(name)).toBe(map.delete(name));
      }
      expect(table.size).toBe(map.size);
      expect([...table]).toEqual([...map]);
      expect([...table.keys()]).toEqual([...map.keys()]);
      expect([...table.values()]).toEqual([...map.values()]);
      for (const key of ["a", "b", "c", "zz"]) {
        expect(table.has(key)).toBe(map.has(key));
        expect(table.get(key)).toBe(map.get(key));
      }
    }
  });

  it("iterates a snapshot: deleting while visiting visits every entry once", () => {
    const table = new RoomTable<string>();
    for (const name of ["x", "y", "z"]) table.set(name, name.toUpperCase());
    const seen: string[] = [];
    for (const [name] of table) {
      seen.push(name);
      table.delete(name);
    }
    expect(seen).toEqual(["x", "y", "z"]);
    expect(table.size).toBe(0);
  });
});
