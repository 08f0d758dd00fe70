import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { StoreValidationError, hashToken } from "./index.js";

forEachBackend("store tokens", (b) => {
  test("the plaintext is returned once; only its hash is stored", async () => {
    const store = await b.open();
    const { token, record } = await store.createToken({ name: "ci", role: "responder" }, 1000);
    assert.match(token, /^day2_[A-Za-z0-9_-]{43}$/);
    const rows = await store.raw.db.selectFrom("api_tokens").selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.hash, hashToken(token));
    assert.ok(!JSON.stringify(rows).includes(token.slice(5)), "no plaintext in the table");
    assert.deepEqual(await store.listTokens(), [record]);
  });

  test("verify accepts the token, rejects others, records last use", async () => {
    const store = await b.open();
    const { token, record } = await store.createToken({ name: "alice", role: "admin" }, 1000);
    const ok = await store.verifyToken(token, 5000);
    assert.equal(ok?.id, record.id);
    assert.equal(ok?.role, "admin");
    assert.equal(ok?.lastUsedAt, 5000);
    assert.equal(await store.verifyToken(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")), undefined);
    assert.equal(await store.verifyToken("garbage"), undefined);
    assert.equal(await store.verifyToken(""), undefined);
  });

  test("revoked tokens no longer verify", async () => {
    const store = await b.open();
    const { token, record } = await store.createToken({ name: "old", role: "viewer" });
    assert.equal(await store.revokeToken(record.id), true);
    assert.equal(await store.revokeToken(record.id), false);
    assert.equal(await store.verifyToken(token), undefined);
    assert.ok((await store.listTokens())[0]?.revokedAt);
  });

  test("bad roles and names are rejected", async () => {
    const store = await b.open();
    await assert.rejects(store.createToken({ name: "x", role: "root" as never }), StoreValidationError);
    await assert.rejects(store.createToken({ name: "", role: "viewer" }), /name/);
  });
});
