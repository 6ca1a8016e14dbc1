/**
 * Compares two V8 heap snapshots (e.g. the soak's idle-before / idle-after): self size and object
 * count grouped by node type and constructor name, largest growth first — to tell a leak (growing
 * application objects) from warm-up (compiled code, V8 internals).
 *
 *   npx tsx test/soak/heap-diff.ts before.heapsnapshot after.heapsnapshot [rows]
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

function totals(path: string): Totals {
  const data = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const out: Totals = new Map();
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt] ?? 0] ?? "?";
    // Strings and code are grouped by type alone (their names are their contents).
    const name = /string|code/.test(type)
      ? ""
      : (data.strings[data.nodes[i + nameAt] ?? 0] ?? "").slice(0, 80);
    const key = `${type} ${name}`.trim();
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += data.nodes[i + sizeAt] ?? 0;
    out.set(key, entry);
  }
  return out;
}

const [beforePath, afterPath, rowsArg = "25"] = process.argv.slice(2);
if (!beforePath || !afterPath) {
  process.stderr.write("usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [rows]\n");
  process.exit(2);
}
const before = totals(beforePath);
const after = totals(afterPath);
const rows = [...new Set([...before.keys(), ...after.keys()])]
  .map((key) => ({
    key,
    bytes: (after.get(key)?.bytes ?? 0) - (before.get(key)?.bytes ?? 0),
    count: (after.get(key)?.count ?? 0) - (before.get(key)?.count ?? 0),
  }))
  .sort((a, b) => b.bytes - a.bytes);
for (const row of rows.slice(0, Number(rowsArg))) {
  console.log(`${String(row.bytes).padStart(10)} B ${String(row.count).padStart(8)} objects  ${row.key}`);
}
console.log(`total ${rows.reduce((sum, r) => sum + r.bytes, 0)} B`);
