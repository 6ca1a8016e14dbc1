import { describe, expect, it } from "vitest";
import { compileGlob, globMatch, hasGlobSyntax } from "../../../protocol/glob.js";

describe("glob matcher (Redis semantics; checked against Redis in test/integration)", () => {
  const table: [string, string, boolean][] = [
    ["photo.*", "photo.uploaded", true],
    ["photo.*", "photo.processing.started", true],
    ["photo.processing.*", "photo.uploaded", false],
    ["*.processing.completed", "photo.processing.completed", true],
    ["photo.uploaded", "photo.uploaded", true],
    ["photo.uploaded", "photo.uploadedx", false],
    ["h?llo", "hello", true],
    ["h?llo", "hllo", false],
    ["h[ae]llo", "hallo", true],
    ["h[^e]llo", "hello", false],
    ["h[a-b]llo", "hbllo", true],
    ["h[b-a]llo", "hbllo", true],
    ["h\\*llo", "h*llo", true],
    ["h\\*llo", "hello", false],
    ["*", "", false],
    ["", "", true],
    ["a*", "a", true],
    ["a**b", "axxb", true],
  ];
  it.each(table)("%s ~ %s → %s", (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
    expect(compileGlob(pattern)(subject)).toBe(expected);
  });

  it("tells glob syntax from plain names", () => {
    expect(hasGlobSyntax("photo.uploaded")).toBe(false);
    expect(hasGlobSyntax("photo.*")).toBe(true);
    expect(hasGlobSyntax("a[b")).toBe(true);
  });

  it("stays fast on patterns that backtrack badly", () => {
    const pattern = `${"a*".repeat(30)}b`;
    const subject = "a".repeat(5000);
    expect(globMatch(pattern, subject)).toBe(false); // would take forever without skip-longer-matches
  });
});
