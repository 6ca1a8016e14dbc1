/** A room's comments: recent history then live events, each once (playground/src/room-comments.ts). */
import { describe, expect, it } from "vitest";
import { roomComments } from "../../../playground/src/room-comments.js";

const comment = (id: string, text: string) => ({
  id,
  type: "comment.added",
  data: { photoId: "p", author: "Alice", text },
});

describe("roomComments", () => {
  it("shows recent comments first, then live ones, each event id once", () => {
    const recent = [comment("1", "before I came"), comment("2", "also before")];
    const live = [comment("2", "also before"), comment("3", "live")];
    expect(roomComments(recent, live).map((c) => c.text)).toEqual(["before I came", "also before", "live"]);
  });

  it("skips events that are not well-formed comments", () => {
    const events = [
      { id: "a", type: "photo.processing.completed", data: { photoId: "p" } },
      { id: "b", type: "comment.added", data: { text: "no author" } },
      { id: "c", type: "comment.added", data: null },
      comment("d", "kept"),
    ];
    expect(roomComments([], events)).toEqual([{ id: "d", author: "Alice", text: "kept" }]);
  });
});
