/**
 * Faults between day2 and a real apiserver (test/integration/fault-proxy.ts): throttling with
 * Retry-After, 500/503, an expired continue token with and without the server's token to go on
 * with, and a response cut off mid-body. collectLive must end with exactly what a clean
 * collection sees, every fault must have been injected, and no kind may end in "error".
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { collectLive, type CollectResult, loadKubeConfig, type RetryEvent } from "../../src/kube/index.js";
import { KINDS } from "../../src/state/kinds.js";
import { absentAddOn } from "../../src/report/report.js";
import { startFaultProxy, type FaultProxy, type FaultRule, type ProxyRequest } from "./fault-proxy.js";
import {
  adminConnection,
  api,
  closeApi,
  cluster,
  createNamespace,
  day2,
  deleteNamespace,
  findingKeys,
  mapLimit,
  parseReport,
  plainHttpKubeconfig,
  tempDir,
} from "./env.js";

const C = cluster();
const tmp = tempDir("faults");
after(tmp.cleanup);

const isList = (r: ProxyRequest, plural: string) => r.path.endsWith(`/${plural}`);
const hasContinue = (r: ProxyRequest) => r.query.has("continue");

/** The script: each rule fires once, on the first request it matches. */
function script(): FaultRule[] {
  return [
    {
      name: "429 Retry-After on request 3",
      match: (r) => r.n === 3,
      fault: { type: "status", status: 429, retryAfter: "1" },
    },
    { name: "503 on request 6", match: (r) => r.n === 6, fault: { type: "status", status: 503 } },
    { name: "500 on request 9", match: (r) => r.n === 9, fault: { type: "status", status: 500 } },
    {
      name: "410 Expired, no token (restart): clusterroles page 2",
      match: (r) => isList(r, "clusterroles") && hasContinue(r),
      fault: { type: "gone", serverToken: false },
    },
    {
      name: "410 Expired with the server's token: clusterrolebindings page 2",
      match: (r) => isList(r, "clusterrolebindings") && hasContinue(r),
      fault: { type: "gone", serverToken: true },
    },
    {
      name: "connection dropped mid-body: events page 2",
      match: (r) => isList(r, "events") && hasContinue(r),
      fault: { type: "drop", fraction: 0.5 },
    },
    {
      name: "connection dropped mid-body: first pods page",
      match: (r) => isList(r, "pods") && !hasContinue(r),
      fault: { type: "drop", fraction: 0.3 },
    },
  ];
}

/** kind -> sorted uids, what two collections are compared by. */
type Content = Map<string, string[]>;

async function collect(
  conn: ReturnType<typeof adminConnection>,
  opts: { pageSize: number; onRetry?: (e: RetryEvent) => void },
): Promise<{ result: CollectResult; content: Content }> {
  const content: Content = new Map(KINDS.map((k) => [k.kind, [] as string[]]));
  try {
    const result = await collectLive(
      conn,
      {
        pageSize: opts.pageSize,
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
        ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
      },
      (o) => content.get(String(o.kind))!.push(String(o.metadata?.uid)),
    );
    for (const v of content.values()) v.sort();
    return { result, content };
  } finally {
    conn.close();
  }
}

/** Events keep coming while the cluster runs; every other kind is quiet during the suite. */
const VOLATILE = new Set(["Event"]);

