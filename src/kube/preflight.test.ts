/**
 * The permission preflight: its pure decisions (rules matching, reasons, skips), and one
 * run against a fake authorization API on 127.0.0.1 that answers SelfSubjectAccessReviews
 * from a set of allowed resources, with the collector skipping what it denied.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { KINDS, kindInfo } from "../state/kinds.js";
import { collectLive } from "./collect.js";
import { staticConnection } from "./connection.js";
import { KubeUnauthorizedError } from "./errors.js";
import { kindPermissions } from "./permissions.js";
import {
  accessReviewBody,
  allowedByRulesReview,
  checkFromAccessReview,
  deniedReason,
  missingPermissions,
  preflight,
  type PreflightResult,
  rulesAllow,
  skippedKinds,
  SSAR_PATH,
  SSR_PATH,
  SSRR_PATH,
} from "./preflight.js";

const perm = (kind: string) => kindPermissions([kindInfo(kind)!])[0]!;

void describe("preflight decisions (pure)", () => {
  void it("an access review asks for list on group/resource, namespaced only with -n and for namespaced kinds", () => {
    assert.deepEqual(accessReviewBody(perm("Deployment"), "list"), {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { verb: "list", group: "apps", resource: "deployments" } },
    });
    assert.deepEqual(accessReviewBody(perm("Secret"), "list", "shop").spec, {
      resourceAttributes: { verb: "list", group: "", resource: "secrets", namespace: "shop" },
    });
    assert.deepEqual(accessReviewBody(perm("Node"), "list", "shop").spec, {
      resourceAttributes: { verb: "list", group: "", resource: "nodes" },
    });
  });

  void it("rules match verbs, groups and resources, with * and without resourceNames", () => {
    const rules = [
      { verbs: ["get", "list"], apiGroups: ["apps"], resources: ["deployments"] },
      { verbs: ["*"], apiGroups: [""], resources: ["configmaps"] },
      { verbs: ["list"], apiGroups: ["*"], resources: ["*"], resourceNames: ["only-this"] },
      { verbs: ["list"], apiGroups: ["batch"], resources: ["*"] },
    ];
    assert.equal(rulesAllow(rules, "list", "apps", "deployments"), true);
    assert.equal(rulesAllow(rules, "list", "apps", "replicasets"), false);
    assert.equal(rulesAllow(rules, "list", "", "configmaps"), true);
    assert.equal(rulesAllow(rules, "list", "", "secrets"), false, "resourceNames never allow a list");
    assert.equal(rulesAllow(rules, "list", "batch", "cronjobs"), true);
    assert.equal(rulesAllow(rules, "watch", "batch", "jobs"), false);
    assert.equal(rulesAllow([], "list", "", "pods"), false);
  });

  void it("a rules review only allows, and only namespaced kinds", () => {
    const perms = kindPermissions(KINDS);
    const allowed = allowedByRulesReview(perms, "list", "shop", {
      resourceRules: [{ verbs: ["list"], apiGroups: ["*"], resources: ["*"] }],
    });
    for (const p of perms) assert.equal(allowed.has(p.kind), p.namespaced, p.kind);
    assert.equal(allowed.get("Pod")?.source, "rules-review");
    assert.equal(allowed.get("Pod")?.namespace, "shop");
    assert.equal(allowedByRulesReview(perms, "list", "shop", undefined).size, 0);
    assert.equal(
      allowedByRulesReview(perms, "list", "shop", { incomplete: true, resourceRules: [] }).size,
      0,
    );
  });

  void it("an access review answer becomes a check; denied or not-allowed is not allowed", () => {
    const yes = checkFromAccessReview(perm("Pod"), "list", undefined, {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "x"',
    });
    assert.equal(yes.allowed, true);
    assert.match(yes.reason, /allowed by ClusterRoleBinding/);
    const no = checkFromAccessReview(perm("Secret"), "list", "shop", { allowed: false });
    assert.deepEqual(
      { allowed: no.allowed, verb: no.verb, group: no.group, resource: no.resource, namespace: no.namespace },
      { allowed: false, verb: "list", group: "", resource: "secrets", namespace: "shop" },
    );
    assert.equal(no.reason, "denied: list secrets");
    assert.equal(
      checkFromAccessReview(perm("Pod"), "list", undefined, { allowed: true, denied: true }).allowed,
      false,
    );
    assert.match(
      checkFromAccessReview(perm("Pod"), "list", undefined, { allowed: false, evaluationError: "boom" })
        .reason,
      /evaluation error: boom/,
    );
  });

  void it("denied kinds become not-permitted skips naming verb, group/resource and user; nothing when unavailable", () => {
    const result: PreflightResult = {
      available: true,
      user: "day2-viewer",
      checks: [
        checkFromAccessReview(perm("Pod"), "list", undefined, { allowed: true }),
        checkFromAccessReview(perm("Secret"), "list", undefined, { allowed: false }),
        checkFromAccessReview(perm("Role"), "list", "shop", { allowed: false }),
      ],
    };
    const skip = skippedKinds(result);
    assert.deepEqual([...skip.keys()], ["Secret", "Role"]);
    assert.deepEqual(skip.get("Secret"), {
      status: "not-permitted",
      reason: 'RBAC: cannot list secrets (preflight; user "day2-viewer")',
    });
    assert.equal(
      skip.get("Role")?.reason,
      'RBAC: cannot list rbac.authorization.k8s.io/roles in namespace "shop" (preflight; user "day2-viewer")',
    );
    assert.deepEqual(missingPermissions(result), ["list secrets", "list rbac.authorization.k8s.io/roles"]);
    assert.equal(deniedReason(result.checks[1]!), "RBAC: cannot list secrets (preflight)");
    const unavailable: PreflightResult = { available: false, unavailableReason: "forbidden", checks: [] };
    assert.equal(skippedKinds(unavailable).size, 0);
    assert.deepEqual(missingPermissions(unavailable), []);
  });

  void it("a denied add-on kind that is not served is not-installed, not a missing permission", () => {
    const optional = KINDS.find((k) => k.optional);
    if (!optional) return; // no add-on kind in the catalogue
    const c = {
      ...checkFromAccessReview(kindPermissions([optional])[0]!, "list", undefined, { allowed: false }),
      notServed: "x",
    };
    const result: PreflightResult = { available: true, checks: [c] };
    assert.equal(skippedKinds(result).get(optional.kind)?.status, "not-installed");
    assert.deepEqual(missingPermissions(result), []);
  });
});

// ---------------------------------------------------------------------------------------
// against a fake authorization API

const fake = {
  /** "group/resource" the user may list ("" group: "/secrets"). */
  allowed: new Set<string>(),
  /** Answer SSARs with this status instead. */
  ssarStatus: undefined as number | undefined,
  unauthorized: false,
  rules: undefined as object[] | undefined,
  ssar: 0,
  ssrr: 0,
  lists: [] as string[],
  inFlight: 0,
  maxInFlight: 0,
};

