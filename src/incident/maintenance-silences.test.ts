/**
 * day2.yaml's maintenance windows become silences in a real Alertmanager (the Debian package,
 * test/support/alertmanager.ts): ConfigSilencer creates one per occurrence (active, pending for
 * one to come, none for a window that ended), never twice (not after a restart either, not for
 * one somebody expired), and the next occurrence of a recurring window when it comes up; then
 * `day2 serve --alertmanager-url` does it at startup, and a second start adds nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { startAlertmanager, type TestAlertmanager } from "../../test/support/alertmanager.js";
import { ConfigSilencer, listSilences, type GettableSilence } from "./engine-ops.js";
import { parseMaintenanceWindow } from "./policy-config.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
// Whole seconds: Alertmanager answers times at millisecond precision anyway, this keeps ISO text equal.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();
const TMP = mkdtempSync(join(tmpdir(), "day2-mw-silences-"));

/** Windows around now: active, to come, recurring weekly (in its 4th occurrence now), ended. */
function windows(prefix: string) {
  return [
    {
      id: `${prefix}-active`,
      matchers: ['namespace="payments"'],
      startsAt: iso(NOW - HOUR),
      endsAt: iso(NOW + HOUR),
      createdBy: "alice",
      comment: "Postgres 16 upgrade",
    },
    {
      id: `${prefix}-tomorrow`,
      matchers: ['namespace="search"', 'alertname=~"Kube.*"'],
      startsAt: iso(NOW + DAY),
      endsAt: iso(NOW + DAY + 2 * HOUR),
      createdBy: "bob",
      comment: "reindex",
    },
    {
      id: `${prefix}-weekly`,
      matchers: ['namespace="db"'],
      startsAt: iso(NOW - 3 * WEEK - 30 * MIN),
      endsAt: iso(NOW - 3 * WEEK + 30 * MIN),
      every: "1w",
      createdBy: "dba",
      comment: "weekly vacuum",
    },
    {
      id: `${prefix}-ended`,
      matchers: ['namespace="old"'],
      startsAt: iso(NOW - 2 * DAY),
      endsAt: iso(NOW - DAY),
      createdBy: "carol",
      comment: "done",
    },
  ];
}

const markerOf = (s: GettableSilence): string | undefined =>
  /\[day2 maintenance (\S+) @ (\S+)\]/.exec(s.comment)?.[0];

