import { describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  ERROR_SPECS,
  EventBusError,
  isEventBusError,
  toEventBusError,
} from "../../../protocol/errors.js";

describe("EventBusError", () => {
  it("puts the code, the problem and the hint in the message", () => {
    const error = new EventBusError("FORBIDDEN", "Room 'photo:2' is not in the token's rooms claim.");
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toBe(
      `FORBIDDEN: Room 'photo:2' is not in the token's rooms claim. ${ERROR_SPECS.FORBIDDEN.hint}`,
    );
    expect(error.retryable).toBe(false);
    expect(isEventBusError(error, "FORBIDDEN")).toBe(true);
    expect(isEventBusError(error, "TIMEOUT")).toBe(false);
  });

  it("takes a hint that fits the cause in place of the code's default", () => {
    const error = new EventBusError("BROKER_UNAVAILABLE", "Redis refused the password (WRONGPASS).", {
      hint: "Correct the password in the URL.",
    });
    expect(error.hint).toBe("Correct the password in the URL.");
    expect(error.message).toBe(
      "BROKER_UNAVAILABLE: Redis refused the password (WRONGPASS). Correct the password in the URL.",
    );
    expect(error.retryable).toBe(true);
  });

  it("every code has a message that ends a sentence and a hint", () => {
    for (const code of ERROR_CODES) {
      const { message, hint } = ERROR_SPECS[code];
      expect(message, code).toMatch(/\.$/);
      expect(hint.length, code).toBeGreaterThan(10);
    }
  });

  it("survives the wire", () => {
    const original = new EventBusError("RATE_LIMITED");
    const back = EventBusError.fromWire(JSON.parse(JSON.stringify(original.toWire())));
    expect(back.code).toBe("RATE_LIMITED");
    expect(back.message).toBe(original.message);
    expect(back.retryable).toBe(true);
  });

  it("turns unknown wire errors into INTERNAL instead of trusting them", () => {
    expect(EventBusError.fromWire({ code: "NOPE", message: "x" }).code).toBe("INTERNAL");
    expect(EventBusError.fromWire("boom").message).toContain("boom");
    expect(EventBusError.fromWire(null).code).toBe("INTERNAL");
  });

  it("wraps foreign errors with a fallback code and keeps the cause", () => {
    const cause = new Error("ECONNREFUSED");
    const wrapped = toEventBusError(cause, "BROKER_UNAVAILABLE");
    expect(wrapped.code).toBe("BROKER_UNAVAILABLE");
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.message).toContain("ECONNREFUSED");
    const same = new EventBusError("TIMEOUT");
    expect(toEventBusError(same)).toBe(same);
  });
});
