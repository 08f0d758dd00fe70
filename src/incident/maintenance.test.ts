/** Maintenance windows: Alertmanager matcher semantics (anchored regexes) and the API v2 silence body. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import type { MaintenanceWindow } from "./policy-config.js";
import { PolicyConfigError, parseIncidents, parseMaintenanceWindow } from "./policy-config.js";
import { compileMatcher, formatMatcher, parseMatcher } from "./policy-match.js";
import {
  currentOrNextOccurrence,
  dueSilences,
  inMaintenance,
  isActive,
  silenceMarker,
  toAlertmanagerSilence,
  windowKey,
} from "./maintenance.js";

const at = (iso: string) => Date.parse(iso);

const window = parseMaintenanceWindow({
  id: "mw-1",
  matchers: [
    'namespace="payments"',
    'alertname=~"Kube.*|NodeDown"',
    { name: "severity", op: "!=", value: "critical" },
    "team!~ops|sre",
  ],
  startsAt: "2025-10-21T20:00:00Z",
  endsAt: "2025-10-21T22:00:00+00:00",
  createdBy: " alice ",
  comment: "Postgres 16 upgrade",
});

test("matchers: =, !=, =~, !~ with anchored regexes; a missing label is the empty string", () => {
  const m = (text: string, labels: Record<string, string>) => compileMatcher(parseMatcher(text)).test(labels);
  assert.equal(m('service=~"api|web"', { service: "api" }), true);
  assert.equal(m('service=~"api|web"', { service: "api2" }), false, "anchored at the end");
  assert.equal(m('service=~"api|web"', { service: "myapi" }), false, "anchored at the start");
  assert.equal(m('alertname=~"Kube"', { alertname: "KubePodCrashLooping" }), false);
  assert.equal(m('alertname=~"Kube.*"', { alertname: "KubePodCrashLooping" }), true);
  assert.equal(m('service!~"api|web"', { service: "api2" }), true);
  assert.equal(m("team!=ops", {}), true, "missing label reads as empty");
  assert.equal(m('team=""', {}), true);
  assert.equal(m('team=~".+"', {}), false);
  assert.equal(m('msg="say \\"hi\\""', { msg: 'say "hi"' }), true, "escaped quotes");
  assert.deepEqual(parseMatcher(' env = "prod" '), { name: "env", op: "=", value: "prod" });
  assert.equal(formatMatcher({ name: "a", op: "=~", value: 'x"y' }), 'a=~"x\\"y"');
  assert.throws(() => parseMatcher("no operator"), /expected a matcher like/);
  assert.throws(() => parseMatcher('a="b'), /unbalanced quotes/);
});

test("inMaintenance: active window (start inclusive, end exclusive) whose matchers all match", () => {
  const labels = {
    namespace: "payments",
    alertname: "KubePodCrashLooping",
    severity: "warning",
    team: "payments",
  };
  const inside = at("2025-10-21T21:00:00Z");
  assert.equal(inMaintenance(labels, inside, [window]), window);
  assert.equal(isActive(window, at("2025-10-21T20:00:00Z")), true);
  assert.equal(inMaintenance(labels, at("2025-10-21T22:00:00Z"), [window]), undefined, "ended");
  assert.equal(inMaintenance(labels, at("2025-10-21T19:59:59Z"), [window]), undefined, "not yet");
  assert.equal(inMaintenance({ ...labels, namespace: "payments-2" }, inside, [window]), undefined);
  assert.equal(
    inMaintenance({ ...labels, severity: "critical" }, inside, [window]),
    undefined,
    "!= critical",
  );
  assert.equal(inMaintenance({ ...labels, team: "sre" }, inside, [window]), undefined, "!~ ops|sre");
  assert.equal(inMaintenance({ ...labels, alertname: "NodeDownSoon" }, inside, [window]), undefined);
  assert.equal(inMaintenance(labels, inside, []), undefined);
});

// api/v2/openapi.yaml of Alertmanager: postableSilence = { id? } + silence; matcher.isEqual defaults to true.
const postableSilence = {
  type: "object",
  additionalProperties: false,
  required: ["matchers", "startsAt", "endsAt", "createdBy", "comment"],
  properties: {
    id: { type: "string" },
    matchers: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "value", "isRegex"],
        properties: {
          name: { type: "string" },
          value: { type: "string" },
          isRegex: { type: "boolean" },
          isEqual: { type: "boolean" },
        },
      },
    },
    startsAt: { type: "string", format: "date-time" },
    endsAt: { type: "string", format: "date-time" },
    createdBy: { type: "string" },
    comment: { type: "string" },
  },
};

test("toAlertmanagerSilence: the API v2 postableSilence body", () => {
  const body = toAlertmanagerSilence(window);
  assert.deepEqual(body, {
    matchers: [
      { name: "namespace", value: "payments", isRegex: false, isEqual: true },
      { name: "alertname", value: "Kube.*|NodeDown", isRegex: true, isEqual: true },
      { name: "severity", value: "critical", isRegex: false, isEqual: false },
      { name: "team", value: "ops|sre", isRegex: true, isEqual: false },
    ],
    startsAt: "2025-10-21T20:00:00.000Z",
    endsAt: "2025-10-21T22:00:00.000Z",
    createdBy: "alice",
    comment: "Postgres 16 upgrade",
  });
  assert.equal(
    toAlertmanagerSilence(window, "5947eba9-c472-42c4-88fe-ad9b8cd781b0").id,
    "5947eba9-c472-42c4-88fe-ad9b8cd781b0",
  );
  const ajv = new Ajv({ strict: true });
  (formats as unknown as (a: Ajv) => Ajv)(ajv);
  const validate = ajv.compile(postableSilence);
  assert.ok(validate(JSON.parse(JSON.stringify(body))), JSON.stringify(validate.errors));
});

test("windows from day2.yaml; garbage windows name the field", () => {
  const [w] = parseIncidents({
    maintenance: [
      {
        matchers: ["cluster=prod-eu"],
        startsAt: new Date("2025-01-01T00:00:00Z"),
        endsAt: "2025-01-02T00:00:00Z",
        createdBy: "bob",
        comment: "x",
      },
    ],
  }).maintenance as [MaintenanceWindow];
  assert.equal(w.startsAt, at("2025-01-01T00:00:00Z"));
  const problems = (doc: unknown): readonly string[] => {
    try {
      parseMaintenanceWindow(doc);
    } catch (err) {
      assert.ok(err instanceof PolicyConfigError);
      return err.problems;
    }
    assert.fail("accepted");
  };
  const base = {
    matchers: ["a=b"],
    startsAt: "2025-01-01T00:00:00Z",
    endsAt: "2025-01-02T00:00:00Z",
    createdBy: "me",
    comment: "why",
  };
  assert.deepEqual(problems({ ...base, matchers: ['a=~"("'] }), [
    "matchers[0]: not a valid regular expression: Invalid regular expression: /^(?:()$/: Unterminated group",
  ]);
  assert.deepEqual(problems({ ...base, matchers: ["a!=b", 'c=~".*"'] }), [
    "matchers: at least one matcher must not match the empty string (the window would match every alert)",
  ]);
  assert.deepEqual(problems({ ...base, matchers: [] }), ["matchers: must have at least one matcher"]);
  assert.deepEqual(problems({ ...base, matchers: ["what"] }), [
    'matchers[0]: expected a matcher like service="api" or namespace=~"prod-.*", got "what"',
  ]);
  assert.deepEqual(problems({ ...base, endsAt: "2024-12-31T00:00:00Z" }), ["endsAt: must be after startsAt"]);
  assert.deepEqual(problems({ ...base, startsAt: "tomorrow" }), [
    'startsAt: expected a timestamp (RFC 3339, e.g. 2025-03-01T09:00:00Z), got "tomorrow"',
  ]);
  assert.deepEqual(problems({ ...base, comment: "  " }), ["comment: must not be empty: a comment: say why"]);
  assert.deepEqual(problems({ ...base, createdBy: undefined }), ["createdBy: required: who created it"]);
  assert.deepEqual(problems({ ...base, matchers: [{ name: "a", op: "==", value: "b" }] }), [
    'matchers[0]: expected a matcher like service="api" or { name, op, value }, got a mapping',
  ]);
});

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const weekly = parseMaintenanceWindow({
  matchers: ['namespace="db"'],
  startsAt: "2025-10-21T20:00:00Z",
  endsAt: "2025-10-21T22:00:00Z",
  every: "1w",
  createdBy: "dba",
  comment: "weekly vacuum",
});

test("a recurring window: occurrence k is the first shifted by k x every; active only inside one", () => {
  assert.equal(weekly.every, WEEK);
  const first = { index: 0, startsAt: at("2025-10-21T20:00:00Z"), endsAt: at("2025-10-21T22:00:00Z") };
  assert.deepEqual(currentOrNextOccurrence(weekly, at("2025-10-01T00:00:00Z")), first, "before: the first");
  assert.deepEqual(currentOrNextOccurrence(weekly, at("2025-10-21T21:00:00Z")), first, "inside the first");
  const second = { index: 1, startsAt: first.startsAt + WEEK, endsAt: first.endsAt + WEEK };
  assert.deepEqual(currentOrNextOccurrence(weekly, first.endsAt), second, "the end is exclusive");
  assert.deepEqual(currentOrNextOccurrence(weekly, at("2025-10-28T20:00:00Z")), second);
  assert.equal(currentOrNextOccurrence(weekly, at("2026-01-06T21:59:59Z"))!.index, 11);
  assert.equal(isActive(weekly, at("2026-01-06T21:59:59Z")), true, "11 weeks later, inside");
  assert.equal(isActive(weekly, at("2026-01-06T22:00:00Z")), false);
  assert.equal(isActive(weekly, at("2026-01-07T21:00:00Z")), false, "a day later");
  assert.equal(inMaintenance({ namespace: "db" }, at("2025-11-04T20:30:00Z"), [weekly]), weekly);
  // One-off windows end for good.
  assert.equal(currentOrNextOccurrence(window, at("2025-10-21T22:00:00Z")), undefined);
  assert.throws(
    () =>
      parseMaintenanceWindow({
        matchers: ['namespace="db"'],
        startsAt: "2025-10-21T20:00:00Z",
        endsAt: "2025-10-21T22:00:00Z",
        every: "1h",
        createdBy: "dba",
        comment: "x",
      }),
    /every: must not be shorter than the window/,
  );
});

test("due silences: the current or next occurrence of each window, unless its marker exists", () => {
  const now = at("2025-10-21T21:00:00Z");
  const due = dueSilences([window, weekly], now);
  assert.deepEqual(
    due.map((d) => d.key),
    ["mw-1", windowKey(weekly)],
  );
  assert.match(windowKey(weekly), /^config-[0-9a-f]{12}$/);
  assert.equal(windowKey(weekly), windowKey({ ...weekly }), "stable");
  assert.notEqual(windowKey(weekly), windowKey({ ...weekly, every: 2 * WEEK }));
  assert.equal(due[0]!.marker, "[day2 maintenance mw-1 @ 2025-10-21T20:00:00.000Z]");
  assert.equal(
    due[0]!.silence.comment,
    "Postgres 16 upgrade [day2 maintenance mw-1 @ 2025-10-21T20:00:00.000Z]",
  );
  // Someone expired the first by hand: a silence with its marker exists, nothing is due for it.
  const left = dueSilences([window, weekly], now, [`anything ${due[0]!.marker}`]);
  assert.deepEqual(
    left.map((d) => d.key),
    [windowKey(weekly)],
  );
  // After both ended: the one-off is gone, the weekly one's next occurrence is due (pending).
  const later = dueSilences([window, weekly], at("2025-10-22T09:00:00Z"), [due[0]!.marker, due[1]!.marker]);
  assert.equal(later.length, 1);
  assert.equal(later[0]!.silence.startsAt, "2025-10-28T20:00:00.000Z");
  assert.equal(later[0]!.silence.endsAt, "2025-10-28T22:00:00.000Z");
  assert.equal(later[0]!.marker, silenceMarker(weekly, later[0]!.occurrence));
});
