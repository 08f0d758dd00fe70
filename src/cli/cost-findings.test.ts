/**
 * `day2 cost quick-wins`, `day2 cost waste` and `day2 cost advisories` on the small demo
 * cluster, as a user runs them: a separate process per run (in parallel), the planted waste
 * found by name with its dollars, the order of quick wins, the "no data because" lines, every
 * output format, and garbage flags.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { day2Async, type Run } from "../../test/support/day2-cli.js";
import { QUICK_WIN_ORDER } from "../cost/quick-wins.js";
import { plantedReplicaSet } from "../demo/problems.js";

const TMP = mkdtempSync(join(tmpdir(), "day2-cost-findings-"));
after(() => rmSync(TMP, { recursive: true, force: true }));
const day2 = (args: string[]): Promise<Run> => day2Async(args, {}, TMP);

const ok = (r: Run, what: string): string => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

interface Ref {
  kind: string;
  namespace: string;
  name: string;
}

interface QuickWinsJson {
  kind: string;
  partial: boolean;
  usage: { source: string };
  settings: { minMonthly: number; top?: number };
  summary: { wins: number; monthly: number; shown: number; shownMonthly: number };
  categories: { category: string; wins: number; monthly: number }[];
  wins: {
    rank: number;
    category: string;
    title: string;
    monthly: number;
    confidence: string;
    confidenceReason: string;
    objects: Ref[];
    action: string;
  }[];
  notes: string[];
}

interface WasteJson {
  kind: string;
  filter: { kinds?: string[]; namespace?: string };
  summary: { items: number; monthly: number };
  byKind: { kind: string; items: number; monthly: number }[];
  items: { kind: string; object: Ref; monthly: number; confidence: string; action: string }[];
}

interface AdvisoriesJson {
  kind: string;
  advisories: { id: string; status: string; noDataReason?: string; items: unknown[]; notes: string[] }[];
}

const cents = (n: number): number => Math.round(n * 100) / 100;

test("help: the new subcommands have examples, and day2 cost lists them", async () => {
  const runs = await Promise.all(
    [[], ["quick-wins"], ["waste"], ["advisories"]].map((sub) => day2(["cost", ...sub, "--help"])),
  );
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Examples:/);
  }
  assert.match(runs[0]!.stdout, /quick-wins/);
  assert.match(runs[0]!.stdout, /advisories/);
  assert.match(runs[1]!.stdout, /--min-monthly/);
  assert.match(runs[2]!.stdout, /Kinds: unbound-pv, unmounted-pvc/);
  assert.match(runs[3]!.stdout, /no data because/);
});

test("quick-wins: ordered as an operator acts, the planted old-export-data PVC first at $40/month", async () => {
  const [json, limited, table] = await Promise.all([
    day2(["cost", "quick-wins", "--demo", "-o", "json"]),
    day2(["cost", "quick-wins", "--demo", "-o", "json", "--top", "3", "--min-monthly", "50"]),
    day2(["cost", "quick-wins", "--demo", "--top", "5"]),
  ]);
  const d = JSON.parse(ok(json!, "json")) as QuickWinsJson;
  assert.equal(d.kind, "QuickWins");
  assert.equal(d.usage.source, "demo");
  assert.equal(d.partial, false);
  assert.equal(d.wins.length, d.summary.wins, "json: every win by default");
  const first = d.wins[0]!;
  assert.equal(first.category, "unused-volume");
  assert.deepEqual(first.objects, [
    { kind: "PersistentVolumeClaim", namespace: "analytics", name: "old-export-data" },
  ]);
  assert.equal(first.monthly, 40, "500 GiB of gp3 at $0.08/GB-month");
  assert.equal(first.confidence, "high");
  assert.match(first.action, /^kubectl delete pvc old-export-data -n analytics/);
  // The order: by QUICK_WIN_ORDER, then most dollars first within a category.
  const rank = (c: string): number => QUICK_WIN_ORDER.indexOf(c as (typeof QUICK_WIN_ORDER)[number]);
  d.wins.forEach((w, i) => {
    assert.equal(w.rank, i + 1);
    assert.ok(rank(w.category) >= 0, w.category);
    const prev = d.wins[i - 1];
    if (!prev) return;
    assert.ok(rank(prev.category) <= rank(w.category), `${prev.category} before ${w.category}`);
    if (prev.category === w.category) assert.ok(prev.monthly >= w.monthly, `${prev.title} >= ${w.title}`);
  });
  assert.deepEqual(
    d.categories.map((c) => c.category),
    QUICK_WIN_ORDER.filter((c) => d.wins.some((w) => w.category === c)),
  );
  for (const c of ["unused-load-balancer", "overprovisioned-requests", "missing-hpa", "spot"])
    assert.ok(
      d.categories.some((x) => x.category === c),
      c,
    );
  assert.ok(
    d.wins.some((w) => w.category === "unused-load-balancer" && w.objects[0]!.name === "search-public"),
  );
  assert.ok(
    d.wins.some((w) => w.category === "overprovisioned-requests" && w.objects[0]!.name === "report-builder"),
  );
  assert.ok(Math.abs(d.summary.monthly - d.wins.reduce((t, w) => t + w.monthly, 0)) < 0.01 * d.wins.length);
  assert.ok(Math.abs(cents(d.categories.reduce((t, c) => t + c.monthly, 0)) - d.summary.monthly) <= 0.01 * 8);
  assert.ok(d.wins.every((w) => w.category === "quota-limitrange" || w.monthly >= 1));
  assert.ok(d.notes.some((n) => /wins can overlap/.test(n)));

  const l = JSON.parse(ok(limited!, "--top 3 --min-monthly 50")) as QuickWinsJson;
  assert.equal(l.wins.length, 3);
  assert.equal(l.summary.shown, 3);
  assert.equal(l.settings.minMonthly, 50);
  assert.equal(l.settings.top, 3);
  assert.ok(l.summary.wins > 3 && l.summary.wins < d.summary.wins);
  assert.ok(l.wins.every((w) => w.monthly >= 50 && !w.objects.some((o) => o.name === "old-export-data")));
  assert.ok(l.wins.every((w, i) => i === 0 || rank(l.wins[i - 1]!.category) <= rank(w.category)));

  const t = ok(table!, "table");
  assert.match(t, /^day2 cost quick-wins · demo · seed 42, scale small · window 14d ending/);
  assert.match(t, /^BY CATEGORY \(in the order to act\)$/m);
  assert.match(
    t,
    /^1\s+unused-volume\s+\$40\.00\s+high\s+Delete PersistentVolumeClaim analytics\/old-export-data/m,
  );
  assert.match(t, /^#1\s+kubectl delete pvc old-export-data -n analytics/m);
  assert.match(t, new RegExp(`^total: ${d.summary.wins} wins, \\$[\\d,.]+ per month`, "m"));
  assert.match(t, new RegExp(`… ${d.summary.wins - 5} more wins`));
});

test("waste: the planted items with $ and confidence; old ReplicaSets grouped by Deployment; --kind", async () => {
  const [json, filtered, table] = await Promise.all([
    day2(["cost", "waste", "--demo", "-o", "json"]),
    day2([
      "cost",
      "waste",
      "--demo",
      "-o",
      "json",
      "--kind",
      "unmounted-pvc,old-replicaset",
      "-n",
      "analytics",
    ]),
    day2(["cost", "waste", "--demo", "--kind", "old-replicaset", "--kind", "unmounted-pvc", "--top", "0"]),
  ]);
  const d = JSON.parse(ok(json!, "json")) as WasteJson;
  assert.equal(d.kind, "Waste");
  const planted: [string, string, string][] = [
    ["unmounted-pvc", "analytics", "old-export-data"],
    ["unbound-pvc", "analytics", "scratch-data"],
    ["lb-no-endpoints", "search", "search-public"],
    ["scaled-to-zero", "search", "search-frontend"],
    ["orphan-configmap", "legacy", "legacy-portal-config-old"],
    ["finished-job-no-ttl", "batch-jobs", "db-migrate-20261101"],
    ["old-replicaset", "checkout", plantedReplicaSet("checkout", "checkout-web", 13)],
  ];
  for (const [kind, ns, name] of planted)
    assert.ok(
      d.items.some((x) => x.kind === kind && x.object.namespace === ns && x.object.name === name),
      `${kind} ${ns}/${name} not found`,
    );
  const pvc = d.items.find((x) => x.object.name === "old-export-data")!;
  assert.equal(pvc.monthly, 40);
  assert.equal(pvc.confidence, "high");
  assert.equal(d.items.find((x) => x.object.name === "search-public")!.confidence, "high");
  assert.equal(d.summary.items, d.items.length);
  assert.deepEqual(
    d.byKind.map((k) => k.monthly),
    [...d.byKind.map((k) => k.monthly)].sort((a, b) => b - a),
    "kinds: most dollars first",
  );
  const rsCount = d.items.filter((x) => x.kind === "old-replicaset").length;
  assert.ok(rsCount > 100, `${rsCount} old ReplicaSets in the demo`);

  const f = JSON.parse(ok(filtered!, "--kind -n")) as WasteJson;
  assert.deepEqual(f.filter, { kinds: ["unmounted-pvc", "old-replicaset"], namespace: "analytics" });
  assert.ok(f.items.length > 1);
  assert.ok(f.items.every((x) => ["unmounted-pvc", "old-replicaset"].includes(x.kind)));
  assert.ok(f.items.every((x) => x.object.namespace === "analytics"));
  assert.equal(f.summary.monthly, 40);

  const t = ok(table!, "table");
  assert.match(t, /^unmounted-pvc · PersistentVolumeClaims no pod mounts \(3\) · \$48\.00\/month$/m);
  assert.match(t, /^analytics\s+old-export-data\s+\$40\.00\s+high\s+bound claim of 500 GiB/m);
  const head = new RegExp(`^old-replicaset · Old ReplicaSets: ${rsCount} in (\\d+) Deployments`, "m").exec(t);
  assert.ok(head, t.slice(0, 2000));
  assert.ok(Number(head[1]) < rsCount);
  assert.match(t, /^NAMESPACE\s+DEPLOYMENT\s+OLD REPLICASETS\s+REVISIONS\s+CONFIDENCE$/m);
  assert.match(t, /^checkout\s+checkout-web\s+\d+\s+\d+-13\s+high/m);
  assert.equal(
    t.includes(plantedReplicaSet("checkout", "checkout-web", 13)),
    false,
    "one row per Deployment",
  );
  assert.equal(/orphan-configmap|lb-no-endpoints/.test(t), false, "--kind filters");
});

test("advisories: data transfer says why there is no data; other regions are priced", async () => {
  const [json, table] = await Promise.all([
    day2(["cost", "advisories", "--demo", "-o", "json"]),
    day2(["cost", "advisories", "--demo"]),
  ]);
  const d = JSON.parse(ok(json!, "json")) as AdvisoriesJson;
  assert.equal(d.kind, "Advisories");
  assert.deepEqual(
    d.advisories.map((a) => a.id),
    ["spiky-workloads", "custom-metric-autoscaling", "data-transfer", "other-regions"],
  );
  const dt = d.advisories.find((a) => a.id === "data-transfer")!;
  assert.equal(dt.status, "no-data");
  assert.match(dt.noDataReason!, /^no data because no network metrics/);
  const regions = d.advisories.find((a) => a.id === "other-regions")!;
  assert.equal(regions.status, "ok");
  assert.equal(regions.items.length, 3);
  const t = ok(table!, "table");
  assert.match(t, /^day2 cost advisories · demo · seed 42, scale small · window 14d ending/);
  assert.match(t, /^data-transfer: no data because no network metrics \(container_network_\*_bytes_total\)/m);
  assert.match(t, /^4\. The same nodes in other regions$/m);
  assert.match(t, /^FINDING\s+Δ\/MONTH\s+CONF$/m);
});

test("every output format renders for quick-wins, waste and advisories", async () => {
  const kinds = { "quick-wins": "QuickWins", waste: "Waste", advisories: "Advisories" } as const;
  type Cmd = keyof typeof kinds;
  // -o wide is the table with an ACTION column for waste; for the others it is the table.
  const cases: [Cmd, string][] = [
    ...(["quick-wins", "waste", "advisories"] as const).flatMap((c) =>
      ["yaml", "markdown", "html"].map((f): [Cmd, string] => [c, f]),
    ),
    ["waste", "wide"],
  ];
  const runs = await Promise.all(
    cases.map(([c, f]) =>
      day2(["cost", c, "--demo", "-o", f, ...(c === "quick-wins" ? ["--top", "20"] : [])]),
    ),
  );
  runs.forEach((r, i) => {
    const [c, f] = cases[i]!;
    const out = ok(r, `${c} -o ${f}`);
    if (f === "yaml") assert.equal((parseYaml(out) as { kind: string }).kind, kinds[c]);
    if (f === "markdown") assert.match(out, new RegExp(`^# day2 cost ${c}\\n`));
    if (f === "wide") assert.match(out, new RegExp(`^day2 cost ${c} · demo`));
    if (f === "html") {
      assert.match(out, /^<!doctype html>/);
      assert.match(out, new RegExp(`<title>day2 cost ${c}</title>`));
      assert.equal(/<(script|link)[^>]+src=|https?:\/\/[^"]*\.(js|css)/.test(out), false, "self-contained");
    }
  });
  const md = runs[cases.findIndex(([c, f]) => c === "quick-wins" && f === "markdown")]!.stdout;
  assert.match(md, /^1\. \*\*unused-volume\*\* · \$40\.00\/month · high confidence: /m);
  const wide = runs[cases.findIndex(([c, f]) => c === "waste" && f === "wide")]!.stdout;
  assert.match(wide, /kubectl delete pvc old-export-data -n analytics/, "-o wide: the action column");
  const advMd = runs[cases.findIndex(([c, f]) => c === "advisories" && f === "markdown")]!.stdout;
  assert.match(advMd, /`data-transfer`: no data because/);
});

test("garbage flags: exit 2 naming the flag, nothing on stdout", async () => {
  const cases: [string[], RegExp][] = [
    [["cost", "quick-wins", "--demo", "--top", "-1"], /--top: expected a non-negative integer, got "-1"/],
    [
      ["cost", "quick-wins", "--demo", "--min-monthly", "abc"],
      /--min-monthly: expected a non-negative number of dollars, got "abc"/,
    ],
    [
      ["cost", "waste", "--demo", "--kind", "nonsense"],
      /--kind: expected one or more of unbound-pv, .*got "nonsense"/,
    ],
    [["cost", "waste", "--demo", "--kind", "unmounted-pvc,bogus"], /--kind: .*got "bogus"/],
    [["cost", "waste", "--demo", "--top", "ten"], /--top: expected a non-negative integer/],
    [["cost", "advisories", "--demo", "--window", "soon"], /--window: expected a duration like 14d/],
    [
      ["cost", "advisories", "--demo", "-o", "sarif"],
      /-o sarif: day2 cost advisories writes table, json, yaml, markdown, html/,
    ],
    [["cost", "waste", "--demo", "-o", "kustomize"], /-o kustomize: only for day2 cost rightsize/],
  ];
  const runs = await Promise.all(cases.map(([args]) => day2(args)));
  runs.forEach((r, i) => {
    const [args, pattern] = cases[i]!;
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
    assert.equal(r.stdout, "", `nothing on stdout: ${args.join(" ")}`);
  });
});

test("day2 cost forecast is capacity under the name the handbook uses", async () => {
  const [a, b] = await Promise.all([
    day2(["cost", "forecast", "--demo", "-o", "json"]),
    day2(["cost", "capacity", "--demo", "-o", "json"]),
  ]);
  assert.equal(ok(a, "forecast"), ok(b, "capacity"));
  assert.ok(JSON.parse(a.stdout), "forecast prints JSON");
});
