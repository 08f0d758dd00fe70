/**
 * Paged lists against the real apiserver: 1,000+ pods listed with limit=50 give exactly what
 * one unpaged list gives (count, namespace/name/uid/resourceVersion, and the projections),
 * and a continue token that really expires (etcd compacted under the list: 410 Expired) does
 * not fail the list: collectLive carries on and ends with the full, duplicate-free content.
 *
 * The pods are created directly through the API with a scheduler name nobody serves, so they
 * stay Pending and unchanged (stable resourceVersions) and cost no scheduler or kwok work.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { collectLive, type KubeConnection } from "../../src/kube/index.js";
import { prepareItem } from "../../src/kube/paging.js";
import { ClusterStateBuilder } from "../../src/state/builder.js";
import { kindInfo } from "../../src/state/kinds.js";
import type { KubeObject } from "../../src/state/raw.js";
import { waitFor } from "../cluster/harness.js";
import {
  adminConnection,
  api,
  closeApi,
  cluster,
  createNamespace,
  deleteNamespace,
  mapLimit,
} from "./env.js";

const C = cluster();
const POD = kindInfo("Pod")!;
/** Not a multiple of the page size: the last page is a partial one. */
const TOTAL = 1_057;
const PAGE = 50;
const CREATE_CONCURRENCY = 12;

interface Meta {
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}
interface PodList {
  metadata: { continue?: string; resourceVersion?: string };
  items: { metadata: Meta }[];
}

const ident = (m: Meta | undefined) => `${m?.namespace}/${m?.name} ${m?.uid} ${m?.resourceVersion}`;

function podManifest(name: string): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bulk", "day2.test/integration": "pagination" } },
    spec: {
      // No scheduler serves this name: the pod stays Pending, untouched by scheduler and kwok.
      schedulerName: "day2-it-nobody",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "app",
          image: "registry.example.invalid/bulk/app:1.0.0",
          resources: { requests: { cpu: "10m", memory: "16Mi" } },
        },
      ],
    },
  };
}

/** One unpaged list (no limit): the reference content. */
async function unpagedList(path: string): Promise<PodList> {
  const r = await api<PodList>("GET", path, undefined, { timeoutMs: 120_000 });
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
  assert.equal(r.body.metadata.continue, undefined, "an unpaged list has no continue token");
  return r.body;
}

function projectedPods(objects: KubeObject[]): unknown[] {
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "it", collectedAt: 0 });
  for (const o of objects) b.add(o);
  return [...b.build({ complete: true }).list("Pod")].sort((x, y) =>
    `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`),
  );
}

