/**
 * The server end to end through fastify.inject, on a real SQLite store: intake, idempotent
 * re-delivery, the incident lifecycle, garbage on every endpoint (right 4xx, nothing stored),
 * auth and roles, the intake queue's 503, graceful close, and every answer checked against the
 * published OpenAPI document.
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import type { LightMyRequestResponse } from "fastify";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openServerStore } from "./store-adapter.js";
import { DocChecker, amAlert, amPayload, bearer, testServer } from "../../test/support/server.js";
import type { TestServer } from "../../test/support/server.js";

const AM = "/api/v1/alerts/alertmanager";

function assertError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { statusCode: number; code: string; message: string };
  assert.equal(body.statusCode, status);
  assert.equal(body.code, code);
  assert.ok(body.message.length > 0);
  if (message) assert.match(body.message, message);
}

async function stored(t: TestServer): Promise<{ incidents: number; alerts: number }> {
  const page = await t.store.listIncidents({ limit: 500, offset: 0 });
  return { incidents: page.total, alerts: await t.store.countAlerts() };
}

describe("server on a real store", () => {
  let t: TestServer;
  let doc: DocChecker;
  before(async () => {
    t = await testServer();
    doc = await DocChecker.from(t.app);
  });
  after(() => t.done());

  const inject = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    token?: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  test("healthz, readyz and metrics answer without a token", async () => {
    const h = await inject("GET", "/healthz");
    assert.equal(h.statusCode, 200);
    doc.check("GET", "/healthz", h);
    const r = await inject("GET", "/readyz");
    assert.equal(r.statusCode, 200, r.body);
    doc.check("GET", "/readyz", r);
    const m = await inject("GET", "/metrics");
    assert.equal(m.statusCode, 200);
    assert.match(m.headers["content-type"] as string, /^text\/plain/);
    assert.match(m.body, /^# HELP /m);
    assert.ok(!m.body.startsWith('"'), "not JSON-encoded");
    for (const name of [
      "day2_http_requests_total",
      "day2_http_request_duration_seconds",
      "day2_intake_queue_depth",
      "day2_alerts_accepted_total",
      "day2_alerts_rejected_total",
    ])
      assert.ok(m.body.includes(name), name);
  });

  test("garbage on the Alertmanager receiver: the right 4xx naming the field, and nothing stored", async () => {
    const cases: [string, () => Promise<LightMyRequestResponse>, number, string, RegExp][] = [
      [
        "malformed JSON",
        () =>
          t.app.inject({
            method: "POST",
            url: AM,
            headers: { ...bearer(t.tokens.responder), "content-type": "application/json" },
            payload: '{"version": "4",',
          }),
        400,
        "D2_HTTP_BAD_REQUEST",
        /not valid JSON/,
      ],
      [
        "empty body",
        () =>
          t.app.inject({
            method: "POST",
            url: AM,
            headers: { ...bearer(t.tokens.responder), "content-type": "application/json" },
            payload: "",
          }),
        400,
        "D2_HTTP_BAD_REQUEST",
        /empty/,
      ],
      [
        "wrong version",
        () => inject("POST", AM, t.tokens.responder, amPayload({ version: "3" })),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.version/,
      ],
      [
        "no version",
        () => inject("POST", AM, t.tokens.responder, amPayload({ version: undefined })),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.version is required/,
      ],
      [
        "no groupKey",
        () => inject("POST", AM, t.tokens.responder, amPayload({ groupKey: undefined })),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.groupKey is required/,
      ],
      [
        "no alerts",
        () => inject("POST", AM, t.tokens.responder, amPayload({ alerts: [] })),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.alerts/,
      ],
      [
        "alert without fingerprint",
        () =>
          inject(
            "POST",
            AM,
            t.tokens.responder,
            amPayload({}, [amAlert(), amAlert({ fingerprint: undefined })]),
          ),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.alerts\[1\]\.fingerprint is required/,
      ],
      [
        "label that is not a string",
        () =>
          inject(
            "POST",
            AM,
            t.tokens.responder,
            amPayload({}, [amAlert({ labels: { alertname: "X", n: 1 } })]),
          ),
        400,
        "D2_HTTP_BAD_REQUEST",
        /body\.alerts\[0\]\.labels\.n/,
      ],
      [
        "bad startsAt",
        () => inject("POST", AM, t.tokens.responder, amPayload({}, [amAlert({ startsAt: "yesterday" })])),
        400,
        "D2_HTTP_BAD_REQUEST",
        /startsAt/,
      ],
      [
        "bad status",
        () => inject("POST", AM, t.tokens.responder, amPayload({}, [amAlert({ status: "burning" })])),
        400,
        "D2_HTTP_BAD_REQUEST",
        /alerts\[0\]\.status/,
      ],
      [
        "not JSON",
        () =>
          t.app.inject({
            method: "POST",
            url: AM,
            headers: { ...bearer(t.tokens.responder), "content-type": "text/plain" },
            payload: "hello",
          }),
        415,
        "D2_HTTP_UNSUPPORTED_MEDIA_TYPE",
        /application\/json/,
      ],
      [
        "huge body",
        () =>
          inject(
            "POST",
            AM,
            t.tokens.responder,
            amPayload({}, [amAlert({ annotations: { description: "x".repeat(1024 * 1024 + 10) } })]),
          ),
        413,
        "D2_HTTP_BODY_TOO_LARGE",
        /too large/,
      ],
      ["no token", () => inject("POST", AM, undefined, amPayload()), 401, "D2_HTTP_UNAUTHORIZED", /Bearer/],
      [
        "bad token",
        () => inject("POST", AM, "d2_not-a-token", amPayload()),
        401,
        "D2_HTTP_UNAUTHORIZED",
        /unknown/,
      ],
      [
        "viewer token",
        () => inject("POST", AM, t.tokens.viewer, amPayload()),
        403,
        "D2_HTTP_FORBIDDEN",
        /needs responder/,
      ],
    ];
    for (const [name, send, status, code, message] of cases) {
      const res = await send();
      assert.doesNotThrow(
        () => assertError(res, status, code, message),
        `${name}: ${res.statusCode} ${res.body.slice(0, 300)}`,
      );
      doc.check("POST", AM, res);
    }
    assert.equal((await inject("POST", AM, "", amPayload())).statusCode, 401);
    assert.deepEqual(await stored(t), { incidents: 0, alerts: 0 });
  });

  test("garbage on the generic receiver and the incident routes: 4xx with a message, nothing stored", async () => {
    const g = "/api/v1/alerts/generic/backup";
    assertError(
      await inject("POST", g, t.tokens.responder, { alerts: [{ labels: { severity: "critical" } }] }),
      400,
      "D2_HTTP_BAD_REQUEST",
      /alertname/,
    );
    assertError(
      await inject("POST", "/api/v1/alerts/generic/Bad Source!", t.tokens.responder, {
        alerts: [{ labels: { alertname: "x" } }],
      }),
      400,
      "D2_HTTP_BAD_REQUEST",
      /params\.source/,
    );
    assertError(
      await inject("POST", g, t.tokens.responder, { alerts: "none" }),
      400,
      "D2_HTTP_BAD_REQUEST",
      /body\.alerts/,
    );
    assertError(
      await inject("GET", "/api/v1/incidents?status=burning", t.tokens.viewer),
      400,
      "D2_HTTP_BAD_REQUEST",
      /query(string)?\.status/,
    );
    assertError(
      await inject("GET", "/api/v1/incidents?limit=0", t.tokens.viewer),
      400,
      "D2_HTTP_BAD_REQUEST",
      /limit/,
    );
    assertError(
      await inject("POST", "/api/v1/incidents/nope/note", t.tokens.responder, {}),
      400,
      "D2_HTTP_BAD_REQUEST",
      /body\.text is required/,
    );
    assertError(
      await inject("PATCH", "/api/v1/incidents/nope", t.tokens.responder, { priority: "P9" }),
      400,
      "D2_HTTP_BAD_REQUEST",
      /body\.priority/,
    );
    assertError(
      await inject("POST", "/api/v1/incidents/nope/ack", t.tokens.responder, {}),
      404,
      "D2_HTTP_NOT_FOUND",
      /nope/,
    );
    assertError(
      await inject("GET", "/api/v1/nothing-here", t.tokens.viewer),
      404,
      "D2_HTTP_NOT_FOUND",
      /no route/,
    );
    assertError(
      await inject("POST", "/api/v1/tokens", t.tokens.responder, { name: "x", role: "admin" }),
      403,
      "D2_HTTP_FORBIDDEN",
      /needs admin/,
    );
    assert.deepEqual(await stored(t), { incidents: 0, alerts: 0 });
  });

  test("every documented API route refuses a missing or unknown token with 401", async () => {
    const openapi = (await inject("GET", "/api/v1/openapi.json")).json() as {
      paths: Record<string, Record<string, { security: unknown[] }>>;
    };
    let checked = 0;
    for (const [path, ops] of Object.entries(openapi.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.security.length === 0) continue;
        const url = path.replace(/\{[^}]+\}/g, "x");
        for (const token of [undefined, "wrong"]) {
          const res = await inject(
            method.toUpperCase() as "GET",
            url,
            token,
            method === "get" || method === "delete" ? undefined : {},
          );
          assertError(res, 401, "D2_HTTP_UNAUTHORIZED");
          assert.equal(res.headers["www-authenticate"], 'Bearer realm="day2"');
          doc.check(method.toUpperCase(), path, res);
        }
        checked++;
      }
    }
    assert.ok(checked >= 10, `${checked} authenticated operations`);
    assert.deepEqual(await stored(t), { incidents: 0, alerts: 0 });
  });

  test("an Alertmanager delivery opens an incident; re-delivery is idempotent; resolved alerts resolve it", async () => {
    const payload = amPayload({}, [
      amAlert(),
      amAlert({
        fingerprint: "ffff000011112222",
        labels: { alertname: "HighErrorRate", severity: "critical", service: "checkout", pod: "b" },
      }),
    ]);
    const first = await inject("POST", AM, t.tokens.responder, payload);
    assert.equal(first.statusCode, 200, first.body);
    doc.check("POST", AM, first);
    assert.deepEqual(first.json(), { accepted: 2 });
    const after1 = await stored(t);
    assert.deepEqual(after1, { incidents: 1, alerts: 2 });
    const list1 = await inject("GET", "/api/v1/incidents", t.tokens.viewer);
    doc.check("GET", "/api/v1/incidents", list1);
    const id = (list1.json() as { items: { id: string }[] }).items[0]!.id;
    const detail1 = await inject("GET", `/api/v1/incidents/${id}`, t.tokens.viewer);
    doc.check("GET", "/api/v1/incidents/{id}", detail1);

    for (let i = 0; i < 3; i++)
      assert.equal((await inject("POST", AM, t.tokens.responder, payload)).statusCode, 200);
    assert.deepEqual(await stored(t), after1);
    const detail2 = await inject("GET", `/api/v1/incidents/${id}`, t.tokens.viewer);
    assert.deepEqual(detail2.json(), detail1.json(), "re-delivery changed nothing, not even the timeline");

    const resolved = amPayload(
      { status: "resolved" },
      (payload.alerts as Record<string, unknown>[]).map((a) => ({
        ...a,
        status: "resolved",
        endsAt: "2025-05-01T10:30:00Z",
      })),
    );
    assert.equal((await inject("POST", AM, t.tokens.responder, resolved)).statusCode, 200);
    const detail3 = (await inject("GET", `/api/v1/incidents/${id}`, t.tokens.viewer)).json() as {
      incident: { status: string };
    };
    assert.equal(detail3.incident.status, "resolved");
    const open = (await inject("GET", "/api/v1/incidents?status=open", t.tokens.viewer)).json() as {
      total: number;
    };
    assert.equal(open.total, 0);
  });

  test("the generic webhook: defaults filled in, one incident per alertname", async () => {
    const g = "/api/v1/alerts/generic/backup";
    const body = {
      alerts: [
        {
          labels: { alertname: "BackupFailed", severity: "critical", service: "db" },
          annotations: { summary: "nightly backup failed" },
        },
      ],
    };
    const res = await inject("POST", g, t.tokens.responder, body);
    assert.equal(res.statusCode, 200, res.body);
    doc.check("POST", "/api/v1/alerts/generic/{source}", res);
    const again = await inject("POST", g, t.tokens.responder, body);
    assert.equal(again.statusCode, 200);
    const list = (await inject("GET", "/api/v1/incidents?service=db", t.tokens.viewer)).json() as {
      items: { title: string }[];
    };
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0]!.title, "nightly backup failed");
  });

  test("the lifecycle through the API: ack, note, mitigate, resolve, review, priority override; roles enforced", async () => {
    const payload = amPayload({ groupKey: '{}:{alertname="DiskFull"}' }, [
      amAlert({ fingerprint: "d15c", labels: { alertname: "DiskFull", severity: "warning", service: "db" } }),
    ]);
    assert.equal((await inject("POST", AM, t.tokens.responder, payload)).statusCode, 200);
    const list = (
      await inject("GET", "/api/v1/incidents?status=triggered&service=db", t.tokens.viewer)
    ).json() as { items: { id: string; title: string }[] };
    const inc = list.items.find((i) => i.title !== "nightly backup failed")!;
    const url = `/api/v1/incidents/${inc.id}`;

    assertError(await inject("POST", `${url}/ack`, t.tokens.viewer, {}), 403, "D2_HTTP_FORBIDDEN");
    const ack = await inject("POST", `${url}/ack`, t.tokens.responder, { note: "on it" });
    assert.equal(ack.statusCode, 200, ack.body);
    doc.check("POST", "/api/v1/incidents/{id}/ack", ack);
    assert.equal((ack.json() as { status: string }).status, "acknowledged");

    const note = await inject("POST", `${url}/note`, t.tokens.responder, { text: "disk at 99%" });
    assert.equal(note.statusCode, 201, note.body);
    doc.check("POST", "/api/v1/incidents/{id}/note", note);

    const review0 = await inject("POST", `${url}/review`, t.tokens.responder, { summary: "too early" });
    assertError(review0, 409, "D2_HTTP_CONFLICT");
    doc.check("POST", "/api/v1/incidents/{id}/review", review0);

    const prio = await inject("PATCH", url, t.tokens.responder, {
      priority: "P1",
      reason: "customers affected",
    });
    assert.equal(prio.statusCode, 200, prio.body);
    doc.check("PATCH", "/api/v1/incidents/{id}", prio);
    assert.equal((prio.json() as { priority: string; priorityOverridden: boolean }).priorityOverridden, true);

    for (const step of ["mitigate", "resolve"]) {
      const res = await inject("POST", `${url}/${step}`, t.tokens.responder);
      assert.equal(res.statusCode, 200, `${step}: ${res.body}`);
      doc.check("POST", `/api/v1/incidents/{id}/${step}`, res);
    }
    const review = await inject("POST", `${url}/review`, t.tokens.responder, {
      summary: "the disk filled up",
      rootCause: "log rotation was off",
      actionItems: [
        {
          title: "alert at 80%",
          owner: "alice",
          dueAt: "2025-07-01T00:00:00Z",
          runbook: "runbooks/disk-full.md",
        },
      ],
    });
    assert.equal(review.statusCode, 200, review.body);
    assert.equal((review.json() as { status: string }).status, "reviewed");
    const detail = await inject("GET", url, t.tokens.viewer);
    doc.check("GET", "/api/v1/incidents/{id}", detail);
    const kinds = (detail.json() as { timeline: { kind: string; actor: string }[] }).timeline.map(
      (e) => e.kind,
    );
    for (const k of ["acknowledged", "note", "priority", "mitigated", "resolved", "reviewed"])
      assert.ok(kinds.includes(k), `${k} in ${kinds.join(",")}`);
    const actors = (detail.json() as { timeline: { kind: string; actor: string }[] }).timeline
      .filter((e) => e.kind === "acknowledged")
      .map((e) => e.actor);
    assert.deepEqual(actors, ["responder-user"]);
  });

  test("tokens through the API: admin only, shown once, revoked tokens stop working", async () => {
    const created = await inject("POST", "/api/v1/tokens", t.tokens.admin, { name: "ci", role: "viewer" });
    assert.equal(created.statusCode, 201, created.body);
    doc.check("POST", "/api/v1/tokens", created);
    const { token, record } = created.json() as { token: string; record: { id: string } };
    assert.equal((await inject("GET", "/api/v1/incidents", token)).statusCode, 200);
    const listed = await inject("GET", "/api/v1/tokens", t.tokens.admin);
    doc.check("GET", "/api/v1/tokens", listed);
    assert.ok(!listed.body.includes(token), "the token itself is never listed");
    const del = await inject("DELETE", `/api/v1/tokens/${record.id}`, t.tokens.admin);
    assert.equal(del.statusCode, 204);
    assertError(await inject("GET", "/api/v1/incidents", token), 401, "D2_HTTP_UNAUTHORIZED");
  });

  test("the OpenAPI document is 3.1 and lists the fixed routes", async () => {
    const res = await inject("GET", "/api/v1/openapi.json");
    doc.check("GET", "/api/v1/openapi.json", res);
    const d = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(d.openapi, "3.1.0");
    for (const [p, m] of [
      [AM, "post"],
      ["/api/v1/incidents", "get"],
      ["/api/v1/incidents/{id}", "get"],
      ["/api/v1/alerts/generic/{source}", "post"],
      ["/api/v1/openapi.json", "get"],
      ["/healthz", "get"],
      ["/readyz", "get"],
      ["/metrics", "get"],
    ] as const)
      assert.ok(d.paths[p]?.[m], `${m} ${p}`);
  });

  test("metrics count requests and accepted and rejected alerts", async () => {
    const m = (await inject("GET", "/metrics")).body;
    assert.match(m, /day2_alerts_accepted_total\{source="alertmanager"\} [1-9]/);
    assert.match(
      m,
      /day2_http_requests_total\{method="POST",route="\/api\/v1\/alerts\/alertmanager",status="400"\} [1-9]/,
    );
  });
});

describe("intake queue limits and shutdown", () => {
  test("a queue of size 0 answers 503 with Retry-After and stores nothing", async () => {
    const t = await testServer({ intake: { capacity: 0, retryAfterSeconds: 7 } });
    try {
      const res = await t.app.inject({
        method: "POST",
        url: AM,
        headers: bearer(t.tokens.responder),
        payload: amPayload(),
      });
      assertError(res, 503, "D2_HTTP_INTAKE_FULL", /full/);
      assert.equal(res.headers["retry-after"], "7");
      (await DocChecker.from(t.app)).check("POST", AM, res);
      assert.deepEqual(await stored(t), { incidents: 0, alerts: 0 });
      const m = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
      assert.match(m, /day2_alerts_rejected_total\{source="alertmanager",reason="IntakeFullError"\} 1/);
    } finally {
      await t.done();
    }
  });

  test("a full queue refuses the excess with 503; what was accepted is committed, in one batch", async () => {
    // While the first delivery waits out the linger window, the queue (size 2) fills up.
    const t = await testServer({ intake: { capacity: 2, lingerMs: 300 } });
    try {
      const sends = [0, 1, 2, 3].map((i) =>
        t.app.inject({
          method: "POST",
          url: AM,
          headers: bearer(t.tokens.responder),
          payload: amPayload({ groupKey: `{}:{alertname="A${i}"}` }, [
            amAlert({ fingerprint: `fp${i}`, labels: { alertname: `A${i}` } }),
          ]),
        }),
      );
      const res = await Promise.all(sends);
      const codes = res.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 200, 503, 503]);
      for (const r of res.filter((x) => x.statusCode === 503)) assert.equal(r.headers["retry-after"], "1");
      assert.deepEqual(await stored(t), { incidents: 2, alerts: 2 });
      const m = (await t.app.inject({ method: "GET", url: "/metrics" })).body;
      assert.match(m, /day2_intake_batch_deliveries_bucket\{le="2"\} 1/);
    } finally {
      await t.done();
    }
  });

  test("close() lets an in-flight delivery finish and commit before the store closes", async () => {
    const t = await testServer({ intake: { lingerMs: 200 } });
    const pending = t.app.inject({
      method: "POST",
      url: AM,
      headers: bearer(t.tokens.responder),
      payload: amPayload(),
    });
    await new Promise((r) => setTimeout(r, 50));
    const closing = t.done({ keepDir: true });
    const res = await pending;
    await closing;
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { accepted: 1 });
    // The store is closed now; what was committed is there when it is opened again.
    const again = await openServerStore(join(t.dir, "day2.db"));
    try {
      assert.equal(await again.countAlerts(), 1);
    } finally {
      await again.close();
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