function send(res: http.ServerResponse, code: number, body: object): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://x");
    if (fake.unauthorized) return send(res, 401, { kind: "Status", code: 401, message: "Unauthorized" });
    if (req.method === "POST" && url.pathname === SSAR_PATH) {
      fake.ssar++;
      if (fake.ssarStatus)
        return send(res, fake.ssarStatus, { kind: "Status", code: fake.ssarStatus, message: "nope" });
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        spec: { resourceAttributes: { verb: string; group: string; resource: string } };
      };
      const a = body.spec.resourceAttributes;
      fake.inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      setTimeout(() => {
        fake.inFlight--;
        send(res, 201, {
          ...body,
          status: { allowed: a.verb === "list" && fake.allowed.has(`${a.group}/${a.resource}`) },
        });
      }, 5);
      return;
    }
    if (req.method === "POST" && url.pathname === SSRR_PATH) {
      fake.ssrr++;
      return send(res, 201, { status: { resourceRules: fake.rules ?? [], incomplete: false } });
    }
    if (req.method === "POST" && url.pathname === SSR_PATH) {
      return send(res, 201, { status: { userInfo: { username: "alice" } } });
    }
    if (url.pathname === "/version")
      return send(res, 200, { major: "1", minor: "34", gitVersion: "v1.34.0" });
    if (req.method === "GET" && url.pathname.startsWith("/apis/") && url.pathname.split("/").length === 4) {
      return send(res, 404, { kind: "Status", code: 404, message: "not found" }); // discovery: no add-ons
    }
    fake.lists.push(url.pathname);
    return send(res, 200, { kind: "List", apiVersion: "v1", metadata: {}, items: [] });
  });
}