void describe("faults between day2 and the apiserver", { timeout: 180_000 }, () => {
  let proxy: FaultProxy;

  before(async () => {
    proxy = await startFaultProxy({
      upstream: C.server,
      ca: readFileSync(C.caCertPath),
      token: C.adminToken,
      rules: script(),
    });
  });
  after(async () => {
    await proxy?.close();
    closeApi();
  });

  void it("collectLive through the fault script ends with the clean content, every fault injected", async (t) => {
    const pageSize = 10;
    const clean = await collect(adminConnection(), { pageSize });
    const retries: RetryEvent[] = [];
    const kubeconfig = plainHttpKubeconfig(`${tmp.dir}/proxy.kubeconfig`, proxy.url);
    const conn = await loadKubeConfig({ kubeconfig, env: {}, homeDir: tmp.dir });
    const faulty = await collect(conn, { pageSize, onRetry: (e) => retries.push(e) });

    t.diagnostic(`proxy: ${proxy.requests} requests, injected ${JSON.stringify(proxy.log)}`);
    t.diagnostic(`retries: ${JSON.stringify(retries)}`);
    assert.deepEqual(proxy.unused(), [], "every scripted fault was injected");
    for (const [rule, n] of Object.entries(proxy.injected())) assert.equal(n, 1, rule);

    // Add-on kinds that are not installed (Trivy's) are no gap, here or anywhere.
    const errored = faulty.result.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c));
    assert.deepEqual(errored, [], "no kind ended in error");
    assert.deepEqual(
      faulty.result.coverage.map((c) => c.kind),
      clean.result.coverage.map((c) => c.kind),
    );
    for (const c of faulty.result.coverage) {
      const want = clean.content.get(c.kind)!;
      const got = faulty.content.get(c.kind)!;
      assert.equal(new Set(got).size, got.length, `${c.kind}: duplicate-free`);
      if (VOLATILE.has(c.kind)) {
        assert.ok(got.length > 0, c.kind);
        continue;
      }
      assert.equal(c.count, want.length, c.kind);
      assert.deepEqual(got, want, `${c.kind}: same uids as the clean collection`);
    }
    assert.equal(faulty.result.serverVersion?.gitVersion, C.version);

    const cov = new Map(faulty.result.coverage.map((c) => [c.kind, c]));
    assert.equal(cov.get("ClusterRole")?.consistency, "restarted");
    assert.match(cov.get("ClusterRole")?.reason ?? "", /restarted 1x/);
    assert.equal(cov.get("ClusterRoleBinding")?.consistency, "inconsistent-continue");
    assert.ok(clean.result.coverage.every((c) => c.consistency === undefined));

    // The retryable faults went through the retry path: 429, 503, 500 and two dropped bodies.
    const causes = retries.map((r) => r.cause);
    for (const want of [429, 503, 500])
      assert.ok(causes.includes(want), `retried after ${want}: ${JSON.stringify(causes)}`);
    const dropped = retries.filter((r) => r.cause === "ECONNRESET").map((r) => r.path);
    for (const path of ["/api/v1/pods", "/api/v1/events"])
      assert.ok(dropped.includes(path), `retried ${path} after the cut-off body: ${JSON.stringify(causes)}`);
    const throttled = retries.find((r) => r.cause === 429)!;
    assert.equal(throttled.delayMs, 200, "Retry-After: 1 capped at maxDelayMs");
  });

  void it("a gzip-compressed page cut off mid-body is retried, not taken as the end of the list", async () => {
    // The apiserver gzips responses above 128 KiB: 48 ConfigMaps of 4 KiB make one such page.
    const ns = await createNamespace("faults-gzip");
    const gz = await startFaultProxy({
      upstream: C.server,
      ca: readFileSync(C.caCertPath),
      token: C.adminToken,
      rules: [
        {
          name: "cut a gzip body",
          match: (r) => isList(r, "configmaps"),
          fault: { type: "drop", fraction: 0.5 },
        },
      ],
    });
    try {
      await mapLimit(
        Array.from({ length: 48 }, (_, i) => i),
        8,
        async (i) => {
          const r = await api("POST", `/api/v1/namespaces/${ns}/configmaps`, {
            metadata: { name: `blob-${i}` },
            data: { blob: randomBytes(3072).toString("base64") },
          });
          assert.equal(r.status, 201);
        },
      );
      const info = KINDS.filter((k) => k.kind === "ConfigMap");
      const want = (
        await api<{ items: { metadata: { uid: string } }[] }>("GET", `/api/v1/namespaces/${ns}/configmaps`)
      ).body.items
        .map((i) => i.metadata.uid)
        .sort();
      const conn = await loadKubeConfig({
        kubeconfig: plainHttpKubeconfig(`${tmp.dir}/gz.kubeconfig`, gz.url),
        env: {},
        homeDir: tmp.dir,
      });
      const uids: string[] = [];
      const retries: RetryEvent[] = [];
      let res: CollectResult;
      try {
        res = await collectLive(
          conn,
          {
            kinds: info,
            namespace: ns,
            pageSize: 500,
            retry: { baseDelayMs: 10, maxDelayMs: 200 },
            onRetry: (e) => retries.push(e),
          },
          (o) => uids.push(String(o.metadata?.uid)),
        );
      } finally {
        conn.close();
      }
      assert.deepEqual(gz.unused(), []);
      assert.equal(gz.log[0]?.encoding, "gzip", "the apiserver compressed this page (> 128 KiB of JSON)");
      assert.equal(res.coverage[0]?.status, "collected", res.coverage[0]?.reason);
      assert.equal(retries.length, 1, JSON.stringify(retries));
      assert.deepEqual(uids.sort(), want);
    } finally {
      await gz.close();
      await deleteNamespace(ns);
    }
  });

  void it("day2 report through the proxy (--page-size 20): exit 0, same findings as direct", async () => {
    const cliProxy = await startFaultProxy({
      upstream: C.server,
      ca: readFileSync(C.caCertPath),
      token: C.adminToken,
      rules: script(),
    });
    try {
      const kubeconfig = plainHttpKubeconfig(`${tmp.dir}/cli-proxy.kubeconfig`, cliProxy.url);
      const viaProxy = await day2(["report", "--kubeconfig", kubeconfig, "-o", "json", "--page-size", "20"]);
      const direct = await day2(["report", "--kubeconfig", C.kubeconfig, "-o", "json", "--page-size", "20"]);
      assert.equal(viaProxy.code, 0, viaProxy.stderr);
      assert.equal(direct.code, 0, direct.stderr);
      assert.deepEqual(cliProxy.unused(), [], `every fault injected: ${JSON.stringify(cliProxy.log)}`);
      const a = parseReport(viaProxy);
      const b = parseReport(direct);
      assert.deepEqual(
        a.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c)),
        [],
      );
      assert.deepEqual(findingKeys(a), findingKeys(b));
      assert.deepEqual(
        a.coverage.filter((c) => !VOLATILE.has(c.kind)).map((c) => `${c.kind} ${c.count}`),
        b.coverage.filter((c) => !VOLATILE.has(c.kind)).map((c) => `${c.kind} ${c.count}`),
      );
      assert.equal(a.source.server, cliProxy.url);
    } finally {
      await cliProxy.close();
    }
  });
});
