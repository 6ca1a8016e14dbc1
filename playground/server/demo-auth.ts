/**
 * DEMO-ONLY sign-in: anyone can be any of the demo users, no password. It mints short-lived
 * HS256 tokens the relay verifies. A real product issues tokens from its own auth service; this
 * module never ships as the relay's auth.
 */
import { jwtVerify } from "jose";
import { createDevToken } from "../../relay/index.js";

export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly roles: readonly string[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: "alice", name: "Alice", color: "#7c3aed", roles: [] },
  { id: "bob", name: "Bob", color: "#0891b2", roles: [] },
  { id: "carol", name: "Carol (admin)", color: "#ea580c", roles: ["admin"] },
];

export interface DemoAuth {
  readonly users: readonly DemoUser[];
  /** A token for a demo user, or null when the id is not one of them. */
  signIn(userId: string): Promise<{ token: string; user: DemoUser; expiresAt: number } | null>;
  /** The user id of a valid demo token, or null. */
  verify(authorization: string | undefined): Promise<string | null>;
}

export function createDemoAuth(secret: string, ttlSeconds: number): DemoAuth {
  const key = new TextEncoder().encode(secret);
  return {
    users: DEMO_USERS,
    async signIn(userId) {
      const user = DEMO_USERS.find((u) => u.id === userId);
      if (!user) return null;
      const token = await createDevToken({
        sub: user.id,
        secret,
        ttl: ttlSeconds,
        rooms: ["photo:*"],
        publish: ["photo:*"],
        roles: user.roles,
        info: { name: user.name, color: user.color },
      });
      return { token, user, expiresAt: Date.now() + ttlSeconds * 1000 };
    },
    async verify(authorization) {
      const token = authorization?.startsWith("Bearer ") ? authorization.slice(7) : undefined;
      if (!token) return null;
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
        return typeof payload.sub === "string" ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
