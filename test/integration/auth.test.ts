/**
 * Every way of authenticating the test bed offers works for `day2 report`: an exec credential
 * plugin, a client certificate, and impersonation (--as) of the read-only user.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { absentAddOn } from "../../src/report/report.js";
import { cluster, day2, parseReport } from "./env.js";

const C = cluster();

void describe("authentication", () => {
  for (const [what, kubeconfig] of [
    ["exec credential plugin", C.execKubeconfig],
    ["client certificate", C.certKubeconfig],
    ["bearer token", C.kubeconfig],
  ] as const) {
    void it(`${what}: report exits 0, sees the nodes and every kind`, async () => {
      const r = await day2(["report", "--kubeconfig", kubeconfig, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const rep = parseReport(r);
      assert.ok(rep.summary.nodes.total > 0);
      assert.equal(rep.summary.nodes.total, C.nodes.length);
      assert.deepEqual(
        rep.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c)),
        [],
      );
    });
  }

  void it(`--as ${"<viewer>"}: the admin impersonating the read-only user sees Secrets as not-permitted`, async () => {
    const r = await day2(["report", "--kubeconfig", C.kubeconfig, "--as", C.viewerUser, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    const secret = rep.coverage.find((c) => c.kind === "Secret")!;
    assert.equal(secret.status, "not-permitted");
    assert.ok(secret.reason?.includes(`"${C.viewerUser}"`), secret.reason);
    assert.equal(rep.coverage.find((c) => c.kind === "Node")?.status, "not-permitted");
    assert.equal(rep.coverage.find((c) => c.kind === "Pod")?.status, "collected");
  });

  void it("--as a user with no bindings at all: every kind not-permitted, exit 0 (--strict 4)", async () => {
    const args = ["report", "--kubeconfig", C.kubeconfig, "--as", "day2-nobody", "-o", "json"];
    const r = await day2(args);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    assert.deepEqual(
      // Add-ons that are not installed say so (discovery is open to every authenticated user).
      rep.coverage.filter((c) => c.status !== "not-permitted" && !absentAddOn(c)).map((c) => c.kind),
      [],
    );
    assert.equal((await day2([...args, "--strict"])).code, 4);
  });
});