/** A connection whose requests wait while `gate` is pending (collectLive awaits material() per request). */
function gatedConnection(base: KubeConnection): KubeConnection & { gate: Promise<unknown> | undefined } {
  const conn = {
    server: base.server,
    source: base.source,
    context: base.context,
    namespace: base.namespace,
    requestTimeoutMs: base.requestTimeoutMs,
    gate: undefined as Promise<unknown> | undefined,
    async material(force?: boolean) {
      if (conn.gate) await conn.gate;
      return base.material(force);
    },
    close: () => base.close(),
  };
  return conn;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

async function etcd<T>(path: string, body: unknown): Promise<T> {
  const r = await fetch(`${C.etcdUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`etcd ${path}: HTTP ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Expires every continue token issued so far, the way the apiserver's own compactor does it:
 * write (so there is a newer revision), record the revision in compact_rev_key (the
 * apiserver watches that key and drops older watch-cache snapshots, which would otherwise
 * keep serving the token), compact etcd, then wait until a probe token really answers 410.
 */
async function expireContinueTokens(ns: string): Promise<{ probeWaitMs: number }> {
  const probe = await api<PodList>("GET", `/api/v1/namespaces/${ns}/pods?limit=1`);
  const token = probe.body.metadata.continue;
  assert.ok(token, "probe list has a continue token");
  const cm = await api("POST", `/api/v1/namespaces/${ns}/configmaps`, {
    metadata: { generateName: "bump-" },
    data: { at: new Date().toISOString() },
  });
  assert.equal(cm.status, 201);
  const head = await etcd<{ header: { revision: string } }>("/v3/kv/range", { key: b64("compact_rev_key") });
  const rev = head.header.revision;
  await etcd("/v3/kv/put", { key: b64("compact_rev_key"), value: b64(rev) });
  await etcd("/v3/kv/compaction", { revision: rev, physical: true });
  const t0 = Date.now();
  // The watch cache looks at the compaction revision every 15 s.
  await waitFor(
    async () => {
      const r = await api<{ reason?: string }>(
        "GET",
        `/api/v1/namespaces/${ns}/pods?limit=1&continue=${encodeURIComponent(token)}`,
      );
      return r.status === 410 && r.body.reason === "Expired";
    },
    {
      timeoutMs: 45_000,
      intervalMs: 500,
      description: "continue token to expire (410) after etcd compaction",
    },
  );
  return { probeWaitMs: Date.now() - t0 };
}

void describe(`pagination: ${TOTAL} pods`, { timeout: 240_000 }, () => {
  let ns: string;
  let reference: PodList;
  let createMs = 0;

  before(async () => {
    ns = await createNamespace("pagination");
    const names = Array.from({ length: TOTAL }, (_, i) => `bulk-${String(i).padStart(4, "0")}`);
    const t0 = Date.now();
    await mapLimit(names, CREATE_CONCURRENCY, async (name) => {
      for (let attempt = 0; ; attempt++) {
        const r = await api("POST", `/api/v1/namespaces/${ns}/pods`, podManifest(name));
        if (r.status === 201) return;
        // Throttling (429) or a busy apiserver: bounded retries.
        if ((r.status === 429 || r.status >= 500) && attempt < 5) {
          await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
          continue;
        }
        throw new Error(`creating pod ${name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
    });
    createMs = Date.now() - t0;
    reference = await unpagedList(`/api/v1/namespaces/${ns}/pods`);
    assert.equal(reference.items.length, TOTAL);
  });

  after(async () => {
    if (ns) await deleteNamespace(ns, { timeoutMs: 180_000 });
    closeApi();
  });

  void it("limit=50 pages give exactly the unpaged list: count, identity and projections", async (t) => {
    t.diagnostic(
      `created ${TOTAL} pods in ${(createMs / 1000).toFixed(1)} s (${CREATE_CONCURRENCY} in flight)`,
    );
    const conn = adminConnection();
    const got: KubeObject[] = [];
    try {
      const res = await collectLive(
        conn,
        { kinds: [POD], namespace: ns, pageSize: PAGE, concurrency: 1 },
        (o) => got.push(o),
      );
      const cov = res.coverage[0]!;
      assert.equal(cov.status, "collected");
      assert.equal(cov.count, TOTAL);
      assert.equal(cov.pages, Math.ceil(TOTAL / PAGE));
      assert.equal(cov.consistency, undefined, "nothing expired: a consistent list");
    } finally {
      conn.close();
    }
    const paged = got.map((o) => ident(o.metadata as Meta));
    assert.equal(new Set(paged).size, paged.length, "no duplicates");
    assert.deepEqual([...paged].sort(), reference.items.map((i) => ident(i.metadata)).sort());

    const ref = structuredClone(reference.items).map((i) => prepareItem(i, POD));
    assert.deepEqual(projectedPods(got), projectedPods(ref));
  });

  void it("all namespaces: paged pods (limit=50) and one unpaged list agree on every uid", async () => {
    const all = await unpagedList("/api/v1/pods");
    const conn = adminConnection();
    const uids: string[] = [];
    try {
      const res = await collectLive(conn, { kinds: [POD], pageSize: PAGE }, (o) =>
        uids.push(String(o.metadata?.uid)),
      );
      assert.equal(res.coverage[0]!.status, "collected");
      assert.ok(res.coverage[0]!.pages >= Math.ceil(TOTAL / PAGE));
    } finally {
      conn.close();
    }
    assert.equal(new Set(uids).size, uids.length, "no duplicates");
    assert.deepEqual(uids.sort(), all.items.map((i) => String(i.metadata.uid)).sort());
  });

  void it("an expired continue token (real 410 after etcd compaction) does not fail the list", async (t) => {
    const conn = gatedConnection(adminConnection());
    const got: KubeObject[] = [];
    let probeWaitMs = 0;
    try {
      const res = await collectLive(
        conn,
        { kinds: [POD], namespace: ns, pageSize: PAGE, concurrency: 1 },
        (o) => {
          got.push(o);
          // After page 2 (its continue token is in hand), expire it before page 3 is asked for.
          if (got.length === 2 * PAGE && !conn.gate) {
            conn.gate = expireContinueTokens(ns).then((r) => (probeWaitMs = r.probeWaitMs));
          }
        },
      );
      assert.ok(conn.gate, "the list was long enough to be interrupted");
      await conn.gate;
      const cov = res.coverage[0]!;
      t.diagnostic(
        `token expired ${(probeWaitMs / 1000).toFixed(1)} s after compaction; coverage: ${JSON.stringify(cov)}`,
      );
      assert.equal(cov.status, "collected", cov.reason);
      // The apiserver's 410 Expired carries a token to go on from (newer snapshot).
      assert.equal(cov.consistency, "inconsistent-continue");
      assert.match(cov.reason ?? "", /410/);
      assert.equal(cov.count, TOTAL);
    } finally {
      conn.close();
    }
    const keys = got.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
    assert.equal(new Set(keys).size, keys.length, "duplicate-free");
    const uids = got.map((o) => String(o.metadata?.uid));
    // The pods did not change, so even across snapshots the content is the reference's.
    assert.deepEqual(uids.sort(), reference.items.map((i) => String(i.metadata.uid)).sort());
    const after = await unpagedList(`/api/v1/namespaces/${ns}/pods`);
    assert.deepEqual(
      got.map((o) => ident(o.metadata as Meta)).sort(),
      after.items.map((i) => ident(i.metadata)).sort(),
    );
  });
});
