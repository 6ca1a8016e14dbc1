import { describe, expect, it } from "vitest";
import { channelKeys, channelNames } from "../../../protocol/channels.js";
import { EventBusError } from "../../../protocol/errors.js";
import {
  assertEventType,
  assertRoomName,
  isEventType,
  isRoleName,
  isRoomName,
  isUserId,
} from "../../../protocol/names.js";

describe("names", () => {
  it("accepts dotted event types and rejects globs, colons and reserved names", () => {
    for (const ok of ["photo.uploaded", "photo.processing.completed", "a", "user_registered", "v2-x.y"]) {
      expect(isEventType(ok), ok).toBe(true);
    }
    for (const bad of [
      "",
      "photo.*",
      "photo..x",
      ".photo",
      "photo.",
      "user:1",
      "a b",
      "broadcast",
      "$x",
      "p?",
    ]) {
      expect(isEventType(bad), bad).toBe(false);
    }
    expect(isEventType("a".repeat(128))).toBe(true);
    expect(isEventType("a".repeat(129))).toBe(false);
    expect(isEventType(42)).toBe(false);
  });

  it("accepts room names with colons but never glob characters, braces or whitespace", () => {
    for (const ok of ["photo:1", "team:42", "session:abc123", "a@b.c", "x|y", "x/y"]) {
      expect(isRoomName(ok), ok).toBe(true);
    }
    for (const bad of ["", "photo:*", "a?", "[a]", "a\\b", "{x}", "a b", "a\nb", "é", "x".repeat(129)]) {
      expect(isRoomName(bad), bad).toBe(false);
    }
    expect(isUserId("auth0|123")).toBe(true);
    expect(isRoleName("admin")).toBe(true);
    expect(isRoleName("admin:x")).toBe(false);
  });

  it("explains why a name was rejected", () => {
    expect(() => assertRoomName("photo:*")).toThrow(
      /INVALID_ROOM: Room name "photo:\*" contains a character/,
    );
    expect(() => assertRoomName("")).toThrow(/must not be empty/);
    expect(() => assertRoomName("x".repeat(200))).toThrow(/longer than 128 characters/);
    expect(() => assertEventType(7)).toThrow(/must be a string, got number/);
    expect(() => assertEventType("broadcast")).toThrow(/is reserved/);
    try {
      assertEventType("bad type");
    } catch (error) {
      expect(error).toBeInstanceOf(EventBusError);
      expect((error as EventBusError).code).toBe("INVALID_TYPE");
    }
  });
});

describe("channels", () => {
  const plain = channelNames();
  const prefixed = channelNames("app1:");

  it("builds every channel kind, with and without a prefix", () => {
    expect(plain.event("photo.uploaded")).toBe("photo.uploaded");
    expect(plain.user("u1")).toBe("user:u1");
    expect(plain.room("photo:1")).toBe("room:photo:1");
    expect(plain.role("admin")).toBe("role:admin");
    expect(plain.broadcast).toBe("broadcast");
    expect(prefixed.room("photo:1")).toBe("app1:room:photo:1");
    expect(prefixed.broadcast).toBe("app1:broadcast");
  });

  it("parses what it builds, and nothing else", () => {
    expect(plain.parse("room:photo:1")).toEqual({ kind: "room", name: "photo:1", recoverable: true });
    expect(plain.parse("user:u1")).toEqual({ kind: "user", name: "u1", recoverable: true });
    expect(plain.parse("broadcast")).toEqual({ kind: "broadcast", name: "", recoverable: true });
    expect(plain.parse("photo.uploaded")).toEqual({
      kind: "event",
      name: "photo.uploaded",
      recoverable: false,
    });
    expect(plain.parse("room:*")).toBeNull();
    expect(plain.parse("secret:x")).toBeNull();
    expect(prefixed.parse("room:photo:1")).toBeNull();
    expect(prefixed.parse("app1:role:admin")?.kind).toBe("role");
    expect(prefixed.isRecoverable("app1:user:u1")).toBe(true);
    expect(prefixed.isRecoverable("app1:photo.uploaded")).toBe(false);
  });

  it("refuses to build a channel from a smuggled name", () => {
    expect(() => plain.user("u1:room:x")).not.toThrow(); // stays inside user:… — still one user's channel
    expect(plain.parse(plain.user("u1:room:x"))).toEqual({
      kind: "user",
      name: "u1:room:x",
      recoverable: true,
    });
    expect(() => plain.room("x*")).toThrow(/INVALID_ROOM/);
    expect(() => plain.event("user:u2")).toThrow(/INVALID_TYPE/);
    expect(() => channelNames("bad prefix")).toThrow(/CONFIG_INVALID/);
  });

  it("gives a channel's keys the channel as hash tag", () => {
    const keys = channelKeys("room:photo:1");
    expect(keys.history).toBe("{room:photo:1}:history");
    expect(keys.epoch).toBe("{room:photo:1}:epoch");
    expect(keys.presence).toBe("{room:photo:1}:presence");
    expect(() => channelKeys("a{b}")).toThrow(/INVALID_CHANNEL/);
  });
});
