/** The incidents: section of day2.yaml: defaults, a full example, and garbage naming the field. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../snapshot/errors.js";
import { parseConfig } from "../config/config.js";
import { DEFAULT_POLICY, PolicyConfigError, parseIncidents } from "./policy-config.js";

function problems(doc: unknown): readonly string[] {
  try {
    parseIncidents(doc);
  } catch (err) {
    assert.ok(err instanceof PolicyConfigError, String(err));
    return err.problems;
  }
  assert.fail(`accepted: ${JSON.stringify(doc)}`);
}

test("defaults: deadlines 5m/15m/1h/next business day, Mon-Fri 09-17 UTC, P0/P1 page any time", () => {
  const p = DEFAULT_POLICY;
  assert.deepEqual(p.ackDeadlines, {
    P0: { kind: "duration", ms: 300_000 },
    P1: { kind: "duration", ms: 900_000 },
    P2: { kind: "duration", ms: 3_600_000 },
    P3: { kind: "next-business-day" },
  });
  assert.deepEqual(p.businessHours, {
    days: [1, 2, 3, 4, 5],
    start: 32_400,
    end: 61_200,
    timeZone: "UTC",
    holidays: [],
  });
  assert.deepEqual(p.pageAnytime, ["P0", "P1"]);
  assert.deepEqual(p.majorPriorities, ["P0", "P1"]);
  assert.equal(p.resolveWhenAllAlertsResolved, true);
  assert.equal(p.reopenWindow, 3_600_000);
  assert.equal(p.defaultPriority, "P3");
  assert.equal(p.warRoomPrefix, "inc");
  assert.deepEqual(
    p.severityMap.map((r) => `${r.name}:${r.priority}`),
    ["critical-tier:P0", "critical:P1", "warning:P2", "info:P3"],
  );
  assert.deepEqual(parseIncidents(undefined).schedules, []);
});

test("a full incidents: section in day2.yaml", () => {
  const cfg = parseConfig(
    `incidents:
  policy:
    severityMap:
      - name: payments
        match: { severity: critical, service: [payments, checkout] }
        priority: P0
      - matchRe: { namespace: "kube-.*" }
        priority: P1
    defaultPriority: P2
    ackDeadlines: { P0: 30s, P3: 4h }
    businessHours:
      days: [Mon, tue, wed, thu]
      start: "08:30"
      end: "18:00"
      timeZone: Europe/Berlin
      holidays: [2025-12-25, "2026-01-01"]
    pageAnytime: [P0, P1, P2]
    resolveWhenAllAlertsResolved: false
    reopenWindow: 10m
    warRoomPrefix: war
  schedules:
    - id: primary
      timeZone: Europe/Berlin
      layers:
        - { users: [alice, bob], rotation: 1w, handoff: "10:00", start: 2025-10-20 }
      overrides:
        - { user: carol, from: "2025-10-22T12:00:00Z", to: "2025-10-23T12:00:00Z" }
  escalationPolicies:
    - id: default
      commander: primary
      repeat: 2
      levels:
        - targets: [{ schedule: primary }]
          timeout: 5m
        - targets: [{ user: lead }]
  maintenance:
    - matchers: ['namespace="payments"']
      startsAt: "2025-10-21T20:00:00Z"
      endsAt: "2025-10-21T22:00:00Z"
      createdBy: alice
      comment: upgrade
`,
    "day2.yaml",
  );
  const inc = cfg.incidents!;
  assert.equal(inc.policy.defaultPriority, "P2");
  assert.deepEqual(inc.policy.ackDeadlines.P0, { kind: "duration", ms: 30_000 });
  assert.deepEqual(inc.policy.ackDeadlines.P1, { kind: "duration", ms: 900_000 });
  assert.deepEqual(inc.policy.ackDeadlines.P3, { kind: "duration", ms: 14_400_000 });
  assert.deepEqual(inc.policy.businessHours, {
    days: [1, 2, 3, 4],
    start: 30_600,
    end: 64_800,
    timeZone: "Europe/Berlin",
    holidays: ["2025-12-25", "2026-01-01"],
  });
  assert.deepEqual(
    inc.policy.severityMap.map((r) => r.name),
    ["payments", "rule-2"],
  );
  assert.equal(inc.policy.reopenWindow, 600_000);
  assert.equal(inc.schedules[0]!.layers[0]!.startAt, Date.parse("2025-10-20T08:00:00Z"), "10:00 CEST");
  assert.equal(inc.schedules[0]!.overrides.length, 1);
  assert.equal(inc.escalationPolicies[0]!.repeat, 2);
  assert.equal(inc.escalationPolicies[0]!.levels[0]!.timeout, 300_000);
  assert.equal(inc.escalationPolicies[0]!.levels[1]!.timeout, undefined);
  assert.equal(inc.maintenance[0]!.comment, "upgrade");
  assert.equal(parseConfig("rules: {}", "day2.yaml").incidents, undefined, "absent section stays absent");
});

test("garbage in day2.yaml: one line naming the file and incidents.<field>", () => {
  const err = (source: string): string => {
    try {
      parseConfig(source, "day2.yaml");
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e.message;
    }
    assert.fail(`accepted: ${source}`);
  };
  assert.equal(
    err(
      "incidents:\n  policy:\n    severityMap:\n      - { priority: P1 }\n      - { priority: P2 }\n      - { match: { severity: 3 }, priority: P0 }",
    ),
    "day2.yaml: incidents.policy.severityMap[2].match.severity: expected a string or a list of strings, got number 3",
  );
  assert.equal(
    err("incidents:\n  policy:\n    severityMap:\n      - { match: { severity: critical }, priority: P5 }"),
    "day2.yaml: incidents.policy.severityMap[0].priority: expected one of P0|P1|P2|P3",
  );
  assert.equal(
    err("incidents: [1]"),
    "day2.yaml: incidents: expected a mapping (policy, schedules, escalationPolicies, maintenance), got a list",
  );
  assert.equal(
    err("incidents:\n  policy:\n    ackDeadline: {}"),
    'day2.yaml: incidents.policy: unknown field "ackDeadline"',
  );
});

test("garbage: every problem names its field", () => {
  const cases: [unknown, string[]][] = [
    [{ policy: { severityMap: { a: 1 } } }, ["policy.severityMap: expected a list of rules, got a mapping"]],
    [
      { policy: { severityMap: [{ match: { severity: "critical" } }] } },
      ["policy.severityMap[0].priority: expected one of P0|P1|P2|P3"],
    ],
    [
      { policy: { severityMap: [{ matchRe: { service: "(" }, priority: "P1" }] } },
      [
        "policy.severityMap[0].matchRe.service: not a valid regular expression: Invalid regular expression: /^(?:()$/: Unterminated group",
      ],
    ],
    [
      { policy: { severityMap: [{ match: { "bad-label": "x" }, priority: "P0" }] } },
      ['policy.severityMap[0].match.bad-label: not a label name: "bad-label"'],
    ],
    [
      { policy: { ackDeadlines: { P0: "5 minutes", P4: "1m" } } },
      [
        'policy.ackDeadlines.P0: expected a duration like 5m, or next-business-day, got "5 minutes"',
        'policy.ackDeadlines: unknown field "P4"',
      ],
    ],
    [
      {
        policy: {
          businessHours: { timeZone: "Mars/Olympus", holidays: ["2025-02-30"], days: ["mon", "xyz"] },
        },
      },
      [
        'policy.businessHours.days[1]: expected a day (sun|mon|tue|wed|thu|fri|sat), got "xyz"',
        'policy.businessHours.timeZone: unknown time zone "Mars/Olympus"',
        'policy.businessHours.holidays[0]: expected a date (YYYY-MM-DD), got "2025-02-30"',
      ],
    ],
    [
      { policy: { businessHours: { start: "18:00", end: "09:00" } } },
      ["policy.businessHours.end: must be after start (hours crossing midnight are not supported)"],
    ],
    [
      { policy: { businessHours: { start: "9am" } } },
      ['policy.businessHours.start: expected a time of day (HH:MM), got "9am"'],
    ],
    [
      { policy: { pageAnytime: "P0" } },
      ['policy.pageAnytime: expected a list of priorities, e.g. [P0, P1], got string "P0"'],
    ],
    [
      { policy: { resolveWhenAllAlertsResolved: "yes" } },
      ['policy.resolveWhenAllAlertsResolved: expected true or false, got string "yes"'],
    ],
    [
      { policy: { reopenWindow: 30 } },
      ["policy.reopenWindow: expected a duration like 30s, 5m, 1h, 1d, 1w, got number 30"],
    ],
    [
      { policy: { warRoomPrefix: "War Room" } },
      ["policy.warRoomPrefix: expected lowercase letters, digits, - and _ (a channel name prefix)"],
    ],
    [
      { schedules: [{ id: "a", layers: [{ users: [], rotation: "weekly", start: "x" }] }] },
      [
        "schedules[0].layers[0].users: must name at least one user",
        'schedules[0].layers[0].rotation: expected a duration like 30s, 5m, 1h, 1d, 1w, got "weekly"',
        'schedules[0].layers[0].start: expected a date (YYYY-MM-DD) or an RFC 3339 timestamp, got "x"',
      ],
    ],
    [{ schedules: [{ id: "a", layers: [] }] }, ["schedules[0].layers: must have at least one layer"]],
    [
      { schedules: [{ id: "a", layers: [{ users: ["u"], rotation: "1d" }] }] },
      ["schedules[0].layers[0].start: required: a date (YYYY-MM-DD) or an RFC 3339 timestamp"],
    ],
    [
      {
        schedules: [
          {
            id: "a",
            layers: [{ users: ["u"], rotation: "1d", start: "2025-01-01" }],
            overrides: [{ user: "x", from: "2025-01-02T00:00:00Z", to: "2025-01-01T00:00:00Z" }],
          },
        ],
      },
      ["schedules[0].overrides[0].to: must be after from"],
    ],
    [
      {
        schedules: [
          { id: "a", layers: [{ users: ["u"], rotation: "1d", start: "2025-01-01" }] },
          { id: "a", layers: [{ users: ["v"], rotation: "1d", start: "2025-01-01" }] },
        ],
        escalationPolicies: [
          { id: "p", commander: "ic", levels: [{ targets: [{ user: "u" }, { schedule: "b" }] }] },
        ],
      },
      [
        'schedules[1].id: duplicate schedule id "a"',
        'escalationPolicies[0].commander: unknown schedule "ic" (schedules: a)',
        'escalationPolicies[0].levels[0].targets[1].schedule: unknown schedule "b" (schedules: a)',
      ],
    ],
    [
      { escalationPolicies: [{ id: "p", levels: [{ targets: [{ team: "x" }] }] }] },
      [
        "escalationPolicies[0].levels[0].targets[0]: expected { schedule: <id> } or { user: <name> }, got a mapping",
      ],
    ],
    [
      {
        escalationPolicies: [
          { id: "p", levels: [{ targets: [{ user: "u" }], timeout: "soon" }], repeat: -1 },
        ],
      },
      [
        'escalationPolicies[0].levels[0].timeout: expected a duration like 30s, 5m, 1h, 1d, 1w, got "soon"',
        "escalationPolicies[0].repeat: must be 0 to 10",
      ],
    ],
    [
      { escalationPolicies: [{ id: "has space", levels: [{ targets: [] }] }] },
      [
        "escalationPolicies[0].id: expected an id (letters, digits, . _ -)",
        "escalationPolicies[0].levels[0].targets: must name at least one target",
      ],
    ],
    [
      { maintenance: [{ matchers: ["a=b"] }] },
      [
        "maintenance[0].startsAt: required: a timestamp (RFC 3339, e.g. 2025-03-01T09:00:00Z)",
        "maintenance[0].endsAt: required: a timestamp (RFC 3339, e.g. 2025-03-01T09:00:00Z)",
        "maintenance[0].createdBy: required: who created it",
        "maintenance[0].comment: required: a comment: say why",
      ],
    ],
    [{ polcy: {} }, ['unknown field "polcy"']],
    ["nope", ['expected a mapping (policy, schedules, escalationPolicies, maintenance), got string "nope"']],
  ];
  for (const [doc, expected] of cases) assert.deepEqual(problems(doc), expected, JSON.stringify(doc));
});
