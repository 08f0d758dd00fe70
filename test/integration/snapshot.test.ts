/**
 * `day2 snapshot save` from the live cluster, then `day2 report --snapshot` gives the same
 * findings (rule + object) and coverage as `day2 report` live.
 */
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { after, describe, it } from "node:test";
import { cluster, day2, findingKeys, parseReport, tempDir } from "./env.js";

const C = cluster();
const tmp = tempDir("snapshot");
after(tmp.cleanup);

void describe("snapshot save / report --snapshot", () => {
  void it("a saved snapshot judges like the live cluster", async () => {
    const file = `${tmp.dir}/cluster.ndjson.gz`;
    const save = await day2(["snapshot", "save", "-f", file, "--kubeconfig", C.kubeconfig]);
    assert.equal(save.code, 0, save.stderr);
    assert.ok(existsSync(file) && statSync(file).size > 0);
    assert.match(save.stderr, /wrote .*cluster\.ndjson\.gz: [\d,]+ objects/);

    const live = await day2(["report", "--kubeconfig", C.kubeconfig, "-o", "json"]);
    assert.equal(live.code, 0, live.stderr);
    const fromFile = await day2(["report", "--snapshot", file, "-o", "json"]);
    assert.equal(fromFile.code, 0, fromFile.stderr);

    const a = parseReport(live);
    const b = parseReport(fromFile);
    assert.ok(a.findings.length > 10);
    assert.deepEqual(findingKeys(b), findingKeys(a));
    assert.deepEqual(
      b.rules.map((r) => `${r.rule} ${r.status} ${r.findings}`),
      a.rules.map((r) => `${r.rule} ${r.status} ${r.findings}`),
    );
    // Coverage: same status per kind; same counts except Events (the cluster keeps emitting them).
    assert.deepEqual(
      b.coverage.map((c) => `${c.kind} ${c.status} ${c.kind === "Event" ? "" : c.count}`),
      a.coverage.map((c) => `${c.kind} ${c.status} ${c.kind === "Event" ? "" : c.count}`),
    );
    assert.equal(b.source.kind, "snapshot");
    assert.equal(b.summary.version, a.summary.version);
    assert.deepEqual(b.summary.nodes, a.summary.nodes);
    assert.deepEqual(b.summary.pools, a.summary.pools);
  });

  void it("snapshot load shows the live coverage it was saved with", async () => {
    const file = `${tmp.dir}/viewer.ndjson.gz`;
    const save = await day2(["snapshot", "save", "-f", file, "--kubeconfig", C.readOnlyKubeconfig]);
    assert.equal(save.code, 0, save.stderr);
    const load = await day2(["snapshot", "load", file, "-o", "json"]);
    assert.equal(load.code, 0, load.stderr);
    const data = JSON.parse(load.stdout) as { coverage: { kind: string; status: string }[] };
    assert.equal(data.coverage.find((c) => c.kind === "Secret")?.status, "not-permitted");
    assert.equal(data.coverage.find((c) => c.kind === "Pod")?.status, "collected");
    // ... and a report from it keeps the not-evaluated rules.
    const rep = parseReport(await day2(["report", "--snapshot", file, "-o", "json"]));
    assert.equal(rep.rules.find((r) => r.rule === "node-not-ready")?.status, "not-evaluated");
  });
});