void describe("preflight against a fake API server", () => {
  let server: http.Server;
  let url: string;
  const conn = () => staticConnection({ server: url });

  before(async () => {
    server = http.createServer(handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    fake.allowed = new Set(
      KINDS.filter((k) => !["Secret", "Node"].includes(k.kind) && !k.optional).map(
        (k) => `${k.group}/${k.plural}`,
      ),
    );
    fake.ssarStatus = undefined;
    fake.unauthorized = false;
    fake.rules = undefined;
    fake.ssar = fake.ssrr = fake.inFlight = fake.maxInFlight = 0;
    fake.lists = [];
  });

  void it("one access review per kind, a few at a time; the collector skips the denied kinds without a request", async () => {
    const c = conn();
    try {
      const result = await preflight(c, { concurrency: 3 });
      assert.equal(result.available, true);
      assert.equal(fake.ssar, KINDS.length);
      assert.equal(fake.ssrr, 0);
      assert.ok(fake.maxInFlight <= 3 && fake.maxInFlight >= 2, `max in flight ${fake.maxInFlight}`);
      assert.equal(result.user, "alice");
      const denied = result.checks.filter((x) => !x.allowed).map((x) => x.kind);
      const expectDenied = ["Node", "Secret", ...KINDS.filter((k) => k.optional).map((k) => k.kind)];
      assert.deepEqual(denied.sort(), expectDenied.sort());
      const skip = skippedKinds(result);
      const cov = await collectLive(c, { skip }, () => undefined);
      const byKind = new Map(cov.coverage.map((x) => [x.kind, x]));
      assert.equal(byKind.get("Secret")?.status, "not-permitted");
      assert.equal(byKind.get("Secret")?.reason, 'RBAC: cannot list secrets (preflight; user "alice")');
      assert.equal(byKind.get("Node")?.status, "not-permitted");
      for (const k of KINDS.filter((k) => k.optional))
        assert.equal(byKind.get(k.kind)?.status, "not-installed", k.kind);
      assert.equal(byKind.get("Pod")?.status, "collected");
      assert.ok(!fake.lists.some((p) => p.endsWith("/secrets") || p.endsWith("/nodes")), "no wasted 403s");
    } finally {
      c.close();
    }
  });

  void it("with -n: one rules review settles the namespaced kinds it allows; the rest get access reviews", async () => {
    fake.rules = [{ verbs: ["list"], apiGroups: ["", "apps"], resources: ["*"] }];
    const c = conn();
    try {
      const result = await preflight(c, { namespace: "shop" });
      assert.equal(fake.ssrr, 1);
      const fromRules = result.checks.filter((x) => x.source === "rules-review").map((x) => x.kind);
      assert.ok(
        fromRules.includes("Secret") && fromRules.includes("Deployment") && !fromRules.includes("Node"),
      );
      assert.equal(fake.ssar, KINDS.length - fromRules.length);
      assert.equal(
        result.checks.find((x) => x.kind === "Secret")?.allowed,
        true,
        "the namespace's rules allow secrets",
      );
      assert.equal(result.checks.find((x) => x.kind === "Node")?.allowed, false);
    } finally {
      c.close();
    }
  });

  void it("a refused or missing review API makes the preflight unavailable: nothing is skipped", async () => {
    for (const status of [403, 404, 400]) {
      fake.ssarStatus = status;
      const c = conn();
      try {
        const result = await preflight(c, { retry: { maxAttempts: 1 } });
        assert.equal(result.available, false, String(status));
        assert.match(result.unavailableReason ?? "", /SelfSubjectAccessReview/);
        assert.equal(skippedKinds(result).size, 0);
      } finally {
        c.close();
      }
    }
  });

  void it("unauthorized stops the run, as the collector would", async () => {
    fake.unauthorized = true;
    const c = conn();
    try {
      await assert.rejects(preflight(c), KubeUnauthorizedError);
    } finally {
      c.close();
    }
  });
});
