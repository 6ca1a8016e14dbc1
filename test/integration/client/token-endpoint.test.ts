/**
 * Issuing tokens (docs/client.md): the documented Express endpoint, extracted from the doc and run
 * as written (on a stand-in for Express's few calls), mints with `createToken` tokens that a real
 * relay accepts, and the relay enforces their claims: rooms it may join, rooms it may publish to,
 * roles. A private key signs as well as a secret.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportPKCS8, exportSPKI, generateKeyPair } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createId } from "../../../protocol/ids.js";
import { createToken } from "../../../relay/backend/index.js";
import { docSnippet, writeSnippetModule } from "../../helpers/docs-snippets.js";
import { closeAllClients, connectClient, connectError } from "../../helpers/relay-client.js";
import { startTestRelay, TEST_SECRET, type TestRelay } from "../../helpers/relay-server.js";

let relay: TestRelay;
let endpoint: Server;
let endpointUrl: string;
const savedSecret = process.env.JWT_SECRET;

beforeAll(async () => {
  process.env.JWT_SECRET = TEST_SECRET;
  relay = await startTestRelay();
  const path = writeSnippetModule(
    "token-endpoint",
    docSnippet("client.md", "## Issuing tokens"),
    {
      express: "./test/helpers/express-stand-in.ts",
      "@shared-infra/event-bus/server": "./relay/backend/index.ts",
    },
    "export { app };",
  );
  const { app } = (await import(path)) as { app: { listen(): Promise<Server> } };
  endpoint = await app.listen();
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/api/event-token`;
});

afterAll(async () => {
  if (savedSecret === undefined) delete process.env.JWT_SECRET;
  else process.env.JWT_SECRET = savedSecret;
  await new Promise((resolve) => endpoint?.close(resolve));
  await relay?.close();
});

afterEach(() => closeAllClients());

/** What the browser's `getToken: () => fetch("/api/event-token").then((r) => r.text())` gets. */
function getToken(user?: object): Promise<Response> {
  return fetch(endpointUrl, user ? { headers: { "x-test-user": JSON.stringify(user) } } : {});
}

describe("the documented token endpoint", () => {
  it("answers 401 without a signed-in user", async () => {
    const response = await getToken();
    expect(response.status).toBe(401);
    expect(await response.text()).toBe("");
  });

  it("issues a token the relay accepts, whose claims the relay enforces", async () => {
    const response = await getToken({ id: "u1", teamId: "42", isAdmin: false });
    expect(response.status).toBe(200);
    const token = await response.text();
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    expect(payload.exp - payload.iat).toBe(15 * 60);
    const client = await connectClient(relay.url, token);
    const hello = await client.call("hello", {});
    expect(hello).toMatchObject({ userId: "u1", roles: [] });
    await expect(client.call("join", { room: "photo:7" })).resolves.toMatchObject({ room: "photo:7" });
    await expect(client.call("join", { room: "team:42" })).resolves.toMatchObject({ room: "team:42" });
    await expect(client.call("join", { room: "team:43" })).rejects.toMatchObject({
      error: { code: "FORBIDDEN" },
    });
    const publish = (room: string) =>
      client.request("publish", {
        id: createId(),
        type: "comment.added",
        data: { text: "hi" },
        room,
      });
    expect(await publish("photo:7")).toMatchObject({ ok: true });
    expect(await publish("team:42")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
  });

  it("gives roles to the users the endpoint says have them", async () => {
    const token = await (await getToken({ id: "ada", teamId: "1", isAdmin: true })).text();
    const client = await connectClient(relay.url, token);
    expect(await client.call("hello", {})).toMatchObject({ userId: "ada", roles: ["admin"] });
  });
});

describe("createToken with a private key", () => {
  it("signs ES256 with a PEM private key for a relay holding the public key", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const es = await startTestRelay({ auth: { publicKey: await exportSPKI(publicKey) } });
    try {
      const pem = await exportPKCS8(privateKey);
      const token = await createToken({ sub: "u2", rooms: ["photo:*"] }, pem, { algorithm: "ES256" });
      const client = await connectClient(es.url, token);
      expect((await client.call("hello", {})).userId).toBe("u2");
      await expect(client.call("join", { room: "team:1" })).rejects.toMatchObject({
        error: { code: "FORBIDDEN" },
      });
      const hs = await createToken({ sub: "u2" }, TEST_SECRET);
      expect((await connectError(es.url, { token: hs })).code).toBe("TOKEN_INVALID");
    } finally {
      await es.close();
    }
  });
});
