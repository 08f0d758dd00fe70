/**
 * The dashboard in a real browser: headless Chromium (Debian's, through playwright-core)
 * against the real `day2 serve --demo` process with its demo incidents and collections, the
 * built web app (npm run build:web) served by it. Every page loads with real content; an
 * incident is acknowledged from the UI and the API shows it; a viewer gets no buttons; a bad
 * token gets the sign-in error. The demo's 30 days of collection history are drawn: KPI
 * sparklines, the score trend, the cost forecast with its band, time axes whose labels are
 * distinct days, and no page scrolls sideways on a phone. An incident is resolved from the UI.
 * The server runs with a day2.yaml whose rhythm: sends every cadence at once (to a webhook on a
 * loopback receiver), so the rhythm page shows the sent reports' history with their items. (Page code runs in the browser, so it is passed as strings:
 * this file is typed for Node, without the DOM.) A screenshot of every page (desktop; the overview also on a
 * phone and in dark mode) goes to $DAY2_ARTIFACTS (default artifacts/screenshots/).
 * DAY2_DOCS_SCREENSHOT=1 also refreshes docs/dashboard.png, README's screenshot.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { day2Async } from "../support/day2-cli.js";
import { startWebhookReceiver } from "../support/webhook-receiver.js";
import type { WebhookReceiver } from "../support/webhook-receiver.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const WEB = join(ROOT, "dist", "web", "index.html");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = process.env.DAY2_ARTIFACTS ?? join(ROOT, "artifacts", "screenshots");
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Served {
  proc: ChildProcessWithoutNullStreams;
  url: string;
  log: () => string;
}

/** `day2 serve --demo --port 0 --config <config>` on `db`; resolves once it printed its URL. */
function startServe(db: string, home: string, config: string): Promise<Served> {
  // The demo history and the first real run are stored before the server listens. The next
  // run, a minute later, sends the scheduled rhythm reports (they follow a collection); a
  // minute keeps later runs (a few during the test) from crowding the daily points out of the
  // 30-point sparklines.
  const args = ["serve", "--demo", "--port", "0", "--db", db, "--collect-interval", "1m", "--config", config];
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, HOME: home, NO_COLOR: "1" },
  });
  let out = "";
  proc.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`day2 serve did not start within 90 s:\n${out}`));
    }, 90_000);
    const onData = () => {
      const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, log: () => out });
      } else if (/listening on /.test(out) && /dashboard not built/.test(out)) {
        clearTimeout(timer);
        reject(new Error(`day2 serve runs without the dashboard:\n${out}`));
      }
    };
    proc.stdout.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`day2 serve exited ${code}:\n${out}`));
    });
  });
}

async function api<T>(s: Served, token: string, path: string): Promise<T> {
  const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `${path}: ${text}`);
  return JSON.parse(text) as T;
}

