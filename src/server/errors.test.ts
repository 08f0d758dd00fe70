/** The HTTP error codes and README's table of them match both ways. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { HTTP_ERRORS, codeForStatus } from "./errors.js";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

test("README lists every HTTP error code with its status, and nothing else", () => {
  const rows = [...README.matchAll(/^\| `(D2_HTTP_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [
    m[1]!,
    Number(m[2]),
  ]);
  assert.deepEqual(rows.map(([c]) => c).sort(), Object.keys(HTTP_ERRORS).sort());
  for (const [code, status] of rows)
    assert.equal(HTTP_ERRORS[code as keyof typeof HTTP_ERRORS].status, status, String(code));
});

test("a status Fastify produced maps to its code", () => {
  assert.equal(codeForStatus(413), "D2_HTTP_BODY_TOO_LARGE");
  assert.equal(codeForStatus(415), "D2_HTTP_UNSUPPORTED_MEDIA_TYPE");
  assert.equal(codeForStatus(503), "D2_HTTP_UNAVAILABLE");
  assert.equal(codeForStatus(418), "D2_HTTP_BAD_REQUEST");
  assert.equal(codeForStatus(502), "D2_HTTP_INTERNAL");
});
