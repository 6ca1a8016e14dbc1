/**
 * The webhook store on Redis. Per endpoint, under one hash tag (one slot on a cluster):
 *   {<prefix>webhooks:<endpoint>}:due    zset  event id → next attempt time (ms)
 *   {…}:jobs   hash  event id → JSON job (type, body, attempts, enqueuedAt, lastError)
 *   {…}:enq    zset  event id → enqueue time (oldest pending age)
 *   {…}:dead   stream of dead letters (capped)
 *   {…}:state  hash  `disabled` → reason
 * Every change of a job is one Lua script, so a job is always either due, leased, or dead.
 */
import type { Redis } from "ioredis";
import { LuaScript } from "../brokers/redis/redis-scripts.js";
import type { PendingInfo, WebhookDeadLetter, WebhookJob, WebhookStore } from "./webhook-store.js";

const ENQUEUE = new LuaScript(`
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
end
return 1`);

const TAKE = new LuaScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local job = redis.call('HGET', KEYS[2], id)
  if job then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    out[#out + 1] = id
    out[#out + 1] = job
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`);

const COMPLETE = new LuaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1`);

const RESCHEDULE = new LuaScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1`);

const DEAD = new LuaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1], 'j', ARGV[3], 'r', ARGV[4], 'at', ARGV[5])
return 1`);

const REPLAY = new LuaScript(`
local entries = redis.call('XRANGE', KEYS[4], '-', '+')
local wanted = {}
local filter = #ARGV > 1
for i = 2, #ARGV do wanted[ARGV[i]] = true end
local moved = 0
for _, entry in ipairs(entries) do
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  if (not filter) or wanted[f.e] then
    local job = cjson.decode(f.j)
    job.attempts = 0
    job.lastError = nil
    job.enqueuedAt = tonumber(ARGV[1])
    redis.call('HSET', KEYS[2], f.e, cjson.encode(job))
    redis.call('ZADD', KEYS[1], ARGV[1], f.e)
    redis.call('ZADD', KEYS[3], ARGV[1], f.e)
    redis.call('XDEL', KEYS[4], entry[1])
    moved = moved + 1
  end
end
return moved`);

interface StoredJob {
  readonly eventType: string;
  readonly body: string;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly lastError?: string;
}

export interface RedisWebhookStoreOptions {
  readonly prefix?: string;
  /** Dead letters kept per endpoint (a capped stream, approximately). Default 10 000. */
  readonly deadLetterMaxLength?: number;
}

export class RedisWebhookStore implements WebhookStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #deadMax: number;

  constructor(redis: Redis, options: RedisWebhookStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? "";
    this.#deadMax = options.deadLetterMaxLength ?? 10_000;
  }

  #keys(endpoint: string): string[] {
    const base = `{${this.#prefix}webhooks:${endpoint}}`;
    return [`${base}:due`, `${base}:jobs`, `${base}:enq`, `${base}:dead`, `${base}:state`];
  }

  async enqueue(endpoint: string, job: Omit<WebhookJob, "attempts">, now: number): Promise<void> {
    const stored: StoredJob = {
      eventType: job.eventType,
      body: job.body,
      attempts: 0,
      enqueuedAt: job.enqueuedAt,
    };
    await ENQUEUE.run(this.#redis, this.#keys(endpoint).slice(0, 3), [
      job.eventId,
      JSON.stringify(stored),
      now,
    ]);
  }

  async take(endpoint: string, now: number, max: number, leaseMs: number): Promise<WebhookJob[]> {
    const flat = (await TAKE.run(this.#redis, this.#keys(endpoint).slice(0, 2), [
      now,
      max,
      now + leaseMs,
    ])) as string[];
    const jobs: WebhookJob[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const stored = JSON.parse(flat[i + 1] as string) as StoredJob;
      jobs.push({ eventId: flat[i] as string, ...stored });
    }
    return jobs;
  }

  async complete(endpoint: string, eventId: string): Promise<void> {
    await COMPLETE.run(this.#redis, this.#keys(endpoint).slice(0, 3), [eventId]);
  }

  async reschedule(endpoint: string, eventId: string, attempts: number, dueAt: number, error: string) {
    const [due, jobs] = this.#keys(endpoint);
    const raw = await this.#redis.hget(jobs as string, eventId);
    if (raw === null) return;
    const stored = { ...(JSON.parse(raw) as StoredJob), attempts, lastError: error };
    await RESCHEDULE.run(
      this.#redis,
      [due as string, jobs as string],
      [eventId, JSON.stringify(stored), dueAt],
    );
  }

  async deadLetter(endpoint: string, job: WebhookJob, reason: string, now: number): Promise<void> {
    const stored: StoredJob = {
      eventType: job.eventType,
      body: job.body,
      attempts: job.attempts,
      enqueuedAt: job.enqueuedAt,
    };
    await DEAD.run(this.#redis, this.#keys(endpoint).slice(0, 4), [
      job.eventId,
      this.#deadMax,
      JSON.stringify(stored),
      reason,
      now,
    ]);
  }

  async listDead(endpoint: string, limit: number): Promise<WebhookDeadLetter[]> {
    const entries = await this.#redis.xrange(this.#keys(endpoint)[3] as string, "-", "+", "COUNT", limit);
    return entries.map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      const stored = JSON.parse(f.j ?? "{}") as StoredJob;
      return {
        id,
        eventId: f.e ?? "",
        eventType: stored.eventType,
        body: stored.body,
        attempts: stored.attempts,
        reason: f.r ?? "",
        failedAt: Number(f.at),
      };
    });
  }

  async replayDead(endpoint: string, now: number, eventIds: readonly string[] = []): Promise<number> {
    return Number(await REPLAY.run(this.#redis, this.#keys(endpoint).slice(0, 4), [now, ...eventIds]));
  }

  async pendingInfo(endpoint: string): Promise<PendingInfo> {
    const enq = this.#keys(endpoint)[2] as string;
    const [count, oldest] = await Promise.all([
      this.#redis.zcard(enq),
      this.#redis.zrange(enq, "0", "0", "WITHSCORES"),
    ]);
    return { pending: count, oldestEnqueuedAt: oldest[1] === undefined ? null : Number(oldest[1]) };
  }

  async disabledReason(endpoint: string): Promise<string | null> {
    return this.#redis.hget(this.#keys(endpoint)[4] as string, "disabled");
  }

  async setDisabled(endpoint: string, reason: string | null): Promise<void> {
    const state = this.#keys(endpoint)[4] as string;
    if (reason === null) await this.#redis.hdel(state, "disabled");
    else await this.#redis.hset(state, "disabled", reason);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
