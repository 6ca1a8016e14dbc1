/**
 * The SQL of the PostgreSQL event store: its migrations (versioned, applied once under an
 * advisory lock), the batched idempotent insert, the paged read, and the archiving job. Table and
 * schema names are checked identifiers; every value is a bind parameter.
 *
 * One table, `<table>` (default `event_bus_events`): `seq` (identity: the stored order and the
 * cursor), `id` (unique: a retried write is skipped, never duplicated), type, channel,
 * aggregate_id, source, occurred_at (metadata.timestamp), stored_at, envelope (jsonb). Indexes
 * serve each filter together with the order: (type, seq), (channel, seq), (aggregate_id, seq),
 * (occurred_at). Retention moves old rows to `<table>_archive` (or deletes them) in batches —
 * an archiving job rather than time partitions: no partition to create ahead, no default
 * partition to fall into, and one unique index over all of the table for idempotency.
 */
import { EventBusError } from "../../../protocol/errors.js";
import type { NormalQuery } from "../event-query.js";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;

export interface Tables {
  readonly events: string;
  readonly archive: string;
  readonly migrations: string;
  /** The bare table name, for index names. */
  readonly base: string;
}

export function tablesFor(schema: string, table: string): Tables {
  for (const [what, name] of [
    ["schema", schema],
    ["table", table],
  ] as const) {
    if (!IDENTIFIER.test(name)) {
      throw new EventBusError(
        "CONFIG_INVALID",
        `store.${what} ${JSON.stringify(name)} must be a lowercase SQL identifier (letters, digits, _; at most 41).`,
      );
    }
  }
  const q = (name: string) => `"${schema}"."${name}"`;
  return {
    events: q(table),
    archive: q(`${table}_archive`),
    migrations: q(`${table}_migrations`),
    base: table,
  };
}

/** Each migration runs once, in order, in one transaction. */
export function migrations(t: Tables): readonly string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t.events} (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL,
        type text NOT NULL,
        channel text NOT NULL,
        aggregate_id text,
        source text NOT NULL,
        occurred_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        envelope jsonb NOT NULL
      )`,
      `CREATE UNIQUE INDEX IF NOT EXISTS "${t.base}_id" ON ${t.events} (id)`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_type_seq" ON ${t.events} (type, seq)`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_channel_seq" ON ${t.events} (channel, seq)`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_aggregate_seq" ON ${t.events} (aggregate_id, seq) WHERE aggregate_id IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_occurred_at" ON ${t.events} (occurred_at)`,
      `CREATE TABLE IF NOT EXISTS ${t.archive} (LIKE ${t.events} INCLUDING DEFAULTS)`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_archive_seq" ON ${t.archive} (seq)`,
    ],
  ];
}

export function migrationTable(t: Tables): string {
  return `CREATE TABLE IF NOT EXISTS ${t.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
}

/** Parameters: id, type, channel, aggregate_id, source, occurred_at, envelope — one array each. */
export function insertBatch(t: Tables): string {
  return `INSERT INTO ${t.events} (id, type, channel, aggregate_id, source, occurred_at, envelope)
    SELECT id, type, channel, aggregate_id, source, occurred_at, envelope
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[])
      WITH ORDINALITY AS rows(id, type, channel, aggregate_id, source, occurred_at, envelope, n)
    ORDER BY n
    ON CONFLICT (id) DO NOTHING`;
}

/** A page of events matching the query, after the cursor, in stored order. */
export function selectPage(t: Tables, q: NormalQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  const bind = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (q.cursor !== undefined) where.push(`seq > ${bind(q.cursor)}::bigint`);
  if (q.types !== undefined) {
    const exact = q.types.filter((type) => !type.includes("*"));
    const globs = q.types.filter((type) => type.includes("*")).map(likePattern);
    const any: string[] = [];
    // One exact type compares with `=`: the (type, seq) index then yields rows in seq order, with
    // no sort of every matching row per page (which `= ANY(array)` would need).
    if (exact.length === 1) any.push(`type = ${bind(exact[0])}`);
    else if (exact.length > 1) any.push(`type = ANY(${bind(exact)}::text[])`);
    if (globs.length > 0) any.push(`type LIKE ANY(${bind(globs)}::text[])`);
    where.push(`(${any.join(" OR ")})`);
  }
  if (q.channel !== undefined) where.push(`channel = ${bind(q.channel)}`);
  if (q.aggregateId !== undefined) where.push(`aggregate_id = ${bind(q.aggregateId)}`);
  if (q.sinceMs !== undefined) where.push(`occurred_at >= to_timestamp(${bind(q.sinceMs / 1000)})`);
  if (q.untilMs !== undefined) where.push(`occurred_at < to_timestamp(${bind(q.untilMs / 1000)})`);
  const filter = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  return {
    text: `SELECT seq::text AS cursor, channel, envelope::text AS envelope FROM ${t.events} ${filter} ORDER BY seq LIMIT ${bind(q.limit)}`,
    values,
  };
}

/** Moves (or deletes) up to $2 rows published before $1 (epoch seconds); returns the rows moved. */
export function archiveBatch(t: Tables, mode: "archive" | "delete"): string {
  const doomed = `DELETE FROM ${t.events} WHERE seq IN (
      SELECT seq FROM ${t.events} WHERE occurred_at < to_timestamp($1) ORDER BY seq LIMIT $2
    ) RETURNING *`;
  if (mode === "delete") return doomed;
  return `WITH moved AS (${doomed}) INSERT INTO ${t.archive} SELECT * FROM moved`;
}

/** A `*` glob as a LIKE pattern (`_` and `%` escaped). */
export function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}
