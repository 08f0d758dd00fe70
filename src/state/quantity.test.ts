import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatCpu, parseBytes, parseCpuMillis, parseQuantity } from "./quantity.js";

test("cpu quantities become millicores", () => {
  assert.equal(parseCpuMillis("250m"), 250);
  assert.equal(parseCpuMillis("2"), 2000);
  assert.equal(parseCpuMillis("0.5"), 500);
  assert.equal(parseCpuMillis(1.5), 1500);
  assert.equal(parseCpuMillis("100u"), 0);
});

test("memory quantities become bytes, binary and decimal suffixes", () => {
  assert.equal(parseBytes("128Mi"), 128 * 1024 * 1024);
  assert.equal(parseBytes("1Gi"), 1024 ** 3);
  assert.equal(parseBytes("1G"), 1e9);
  assert.equal(parseBytes("1e3"), 1000);
  assert.equal(parseBytes("512k"), 512000);
});

test("garbage is undefined, never NaN", () => {
  for (const bad of ["", "abc", "1Zi", "--1", null, undefined, {}, "1.2.3", Number.POSITIVE_INFINITY]) {
    assert.equal(parseQuantity(bad), undefined, String(bad));
  }
});

test("formatting for people", () => {
  assert.equal(formatCpu(2000), "2");
  assert.equal(formatCpu(250), "250m");
  assert.equal(formatBytes(1536 * 1024 * 1024), "1.5Gi");
  assert.equal(formatBytes(512), "512B");
});
