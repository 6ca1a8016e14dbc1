/**
 * Real PostgreSQL for tests.
 *
 *   const pg = await startPostgres();          // a throwaway cluster: initdb into a temp folder,
 *   pg.url                                     // a free loopback port, trust auth
 *   await pg.restart({ mode: "immediate" });   // crash-like (recovery at start) or "fast"
 *   await pg.stop();                           // always, in afterAll
 *
 *   const db = await testDatabase();           // the machine's server at 127.0.0.1:5432 when it
 *   db.url, db.schema                          // answers (trust auth, database `test`), else a
 *   await db.release();                        // throwaway one; a fresh schema either way
 *
 * `initdb` refuses to run as root, so when the tests run as root the server runs as the
 * `postgres` user (the Debian package creates it). The server is a child process tracked by
 * spawnTracked: killed with the test process whatever happens.
 */
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort, spawnTracked, stopProcess, waitForOutput } from "./processes.js";

export const POSTGRES_HOST = "127.0.0.1";
const LOCAL_URL = "postgres://postgres@127.0.0.1:5432/test";
const READY = /database system is ready to accept connections/;

export interface PostgresServer {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
  /** Stops the server (fast: clients disconnected; immediate: like a crash) and starts it again. */
  restart(options?: { readonly mode?: "fast" | "immediate"; readonly downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Where initdb and postgres live: /usr/lib/postgresql/<newest>/bin (the Debian package). */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql",
    );
  }
  return join(root, versions[0], "bin");
}

/** As root, the uid/gid of the `postgres` user (initdb and postgres refuse root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "event-bus-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(bin, "initdb"), ["-D", dir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], {
    stdio: "ignore",
    ...asUser,
  });
  const port = await freePort();
  const launch = async (): Promise<ChildProcess> => {
    const args = ["-D", dir, "-p", String(port), "-k", dir, "-c", `listen_addresses=${POSTGRES_HOST}`];
    // fsync off: a killed server loses nothing the kernel got; only a machine crash would.
    const child = spawnTracked(join(bin, "postgres"), [...args, "-c", "fsync=off"], asUser);
    try {
      await waitForOutput(child, READY, 30_000);
    } catch (error) {
      await stopProcess(child, "SIGKILL");
      throw error;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return child;
  };
  let child: ChildProcess | null = await launch();
  const shutdown = async (mode: "fast" | "immediate") => {
    if (child) await stopProcess(child, mode === "fast" ? "SIGINT" : "SIGQUIT", 10_000);
    child = null;
  };
  return {
    port,
    url: `postgres://postgres@${POSTGRES_HOST}:${port}/postgres`,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async restart(options = {}) {
      await shutdown(options.mode ?? "fast");
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      child = await launch();
    },
    async stop() {
      await shutdown("fast");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  readonly url: string;
  /** A schema of its own: pass it as the store's `schema`. */
  readonly schema: string;
  /** Drops the schema (and stops the server when the harness started one). */
  release(): Promise<void>;
}

/** The local server when it answers, else a throwaway one; a fresh schema either way. */
export async function testDatabase(): Promise<TestDatabase> {
  const local = await reachable(LOCAL_URL);
  const server = local ? undefined : await startPostgres();
  const url = server?.url ?? LOCAL_URL;
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient(url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  return {
    url,
    schema,
    async release() {
      await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).catch(
        () => {},
      );
      await server?.stop();
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  try {
    await withClient(url, (client) => client.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}
