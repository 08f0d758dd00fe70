/**
 * Test helpers for the server tests: a server on a real SQLite store in a temp directory, a
 * token per role, and a check of real answers against the published OpenAPI document.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { LightMyRequestResponse } from "fastify";
import { buildServer } from "../../src/server/app.js";
import type { Day2Server, ServerOptions } from "../../src/server/app.js";
import type { Role } from "../../src/server/ports.js";
import { openServerStore } from "../../src/server/store-adapter.js";
import type { AdaptedStore } from "../../src/server/store-adapter.js";

export interface TestServer {
  app: Day2Server;
  store: AdaptedStore;
  tokens: Record<Role, string>;
  dir: string;
  /** Closes the server (and with it the store) and removes the temp directory (unless keepDir). */
  done(opts?: { keepDir?: boolean }): Promise<void>;
}

export async function testServer(opts: ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "day2-server-"));
  const store = await openServerStore(join(dir, "day2.db"));
  const tokens = {} as Record<Role, string>;
  for (const role of ["viewer", "responder", "admin"] as const)
    tokens[role] = (await store.createToken(`${role}-user`, role)).token;
  const app = buildServer({ store }, { tokenCacheMs: 0, ...opts });
  await app.ready();
  return {
    app,
    store,
    tokens,
    dir,
    async done(o = {}) {
      await app.close();
      if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** An Alertmanager v4 payload as Alertmanager sends it. */
export function amPayload(
  over: Record<string, unknown> = {},
  alerts: Record<string, unknown>[] = [amAlert()],
): Record<string, unknown> {
  return {
    version: "4",
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "day2",
    groupLabels: { alertname: "HighErrorRate" },
    commonLabels: { alertname: "HighErrorRate", severity: "critical" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts,
    ...over,
  };
}

export function amAlert(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: "firing",
    labels: { alertname: "HighErrorRate", severity: "critical", service: "checkout", namespace: "shop" },
    annotations: { summary: "checkout: 50% of requests fail" },
    startsAt: "2025-05-01T10:00:00.123456789Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
    fingerprint: "a1b2c3d4e5f60718",
    ...over,
  };
}

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>
  >;
};

/** Validates real answers against the server's own OpenAPI document (fetched once). */
export class DocChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  constructor(private readonly doc: Doc) {
    addFormats.default(this.ajv);
  }

  static async from(app: Day2Server): Promise<DocChecker> {
    const res = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    return new DocChecker(res.json() as Doc);
  }

  /** Throws unless the answer's status is documented for the route and its body matches. */
  check(method: string, path: string, res: LightMyRequestResponse): void {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    const r = op.responses[String(res.statusCode)];
    if (!r) throw new Error(`${method} ${path}: status ${res.statusCode} is not documented (${res.body})`);
    const [type, media] = Object.entries(r.content)[0]!;
    if (!type.includes("json")) return;
    const validate = this.ajv.compile(media.schema as object);
    if (!validate(res.json()))
      throw new Error(
        `${method} ${path} ${res.statusCode}: answer does not match the document: ${this.ajv.errorsText(validate.errors)}\n${res.body}`,
      );
  }
}
