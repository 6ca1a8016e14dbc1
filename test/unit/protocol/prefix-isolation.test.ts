/**
 * Prefixes isolate tenants (issue 13, item 7): with tenant A on prefix `room:` and tenant B on no
 * prefix, B's room `user:bob` was A's user bob's channel. A prefix is now empty or one label and a
 * colon (never a channel kind or reserved key name), and for any two different valid prefixes no
 * channel one builds equals a channel the other builds — checked on generated names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { channelNames } from "../../../protocol/channels.js";
import { EventBusClient } from "../../../relay/backend/client.js";
import { resolveRelayOptions } from "../../../relay/edge/options.js";

const label = fc
  .stringMatching(/^[A-Za-z0-9_-]{1,12}$/)
  .filter((l) => !["user", "room", "role", "broadcast", "dead-letters"].includes(l));
const prefix = fc.oneof(
  fc.constant(""),
  label.map((l) => `${l}:`),
);
const name = fc.stringMatching(/^[A-Za-z0-9_\-.:@=+|/]{1,20}$/);
const type = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}(\.[a-z][a-z0-9_-]{0,8}){0,2}$/);

type Kind = "user" | "room" | "role" | "event" | "broadcast";
const channel = (p: string, kind: Kind, value: string): string => {
  const names = channelNames(p);
  switch (kind) {
    case "user":
      return names.user(value);
    case "room":
      return names.room(value);
    case "role":
      return names.role(value.replace(/[^A-Za-z0-9_-]/g, "x").slice(0, 64));
    case "event":
      return names.event(value);
    case "broadcast":
      return names.broadcast;
  }
};

describe("prefix isolation", () => {
  it("refuses prefixes that could address another tenant's channels", () => {
    for (const bad of [
      "room:",
      "user:",
      "role:",
      "broadcast:",
      "dead-letters:",
      "t1:room:x:",
      "app1",
      "a b:",
      "x.y:",
    ]) {
      expect(() => channelNames(bad), bad).toThrow(/CONFIG_INVALID/);
    }
    for (const good of ["", "app1:", "tenant_2:", "A-b:"]) expect(channelNames(good).prefix).toBe(good);
  });

  it("is enforced where relays and backends validate their config", () => {
    const auth = { secret: "0123456789abcdef0123456789abcdef" };
    expect(() => resolveRelayOptions({ auth, prefix: "room:" })).toThrow(/CONFIG_INVALID|Channel prefix/);
    expect(() => new EventBusClient({ serviceName: "s", broker: "memory", prefix: "room:" })).toThrow(
      /prefix/,
    );
  });

  it("two different prefixes never build the same channel (the issue's `room:` vs none, and any other)", () => {
    fc.assert(
      fc.property(
        prefix,
        prefix,
        fc.constantFrom<Kind>("user", "room", "role", "event", "broadcast"),
        fc.constantFrom<Kind>("user", "room", "role", "event", "broadcast"),
        name,
        name,
        type,
        (a, b, kindA, kindB, nameA, nameB, eventType) => {
          fc.pre(a !== b);
          const left = channel(a, kindA, kindA === "event" ? eventType : nameA);
          const right = channel(b, kindB, kindB === "event" ? eventType : nameB);
          expect(left).not.toBe(right);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
