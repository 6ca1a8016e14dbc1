/**
 * Whether this build carries the error hints (error-hints.ts) and other developer-facing prose.
 * False only where a bundler replaced `import.meta.env` with a production mode at build time (Vite
 * does, as zustand relies on), so the hint table is dropped from a production browser bundle. Node
 * (relay, backends, CLI), tests and other bundlers keep every hint: `import.meta.env` is undefined
 * there.
 */
interface MetaWithEnv {
  readonly env?: { readonly MODE?: string };
}

// Written out in full (no local variable) so the bundler's replacement folds to a constant.
export const HINTS_INCLUDED: boolean =
  ((import.meta as MetaWithEnv).env ? (import.meta as MetaWithEnv).env?.MODE : undefined) !== "production";
