/**
 * The request layer against a tiny local node:http server on 127.0.0.1 that answers scripted
 * status sequences: a test of our client's retry and error handling, not of Kubernetes.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type KubeConnection, staticConnection } from "./connection.js";
import { KubeApiError, KubeConnectionError, KubeUnauthorizedError } from "./errors.js";
import { KubeClient, type RetryEvent } from "./http.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function serve(
  handler: Handler,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => handler(req, res, n++));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function status(
  res: http.ServerResponse,
  code: number,
  body: object = {},
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", code, ...body }));
}

const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 20 };

function client(
  url: string,
  extra: { retries?: RetryEvent[]; conn?: KubeConnection; timeoutMs?: number } = {},
): KubeClient {
  const conn = extra.conn ?? staticConnection({ server: url, requestTimeoutMs: extra.timeoutMs ?? 5000 });
  return new KubeClient(conn, { retry: fast, onRetry: (e) => extra.retries?.push(e), random: () => 0 });
}

void describe("KubeClient retries", () => {
  void it("retries 429 honouring Retry-After (capped), then succeeds", async () => {
    const srv = await serve((_req, res, n) =>
      n < 2 ? status(res, 429, { message: "slow down" }, { "retry-after": "1" }) : status(res, 200),
    );
    const retries: RetryEvent[] = [];
    try {
      const res = await client(srv.url, { retries }).get("/api/v1/pods");
      assert.equal(res.type, "ok");
      assert.equal(srv.hits(), 3);
      assert.deepEqual(
        retries.map((r) => [r.cause, r.delayMs]),
        [
          [429, 20], // Retry-After 1 s capped at maxDelayMs
          [429, 20],
        ],
      );
    } finally {
      await srv.close();
    }
  });

  void it("gives up on 503 after maxAttempts with a KubeApiError", async () => {
    const srv = await serve((_req, res) =>
      status(res, 503, { message: "etcd unavailable", reason: "ServiceUnavailable" }),
    );
    try {
      await assert.rejects(client(srv.url).get("/api/v1/pods"), (err: unknown) => {
        assert.ok(err instanceof KubeApiError);
        assert.equal(err.status, 503);
        assert.equal(err.reason, "ServiceUnavailable");
        assert.match(err.message, /GET \/api\/v1\/pods: HTTP 503 \(after 3 attempts\): etcd unavailable/);
        return true;
      });
      assert.equal(srv.hits(), 3);
    } finally {
      await srv.close();
    }
  });

  void it("does not retry other 4xx", async () => {
    const srv = await serve((_req, res) => status(res, 400, { message: "unable to parse requirement" }));
    try {
      await assert.rejects(client(srv.url).get("/api/v1/pods"), /HTTP 400: unable to parse requirement/);
      assert.equal(srv.hits(), 1);
    } finally {
      await srv.close();
    }
  });

  void it("retries a connection reset mid-run", async () => {
    const srv = await serve((req, res, n) => (n === 1 ? req.socket.destroy() : status(res, 200)));
    const retries: RetryEvent[] = [];
    try {
      const c = client(srv.url, { retries });
      assert.equal((await c.get("/version")).type, "ok");
      assert.equal((await c.get("/api/v1/pods")).type, "ok");
      assert.equal(retries.length, 1);
      assert.equal(retries[0]?.cause, "ECONNRESET");
    } finally {
      await srv.close();
    }
  });

  void it("retries a body cut off in the middle", async () => {
    const srv = await serve((_req, res, n) => {
      res.writeHead(200, { "content-type": "application/json" });
      if (n === 0) {
        res.write('{"items":[');
        setTimeout(() => res.socket?.destroy(), 5);
      } else res.end('{"items":[]}');
    });
    try {
      const c = client(srv.url);
      const res = await c.get("/api/v1/pods");
      assert.equal(res.type, "ok");
      assert.equal(srv.hits(), 2);
    } finally {
      await srv.close();
    }
  });
});

void describe("KubeClient outcomes", () => {
  void it("403, 404 and 410 are results, with the API's message and status", async () => {
    const srv = await serve((req, res) => {
      if (req.url?.startsWith("/api/v1/secrets"))
        status(res, 403, { message: 'secrets is forbidden: User "viewer" cannot list resource "secrets"' });
      else if (req.url?.startsWith("/apis/x.io"))
        status(res, 404, { message: "the server could not find the requested resource" });
      else status(res, 410, { reason: "Expired", message: "too old", metadata: { continue: "next" } });
    });
    try {
      const c = client(srv.url);
      const forbidden = await c.get("/api/v1/secrets");
      assert.deepEqual(
        [forbidden.type, forbidden.type === "forbidden" && forbidden.message],
        ["forbidden", 'secrets is forbidden: User "viewer" cannot list resource "secrets"'],
      );
      assert.equal((await c.get("/apis/x.io/v1/things")).type, "not-found");
      const gone = await c.get("/api/v1/pods");
      assert.equal(gone.type, "gone");
      assert.equal(gone.type === "gone" && gone.apiStatus?.metadata?.continue, "next");
      assert.equal(srv.hits(), 3, "none of them retried");
    } finally {
      await srv.close();
    }
  });

  void it("401 refreshes credentials once, then is KubeUnauthorizedError", async () => {
    const srv = await serve((_req, res) => status(res, 401, { message: "Unauthorized" }));
    const base = staticConnection({ server: srv.url });
    let forced = 0;
    const conn: KubeConnection = {
      ...base,
      material: (force) => ((forced += force ? 1 : 0), base.material()),
    };
    try {
      await assert.rejects(client(srv.url, { conn }).get("/version"), (err: unknown) => {
        assert.ok(err instanceof KubeUnauthorizedError);
        assert.equal(err.code, "D2_ERR_KUBE_UNAUTHORIZED");
        assert.match(
          err.message,
          new RegExp(`^unauthorized: ${srv.url} rejected the credentials for GET /version: Unauthorized$`),
        );
        return true;
      });
      assert.equal(forced, 1);
      assert.equal(srv.hits(), 2);
    } finally {
      await srv.close();
    }
  });

  void it("401 followed by success after the refresh (expired exec token)", async () => {
    const srv = await serve((req, res) =>
      req.headers.authorization === "Bearer new" ? status(res, 200) : status(res, 401),
    );
    let token = "old";
    const base = staticConnection({ server: srv.url });
    const conn: KubeConnection = {
      ...base,
      material: async (force) => {
        if (force) token = "new";
        return { agent: (await base.material()).agent, headers: { Authorization: `Bearer ${token}` } };
      },
    };
    try {
      assert.equal((await client(srv.url, { conn }).get("/version")).type, "ok");
    } finally {
      await srv.close();
    }
  });

  void it("sends auth, impersonation (one header line per group), Accept and gzip", async () => {
    let seen: http.IncomingMessage | undefined;
    const srv = await serve((req, res) => {
      seen = req;
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(JSON.stringify({ items: [{ a: 1 }] })));
    });
    const conn = staticConnection({
      server: srv.url,
      headers: { Authorization: "Bearer t", "Impersonate-User": "alice", "Impersonate-Group": ["g1", "g2"] },
    });
    try {
      const res = await new KubeClient(conn).get("/api/v1/secrets", {
        accept: "application/json;as=PartialObjectMetadataList",
        query: { limit: 5, continue: undefined },
      });
      assert.equal(res.type, "ok");
      assert.equal(res.type === "ok" && res.body.toString(), '{"items":[{"a":1}]}');
      assert.equal(seen?.url, "/api/v1/secrets?limit=5");
      assert.equal(seen?.headers.authorization, "Bearer t");
      assert.equal(seen?.headers.accept, "application/json;as=PartialObjectMetadataList");
      assert.deepEqual(seen?.headersDistinct["impersonate-group"], ["g1", "g2"]);
      assert.equal(seen?.headers["impersonate-user"], "alice");
    } finally {
      conn.close();
      await srv.close();
    }
  });
});

void describe("KubeClient connection errors", () => {
  async function closedPort(): Promise<string> {
    const srv = await serve(() => undefined);
    await srv.close();
    return srv.url;
  }

  void it("an unreachable server at the first call fails fast, naming the URL", async () => {
    const url = await closedPort();
    const retries: RetryEvent[] = [];
    await assert.rejects(client(url, { retries }).get("/version"), (err: unknown) => {
      assert.ok(err instanceof KubeConnectionError);
      assert.equal(err.server, url);
      assert.match(
        err.message,
        new RegExp(`^cannot reach the Kubernetes API server at ${url}: .*ECONNREFUSED`),
      );
      return true;
    });
    assert.equal(retries.length, 0);
  });

  void it("a server that goes away mid-run is retried, then KubeConnectionError", async () => {
    const srv = await serve((_req, res) => status(res, 200));
    const retries: RetryEvent[] = [];
    const c = client(srv.url, { retries });
    await c.get("/version");
    await srv.close();
    await assert.rejects(c.get("/api/v1/pods"), (err: unknown) => {
      assert.ok(err instanceof KubeConnectionError);
      assert.match(
        err.message,
        new RegExp(
          `lost the connection to ${srv.url} \\(GET /api/v1/pods\\) after 3 attempts: .*ECONNREFUSED`,
        ),
      );
      return true;
    });
    // The first retry may see the reset of the reused keep-alive socket instead.
    assert.equal(retries.length, 2);
    for (const r of retries) assert.match(String(r.cause), /^(ECONNREFUSED|ECONNRESET)$/);
  });

  void it("times out a silent server", async () => {
    const srv = await serve((req, res, n) => (n === 0 ? status(res, 200) : undefined));
    try {
      const c = client(srv.url, { timeoutMs: 50 });
      await c.get("/version");
      await assert.rejects(c.get("/api/v1/pods"), /after 3 attempts: no data from the server for 50 ms$/);
    } finally {
      await srv.close();
    }
  });

  void it("an abort during a retry wait stops at once", async () => {
    const srv = await serve((_req, res) => status(res, 503, {}, { "retry-after": "30" }));
    const ac = new AbortController();
    const c = new KubeClient(staticConnection({ server: srv.url }), {
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 60_000 },
    });
    try {
      const p = c.get("/version", { signal: ac.signal });
      setTimeout(() => ac.abort(new Error("user pressed ctrl-c")), 50);
      const started = Date.now();
      await assert.rejects(p, /ctrl-c/);
      assert.ok(Date.now() - started < 5000);
    } finally {
      await srv.close();
    }
  });
});
