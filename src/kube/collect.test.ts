/**
 * collectLive against a small fake list server on 127.0.0.1: paging, per-kind outcomes, 410
 * handling, secrets, selectors. Behaviour against a real kube-apiserver is covered by the
 * integration test bed.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { kindInfo, type KindInfo } from "../state/kinds.js";
import type { KubeObject } from "../state/raw.js";
import { type CollectOptions, type CollectProgress, collectLive, type CollectResult } from "./collect.js";
import { staticConnection } from "./connection.js";
import { KubeConnectionError, KubeUnauthorizedError } from "./errors.js";
import { METADATA_ONLY_ACCEPT } from "./paging.js";

interface Seen {
  path: string;
  query: URLSearchParams;
  accept: string | undefined;
}

/** Scripted behaviour of the fake server; reset before each test. */
const fake = {
  store: new Map<string, KubeObject[]>(),
  seen: [] as Seen[],
  forbidden: new Set<string>(),
  failing: new Set<string>(),
  unauthorized: false,
  /** Called for every page request after the first; may answer 410 (return a Status). */
  gone: undefined as ((plural: string, token: string) => object | undefined) | undefined,
  /** Secrets: answer with full objects, as a server that ignores the Accept header would. */
  ignoreAccept: false,
  inFlight: 0,
  maxInFlight: 0,
};

function key(o: KubeObject): string {
  return o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? "");
}

function put(plural: string, objs: KubeObject[]): void {
  fake.store.set(
    plural,
    [...objs].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  );
}

function pods(n: number, ns = "default"): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: {
      name: `pod-${String(i).padStart(4, "0")}`,
      namespace: ns,
      uid: `uid-${ns}-${i}`,
      managedFields: [{ apiVersion: "v1", manager: "kubelet" }],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}" },
    },
    spec: { nodeName: "n1" },
  }));
}

function send(res: http.ServerResponse, code: number, body: object): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  fake.seen.push({ path: url.pathname, query: url.searchParams, accept: req.headers.accept });
  if (fake.unauthorized) return send(res, 401, { kind: "Status", code: 401, message: "Unauthorized" });
  if (url.pathname === "/version") return send(res, 200, { major: "1", minor: "31", gitVersion: "v1.31.2" });
  const parts = url.pathname.split("/").filter(Boolean);
  const plural = parts.at(-1) ?? "";
  const nsIndex = parts.indexOf("namespaces");
  const ns = nsIndex >= 0 && nsIndex < parts.length - 2 ? parts[nsIndex + 1] : undefined;
  if (fake.forbidden.has(plural)) {
    return send(res, 403, {
      kind: "Status",
      code: 403,
      reason: "Forbidden",
      message: `${plural} is forbidden: User "viewer" cannot list resource "${plural}"`,
    });
  }
  if (fake.failing.has(plural))
    return send(res, 500, { kind: "Status", code: 500, message: "etcdserver: request timed out" });
  const all = fake.store.get(plural);
  if (!all)
    return send(res, 404, {
      kind: "Status",
      code: 404,
      message: "the server could not find the requested resource",
    });
  const token = url.searchParams.get("continue") ?? "";
  if (token) {
    const status = fake.gone?.(plural, token);
    if (status) return send(res, 410, { kind: "Status", code: 410, ...status });
  }
  // The continue token is "after:<key>", like the apiserver's (which encodes the last key).
  const afterKey = token.startsWith("after:") ? token.slice(6) : undefined;
  const selector = url.searchParams.get("labelSelector");
  const matching = all.filter(
    (o) =>
      (!ns || o.metadata?.namespace === ns) &&
      (afterKey === undefined || key(o) > afterKey) &&
      (!selector ||
        Object.entries(Object.fromEntries([selector.split("=")])).every(
          ([k, v]) => o.metadata?.labels?.[k] === v,
        )),
  );
  const limit = Number(url.searchParams.get("limit") ?? "0") || matching.length;
  const page = matching.slice(0, limit);
  const more = matching.length > limit;
  const metaOnly =
    req.headers.accept?.startsWith("application/json;as=PartialObjectMetadataList") && !fake.ignoreAccept;
  const items = page.map((o) => {
    const copy = structuredClone(o);
    return metaOnly
      ? { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: copy.metadata }
      : copy;
  });
  fake.inFlight++;
  fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
  setTimeout(() => {
    fake.inFlight--;
    send(res, 200, {
      kind: metaOnly ? "PartialObjectMetadataList" : "List",
      metadata: { resourceVersion: "100", ...(more ? { continue: `after:${key(page.at(-1) ?? {})}` } : {}) },
      items,
    });
  }, 2);
}

