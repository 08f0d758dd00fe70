import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { escapeXml, lineChartSvg, seriesPoints } from "./chart.js";
import { forecastSeries } from "./forecast.js";

const START = Date.parse("2026-11-02T00:00:00Z");
const HOUR = 3600;

function hasXmllint(): boolean {
  try {
    execFileSync("xmllint", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Well-formedness without a dependency: tags balance, attributes are quoted, entities are
 * the XML ones. xmllint, when installed, checks the same strictly.
 */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf("<", i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|apos);)/, `bad entity in ${text}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    assert.ok(m, `malformed tag at ${svg.slice(lt, lt + 60)}`);
    const [whole, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else if (!selfClose) stack.push(name!);
    i = lt + whole.length;
  }
  assert.deepEqual(stack, [], "unclosed tags");
  if (hasXmllint()) execFileSync("xmllint", ["--noout", "-"], { input: svg });
}

function demoChart(title = "CPU requests — general & co <pool>") {
  const values = Float64Array.from(
    { length: 14 * 24 },
    (_, t) => 40 + t / 24 + (t % 24 > 8 && t % 24 < 18 ? 10 : 0),
  );
  values[30] = Number.NaN;
  values[31] = Number.NaN;
  const history = { start: START, stepSeconds: HOUR, values };
  const forecast = forecastSeries(history, 30 * 24);
  const svg = lineChartSvg({
    title,
    history,
    forecast,
    threshold: { value: 80, label: "80% of allocatable" },
    yFormat: (v) => `${v} cores`,
    yLabel: "cores",
    id: "cpu-general",
  });
  return { svg, history, forecast };
}

test("the chart is well-formed SVG with history, forecast and threshold", () => {
  const { svg } = demoChart();
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 720 260"/);
  assert.match(svg, /<path class="history" d="M[^"]+"/);
  assert.match(svg, /<path class="forecast" d="M[^"]+"[^>]*stroke-dasharray/);
  assert.match(svg, /<line class="threshold"/);
  assert.match(svg, /<line class="now"/);
  assert.match(svg, /<title id="cpu-general-title">CPU requests — general &amp; co &lt;pool&gt;<\/title>/);
  assert.match(svg, /aria-labelledby="cpu-general-title cpu-general-desc"/);
  assert.match(svg, /<desc id="cpu-general-desc">History from 2026-11-02 to 2026-11-15;/);
  assert.match(svg, /80% of allocatable/);
  assert.match(svg, /cores<\/text>/);
  assert.doesNotMatch(svg, /NaN|undefined|@import|url\(/);
});

test("a gap in history breaks the line", () => {
  const { svg } = demoChart("gap");
  const d = /<path class="history" d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(d.match(/M/g)!.length, 2);
});

test("axes carry ticks with labels", () => {
  const { svg } = demoChart("ticks");
  const yTicks = svg.match(/<text x="50" dy="0.32em" text-anchor="end">[^<]+ cores<\/text>/g) ?? [];
  assert.ok(yTicks.length >= 3, `y ticks: ${yTicks.length}`);
  const xTicks = svg.match(/<line y2="5"/g) ?? [];
  assert.ok(xTicks.length >= 3, `x ticks: ${xTicks.length}`);
  assert.match(svg, /Nov \d+|Dec \d+|November|December/);
});

test("history only, no forecast: no forecast path, still valid", () => {
  const svg = lineChartSvg({
    title: "Pods",
    history: { start: START, stepSeconds: HOUR, values: Float64Array.from([1, 2, 3]) },
  });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /class="forecast"/);
  assert.match(svg, /<path class="history"/);
  const empty = lineChartSvg({
    title: "empty",
    history: { start: START, stepSeconds: HOUR, values: new Float64Array(0) },
  });
  assertWellFormed(empty);
});

test("long series are bucketed by maximum so peaks survive", () => {
  const values = new Float64Array(10_000).fill(1);
  values[5_003] = 9;
  const pts = seriesPoints({ start: 0, stepSeconds: 60, values }, 100);
  assert.equal(pts.length, 100);
  assert.equal(Math.max(...pts.map((p) => p[1])), 9);
  const { svg } = demoChart("size");
  assert.ok(svg.length < 60_000, `svg is ${svg.length} bytes`);
});

test("a long title pushes the legend to its own row", () => {
  assert.match(demoChart("short").svg, /<g class="legend"><g transform="translate\([\d.]+,14\)"/);
  const long = demoChart("Memory requests of the general-purpose on-demand pool in us-east-1").svg;
  assert.match(long, /<g class="legend"><g transform="translate\([\d.]+,32\)"/);
  assertWellFormed(long);
});

test("escapeXml", () => {
  assert.equal(escapeXml(`a<b>&"c'`), "a&lt;b&gt;&amp;&quot;c&apos;");
});