/** Polls until the server has collected the demo cluster once (the overview names it). */
async function waitForCollection(s: Served, token: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await api<{ cluster: unknown; lastCollection: { ok: boolean; error: string | null } | null }>(
      s,
      token,
      "/api/v1/overview",
    );
    if (o.cluster) return;
    if (Date.now() > deadline)
      throw new Error(`no collection after ${timeoutMs} ms: ${JSON.stringify(o.lastCollection)}\n${s.log()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function screenshotPath(name: string): string {
  return join(ARTIFACTS, `${name}.png`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

/** The x-axis labels of the chart in `scope`: every one distinct, each a day and month. */
async function dayTicks(page: Page, scope: string): Promise<string[]> {
  const labels = await page.locator(`${scope} .x-axis text`).allTextContents();
  assert.ok(labels.length >= 2, `${scope}: ${labels.length} x-axis labels`);
  assert.equal(new Set(labels).size, labels.length, `${scope}: repeated labels ${labels.join(" | ")}`);
  for (const l of labels) assert.match(l, /^[A-Z][a-z]{2} \d{1,2}$/, `${scope}: a day and month, got ${l}`);
  return labels;
}

/** No sideways scrolling: the page is no wider than the phone. */
async function fitsPhone(page: Page, what: string): Promise<void> {
  const width = await page.evaluate<number>("document.documentElement.scrollWidth");
  assert.ok(
    width <= PHONE.viewport!.width,
    `${what}: no sideways scrolling on a phone (page is ${width}px wide)`,
  );
}

async function signIn(page: Page, s: Served, token: string, hash = "#/overview"): Promise<void> {
  await page.goto(`${s.url}/${hash}`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Pages" }).waitFor();
}

void describe("dashboard in headless Chromium", { timeout: 600_000 }, () => {
  let tmp: string;
  let served: Served | undefined;
  let browser: Browser | undefined;
  let responder: string;
  let viewer: string;
  let hooks: WebhookReceiver | undefined;
  const contexts: BrowserContext[] = [];

  async function newPage(token: string | null, opts: BrowserContextOptions = DESKTOP): Promise<Page> {
    const ctx = await browser!.newContext(opts);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    if (token) await signIn(page, served!, token);
    return page;
  }

  before(async () => {
    if (!existsSync(WEB))
      throw new Error(`the dashboard is not built (${WEB} is missing): run npm run build:web first`);
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    mkdirSync(ARTIFACTS, { recursive: true });
    tmp = mkdtempSync(join(tmpdir(), "day2-dashboard-"));
    const db = join(tmp, "demo.db");
    const token = async (role: string) => {
      const r = await day2Async(
        ["token", "create", "--role", role, "--name", `${role}-ui`, "--db", db],
        {},
        tmp,
      );
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    };
    responder = await token("responder");
    viewer = await token("viewer");
    // The scheduled rhythm: every cadence's time has passed this period, so the first
    // collection sends all four through the real scheduled path to this receiver.
    hooks = await startWebhookReceiver();
    const config = join(tmp, "day2.yaml");
    writeFileSync(
      config,
      `incidents:
  notifications:
    webhooks: [{ name: ops-hook, url: "${hooks.url}/hook" }]
rhythm:
  daily: "00:00"
  weekly: "mon 00:00"
  monthly: "1 00:00"
  quarterly: "1 00:00"
  notify: [ops-hook]
`,
    );
    served = await startServe(db, mkdtempSync(join(tmp, "home-")), config);
    await waitForCollection(served, viewer, 180_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
    });
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    if (served && served.proc.exitCode === null) {
      const exited = new Promise((r) => served!.proc.once("exit", r));
      served.proc.kill("SIGTERM");
      await exited;
    }
    await hooks?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  void it("a bad token gets the sign-in error and stays signed out", async () => {
    const page = await newPage(null);
    await page.goto(`${served!.url}/`);
    await page.getByLabel("API token").fill("day2_not-a-real-token-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /Not signed in[\s\S]*unknown or revoked token/);
    assert.equal(await page.getByRole("navigation", { name: "Pages" }).count(), 0);
    await shoot(page, "signin-error");
  });

  void it("overview: success criteria, 16 KPI tiles with values, score and open incidents", async () => {
    const page = await newPage(responder);
    await page.locator("[data-kpi]").first().waitFor();
    assert.equal(await page.locator("[data-kpi]").count(), 16);
    const mttr = page.locator('[data-kpi="mttr"]');
    assert.match(await mttr.locator("h3").innerText(), /MTTR|time to resolve/i);
    assert.match(await mttr.locator(".kpi-value").innerText(), /^\d[\d,.]* min$/);
    assert.match(await mttr.locator(".kpi-target").innerText(), /target/);
    assert.ok((await page.locator("[data-criterion]").count()) >= 4, "success criteria at the top");
    const scoreText = await page.locator('[data-stat="score"] .stat-value').innerText();
    assert.match(scoreText, /^\d+\/100$/);
    assert.match(await page.locator('[data-stat="incidents"] .stat-value').innerText(), /^\d+$/);
    // The demo's 30 days of history: a sparkline on every KPI with values, none "not enough".
    const withValue = await page.locator("[data-kpi]:not(.status-no-data)").count();
    assert.ok(withValue >= 10, `${withValue} KPIs with values`);
    assert.equal(
      await page.locator("[data-kpi]:not(.status-no-data) .sparkline path.spark-line").count(),
      withValue,
    );
    const d = await page.locator('[data-kpi="mttr"] .sparkline path.spark-line').getAttribute("d");
    assert.ok((d?.match(/L/g) ?? []).length >= 20, `the MTTR sparkline has its 30 points: ${d}`);
    assert.equal(await page.getByText("not enough history").count(), 0);
    assert.match(await mttr.locator(".trend").innerText(), /better|worse|steady/);
    // The score's trend: a sparkline in its tile and a chart with dated ticks.
    await page.locator('[data-stat="score"] .sparkline').waitFor();
    assert.match(
      await page.locator('[data-stat="score"] .score-trend').innerText(),
      /since [A-Z][a-z]{2} \d/,
    );
    await page.locator('[data-chart="score"] .line-history').waitFor();
    await dayTicks(page, '[data-chart="score"]');
    await shoot(page, "overview");
    if (process.env.DAY2_DOCS_SCREENSHOT === "1") {
      // Tall enough for the success criteria, the health tiles and the first KPI rows.
      await page.setViewportSize({ width: 1366, height: 1180 });
      await page.screenshot({ path: join(ROOT, "docs", "dashboard.png") });
    }
  });

  void it("overview on a phone and in dark mode", async () => {
    const phone = await newPage(responder, PHONE);
    await phone.locator("[data-kpi]").first().waitFor();
    await phone.locator('[data-chart="score"] .line-history').waitFor();
    await fitsPhone(phone, "overview");
    await shoot(phone, "overview-phone");
    await phone.goto(`${served!.url}/#/findings`);
    await phone.locator("[data-finding]").first().waitFor();
    await fitsPhone(phone, "findings");
    await shoot(phone, "findings-phone");
    await phone.goto(`${served!.url}/#/cost`);
    await phone.locator('.chart [data-series="band"]').waitFor();
    await fitsPhone(phone, "cost");
    // Drawn at the phone's width, so the tick text keeps its size: a few ticks, still distinct.
    assert.ok((await dayTicks(phone, ".chart")).length <= 5);
    await shoot(phone, "cost-phone");
    const dark = await newPage(responder, { ...DESKTOP, colorScheme: "dark" });
    await dark.locator("[data-kpi]").first().waitFor();
    const bg = await dark.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const [r = 255, g = 255, b = 255] = (bg.match(/\d+/g) ?? []).map(Number);
    assert.ok(r + g + b < 150, `dark background, got ${bg}`);
    await shoot(dark, "overview-dark");
  });

  void it("a success criterion only a person can judge is signed off from the overview", async () => {
    const page = await newPage(responder);
    const card = page.locator('[data-criterion="success.documentation"]');
    await card.waitFor();
    assert.match(await card.locator(".badge").innerText(), /open/);
    await card.locator("input").fill("runbooks reviewed");
    await card.getByRole("button", { name: "Sign off" }).click();
    await card.locator('[data-status="signed"]').waitFor();
    const o = await api<{
      success: { id: string; status: string; signoff: { by: string; note: string } | null }[];
    }>(served!, viewer, "/api/v1/overview");
    const c = o.success.find((x) => x.id === "success.documentation");
    assert.equal(c?.status, "signed");
    assert.equal(c?.signoff?.by, "responder-ui");
    assert.equal(c?.signoff?.note, "runbooks reviewed");
  });

  void it("findings: rows with runbooks, filter by severity, group by namespace", async () => {
    const page = await newPage(responder);
    await page.goto(`${served!.url}/#/findings`);
    await page.locator("[data-finding]").first().waitFor();
    assert.ok((await page.locator("[data-finding]").count()) > 10);
    assert.ok((await page.getByRole("link", { name: "runbook" }).count()) > 0);
    await shoot(page, "findings");
    await page.locator('select[name="severity"]').selectOption("critical");
    await page.waitForFunction('location.hash.includes("severity=critical")');
    await page.locator("[data-finding]").first().waitFor();
    const badges = await page.locator("[data-finding] .badge").allInnerTexts();
    assert.ok(badges.length > 0 && badges.every((t) => t.includes("critical")), badges.join(","));
    await page.locator('select[name="group-by"]').selectOption("namespace");
    await page.locator("[data-group]").first().waitFor();
    assert.ok((await page.locator("[data-group]").count()) > 1);
  });

  void it("cost: monthly total in dollars, namespaces, savings and the forecast chart", async () => {
    const page = await newPage(responder);
    await page.goto(`${served!.url}/#/cost`);
    await page.locator('[data-stat="total"]').waitFor();
    assert.match(await page.locator('[data-stat="total"] .stat-value').innerText(), /^\$[\d,]+(\.\d\d)?$/);
    assert.ok((await page.locator("[data-row]").count()) > 3);
    assert.equal(await page.locator(".chart svg").count(), 1);
    assert.equal(await page.locator(".chart .line-history").count(), 1);
    // 31 days of demo history, the forecast and its low-high band, drawn and labelled.
    const band = await page.locator('.chart [data-series="band"]').getAttribute("d");
    assert.ok(band && band.length > 50, `the forecast band is drawn: ${band}`);
    assert.equal(await page.locator('.chart [data-series="forecast"]').count(), 1);
    assert.equal(await page.locator(".chart .band-label").count(), 2);
    for (const t of await page.locator(".chart .band-label").allTextContents()) assert.match(t, /^\$[\d,]+$/);
    assert.match(await page.locator(".chart .legend").innerText(), /likely range \(low–high\)/);
    await dayTicks(page, ".chart");
    // The y axis starts near the data, not at $0: a few percent of drift is visible.
    const yLabels = await page.locator(".chart .y-axis text").allTextContents();
    const lowest = Math.min(...yLabels.map((l) => Number(l.replace(/[$,]/g, ""))));
    assert.ok(lowest > 0, `lowest y tick ${lowest}`);
    await shoot(page, "cost");
  });

  void it("incidents: acknowledged from the UI, and the API shows it", async () => {
    const page = await newPage(responder);
    await page.goto(`${served!.url}/#/incidents`);
    await page.locator("tr[data-incident]").first().waitFor();
    await shoot(page, "incidents");
    const open = await api<{ items: { id: string }[] }>(
      served!,
      responder,
      "/api/v1/incidents?status=triggered&limit=1",
    );
    const id = open.items[0]?.id;
    assert.ok(id, "the demo has a triggered incident");
    await page.goto(`${served!.url}/#/incidents/${id}`);
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await page.locator(`.chips [data-status="acknowledged"]`).waitFor();
    await page.locator('.timeline li[data-kind="acknowledged"]').waitFor();
    const detail = await api<{
      incident: { status: string; acknowledgedAt?: number };
      timeline: { kind: string; actor: string }[];
    }>(served!, viewer, `/api/v1/incidents/${id}`);
    assert.equal(detail.incident.status, "acknowledged");
    assert.ok(detail.incident.acknowledgedAt);
    assert.ok(detail.timeline.some((t) => t.kind === "acknowledged" && t.actor === "responder-ui"));
    assert.equal(await page.getByRole("button", { name: "Acknowledge" }).count(), 0);
    await shoot(page, "incident");
  });

  void it("incidents: resolved from the UI, and the API shows it", async () => {
    const open = await api<{ items: { id: string; status: string }[] }>(
      served!,
      responder,
      "/api/v1/incidents?status=acknowledged,mitigated&limit=1",
    );
    const id = open.items[0]?.id;
    assert.ok(id, "the demo has an acknowledged or mitigated incident");
    const page = await newPage(responder);
    await page.goto(`${served!.url}/#/incidents/${id}`);
    await page.locator("#step-note").fill("rolled back in the browser test");
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.locator(`.chips [data-status="resolved"]`).waitFor();
    await page.locator('.timeline li[data-kind="resolved"]').waitFor();
    assert.equal(await page.getByRole("button", { name: "Resolve" }).count(), 0);
    const detail = await api<{
      incident: { status: string; resolvedAt?: number };
      timeline: { kind: string; actor: string; note?: string; message?: string }[];
    }>(served!, viewer, `/api/v1/incidents/${id}`);
    assert.equal(detail.incident.status, "resolved");
    assert.ok(detail.incident.resolvedAt);
    const entry = detail.timeline.find((t) => t.kind === "resolved" && t.actor === "responder-ui");
    assert.ok(entry, JSON.stringify(detail.timeline.slice(-3)));
    assert.match(JSON.stringify(entry), /rolled back in the browser test/);
  });

  void it("a viewer reads incidents but gets no Acknowledge or Resolve button", async () => {
    const open = await api<{ items: { id: string }[] }>(
      served!,
      viewer,
      "/api/v1/incidents?status=triggered&limit=1",
    );
    const id = open.items[0]?.id;
    assert.ok(id);
    const page = await newPage(viewer);
    await page.goto(`${served!.url}/#/incidents/${id}`);
    await page.locator("#incident-title").waitFor();
    await page.getByText("Your role (viewer) can read incidents").waitFor();
    assert.equal(await page.getByRole("button", { name: "Acknowledge" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Resolve" }).count(), 0);
  });

  void it("rhythm: the daily checklist with evidence, and a manual item signed off", async () => {
    const page = await newPage(responder);
    await page.goto(`${served!.url}/#/rhythm/daily`);
    await page.locator("[data-item]").first().waitFor();
    assert.equal(await page.locator("[data-item]").count(), 5);
    assert.ok((await page.locator("[data-item] .evidence li").count()) > 0, "evaluated items show evidence");
    await shoot(page, "rhythm");
    await page.goto(`${served!.url}/#/rhythm/quarterly`);
    const form = page.locator("[data-item] form.signoff").first();
    await form.waitFor();
    await form.locator("input").fill("checked in the browser test");
    await form.getByRole("button", { name: "Sign off" }).click();
    await page.getByRole("cell", { name: "checked in the browser test" }).waitFor();
  });

  void it("rhythm history: the reports sent per cadence with their counts; choosing one shows its items", async () => {
    // The scheduled path sends the daily report after the server's first own collection (a
    // minute after start), and the outbox delivers it to the receiver: wait for both.
    type Reports = {
      items: {
        cadence: string;
        period: string;
        counts: { ok: number; attention: number; open: number };
        delivery: { state: string };
        items: { id: string; evidence: string[] }[];
      }[];
    };
    const deadline = Date.now() + 180_000;
    let daily: Reports["items"][number] | undefined;
    for (;;) {
      daily = (await api<Reports>(served!, viewer, "/api/v1/rhythm/reports?cadence=daily")).items[0];
      if (daily?.delivery.state === "delivered") break;
      if (Date.now() > deadline)
        throw new Error(`no delivered daily report: ${JSON.stringify(daily)}\n${served!.log()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(hooks!.requests.some((r) => r.url === "/hook" && r.body.includes('"cadence":"daily"')));
    const page = await newPage(viewer);
    await page.goto(`${served!.url}/#/rhythm/daily`);
    const row = page.locator(`[data-report="${daily.period}"]`);
    await row.waitFor();
    assert.equal(await page.locator("[data-report]").count(), 1, "one daily period so far");
    assert.equal(await row.locator('[data-count="ok"]').innerText(), String(daily.counts.ok));
    assert.equal(await row.locator('[data-count="attention"]').innerText(), String(daily.counts.attention));
    assert.equal(await row.locator('[data-count="open"]').innerText(), String(daily.counts.open));
    assert.match(await row.locator("[data-delivery]").innerText(), /delivered/);
    assert.equal(await page.locator("[data-report-detail]").count(), 0, "no report open before a click");
    await row.getByRole("button", { name: daily.period }).click();
    const detail = page.locator(`[data-report-detail="${daily.period}"]`);
    await detail.waitFor();
    assert.equal(await detail.locator("[data-sent-item]").count(), 5);
    const health = daily.items.find((i) => i.id === "cluster-health")!;
    assert.equal(
      await detail.locator('[data-sent-item="cluster-health"] .evidence li').first().innerText(),
      health.evidence[0],
    );
    await shoot(page, "rhythm-history");
    // Each cadence has its own history: the weekly tab lists the week's report.
    await page.goto(`${served!.url}/#/rhythm/weekly`);
    await page.locator("[data-report]").first().waitFor();
    assert.match(await page.locator("[data-report] button").first().innerText(), /^\d{4}-W\d\d$/);
  });

  void it("every screenshot is a non-empty PNG", () => {
    for (const name of [
      "signin-error",
      "overview",
      "overview-phone",
      "overview-dark",
      "findings",
      "findings-phone",
      "cost",
      "cost-phone",
      "incidents",
      "incident",
      "rhythm",
      "rhythm-history",
    ]) {
      const file = screenshotPath(name);
      assert.ok(existsSync(file), `${file} exists`);
      assert.ok(statSync(file).size > 1000, `${file} is not empty`);
      assert.deepEqual(readFileSync(file).subarray(0, 8), PNG_MAGIC, `${file} is a PNG`);
    }
  });
});
