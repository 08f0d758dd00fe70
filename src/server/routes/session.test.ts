/** GET /api/v1/whoami: the token's name and role for every role; 401 without a known token. */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { DocChecker, bearer, testServer } from "../../../test/support/server.js";
import type { TestServer } from "../../../test/support/server.js";

describe("GET /api/v1/whoami", () => {
  let t: TestServer;
  let doc: DocChecker;
  before(async () => {
    t = await testServer();
    doc = await DocChecker.from(t.app);
  });
  after(() => t.done());

  for (const role of ["viewer", "responder", "admin"] as const) {
    test(`a ${role} token: its name and role`, async () => {
      const res = await t.app.inject({
        method: "GET",
        url: "/api/v1/whoami",
        headers: bearer(t.tokens[role]),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { name: `${role}-user`, role });
      doc.check("GET", "/api/v1/whoami", res);
    });
  }

  test("no token and an unknown token: 401 with a message saying which", async () => {
    const none = await t.app.inject({ method: "GET", url: "/api/v1/whoami" });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json<{ code: string }>().code, "D2_HTTP_UNAUTHORIZED");
    assert.match(none.json<{ message: string }>().message, /missing Authorization/);
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/whoami", headers: bearer("day2_nope") });
    assert.equal(bad.statusCode, 401);
    assert.match(bad.json<{ message: string }>().message, /unknown or revoked token/);
    doc.check("GET", "/api/v1/whoami", bad);
  });

  test("a revoked token is refused at once", async () => {
    const created = await t.store.createToken("short-lived", "viewer");
    const ok = await t.app.inject({ method: "GET", url: "/api/v1/whoami", headers: bearer(created.token) });
    assert.equal(ok.statusCode, 200);
    assert.ok(await t.store.revokeToken(created.record.id));
    const gone = await t.app.inject({ method: "GET", url: "/api/v1/whoami", headers: bearer(created.token) });
    assert.equal(gone.statusCode, 401);
  });

  test("is in the OpenAPI document as a viewer route", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    const paths = res.json<{ paths: Record<string, Record<string, Record<string, unknown>>> }>().paths;
    assert.equal(paths["/api/v1/whoami"]?.get?.["x-day2-role"], "viewer");
  });
});
