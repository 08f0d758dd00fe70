import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryPolicy,
  sleep,
} from "./retry.js";

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

void describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  for (const [input, want] of [
    ["3", 3000],
    [" 0 ", 0],
    ["1.5", 1500],
    ["Wed, 01 Jan 2025 00:00:10 GMT", 10_000],
    ["Tue, 31 Dec 2024 23:59:00 GMT", 0], // in the past: no wait
    ["", undefined],
    ["-1", undefined],
    ["soon", undefined],
    [undefined, undefined],
  ] as const) {
    void it(`${JSON.stringify(input)} -> ${want}`, () => assert.equal(parseRetryAfter(input, now), want));
  }
  void it("takes the first of repeated headers", () => assert.equal(parseRetryAfter(["2", "9"], now), 2000));
});

void describe("backoffDelay", () => {
  void it("doubles per attempt with equal jitter", () => {
    assert.equal(
      backoffDelay(0, policy, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, policy, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(1, policy, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, policy, () => 1),
      800,
    );
  });
  void it("is capped by maxDelayMs", () => {
    assert.equal(
      backoffDelay(10, policy, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(50, policy, () => 0),
      500,
    );
  });
});

void describe("retryDelay", () => {
  void it("honours Retry-After over backoff", () =>
    assert.equal(
      retryDelay(0, 700, policy, () => 0),
      700,
    ));
  void it("caps Retry-After at maxDelayMs", () => assert.equal(retryDelay(0, 120_000, policy), 1000));
  void it("falls back to backoff", () =>
    assert.equal(
      retryDelay(2, undefined, policy, () => 0),
      200,
    ));
});

void describe("retryable", () => {
  void it("statuses", () => {
    for (const s of [429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
    for (const s of [400, 401, 403, 404, 409, 410, 501]) assert.equal(isRetryableStatus(s), false, String(s));
  });
  void it("network errors", () => {
    const coded = (code: string): Error => Object.assign(new Error(code), { code });
    assert.equal(isRetryableNetworkError(coded("ECONNRESET")), true);
    assert.equal(isRetryableNetworkError(coded("ECONNREFUSED")), true);
    assert.equal(isRetryableNetworkError(new Error("socket hang up")), true);
    assert.equal(isRetryableNetworkError(coded("DEPTH_ZERO_SELF_SIGNED_CERT")), false);
    const abort = new Error("aborted");
    abort.name = "AbortError";
    assert.equal(isRetryableNetworkError(abort), false);
  });
});

void describe("sleep", () => {
  void it("rejects with the abort reason", async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort(new Error("stop"));
    await assert.rejects(p, /stop/);
  });
});