describe("config maintenance windows as Alertmanager silences", () => {
  let am: TestAlertmanager;
  before(async () => {
    // Nothing fires in these tests: the receiver is never called.
    am = await startAlertmanager({ webhook: { url: "http://127.0.0.1:9/unused" } });
  });
  after(async () => {
    await am?.stop();
    rmSync(TMP, { recursive: true, force: true });
  });

  const mine = async (prefix: string): Promise<GettableSilence[]> =>
    (await listSilences(am.url)).filter((s) => s.comment.includes(`maintenance ${prefix}-`));

  it("one silence per occurrence, idempotent across restarts, the next occurrence when it comes", async () => {
    const ws = windows("unit").map((w) => parseMaintenanceWindow(w));
    const silencer = new ConfigSilencer(am.url, ws);
    assert.equal(await silencer.run(NOW), 3, "active, tomorrow, weekly; not the ended one");
    const first = await mine("unit");
    assert.equal(first.length, 3);
    const by = (id: string) => first.find((s) => s.comment.includes(`maintenance unit-${id} @`))!;
    assert.equal(by("active").status.state, "active");
    assert.equal(
      by("active").comment,
      `Postgres 16 upgrade [day2 maintenance unit-active @ ${iso(NOW - HOUR)}]`,
    );
    assert.equal(Date.parse(by("active").endsAt), NOW + HOUR);
    assert.equal(by("tomorrow").status.state, "pending");
    assert.equal(Date.parse(by("tomorrow").startsAt), NOW + DAY);
    // The weekly window's 4th occurrence (index 3) is on now.
    assert.equal(by("weekly").status.state, "active");
    // Alertmanager starts a silence from the past at once (startsAt = its now); the marker keeps
    // the occurrence's own start.
    assert.ok(by("weekly").comment.endsWith(`unit-weekly @ ${iso(NOW - 30 * MIN)}]`), by("weekly").comment);
    assert.equal(Date.parse(by("weekly").endsAt), NOW + 30 * MIN);
    assert.equal(first.filter((s) => s.comment.includes("unit-ended")).length, 0);

    // Again, and as a restarted (or newly elected) leader would: nothing new.
    assert.equal(await silencer.run(NOW + MIN), 0);
    assert.equal(await new ConfigSilencer(am.url, ws).run(NOW + MIN), 0);
    assert.equal((await mine("unit")).length, 3);

    // Somebody expires the active one by hand: it stays expired.
    const del = await fetch(`${am.url}/api/v2/silence/${by("active").id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.equal(await new ConfigSilencer(am.url, ws).run(NOW + 2 * MIN), 0);
    assert.equal((await mine("unit")).find((s) => s.id === by("active").id)!.status.state, "expired");

    // The weekly occurrence ends: its next one (a week later) is created, pending, once.
    const later = NOW + 31 * MIN;
    assert.equal(await silencer.run(later), 1);
    assert.equal(await silencer.run(later + MIN), 0);
    assert.equal(await new ConfigSilencer(am.url, ws).run(later + MIN), 0);
    const all = await mine("unit");
    assert.equal(all.length, 4);
    const next = all.filter((s) => s.comment.includes("unit-weekly")).find((s) => s.id !== by("weekly").id)!;
    assert.equal(next.status.state, "pending");
    assert.equal(Date.parse(next.startsAt), NOW - 30 * MIN + WEEK);
    assert.equal(Date.parse(next.endsAt), NOW + 30 * MIN + WEEK);
    assert.equal(new Set(all.map(markerOf)).size, 4, "one marker each");
  });

  it("an Alertmanager that is down: the run fails with the URL, and is not retried at once", async () => {
    const ws = windows("down").map((w) => parseMaintenanceWindow(w));
    const silencer = new ConfigSilencer("http://127.0.0.1:9", ws, { retryMs: 30_000, timeoutMs: 2000 });
    await assert.rejects(silencer.run(NOW), /maintenance silences at http:\/\/127\.0\.0\.1:9: fetch failed/);
    assert.equal(await silencer.run(NOW + 10_000), 0, "within retryMs: no request");
  });

  it("day2 serve --alertmanager-url creates the config windows' silences at startup, once", async () => {
    const db = join(TMP, "day2.db");
    const config = join(TMP, "day2.yaml");
    writeFileSync(config, stringify({ incidents: { maintenance: windows("serve") } }));
    const args = ["--db", db, "--config", config, "--alertmanager-url", am.url, "--worker-interval", "100"];
    const firstRun = await serveUntil(args, async () => (await mine("serve")).length >= 3);
    assert.match(firstRun, /maintenance window serve-active: silence \S+ in Alertmanager/);
    const created = await mine("serve");
    assert.deepEqual(created.map((s) => s.comment.replace(/ @ .*/, "")).sort(), [
      "Postgres 16 upgrade [day2 maintenance serve-active",
      "reindex [day2 maintenance serve-tomorrow",
      "weekly vacuum [day2 maintenance serve-weekly",
    ]);
    // A second start finds them: after several ticks there are still three.
    let ticks = 0;
    const secondRun = await serveUntil(args, async () => ++ticks >= 10);
    assert.doesNotMatch(secondRun, /silence \S+ in Alertmanager/);
    assert.equal((await mine("serve")).length, 3);
  });
});

/** Runs `day2 serve` until `done()` holds (polled every 200 ms, 30 s at most); returns its stderr. */
async function serveUntil(args: string[], done: () => Promise<boolean>): Promise<string> {
  const { KUBECONFIG: _k, ...env } = process.env;
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...env, HOME: TMP, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    const deadline = Date.now() + 30_000;
    while (!/listening on/.test(out)) {
      if (proc.exitCode !== null) throw new Error(`day2 serve exited ${proc.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`day2 serve did not listen:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`timed out:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return out;
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, "SIGTERM");
    await exited;
  }
}
