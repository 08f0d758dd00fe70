/**
 * Connection and credential failures end the run with exit 3 and exactly one clear line on
 * stderr (nothing on stdout): an unreachable server, a wrong token, an unknown CA.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { freePort } from "../cluster/harness.js";
import { cluster, day2, editKubeconfig, stderrLines, tempDir } from "./env.js";

const C = cluster();
const tmp = tempDir("errors");
after(tmp.cleanup);

void describe("errors", () => {
  void it("unreachable server (a closed 127.0.0.1 port): one line, exit 3", async () => {
    const port = await freePort();
    const kc = editKubeconfig(C.kubeconfig, `${tmp.dir}/closed.kubeconfig`, (d) => {
      d.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
    });
    const r = await day2(["report", "--kubeconfig", kc, "-o", "json"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "");
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^error: cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`,
      ),
    );
    assert.match(lines[0]!, /\[D2_ERR_KUBE_CONNECTION\]$/);
  });

  void it("wrong token: one line naming the server and context, exit 3", async () => {
    const kc = editKubeconfig(C.kubeconfig, `${tmp.dir}/bad-token.kubeconfig`, (d) => {
      d.users[0]!.user.token = "not-a-valid-token";
    });
    const r = await day2(["report", "--kubeconfig", kc, "-o", "json"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "");
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(`error: unauthorized: ${C.server} rejected the credentials`), lines[0]);
    assert.match(lines[0]!, /\[D2_ERR_KUBE_UNAUTHORIZED\]$/);
    assert.doesNotMatch(lines[0]!, /not-a-valid-token/, "never echo the credential");
  });

  void it("server certificate from an unknown CA: one line with a TLS hint, exit 3", async () => {
    const kc = editKubeconfig(C.kubeconfig, `${tmp.dir}/no-ca.kubeconfig`, (d) => {
      delete d.clusters[0]!.cluster["certificate-authority-data"];
    });
    const r = await day2(["report", "--kubeconfig", kc, "-o", "json"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "");
    const lines = stderrLines(r);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /certificate/i);
    assert.match(lines[0]!, /\[D2_ERR_KUBE_CONNECTION\]$/);
  });

  void it("snapshot save against an unreachable server: exit 3 and no file left behind", async () => {
    const port = await freePort();
    const kc = editKubeconfig(C.kubeconfig, `${tmp.dir}/closed2.kubeconfig`, (d) => {
      d.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
    });
    const out = `${tmp.dir}/never.ndjson.gz`;
    const r = await day2(["snapshot", "save", "-f", out, "--kubeconfig", kc]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(stderrLines(r).length, 1, r.stderr);
    const { existsSync } = await import("node:fs");
    assert.equal(existsSync(out), false);
  });
});
