/**
 * The dashboard's hosting: static files without a token, deep links answer index.html, while
 * /api, missing assets, /healthz and /metrics keep their own answers; no webRoot, no pages.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { testServer } from "../../../test/support/server.js";
import type { TestServer } from "../../../test/support/server.js";
import { builtWebRoot } from "./web.js";

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script src="/assets/app-1a2b.js"></script></body></html>';

describe("dashboard hosting (webRoot)", () => {
  let t: TestServer;
  let pkg: string;
  let root: string;
  before(async () => {
    pkg = mkdtempSync(join(tmpdir(), "day2-web-"));
    root = join(pkg, "web");
    mkdirSync(root);
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), INDEX);
    writeFileSync(join(root, "assets", "app-1a2b.js"), "console.log('day2');\n");
    // The package's layout: dist/web and runbooks/ side by side, other files beside them.
    mkdirSync(join(pkg, "runbooks"));
    writeFileSync(join(pkg, "runbooks", "pod-crash-loop.md"), "# Pod crash loop\n");
    writeFileSync(join(pkg, "runbooks", "secret.txt"), "not a runbook");
    writeFileSync(join(pkg, "private.md"), "outside every served directory");
    t = await testServer({ webRoot: root, runbooksRoot: join(pkg, "runbooks") });
  });
  after(async () => {
    await t.done();
    rmSync(pkg, { recursive: true, force: true });
  });

  const get = (url: string) => t.app.inject({ method: "GET", url });

  test("/ is index.html, public, not cached, with a content security policy", async () => {
    const res = await get("/");
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /^text\/html/);
    assert.equal(res.body, INDEX);
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.match(res.headers["content-security-policy"] as string, /default-src 'self'/);
  });

  test("hashed assets are served and may be cached for good", async () => {
    const res = await get("/assets/app-1a2b.js");
    assert.equal(res.statusCode, 200);
    assert.match(res.headers["content-type"] as string, /javascript/);
    assert.equal(res.body, "console.log('day2');\n");
    assert.match(res.headers["cache-control"] as string, /immutable/);
  });

  test("a deep link answers index.html so the app can route it", async () => {
    for (const url of ["/incidents", "/incidents/inc_123?tab=timeline", "/findings/"]) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX, url);
    }
  });

  test("a missing asset and unknown /api paths stay JSON 404s", async () => {
    for (const url of ["/assets/missing.js", "/favicon.ico", "/api/v1/nope", "/api"]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json<{ code: string }>().code, "D2_HTTP_NOT_FOUND", url);
    }
    const post = await t.app.inject({ method: "POST", url: "/incidents", payload: {} });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json<{ code: string }>().code, "D2_HTTP_NOT_FOUND");
  });

  test("the API still needs a token; /healthz and /metrics answer as before", async () => {
    const api = await get("/api/v1/incidents");
    assert.equal(api.statusCode, 401);
    assert.equal(api.json<{ code: string }>().code, "D2_HTTP_UNAUTHORIZED");
    const h = await get("/healthz");
    assert.deepEqual(h.json(), { status: "ok" });
    const m = await get("/metrics");
    assert.equal(m.statusCode, 200);
    assert.match(m.headers["content-type"] as string, /^text\/plain/);
  });

  test("runbooks are served as plain text, and nothing but runbooks", async () => {
    const res = await get("/runbooks/pod-crash-loop.md");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(res.body, "# Pod crash loop\n");
    for (const url of [
      "/runbooks/secret.txt",
      "/runbooks/missing.md",
      "/runbooks/../private.md",
      "/runbooks/%2e%2e/private.md",
      "/runbooks/..%2fprivate.md",
    ]) {
      const r = await get(url);
      assert.equal(r.statusCode, 404, url);
      assert.ok(!r.body.includes("outside every served directory"), url);
    }
  });

  test("static routes stay out of the OpenAPI document", async () => {
    const doc = (await get("/api/v1/openapi.json")).json<{ paths: Record<string, unknown> }>();
    assert.deepEqual(
      Object.keys(doc.paths).filter(
        (p) => !p.startsWith("/api/") && !["/healthz", "/readyz", "/metrics"].includes(p),
      ),
      [],
    );
  });
});

test("without webRoot there are no pages: / is a JSON 404", async () => {
  const t = await testServer();
  try {
    const res = await t.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ code: string }>().code, "D2_HTTP_NOT_FOUND");
  } finally {
    await t.done();
  }
});

test("builtWebRoot finds <package>/dist/web from src/ and from dist/src, and only once it is built", () => {
  const pkg = mkdtempSync(join(tmpdir(), "day2-pkg-"));
  try {
    writeFileSync(join(pkg, "package.json"), "{}");
    mkdirSync(join(pkg, "src", "cli"), { recursive: true });
    mkdirSync(join(pkg, "dist", "src", "cli"), { recursive: true });
    const fromSrc = pathToFileURL(join(pkg, "src", "cli", "serve.ts")).href;
    const fromDist = pathToFileURL(join(pkg, "dist", "src", "cli", "serve.js")).href;
    assert.equal(builtWebRoot(fromSrc), undefined);
    mkdirSync(join(pkg, "dist", "web"));
    assert.equal(builtWebRoot(fromSrc), undefined, "a directory without index.html is not a build");
    writeFileSync(join(pkg, "dist", "web", "index.html"), INDEX);
    assert.equal(builtWebRoot(fromSrc), join(pkg, "dist", "web"));
    assert.equal(builtWebRoot(fromDist), join(pkg, "dist", "web"));
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});
