/** The playground's Vite logger drops only routine WebSocket-proxy disconnects (playground/server/vite-logger.ts). */
import { describe, expect, it } from "vitest";
import { isRoutineProxyDisconnect } from "../../../playground/server/vite-logger.js";

const error = (code: string) => Object.assign(new Error(`read ${code}`), { code });

describe("isRoutineProxyDisconnect", () => {
  it("drops WebSocket proxy errors caused by the other end going away", () => {
    expect(isRoutineProxyDisconnect("ws proxy error:\nError: read ECONNRESET", error("ECONNRESET"))).toBe(
      true,
    );
    expect(isRoutineProxyDisconnect("ws proxy socket error:\nError: write EPIPE", error("EPIPE"))).toBe(true);
  });

  it("keeps proxy errors that point at a real problem, and every other message", () => {
    expect(isRoutineProxyDisconnect("ws proxy error:\nconnect ECONNREFUSED", error("ECONNREFUSED"))).toBe(
      false,
    );
    expect(isRoutineProxyDisconnect("http proxy error: /api/photos", error("ECONNRESET"))).toBe(false);
    expect(isRoutineProxyDisconnect("ws proxy error:", new Error("no code"))).toBe(false);
    expect(isRoutineProxyDisconnect("Pre-transform error: x", undefined)).toBe(false);
  });
});
