import { describe, expect, it } from "vitest";
import { createProgress, progressLine, runSummary } from "../src/cli/progress.js";

/** A stand-in for standard error that records what is written. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 120, writes, write: (t: string) => writes.push(t) };
}

describe("progress", () => {
  it("draws a bar with the share done when the total is known", () => {
    expect(progressLine("scoring 评分", { read: 50, scored: 49, refused: 1 }, 100, 2000)).toBe(
      "scoring 评分 [###############...............]  50% 50/100  refused 拒绝 1  25/s",
    );
    expect(progressLine("generating 生成", { read: 3424, scored: 3424, refused: 0 }, 3424, 1000)).toBe(
      "generating 生成 [##############################] 100% 3,424/3,424  3,424/s",
    );
  });

  it("shows a running count when the total is unknown", () => {
    expect(progressLine("scoring 评分", { read: 1234, scored: 1234, refused: 0 }, null, 500)).toBe("scoring 评分 1,234  2,468/s");
  });

  it("redraws in place on a terminal at most every interval, and clears the line when done", () => {
    const s = stream(true);
    let t = 0;
    const p = createProgress({ label: "x", total: 4, stream: s, now: () => t, every: 100 });
    p.tick();
    t = 50;
    p.tick(true); // within the interval: no redraw
    t = 150;
    p.tick();
    p.tick(); // the last row always draws
    p.done();
    expect(s.writes).toHaveLength(4);
    expect(s.writes.slice(0, 3).every((w) => w.startsWith("\r") && w.endsWith("\x1b[K"))).toBe(true);
    expect(s.writes[2]).toContain("4/4");
    expect(s.writes[3]).toBe("\r\x1b[K");
    expect(p.counts).toEqual({ read: 4, scored: 3, refused: 1 });
  });

  it("writes nothing when standard error is not a terminal, but still counts", () => {
    const s = stream(false);
    const p = createProgress({ label: "x", total: null, stream: s, now: () => 0 });
    for (let i = 0; i < 10; i++) p.tick(i === 3);
    p.done();
    expect(s.writes).toEqual([]);
    expect(runSummary(p.counts)).toBe("read 10, scored 9, refused 1 (读取 10，评分 9，拒绝 1)\n");
  });
});
