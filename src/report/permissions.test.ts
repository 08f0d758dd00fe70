/** The "Permissions" line: what could not be listed, and how many rules it left unevaluated. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RULES } from "../checks/index.js";
import { ClusterStateBuilder } from "../state/builder.js";
import { PLAIN, renderReport } from "./render/index.js";
import { permissionGap, permissionLine } from "./permissions.js";
import { buildReport } from "./report.js";

function report(coverage: [string, "not-permitted" | "error", string?][]) {
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "test", collectedAt: 0 });
  for (const [kind, status, reason] of coverage) b.setCoverage(kind, status, reason);
  return buildReport(b.build({ complete: true }), { rules: RULES });
}

test("not-permitted kinds: rules name the missing list permission; one Permissions line in table, markdown and html", () => {
  const r = report([
    ["Secret", "not-permitted", 'RBAC: cannot list secrets (preflight; user "viewer")'],
    ["Node", "not-permitted"], // a snapshot without a reason still names the permission
    [
      "Role",
      "not-permitted",
      'list roles: forbidden: roles.rbac.authorization.k8s.io is forbidden: User "viewer"',
    ],
  ]);
  const gap = permissionGap(r)!;
  assert.deepEqual(gap.missing, ["list nodes", "list secrets", "list rbac.authorization.k8s.io/roles"]);
  const readers = RULES.filter((x) => x.kinds.some((k) => ["Secret", "Node", "Role"].includes(k)));
  assert.deepEqual([...gap.rules].sort(), readers.map((x) => x.id).sort());
  assert.ok(gap.rules.length > 0);
  for (const o of r.rules.filter((x) => gap.rules.includes(x.rule))) {
    assert.equal(o.status, "not-evaluated");
    assert.ok(o.missing && o.missing.length > 0, o.rule);
    for (const m of o.missing) assert.ok(o.reason?.includes(m), `${o.rule}: ${o.reason} names ${m}`);
  }
  const node = r.rules.find((x) => x.rule === "node-not-ready")!;
  assert.equal(node.reason, "Node: not-permitted (missing list nodes)");
  const line = permissionLine(gap);
  assert.equal(
    line,
    `missing: list nodes, list secrets, list rbac.authorization.k8s.io/roles (${gap.rules.length} rules not evaluated)`,
  );
  assert.ok(renderReport(r, "table", PLAIN).includes(`PERMISSIONS  ${line}`));
  const md = renderReport(r, "markdown", PLAIN);
  assert.match(
    md,
    /### Permissions\n\nmissing: `list nodes`, `list secrets`, `list rbac.authorization.k8s.io\/roles` \(\d+ rules not evaluated\)/,
  );
  assert.ok(renderReport(r, "html", PLAIN).includes(`<h3>Permissions</h3><p>${line}`));
});

test("no Permissions line when nothing was refused (an error is no permission gap)", () => {
  const r = report([["Pod", "error", "list pods: HTTP 500"]]);
  assert.equal(permissionGap(r), undefined);
  assert.ok(!renderReport(r, "table", PLAIN).includes("PERMISSIONS"));
  assert.ok(!renderReport(r, "markdown", PLAIN).includes("### Permissions"));
  assert.ok(!renderReport(r, "html", PLAIN).includes("<h3>Permissions</h3>"));
});
