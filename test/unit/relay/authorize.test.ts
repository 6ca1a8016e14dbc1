import { describe, expect, it } from "vitest";
import { type AuthorizeHook, claimsAllow, isAllowed } from "../../../relay/auth/authorize.js";

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
    const hook: AuthorizeHook = (user, action, room, allowed) => {
      calls.push([user.userId, action, room, allowed]);
      return room === "vip:1" || (allowed && room !== "photo:banned");
    };
    const user = { userId: "u1", claims };
    expect(await isAllowed(user, hook, "join", "vip:1")).toBe(true);
    expect(await isAllowed(user, hook, "join", "photo:banned")).toBe(false);
    expect(await isAllowed(user, hook, "join", "photo:2")).toBe(true);
    expect(await isAllowed(user, undefined, "publish", "photo:2")).toBe(true);
    expect(calls[0]).toEqual(["u1", "join", "vip:1", false]);
  });
});