let server: http.Server;
let url = "";
before(async () => {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
beforeEach(() => {
  fake.store.clear();
  fake.seen = [];
  fake.forbidden.clear();
  fake.failing.clear();
  fake.unauthorized = false;
  fake.gone = undefined;
  fake.ignoreAccept = false;
  fake.maxInFlight = 0;
  put("pods", pods(23));
  put("nodes", [{ metadata: { name: "n1", uid: "node-1" } }, { metadata: { name: "n2", uid: "node-2" } }]);
  put("namespaces", [{ metadata: { name: "default", uid: "ns-1" } }]);
  put("secrets", [
    {
      metadata: { name: "db", namespace: "default", uid: "s1" },
      type: "Opaque",
      data: { password: "aHVudGVyMg==" },
    },
  ]);
  put("deployments", [
    { metadata: { name: "web", namespace: "default", uid: "d1", labels: { app: "web" } } },
  ]);
  put("customresourcedefinitions", [
    { metadata: { name: "widgets.example.com", uid: "c1" }, spec: { versions: [{ schema: "huge" }] } },
    { metadata: { name: "backups.velero.io", uid: "c2" }, spec: {} },
  ]);
});

function kinds(...names: string[]): KindInfo[] {
  return names.map((n) => {
    const k = kindInfo(n);
    assert.ok(k, n);
    return k;
  });
}

async function run(
  opts: CollectOptions,
): Promise<{ result: CollectResult; objects: KubeObject[]; progress: CollectProgress[] }> {
  const objects: KubeObject[] = [];
  const progress: CollectProgress[] = [];
  const conn = staticConnection({ server: url });
  try {
    const result = await collectLive(
      conn,
      {
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
        onProgress: (e) => progress.push(e),
        ...opts,
      },
      (o) => objects.push(o),
    );
    return { result, objects, progress };
  } finally {
    conn.close();
  }
}

function cov(result: CollectResult, kind: string) {
  const c = result.coverage.find((x) => x.kind === kind);
  assert.ok(c, kind);
  return c;
}

void describe("collectLive", () => {
  void it("pages through a kind, setting kind/apiVersion and stripping each object", async () => {
    const { result, objects, progress } = await run({ kinds: kinds("Pod", "Node"), pageSize: 5 });
    assert.equal(result.serverVersion?.gitVersion, "v1.31.2");
    assert.equal(fake.seen[0]?.path, "/version");
    const podObjs = objects.filter((o) => o.kind === "Pod");
    assert.equal(podObjs.length, 23);
    assert.equal(new Set(podObjs.map((o) => o.metadata?.uid)).size, 23);
    for (const o of podObjs) {
      assert.equal(o.apiVersion, "v1");
      assert.equal(o.metadata?.managedFields, undefined);
      assert.equal(o.metadata?.annotations, undefined);
    }
    assert.deepEqual(cov(result, "Pod"), { kind: "Pod", status: "collected", count: 23, pages: 5 });
    assert.deepEqual(cov(result, "Node"), { kind: "Node", status: "collected", count: 2, pages: 1 });
    const podRequests = fake.seen.filter((s) => s.path === "/api/v1/pods");
    assert.equal(podRequests.length, 5);
    assert.ok(podRequests.every((s) => s.query.get("limit") === "5"));
    assert.equal(podRequests[0]?.query.has("continue"), false);
    const podProgress = progress.filter((p) => p.kind === "Pod");
    assert.deepEqual(podProgress.at(-1), {
      kind: "Pod",
      page: 5,
      objects: 23,
      done: true,
      status: "collected",
    });
    assert.deepEqual(
      podProgress.slice(0, 2).map((p) => [p.page, p.objects, p.done]),
      [
        [1, 5, false],
        [2, 10, false],
      ],
    );
  });

  void it("asks for metadata only for Secrets and never passes data on", async () => {
    for (const ignore of [false, true]) {
      fake.ignoreAccept = ignore;
      fake.seen = [];
      const { objects } = await run({ kinds: kinds("Secret") });
      assert.equal(fake.seen.find((s) => s.path === "/api/v1/secrets")?.accept, METADATA_ONLY_ACCEPT);
      assert.equal(objects.length, 1);
      const [secret] = objects;
      assert.equal(secret?.kind, "Secret");
      assert.equal(secret?.apiVersion, "v1");
      assert.equal(secret?.["data"], undefined);
      assert.equal(secret?.metadata?.name, "db");
    }
  });

  void it("records forbidden, not-installed and failing kinds and goes on", async () => {
    fake.forbidden.add("secrets");
    fake.failing.add("nodes");
    const { result, objects } = await run({ kinds: kinds("Secret", "Ingress", "Node", "Pod") });
    assert.equal(cov(result, "Secret").status, "not-permitted");
    assert.equal(
      cov(result, "Secret").reason,
      'list secrets: forbidden: secrets is forbidden: User "viewer" cannot list resource "secrets"',
    );
    assert.equal(cov(result, "Ingress").status, "not-installed");
    assert.match(
      cov(result, "Ingress").reason ?? "",
      /^list ingresses: \/apis\/networking\.k8s\.io\/v1\/ingresses not found/,
    );
    assert.equal(cov(result, "Node").status, "error");
    assert.match(
      cov(result, "Node").reason ?? "",
      /HTTP 500 \(after 2 attempts\): etcdserver: request timed out/,
    );
    assert.equal(cov(result, "Pod").count, 23);
    assert.equal(objects.length, 23);
    assert.deepEqual(
      result.coverage.map((c) => c.kind),
      ["Secret", "Ingress", "Node", "Pod"],
      "requested order",
    );
  });

  void it("410 with the server's continue token: continues, marked inconsistent", async () => {
    let fired = false;
    fake.gone = (plural, token) => {
      if (plural !== "pods" || fired) return undefined;
      fired = true;
      return {
        reason: "Expired",
        message: "The provided continue parameter is too old",
        metadata: { continue: token },
      };
    };
    const { result, objects } = await run({ kinds: kinds("Pod"), pageSize: 10 });
    assert.equal(objects.length, 23);
    const c = cov(result, "Pod");
    assert.equal(c.status, "collected");
    assert.equal(c.consistency, "inconsistent-continue");
    assert.match(c.reason ?? "", /newer snapshot/);
  });

  void it("410 without a token: restarts and skips what was already sent", async () => {
    let fired = false;
    fake.gone = (plural) => {
      if (plural !== "pods" || fired) return undefined;
      fired = true;
      // Meanwhile one pod before the break point and one after it were created.
      put("pods", [...pods(23), ...pods(1, "aaa"), ...pods(1, "zzz")]);
      return { reason: "Expired", message: "too old resource version" };
    };
    const { result, objects } = await run({ kinds: kinds("Pod"), pageSize: 10 });
    const uids = objects.map((o) => o.metadata?.uid);
    assert.equal(new Set(uids).size, uids.length, "no duplicates");
    assert.equal(objects.length, 24, "23 originals + the pod created after the break point");
    assert.ok(uids.includes("uid-zzz-0"));
    const c = cov(result, "Pod");
    assert.deepEqual([c.status, c.count, c.consistency], ["collected", 24, "restarted"]);
    assert.match(c.reason ?? "", /list restarted 1x/);
  });

  void it("gives up on a kind whose list keeps expiring", async () => {
    fake.gone = (plural) => (plural === "pods" ? { reason: "Expired", message: "too old" } : undefined);
    const { result } = await run({ kinds: kinds("Pod"), pageSize: 10 });
    const c = cov(result, "Pod");
    assert.equal(c.status, "error");
    assert.match(c.reason ?? "", /continue token expired 4 times.*\(10 objects collected before this\)/);
  });

  void it("applies the label selector to workloads only, and -n to namespaced kinds only", async () => {
    await run({
      kinds: kinds("Pod", "Deployment", "Node", "Namespace", "Secret"),
      labelSelector: "app=web",
      namespace: "default",
    });
    const q = (p: string) => fake.seen.find((s) => s.path === p)?.query.get("labelSelector") ?? null;
    assert.equal(q("/api/v1/namespaces/default/pods"), "app=web");
    assert.equal(q("/apis/apps/v1/namespaces/default/deployments"), "app=web");
    assert.equal(q("/api/v1/nodes"), null);
    assert.equal(q("/api/v1/namespaces"), null);
    assert.equal(q("/api/v1/namespaces/default/secrets"), null);
  });

  void it("reports installed CRD names, listing metadata only when the kind was not requested", async () => {
    const { result, objects } = await run({ kinds: kinds("Node") });
    assert.deepEqual(result.crds, ["backups.velero.io", "widgets.example.com"]);
    assert.equal(
      objects.filter((o) => o.kind === "CustomResourceDefinition").length,
      0,
      "not sent to the sink",
    );
    assert.equal(
      fake.seen.find((s) => s.path.endsWith("/customresourcedefinitions"))?.accept,
      METADATA_ONLY_ACCEPT,
    );
    assert.equal(result.crdsReason, undefined);
    const full = await run({ kinds: kinds("CustomResourceDefinition") });
    assert.deepEqual(full.result.crds, ["backups.velero.io", "widgets.example.com"]);
    assert.equal(full.objects.length, 2);
  });

  void it("says why CRD names are missing when they cannot be listed", async () => {
    fake.forbidden.add("customresourcedefinitions");
    const { result } = await run({ kinds: kinds("Node") });
    assert.deepEqual(result.crds, []);
    assert.match(result.crdsReason ?? "", /^list customresourcedefinitions: forbidden: /);
  });

  void it("keeps at most `concurrency` lists in flight", async () => {
    put("pods", pods(60));
    await run({
      kinds: kinds("Pod", "Node", "Namespace", "Deployment", "Secret", "CustomResourceDefinition"),
      pageSize: 3,
      concurrency: 2,
    });
    assert.ok(fake.maxInFlight <= 2, `max in flight ${fake.maxInFlight}`);
    assert.equal(fake.maxInFlight, 2);
  });

  void it("stops the run on 401, an unreachable server, or a failing sink", async () => {
    fake.unauthorized = true;
    await assert.rejects(run({ kinds: kinds("Pod") }), KubeUnauthorizedError);
    fake.unauthorized = false;

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(
      collectLive(staticConnection({ server: deadUrl }), {}, () => undefined),
      (err: unknown) => {
        assert.ok(err instanceof KubeConnectionError);
        assert.match(err.message, new RegExp(`cannot reach the Kubernetes API server at ${deadUrl}`));
        return true;
      },
    );

    const conn = staticConnection({ server: url });
    await assert.rejects(
      collectLive(conn, { kinds: kinds("Pod", "Node") }, () => {
        throw new Error("disk full");
      }),
      /disk full/,
    );
    conn.close();
  });
});
