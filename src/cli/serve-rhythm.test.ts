/**
 * The real thing: `day2 serve --demo --collect-interval 1s --config day2.yaml` as a child
 * process sends the scheduled rhythm reports (day2.yaml rhythm:) through a webhook notifier
 * to a receiver on a loopback HTTP server, once per cadence and period: later collections
 * send nothing more.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { startWebhookReceiver } from "../../test/support/webhook-receiver.js";
import { periodOf } from "../rhythm/checklists.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");

async function until<T>(
  what: string,
  fn: () => T | undefined | false,
  ms: number,
  log: () => string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const collections = (out: string) => out.match(/collection: score /g)?.length ?? 0;

interface Body {
  event: string;
  id: string;
  summary: string;
  rhythm: {
    cadence: string;
    period: string;
    schedule: { period: string; time: string; timeZone: string };
    items: { id: string; kind: string; status: string; evidence: string[] }[];
  };
  report: { format: string; text: string };
  link?: string;
}

test(
  "day2 serve sends each due rhythm report once through a webhook notifier; later collections send nothing more",
  { timeout: 300_000 },
  async () => {
    const tmp = mkdtempSync(join(tmpdir(), "day2-serve-rhythm-"));
    const recv = await startWebhookReceiver();
    let proc: ChildProcessWithoutNullStreams | undefined;
    try {
      const config = join(tmp, "day2.yaml");
      // Times every period has passed at once: each cadence is due on the first collection.
      writeFileSync(
        config,
        `incidents:
  notifications:
    webhooks: [{ name: ops-hook, url: "${recv.url}/hook", secret: s3cret }]
rhythm:
  daily: "00:00"
  weekly: "mon 00:00"
  monthly: "1 00:00"
  quarterly: "1 00:00"
  notify: [ops-hook]
  format: markdown
`,
      );
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          MAIN,
          "serve",
          "--port",
          "0",
          "--demo",
          "--collect-interval",
          "1s",
          "--worker-interval",
          "200",
          "--config",
          config,
          "--db",
          join(tmp, "demo.db"),
        ],
        { cwd: ROOT, env: { ...process.env, HOME: tmp, NO_COLOR: "1" } },
      );
      proc = child;
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
      child.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
      const log = () => out;

      const url = await until(
        "listening",
        () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
        120_000,
        log,
      );
      assert.match(
        out,
        /rhythm: daily 00:00, weekly mon 00:00, monthly 1 00:00, quarterly 1 00:00 \(UTC\) to ops-hook/,
      );
      const hooks = () => recv.requests.filter((r) => r.url === "/hook");
      await until("four rhythm reports", () => hooks().length >= 4, 240_000, log);
      const now = Date.now();
      const bodies = hooks().map((r) => JSON.parse(r.body) as Body);
      assert.deepEqual(bodies.map((b) => b.rhythm.cadence).sort(), [
        "daily",
        "monthly",
        "quarterly",
        "weekly",
      ]);
      for (const b of bodies) {
        assert.equal(b.event, "rhythm.report");
        assert.equal(b.rhythm.period, periodOf(b.rhythm.cadence as "daily", now), b.summary);
        assert.equal(b.id, `rhythm:${b.rhythm.cadence}:${b.rhythm.schedule.period}`);
        assert.equal(b.link, `${url}/#/rhythm`);
        assert.equal(b.report.format, "markdown");
        assert.ok(
          b.report.text.startsWith(`# day2 rhythm ${b.rhythm.cadence}: ${b.rhythm.period}`),
          b.report.text,
        );
      }
      const daily = bodies.find((b) => b.rhythm.cadence === "daily")!;
      assert.match(daily.summary, /^Daily rhythm \d{4}-\d\d-\d\d: \d+ ok, \d+ need attention/);
      const item = (id: string) => daily.rhythm.items.find((i) => i.id === id)!;
      assert.equal(item("cluster-health").kind, "evaluated");
      assert.match(item("cluster-health").evidence.join("\n"), /score \d+\.\d \([A-F]\)/);
      assert.match(item("cost-trends").evidence.join("\n"), /monthly cost \$[\d,]+\.\d\d/);
      // The demo incidents seeded into the server's own store are evaluated.
      assert.match(item("overnight-alerts").evidence[0]!, /^\d+ incidents? in the last 24h/);
      assert.notEqual(item("critical-incidents").status, "not-available");

      // Two more collections (and worker ticks after them) send nothing more.
      const after = collections(out);
      await until("two more collections", () => collections(out) >= after + 2, 120_000, log);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(hooks().length, 4, log());
      assert.equal(out.match(/rhythm: the \w+ report for .* queued for ops-hook/g)?.length, 4, log());

      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0, log());
      proc = undefined;
    } finally {
      proc?.kill("SIGKILL");
      await recv.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
