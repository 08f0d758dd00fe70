/** `day2 review monthly` and `day2 kpi success` as a user runs them: the real CLI on the demo cluster. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const TMP = mkdtempSync(join(tmpdir(), "day2-review-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

function day2(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const { KUBECONFIG: _k, DAY2_SERVER: _s, DAY2_TOKEN: _t, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...rest, HOME: TMP, XDG_DATA_HOME: join(TMP, "data"), NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SECTIONS = ["Incident retrospectives", "Cost review", "Performance analysis", "Security audit"];

test("review monthly -o html on the demo: every section, inline SVG charts, the demo's incidents", () => {
  const r = day2(["review", "monthly", "--demo", "--month", "2026-10", "-o", "html"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^<!doctype html>/);
  for (const h of SECTIONS) assert.ok(r.stdout.includes(`<h2>${h}</h2>`), h);
  assert.ok((r.stdout.match(/<svg /g) ?? []).length >= 2, "a cost and an incident chart");
  assert.match(r.stdout, /Daily cost 2026-10/);
  assert.match(r.stdout, /went wrong: /);
  assert.match(r.stdout, /Action items: \d+ open, \d+ overdue, \d+ done/);
  assert.match(r.stdout, /No findings history: no store \(give --db\)/);
});

test("review monthly -o markdown -f FILE: the charts are SVG files beside it, linked", () => {
  const out = join(TMP, "review-2026-10.md");
  const r = day2(["review", "monthly", "--demo", "-o", "markdown", "-f", out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  const md = readFileSync(out, "utf8");
  assert.match(md, /^# Monthly review 2026-10$/m); // the demo is collected 2026-11-20: last month
  for (const h of SECTIONS) assert.match(md, new RegExp(`^## ${h}$`, "m"));
  assert.match(md, /!\[Daily cost [^\]]*\]\(review-2026-10-daily-cost\.svg\)/);
  const svg = readFileSync(join(TMP, "review-2026-10-daily-cost.svg"), "utf8");
  assert.match(svg, /^<svg /);
  assert.ok(existsSync(join(TMP, "review-2026-10-incidents-per-day.svg")));
});

test("review monthly -o json: the document with its four sections and the success criteria", () => {
  const r = day2(["review", "monthly", "--demo", "--month", "2026-10", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as Record<string, unknown> & {
    incidents: { total: number; byPriority: Record<string, number> };
    cost: { perDay: unknown[]; total: number };
    success: { id: string }[];
  };
  assert.equal(doc.kind, "MonthlyReview");
  assert.equal(doc.month, "2026-10");
  assert.ok(doc.incidents.total > 0);
  assert.equal(
    Object.values(doc.incidents.byPriority).reduce((s, n) => s + n, 0),
    doc.incidents.total,
  );
  assert.equal(doc.cost.perDay.length, 31);
  assert.ok(doc.cost.total > 0);
  for (const k of ["performance", "security"]) assert.ok(k in doc, k);
  assert.equal(doc.success.length, 7);
});

test("review monthly: garbage flags are usage errors naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--month", "2026-13"], /--month: expected a month as YYYY-MM.*"2026-13"/],
    [["--month", "last"], /--month: .*"last"/],
    [["--month", "2030-01"], /--month: 2030-01 has not started/],
    [["-o", "yaml"], /-o yaml: day2 review monthly writes html, markdown, json/],
    [["-f", join(TMP, "no", "such", "dir", "r.md")], /--file: no such directory/],
    [["--db", join(TMP, "missing.db")], /--db: no such file/],
    [
      ["--db", "x.db", "--server", "http://127.0.0.1:1"],
      /--db and --server\/--token cannot be used together/,
    ],
    [["--server", "ftp://x"], /--server: expected an http:\/\/ or https:\/\/ URL/],
    [["--prometheus", "not a url"], /--prometheus: expected an http:\/\/ or https:\/\/ URL/],
  ];
  for (const [args, message] of cases) {
    const r = day2(["review", "monthly", "--demo", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.match(r.stderr, /D2_ERR_USAGE/);
  }
});

test("kpi success: seven criteria; a success sign-off is stored and shown as signed", () => {
  const db = join(TMP, "success.db");
  const s = day2([
    "rhythm",
    "signoff",
    "success.documentation",
    "--by",
    "alice",
    "--note",
    "wiki reviewed",
    "--db",
    db,
  ]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /signed off success\.documentation .* by alice/);
  const short = day2(["rhythm", "signoff", "success", "team-confidence", "--by", "bob", "--db", db]);
  assert.equal(short.code, 0, short.stderr);
  const r = day2(["kpi", "success", "--demo", "--db", db, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as {
    id: string;
    status: string;
    judgedBy: string;
    signoff: { by: string; note: string | null } | null;
  }[];
  assert.deepEqual(
    rows.map((x) => x.id),
    [
      "success.incidents",
      "success.costs",
      "success.performance",
      "success.security",
      "success.team-confidence",
      "success.developer-self-service",
      "success.documentation",
    ],
  );
  const byId = new Map(rows.map((x) => [x.id, x]));
  assert.equal(byId.get("success.documentation")!.status, "signed");
  assert.deepEqual(
    byId.get("success.documentation")!.signoff && {
      ...byId.get("success.documentation")!.signoff,
      at: undefined,
    },
    {
      by: "alice",
      at: undefined,
      note: "wiki reviewed",
    },
  );
  assert.equal(byId.get("success.team-confidence")!.signoff?.by, "bob");
  assert.equal(byId.get("success.developer-self-service")!.status, "open");
  // The demo's compliance is 40%: the security criterion is missed from the KPIs.
  assert.equal(byId.get("success.security")!.status, "missed");
  const md = day2(["kpi", "success", "--demo", "--db", db, "-o", "markdown"]);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^\| Criterion \| Status \| Judged by \| Evidence \|$/m);
  assert.match(
    md.stdout,
    /\| Documentation is kept current \| SIGNED \| sign-off \| signed off by alice on \d{4}-\d\d-\d\d: wiki reviewed \|/,
  );
});

test("kpi success and success sign-offs: garbage is a usage error naming the flag or item", () => {
  const db = join(TMP, "garbage.db");
  const cases: [string[], RegExp][] = [
    [
      ["rhythm", "signoff", "success.nope", "--by", "a", "--db", db],
      /unknown success item "success\.nope": expected success\.team-confidence/,
    ],
    [["rhythm", "signoff", "success", "--by", "a", "--db", db], /unknown success item "": expected/],
    [["rhythm", "signoff", "success.documentation", "--db", db], /--by: expected who signs off/],
    [
      ["rhythm", "signoff", "success.documentation", "--by", "a", "--at", "yesterday", "--db", db],
      /--at: expected an ISO 8601 time/,
    ],
    [
      ["rhythm", "signoff", "weekly", "--by", "a", "--db", db],
      /missing item: day2 rhythm signoff weekly <item>/,
    ],
    [
      ["kpi", "success", "--demo", "-o", "html"],
      /-o html: day2 kpi success writes table, json, yaml, markdown/,
    ],
    [["kpi", "success", "--demo", "--window", "soon"], /--window: expected a duration/],
    [["kpi", "success", "--demo", "--previous", join(TMP, "none.json")], /--previous: cannot read/],
  ];
  for (const [args, message] of cases) {
    const r = day2(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
  }
});
