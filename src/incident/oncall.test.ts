/** On-call: rotations with handoffs across DST, layers and overrides; exact users at exact instants. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Schedule } from "./policy-config.js";
import { parseIncidents } from "./policy-config.js";
import { onCallRows, onCallTimeline, whoIsOnCall } from "./oncall.js";

const at = (iso: string) => Date.parse(iso);
const schedules = (s: unknown[]): readonly Schedule[] => parseIncidents({ schedules: s }).schedules;

// Weekly, Monday 09:00 Berlin, from Monday 2025-10-20; DST ends Sunday 2025-10-26.
const [primary] = schedules([
  {
    id: "primary",
    name: "Platform primary",
    timeZone: "Europe/Berlin",
    layers: [
      {
        name: "weekly",
        users: ["alice", "bob", "carol"],
        rotation: "1w",
        handoff: "09:00",
        start: "2025-10-20",
      },
      // Weekend cover on top, for one weekend only.
      {
        name: "cover",
        users: ["erin"],
        rotation: "1d",
        start: "2025-10-25T08:00:00+02:00",
        end: "2025-10-26T20:00:00+01:00",
      },
    ],
    overrides: [
      { user: "dave", from: "2025-10-22T12:00:00Z", to: "2025-10-23T12:00:00Z" },
      { user: "frank", from: "2025-10-23T00:00:00Z", to: "2025-10-23T06:00:00Z" },
    ],
  },
]) as [Schedule];

test("weekly rotation: handoff stays at 09:00 local across the DST change", () => {
  assert.equal(whoIsOnCall(primary, at("2025-10-20T06:59:59Z")), undefined, "before the rotation starts");
  assert.deepEqual(whoIsOnCall(primary, at("2025-10-20T07:00:00Z")), {
    user: "alice",
    layer: "weekly",
    until: at("2025-10-22T12:00:00Z"),
  });
  // After the override and the weekend cover, alice again until Monday 09:00 CET (08:00 UTC, not 07:00).
  assert.deepEqual(whoIsOnCall(primary, at("2025-10-26T19:00:00Z")), {
    user: "alice",
    layer: "weekly",
    until: at("2025-10-27T08:00:00Z"),
  });
  assert.equal(whoIsOnCall(primary, at("2025-10-27T07:59:59Z"))!.user, "alice");
  assert.deepEqual(whoIsOnCall(primary, at("2025-10-27T08:00:00Z")), {
    user: "bob",
    layer: "weekly",
    until: at("2025-11-03T08:00:00Z"),
  });
  assert.equal(whoIsOnCall(primary, at("2025-11-03T08:00:00Z"))!.user, "carol");
  assert.equal(whoIsOnCall(primary, at("2025-11-10T08:00:00Z"))!.user, "alice", "wraps around");
  // Spring forward 2026-03-29: Monday 2026-03-30 09:00 CEST is 07:00 UTC. Week 23 from the start: 23 % 3 = 2 -> carol.
  assert.equal(whoIsOnCall(primary, at("2026-03-30T06:59:59Z"))!.user, "bob");
  assert.equal(whoIsOnCall(primary, at("2026-03-30T07:00:00Z"))!.user, "carol");
});

test("overrides beat layers; later overrides beat earlier ones; higher layers beat lower ones", () => {
  assert.equal(whoIsOnCall(primary, at("2025-10-22T11:59:59Z"))!.user, "alice");
  const dave = whoIsOnCall(primary, at("2025-10-22T12:00:00Z"))!;
  assert.equal(dave.user, "dave");
  assert.equal(dave.layer, "override");
  assert.deepEqual(dave.override, {
    user: "dave",
    from: at("2025-10-22T12:00:00Z"),
    to: at("2025-10-23T12:00:00Z"),
  });
  assert.equal(dave.until, at("2025-10-23T00:00:00Z"), "frank's override starts inside dave's");
  assert.deepEqual(
    { ...whoIsOnCall(primary, at("2025-10-23T03:00:00Z"))!, override: undefined },
    { user: "frank", layer: "override", until: at("2025-10-23T06:00:00Z"), override: undefined },
  );
  assert.equal(whoIsOnCall(primary, at("2025-10-23T06:00:00Z"))!.user, "dave", "back to dave until his end");
  assert.equal(whoIsOnCall(primary, at("2025-10-23T12:00:00Z"))!.user, "alice");
  assert.deepEqual(whoIsOnCall(primary, at("2025-10-25T06:00:00Z")), {
    user: "erin",
    layer: "cover",
    until: at("2025-10-26T19:00:00Z"),
  });
});

test("the timeline from a Monday to the next Tuesday: every segment with exact boundaries", () => {
  const segs = onCallTimeline(primary, at("2025-10-20T00:00:00Z"), at("2025-10-28T00:00:00Z")).map(
    (s) => `${s.user}@${s.layer} ${new Date(s.start).toISOString()} ${new Date(s.end).toISOString()}`,
  );
  assert.deepEqual(segs, [
    "alice@weekly 2025-10-20T07:00:00.000Z 2025-10-22T12:00:00.000Z",
    "dave@override 2025-10-22T12:00:00.000Z 2025-10-23T00:00:00.000Z",
    "frank@override 2025-10-23T00:00:00.000Z 2025-10-23T06:00:00.000Z",
    "dave@override 2025-10-23T06:00:00.000Z 2025-10-23T12:00:00.000Z",
    "alice@weekly 2025-10-23T12:00:00.000Z 2025-10-25T06:00:00.000Z",
    "erin@cover 2025-10-25T06:00:00.000Z 2025-10-26T19:00:00.000Z",
    "alice@weekly 2025-10-26T19:00:00.000Z 2025-10-27T08:00:00.000Z",
    "bob@weekly 2025-10-27T08:00:00.000Z 2025-10-28T00:00:00.000Z",
  ]);
});

test("short rotations (seconds, hours) are absolute durations", () => {
  const [s] = schedules([
    { id: "fast", layers: [{ users: ["a", "b", "c"], rotation: "30s", start: "2025-01-01T00:00:00Z" }] },
  ]) as [Schedule];
  const t0 = at("2025-01-01T00:00:00Z");
  assert.deepEqual(whoIsOnCall(s, t0 + 29_999), { user: "a", layer: "layer-1", until: t0 + 30_000 });
  assert.deepEqual(whoIsOnCall(s, t0 + 30_000), { user: "b", layer: "layer-1", until: t0 + 60_000 });
  assert.equal(whoIsOnCall(s, t0 + 90_000)!.user, "a");
  // 12 h shifts in Berlin keep 12 h apart even over the DST change (absolute, not wall clock).
  const [h] = schedules([
    {
      id: "h",
      timeZone: "Europe/Berlin",
      layers: [{ users: ["x", "y"], rotation: "12h", handoff: "08:00", start: "2025-10-25" }],
    },
  ]) as [Schedule];
  assert.equal(h.layers[0]!.startAt, at("2025-10-25T06:00:00Z"));
  assert.deepEqual(whoIsOnCall(h, at("2025-10-26T06:00:00Z")), {
    user: "x",
    layer: "layer-1",
    until: at("2025-10-26T18:00:00Z"),
  });
  // A single-user layer never hands off: nothing changes within the horizon.
  const [one] = schedules([
    { id: "one", layers: [{ users: ["solo"], rotation: "1d", start: "2025-01-01" }] },
  ]) as [Schedule];
  assert.deepEqual(whoIsOnCall(one, at("2025-06-01T00:00:00Z")), { user: "solo", layer: "layer-1" });
});

test("day2 oncall rows: now and next per schedule", () => {
  const [fast] = schedules([
    { id: "fast", layers: [{ users: ["a", "b"], rotation: "1h", start: "2025-01-01T00:00:00Z" }] },
  ]) as [Schedule];
  const rows = onCallRows([primary, fast], at("2025-10-22T10:00:00Z"));
  assert.deepEqual(rows, [
    {
      schedule: "primary",
      name: "Platform primary",
      when: "now",
      user: "alice",
      layer: "weekly",
      override: false,
      from: at("2025-10-20T07:00:00Z"),
      until: at("2025-10-22T12:00:00Z"),
    },
    {
      schedule: "primary",
      name: "Platform primary",
      when: "next",
      user: "dave",
      layer: "override",
      override: true,
      from: at("2025-10-22T12:00:00Z"),
      until: at("2025-10-23T00:00:00Z"),
    },
    {
      schedule: "fast",
      name: "fast",
      when: "now",
      user: "a",
      layer: "layer-1",
      override: false,
      from: at("2025-10-22T10:00:00Z"),
      until: at("2025-10-22T11:00:00Z"),
    },
    {
      schedule: "fast",
      name: "fast",
      when: "next",
      user: "b",
      layer: "layer-1",
      override: false,
      from: at("2025-10-22T11:00:00Z"),
      until: at("2025-10-22T12:00:00Z"),
    },
  ]);
  // Before any coverage: nobody now, the first person next.
  const before = onCallRows([primary], at("2025-10-01T00:00:00Z"));
  assert.equal(before[0]!.user, null);
  assert.deepEqual([before[1]!.user, before[1]!.from], ["alice", at("2025-10-20T07:00:00Z")]);
});
