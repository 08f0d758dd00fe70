import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { describeValue, required } from "./messages.js";

test("schema errors name what was expected and what was found", () => {
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue([1]), "a list");
  assert.equal(describeValue({ a: 1 }), "a mapping");
  assert.equal(describeValue(new Date("2026-11-25T00:00:00Z")), "date 2026-11-25T00:00:00.000Z");
  assert.equal(describeValue("x"), 'string "x"');
  const schema = z.object({ port: z.number({ error: required("a port number") }) });
  const message = (v: unknown) => schema.safeParse(v).error?.issues[0]?.message;
  assert.equal(message({}), "required: a port number");
  assert.equal(message({ port: "80" }), 'expected a port number, got string "80"');
  assert.equal(message({ port: [80] }), "expected a port number, got a list");
});
