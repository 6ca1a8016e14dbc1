import { describe, expect, it } from "vitest";
import { claimsAllow, roomAccess } from "../../../relay/edge/authorize.js";

describe("room authorization", () => {
  const claims = { sub: "u1", rooms: ["photo:*", "team:42"], publish: ["photo:[0-9]*"] };

  it("matches room names against the claims' Redis globs", () => {
    expect(claimsAllow(claims, "join", "photo:1")).toBe(true);
    expect(claimsAllow(claims, "join", "team:42")).toBe(true);
    expect(claimsAllow(claims, "join", "team:421")).toBe(false);
    expect(claimsAllow(claims, "join", "user:u2")).toBe(false);
    expect(claimsAllow(claims, "publish", "photo:7")).toBe(true);
    expect(claimsAllow(claims, "publish", "photo:x")).toBe(false);
    expect(claimsAllow({ sub: "u1" }, "join", "photo:1")).toBe(false);
  });

  it("lets a hook allow more or refuse what the claims allow", async () => {
    const calls: unknown[] = [];
    const access = roomAccess({ userId: "u1", claims }, (user, action, room, allowed) => {
      calls.push([user.userId, action, room, allowed]);
      return room === "vip:1" || (allowed && room !== "photo:banned");
    });
    expect(await access.allows("join", "vip:1")).toBe(true);
    expect(await access.allows("join", "photo:banned")).toBe(false);
    expect(await access.allows("join", "photo:2")).toBe(true);
    expect(calls[0]).toEqual(["u1", "join", "vip:1", false]);
  });
});
