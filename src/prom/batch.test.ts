import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  chunksForSeries,
  estimateSamples,
  groupUnderLimits,
  labelValue,
  rangePoints,
  regexEscape,
  sampleBudget,
  splitRange,
} from "./batch.js";

describe("batch sizing", () => {
  it("counts points inclusively and estimates samples", () => {
    assert.equal(rangePoints(0, 14 * 86400, 600), 14 * 144 + 1);
    assert.equal(rangePoints(10, 5, 1), 0);
    assert.equal(estimateSamples(10, 2017, 2), 20190);
    assert.equal(estimateSamples(10, 2017, 2, 2), 40360);
    assert.equal(sampleBudget({ maxSamples: 1000 }), 800);
    assert.equal(sampleBudget({ maxSamples: 1000, headroom: 1 }), 1000);
  });

  it("groups items under the sample budget and the text limit, keeping order", () => {
    const items = ["a", "b", "c", "d", "e"];
    const series = (x: string) => (x === "c" ? 3 : 1);
    const g = groupUnderLimits(items, { series, textBytes: () => 2 }, 100, { maxSamples: 300, headroom: 1 });
    assert.deepEqual(g, [["a", "b"], ["c"], ["d", "e"]]);
    for (const group of g) assert.ok(group.reduce((s, x) => s + series(x) * 100, 0) <= 300);
    // text limit: 3 bytes per item, 7 bytes allowed -> two per group
    const t = groupUnderLimits(items, { series: () => 1, textBytes: () => 3 }, 1, {
      maxSamples: 1e9,
      maxQueryBytes: 7,
    });
    assert.deepEqual(t, [["a", "b"], ["c", "d"], ["e"]]);
    // an item too big on its own is still a group of its own
    const big = groupUnderLimits(["x"], { series: () => 10, textBytes: () => 1 }, 100, { maxSamples: 50 });
    assert.deepEqual(big, [["x"]]);
  });

  it("splits a range on its step grid without overlap or gaps", () => {
    const chunks = splitRange(1000, 1000 + 9 * 60, 60, 4);
    assert.deepEqual(chunks, [
      { startS: 1000, endS: 1180 },
      { startS: 1240, endS: 1420 },
      { startS: 1480, endS: 1540 },
    ]);
    const pts = chunks.reduce((s, c) => s + rangePoints(c.startS, c.endS, 60), 0);
    assert.equal(pts, 10);
  });

  it("chunks one big series set in time so each chunk fits", () => {
    const lim = { maxSamples: 1000, headroom: 1 };
    const c = chunksForSeries({ startS: 0, endS: 99 * 10, stepS: 10 }, 20, 2, lim);
    for (const x of c) assert.ok(estimateSamples(20, rangePoints(x.startS, x.endS, 10), 2) <= 1000);
    assert.equal(
      c.reduce((s, x) => s + rangePoints(x.startS, x.endS, 10), 0),
      100,
    );
    assert.throws(
      () => chunksForSeries({ startS: 0, endS: 100, stepS: 10 }, 2000, 2, lim),
      /cannot fit query.max-samples 1000/,
    );
    // factor 2 (an aggregation): half the points per chunk
    const agg = chunksForSeries({ startS: 0, endS: 99 * 10, stepS: 10 }, 10, 0, lim, 2);
    assert.deepEqual(
      agg.map((x) => rangePoints(x.startS, x.endS, 10)),
      [50, 50],
    );
  });

  it("escapes names for regex and label matchers", () => {
    assert.equal(regexEscape("web-1.x"), "web-1\\\\.x");
    assert.equal(regexEscape('a"b'), 'a\\"b');
    assert.equal(labelValue('q"\\'), '"q\\"\\\\"');
  });
});
