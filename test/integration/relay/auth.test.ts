/**
 * Handshake security: every kind of bad token is refused with a coded connect_error, keys of each
 * family verify (HS secret, RS/ES/EdDSA PEM, JWKS URL), algorithm confusion and `alg: none` fail,
 * and the relay keeps serving a well-behaved client throughout.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDevToken } from "../../../relay/auth/dev-token.js";
import { closeAllClients, connectClient, connectError, type TestClient } from "../../helpers/relay-client.js";
import { publishEvent, startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

afterEach(() => closeAllClients());

describe("HS256 relay with issuer and audience", () => {
  let server: TestRelay;
  let bystander: TestClient;
  const good = (
    claims: { issuer?: string; audience?: string; ttl?: number; now?: number; notBefore?: number } = {},
  ) =>
    createDevToken({ sub: "u1", secret: TEST_SECRET, issuer: "auth.example", audience: "photos", ...claims });

  beforeAll(async () => {
    server = await startTestRelay({
      auth: { secret: TEST_SECRET, issuer: "auth.example", audience: "photos" },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("accepts a valid token and keeps serving while bad ones are refused", async () => {
    bystander = await connectClient(server.url, await good());
    await bystander.call("hello", {});
    const refusals = await Promise.all([
      connectError(server.url, {}),
      connectError(server.url, { token: "" }),
      connectError(server.url, { token: 42 }),
      connectError(server.url, { token: await good({ now: now() - 7200, ttl: 3600 }) }),
      connectError(server.url, { token: await good({ notBefore: now() + 3600 }) }),
      connectError(server.url, {
        token: await createDevToken({
          sub: "u1",
          secret: "another-secret-0123456789abcdefgh",
          issuer: "auth.example",
          audience: "photos",
        }),
      }),
      connectError(server.url, { token: await good({ issuer: "evil.example" }) }),
      connectError(server.url, { token: await good({ audience: "other-app" }) }),
      connectError(server.url, {
        token: `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "u1", exp: now() + 60, iss: "auth.example", aud: "photos" })}.`,
      }),
      connectError(server.url, { token: "not-a-jwt" }),
      connectError(server.url, { token: "x".repeat(20_000) }),
      connectError(server.url, { token: await good(), v: 99 }),
      // protocol 3 only: a version-2 client, or one that sends no version (version 1)
      connectError(server.url, { token: await good(), v: 2 }),
      connectError(server.url, { token: await good(), v: undefined }),
    ]);
    expect(refusals.map((r) => r.code)).toEqual([
      "TOKEN_MISSING",
      "TOKEN_MISSING",
      "TOKEN_MISSING",
      "TOKEN_EXPIRED",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "PROTOCOL_MISMATCH",
      "PROTOCOL_MISMATCH",
      "PROTOCOL_MISMATCH",
    ]);
    for (const refusal of refusals) expect(refusal.message).toMatch(/^[A-Z_]+: /);
    await publishEvent(server.broker, "user:u1", "notification.new", { title: "still here", message: "" });
    const [message] = await bystander.messages.waitFor(1);
    expect(message?.message.type).toBe("notification.new");
  });

  it("refuses tokens whose claims break the contract", async () => {
    const bad = async (claims: Record<string, unknown>) =>
      new SignJWT({ iss: "auth.example", aud: "photos", ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(TEST_SECRET));
    const refusals = await Promise.all([
      connectError(server.url, { token: await bad({}) }),
      connectError(server.url, { token: await bad({ sub: "has space" }) }),
      connectError(server.url, { token: await bad({ sub: "u1", rooms: "photo:*" }) }),
      connectError(server.url, { token: await bad({ sub: "u1", roles: ["ok", "not ok"] }) }),
      connectError(server.url, { token: await bad({ sub: "u1", info: { blob: "x".repeat(5000) } }) }),
    ]);
    expect(refusals.map((r) => r.code)).toEqual(Array(5).fill("TOKEN_INVALID"));
  });

  it("refuses tokens without exp by default", async () => {
    const token = await new SignJWT({ sub: "u1", iss: "auth.example", aud: "photos" })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await connectError(server.url, { token })).code).toBe("TOKEN_INVALID");
  });
});

describe("public-key relays", () => {
  const servers: TestRelay[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it.each([
    ["RS256", {}],
    ["ES256", {}],
    ["EdDSA", { crv: "Ed25519" }],
  ] as const)(
    "verifies %s tokens with a PEM key and refuses HS256 tokens made with that PEM",
    async (alg, options) => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
      const pem = await exportSPKI(publicKey);
      const server = await startTestRelay({ auth: { publicKey: pem } });
      servers.push(server);
      const token = await new SignJWT({ sub: "u1" })
        .setProtectedHeader({ alg })
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey);
      const client = await connectClient(server.url, token);
      expect((await client.call("hello", {})).userId).toBe("u1");
      const confused = await new SignJWT({ sub: "u1" })
        .setProtectedHeader({ alg: "HS256" })
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(pem));
      expect((await connectError(server.url, { token: confused })).code).toBe("TOKEN_INVALID");
    },
  );

  it("verifies tokens against a JWKS URL", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const jwks: Server = createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
      const server = await startTestRelay({ auth: { jwksUrl: url } });
      servers.push(server);
      const sign = (kid: string) =>
        new SignJWT({ sub: "u1" })
          .setProtectedHeader({ alg: "ES256", kid })
          .setExpirationTime("1h")
          .sign(privateKey);
      const client = await connectClient(server.url, await sign("k1"));
      expect((await client.call("hello", {})).userId).toBe("u1");
      expect((await connectError(server.url, { token: await sign("unknown") })).code).toBe("TOKEN_INVALID");
    } finally {
      jwks.closeAllConnections();
      await new Promise((resolve) => jwks.close(resolve));
    }
  });
});

describe("configuration", () => {
  it("refuses contradictory key settings at start", async () => {
    await expect(startTestRelay({ auth: {} })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(
      startTestRelay({ auth: { secret: TEST_SECRET, jwksUrl: "https://x" } }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    await expect(
      startTestRelay({ auth: { secret: TEST_SECRET, algorithms: ["RS256"] } }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
