/**
 * The dashboard's static files (web/, built to dist/web): public, like /healthz; every
 * request the files need is an /api call with the user's bearer token. A GET for a page
 * path that is no file (a deep link) answers index.html, so the single-page app can route
 * it; /api paths and missing assets keep their JSON 404.
 */
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Vite names built assets by content hash: they never change, so browsers may keep them.
const IMMUTABLE = "public, max-age=31536000, immutable";
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Registers the static files of `root` at / (on the root instance, so 404s can use sendFile),
 * and the runbooks (Markdown, shown as plain text) at /runbooks/.
 */
export function registerWeb(app: FastifyInstance, root: string, runbooks?: string): void {
  void app.register(fastifyStatic, {
    root,
    prefix: "/",
    wildcard: true,
    index: ["index.html"],
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header("X-Content-Type-Options", "nosniff");
      reply.header("Cache-Control", /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : "no-cache");
      if (path.endsWith(".html")) reply.header("Content-Security-Policy", CSP);
    },
  });
  if (runbooks)
    void app.register(fastifyStatic, {
      root: runbooks,
      prefix: "/runbooks/",
      decorateReply: false,
      index: false,
      cacheControl: false,
      allowedPath: (path) => path.endsWith(".md"),
      setHeaders(reply) {
        // Browsers download text/markdown; as plain text it reads in the tab.
        reply.header("Content-Type", "text/plain; charset=utf-8");
        reply.header("X-Content-Type-Options", "nosniff");
        reply.header("Cache-Control", "no-cache");
      },
    });
}

/** True for a GET of a page path outside /api that names no file: the app's own routes. */
export function isPagePath(req: FastifyRequest): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = req.url.split("?")[0] ?? "";
  if (path === "/api" || path.startsWith("/api/")) return false;
  const last = path.slice(path.lastIndexOf("/") + 1);
  return !last.includes(".");
}

/** The single-page app's shell, for a deep link. */
export function sendIndex(reply: FastifyReply): FastifyReply {
  return reply.code(200).sendFile("index.html");
}

/** This package's runbook library (<package>/runbooks), found as builtWebRoot finds dist/web. */
export function packageRunbooks(moduleUrl: string): string | undefined {
  const pkg = packageDir(moduleUrl);
  return pkg && existsSync(join(pkg, "runbooks")) ? join(pkg, "runbooks") : undefined;
}

function packageDir(moduleUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The built dashboard of this package (<package>/dist/web, holding index.html), found from a
 * module's URL both when running from src/ (tsx) and from the built dist/src; undefined when
 * it has not been built.
 */
export function builtWebRoot(moduleUrl: string): string | undefined {
  const pkg = packageDir(moduleUrl);
  const root = pkg && join(pkg, "dist", "web");
  return root && existsSync(join(root, "index.html")) ? root : undefined;
}
