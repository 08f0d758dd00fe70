/** Escalation: levels, timeouts, repeats, business-hours paging, commander and war room. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Incident } from "./types.js";
import type { IncidentsConfig } from "./policy-config.js";
import { parseIncidents } from "./policy-config.js";
import {
  escalationPolicyFor,
  escalationStep,
  majorIncidentRoles,
  nextEscalation,
  resolveTargets,
  warRoomName,
} from "./escalation.js";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

const cfg: IncidentsConfig = parseIncidents({
  policy: { businessHours: { timeZone: "Europe/Berlin" } },
  schedules: [
    {
      id: "primary",
      timeZone: "Europe/Berlin",
      layers: [{ users: ["alice", "bob"], rotation: "1w", start: "2025-10-20" }],
    },
    {
      id: "secondary",
      timeZone: "Europe/Berlin",
      layers: [{ users: ["carol", "dan"], rotation: "1w", start: "2025-10-20" }],
    },
    { id: "ic", layers: [{ users: ["ivy"], rotation: "1w", start: "2025-01-01" }] },
    { id: "empty", layers: [{ users: ["late"], rotation: "1w", start: "2030-01-01" }] },
  ],
  escalationPolicies: [
    {
      id: "payments",
      match: { service: "payments" },
      commander: "ic",
      repeat: 1,
      levels: [
        { targets: [{ schedule: "primary" }], timeout: "10m" },
        {
          targets: [{ user: "lead" }, { schedule: "secondary" }, { schedule: "empty" }, { user: "lead" }],
          timeout: "20m",
        },
      ],
    },
    {
      id: "default",
      levels: [{ targets: [{ schedule: "primary" }] }, { targets: [{ schedule: "secondary" }] }],
    },
  ],
});
const [payments, fallback] = cfg.escalationPolicies as [
  IncidentsConfig["escalationPolicies"][0],
  IncidentsConfig["escalationPolicies"][0],
];

type Esc = Pick<Incident, "status" | "priority" | "createdAt" | "escalationLevel" | "escalationDueAt">;
const tue = at("2025-10-21T08:00:00Z"); // Tuesday 10:00 Berlin

test("targets resolve through schedules to users, without repeats; uncovered schedules are named", () => {
  assert.deepEqual(resolveTargets(payments.levels[1]!.targets, cfg.schedules, tue), {
    users: ["lead", "carol"],
    uncovered: ["empty"],
  });
  assert.deepEqual(escalationStep(payments, 1, tue, cfg.schedules), {
    level: 1,
    users: ["alice"],
    uncovered: [],
    dueAt: tue + 10 * MIN,
  });
  assert.equal(
    escalationStep(fallback, 2, tue, cfg.schedules).dueAt,
    tue + 15 * MIN,
    "default level timeout",
  );
  assert.throws(() => escalationStep(fallback, 3, tue, cfg.schedules), /has no level 3 \(1-2\)/);
  // The week after, bob and dan.
  assert.deepEqual(escalationStep(payments, 2, at("2025-10-28T08:00:00Z"), cfg.schedules).users, [
    "lead",
    "dan",
  ]);
});

test("a P1 walks level 1, level 2, the repeat, then stops", () => {
  let inc: Esc = { status: "triggered", priority: "P1", createdAt: tue, escalationLevel: 0 };
  const d1 = nextEscalation(inc, payments, tue, cfg);
  // Level 1 names 10m, stricter than P1's 15m deadline.
  assert.deepEqual(d1, {
    kind: "page",
    step: 1,
    level: 1,
    pass: 0,
    users: ["alice"],
    uncovered: [],
    dueAt: tue + 10 * MIN,
  });
  inc = { ...inc, escalationLevel: 1, escalationDueAt: tue + 10 * MIN };
  assert.deepEqual(nextEscalation(inc, payments, tue + 9 * MIN, cfg), {
    kind: "wait",
    until: tue + 10 * MIN,
    reason: "level 1 has until then",
  });
  const t2 = tue + 10 * MIN;
  assert.deepEqual(nextEscalation(inc, payments, t2, cfg), {
    kind: "page",
    step: 2,
    level: 2,
    pass: 0,
    users: ["lead", "carol"],
    uncovered: ["empty"],
    dueAt: t2 + 20 * MIN,
  });
  inc = { ...inc, escalationLevel: 2, escalationDueAt: t2 + 20 * MIN };
  const t3 = t2 + 25 * MIN; // a late timer: each level still gets its full timeout from when it is paged
  const d3 = nextEscalation(inc, payments, t3, cfg);
  assert.deepEqual(d3, {
    kind: "page",
    step: 3,
    level: 1,
    pass: 1,
    users: ["alice"],
    uncovered: [],
    dueAt: t3 + 10 * MIN,
  });
  inc = { ...inc, escalationLevel: 4, escalationDueAt: t3 + 40 * MIN };
  assert.deepEqual(nextEscalation(inc, payments, t3 + 40 * MIN, cfg), {
    kind: "done",
    reason: "escalation policy payments exhausted after 4 steps",
  });
  assert.deepEqual(nextEscalation({ ...inc, status: "acknowledged" }, payments, t3, cfg), {
    kind: "done",
    reason: "incident is acknowledged",
  });
});

test("level 1 is due at the priority's deadline when it names no timeout (P0 5m, P2 1h)", () => {
  const p0 = nextEscalation(
    { status: "triggered", priority: "P0", createdAt: tue, escalationLevel: 0 },
    fallback,
    tue + 1000,
    cfg,
  );
  assert.equal(p0.kind === "page" && p0.dueAt, tue + 5 * MIN);
  const p0strict = nextEscalation(
    { status: "triggered", priority: "P0", createdAt: tue, escalationLevel: 0 },
    payments,
    tue,
    cfg,
  );
  assert.equal(p0strict.kind === "page" && p0strict.dueAt, tue + 5 * MIN, "5m beats the level's 10m");
  const p2 = nextEscalation(
    { status: "triggered", priority: "P2", createdAt: tue, escalationLevel: 0 },
    fallback,
    tue,
    cfg,
  );
  assert.equal(p2.kind === "page" && p2.dueAt, tue + 60 * MIN);
});

test("P2/P3 outside business hours wait for the opening; P0 pages on a Saturday night", () => {
  const sat = at("2025-10-25T21:00:00Z");
  const monday = at("2025-10-27T08:00:00Z"); // 09:00 CET, after the DST change
  const p2: Esc = { status: "triggered", priority: "P2", createdAt: sat, escalationLevel: 0 };
  assert.deepEqual(nextEscalation(p2, fallback, sat, cfg), {
    kind: "wait",
    until: monday,
    reason: "P2 pages in business hours only",
  });
  const paged = nextEscalation(p2, fallback, monday, cfg);
  assert.equal(paged.kind === "page" && paged.dueAt, monday + 60 * MIN, "the hour counts from the opening");
  // P3: due "next business day" = Monday 09:00, the moment paging starts; level 1 still gets its time.
  const p3 = nextEscalation({ ...p2, priority: "P3" }, fallback, monday, cfg);
  assert.equal(p3.kind === "page" && p3.dueAt, monday + 15 * MIN);
  const p0 = nextEscalation({ ...p2, priority: "P0" }, fallback, sat, cfg);
  assert.equal(p0.kind, "page");
  assert.equal(p0.kind === "page" && p0.users[0], "alice");
});

test("P0/P1: the commander schedule's on-call (else level 1) and a war room at once; not for P2", () => {
  const inc = { id: "42", service: "Payments API", priority: "P0" as const };
  assert.deepEqual(majorIncidentRoles(inc, payments, tue, cfg), {
    commander: "ivy",
    warRoom: "inc-42-payments-api",
  });
  assert.deepEqual(majorIncidentRoles({ ...inc, priority: "P1" }, fallback, tue, cfg), {
    commander: "alice",
    warRoom: "inc-42-payments-api",
  });
  assert.equal(majorIncidentRoles({ ...inc, priority: "P2" }, payments, tue, cfg), undefined);
  assert.deepEqual(majorIncidentRoles({ id: "7", priority: "P0" }, undefined, tue, cfg), {
    warRoom: "inc-7",
  });
});

test("war room names are channel-safe slugs of at most 80 characters", () => {
  assert.equal(
    warRoomName({ id: "01HZX", service: "checkout/Cart  Service!" }),
    "inc-01hzx-checkout-cart-service",
  );
  assert.equal(warRoomName({ id: "9" }, "war"), "war-9");
  // Store ids start with the prefix already: said once.
  assert.equal(warRoomName({ id: "inc-0mh3k2", service: "web" }), "inc-0mh3k2-web");
  assert.equal(warRoomName({ id: "INC-7" }), "inc-7");
  assert.equal(warRoomName({ id: "inc-7" }, "war"), "war-inc-7");
  const long = warRoomName({ id: "x", service: "a".repeat(100) });
  assert.equal(long.length, 80);
});

test("the first escalation policy whose matchers match the labels", () => {
  assert.equal(escalationPolicyFor({ service: "payments" }, cfg.escalationPolicies)!.id, "payments");
  assert.equal(escalationPolicyFor({ service: "web" }, cfg.escalationPolicies)!.id, "default");
  assert.equal(escalationPolicyFor({}, [payments]), undefined);
});
