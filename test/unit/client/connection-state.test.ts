import { describe, expect, it } from "vitest";
import {
  type ConnectionEvent,
  type ConnectionState,
  type ConnectionStatus,
  INITIAL_STATE,
  TABLE,
  transition,
} from "../../../client/connection-state.js";

const run = (events: ConnectionEvent["type"][], from: ConnectionState = INITIAL_STATE) =>
  events.reduce((state, type) => transition(state, { type } as ConnectionEvent).state, from);

const kinds = (state: ConnectionState, type: ConnectionEvent["type"]) =>
  transition(state, { type } as ConnectionEvent).commands.map((c) =>
    c.kind === "schedule" ? `schedule(${c.attempt})` : c.kind,
  );

describe("connection state machine", () => {
  it("connects: idle → connecting → connected, opening a transport once", () => {
    expect(kinds(INITIAL_STATE, "connect")).toEqual(["cancel", "teardown", "open"]);
    const connected = run(["connect", "opened"]);
    expect(connected).toMatchObject({ status: "connected", attempt: 0, opening: false });
  });

  it("backs off with a growing attempt count, and resets it once connected", () => {
    let state = run(["connect", "opened"]);
    expect(kinds(state, "failed")).toEqual(["teardown", "schedule(0)"]);
    state = run(["failed"], state);
    expect(state).toMatchObject({ status: "reconnecting", attempt: 1, opening: false });
    expect(kinds(state, "retry")).toEqual(["cancel", "open"]);
    state = run(["retry"], state);
    expect(kinds(state, "failed")).toEqual(["teardown", "schedule(1)"]);
    state = run(["failed", "retry", "failed", "retry"], state);
    expect(state).toMatchObject({ status: "reconnecting", attempt: 3, opening: true });
    expect(run(["opened"], state)).toMatchObject({ status: "connected", attempt: 0 });
  });

  it("a first attempt that fails goes to reconnecting", () => {
    expect(run(["connect", "failed"])).toMatchObject({ status: "reconnecting", attempt: 1 });
  });

  it("ignores a retry while an attempt is under way, and a stray failure while waiting", () => {
    const opening = run(["connect", "opened", "failed", "retry"]);
    expect(transition(opening, { type: "retry" }).commands).toEqual([]);
    const waiting = run(["connect", "opened", "failed"]);
    expect(transition(waiting, { type: "failed" })).toEqual({ state: waiting, commands: [] });
  });

  it("authentication failures stop the loop: unauthorized, no retry scheduled, wake-ups ignored", () => {
    for (const path of [
      ["connect"],
      ["connect", "opened"],
      ["connect", "opened", "failed", "retry"],
    ] as const) {
      const state = run([...path]);
      expect(kinds(state, "rejected")).toEqual(["cancel", "teardown"]);
      const unauthorized = run(["rejected"], state);
      expect(unauthorized.status).toBe("unauthorized");
      expect(transition(unauthorized, { type: "retry" }).commands).toEqual([]);
      expect(transition(unauthorized, { type: "failed" }).commands).toEqual([]);
      expect(run(["connect"], unauthorized)).toMatchObject({ status: "connecting", opening: true });
    }
  });

  it("reconnect() from connected says reconnecting, from elsewhere connecting", () => {
    expect(run(["connect", "opened", "connect"]).status).toBe("reconnecting");
    expect(run(["connect", "disconnect", "connect"]).status).toBe("connecting");
  });

  it("disconnect stops everything until connect; close is final", () => {
    const state = run(["connect", "opened", "failed"]);
    expect(kinds(state, "disconnect")).toEqual(["cancel", "teardown"]);
    expect(run(["disconnect"], state).status).toBe("disconnected");
    const closed = run(["close"], state);
    expect(closed).toMatchObject({ status: "disconnected", closed: true });
    for (const type of ["connect", "opened", "failed", "retry", "rejected", "disconnect", "close"] as const) {
      expect(transition(closed, { type })).toEqual({ state: closed, commands: [] });
    }
  });

  it("has a row for every status and only opens a transport from a start or a retry", () => {
    const statuses: ConnectionStatus[] = [
      "idle",
      "connecting",
      "connected",
      "reconnecting",
      "disconnected",
      "unauthorized",
    ];
    expect(Object.keys(TABLE).sort()).toEqual([...statuses].sort());
    for (const status of statuses) {
      for (const type of ["connect", "opened", "failed", "rejected", "retry", "disconnect"] as const) {
        const state = { ...INITIAL_STATE, status, opening: status === "connecting" };
        const opens = transition(state, { type }).commands.some((c) => c.kind === "open");
        if (opens) expect(["connect", "retry"]).toContain(type);
      }
    }
  });
});
