/** day2.yaml's `rhythm:` section: a valid one resolved with its defaults; garbage names the field. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../config/config.js";
import { InputError } from "../snapshot/errors.js";

const NOTIFIERS = `incidents:
  notifications:
    slackWebhooks: [{ name: slack-platform, url: "https://hooks.slack.example/services/T/B/x" }]
    webhooks: [{ name: pager, url: "https://pager.example/hook" }]
`;

function error(rhythm: string, notifiers = NOTIFIERS): string {
  const source = `${notifiers}rhythm:\n${rhythm}`;
  try {
    parseConfig(source, "day2.yaml");
  } catch (err) {
    assert.ok(err instanceof InputError, `an InputError, got ${String(err)}`);
    assert.equal(err.message.split("\n").length, 1, `one line: ${err.message}`);
    return err.message;
  }
  assert.fail(`accepted: ${source}`);
}

test("a valid rhythm section: every cadence, the zone, the notifiers and the format", () => {
  const cfg = parseConfig(
    `${NOTIFIERS}rhythm:
  timeZone: Europe/Berlin
  daily: "09:00"
  weekly: mon 09:30
  monthly: 1 08:00
  quarterly: "15 10:00"
  notify: [slack-platform, pager, pager]
  format: html
  link: https://day2.example/
`,
    "day2.yaml",
  );
  const r = cfg.rhythm!;
  assert.equal(r.timeZone, "Europe/Berlin");
  assert.deepEqual(
    r.times.map((t) => [t.cadence, t.text, t.secondOfDay, t.weekday, t.dayOfMonth]),
    [
      ["daily", "09:00", 32_400, undefined, undefined],
      ["weekly", "mon 09:30", 34_200, 1, undefined],
      ["monthly", "1 08:00", 28_800, undefined, 1],
      ["quarterly", "15 10:00", 36_000, undefined, 15],
    ],
  );
  assert.deepEqual(r.notify, ["slack-platform", "pager"]);
  assert.equal(r.format, "html");
  assert.equal(r.link, "https://day2.example");
});

test("defaults: UTC, markdown, only the cadences given; no section, no schedule", () => {
  const r = parseConfig(
    `${NOTIFIERS}rhythm: { weekly: "fri 16:00", notify: [pager] }\n`,
    "day2.yaml",
  ).rhythm!;
  assert.equal(r.timeZone, "UTC");
  assert.equal(r.format, "markdown");
  assert.deepEqual(
    r.times.map((t) => t.cadence),
    ["weekly"],
  );
  assert.equal(parseConfig(NOTIFIERS, "day2.yaml").rhythm, undefined);
});

test("garbage names the field", () => {
  const cases: [string, RegExp][] = [
    ['  daily: "9am"\n  notify: [pager]\n', /^day2\.yaml: rhythm\.daily: expected "HH:MM", got "9am"$/],
    ["  daily: 900\n  notify: [pager]\n", /rhythm\.daily: expected "HH:MM" \(quoted\), got number 900/],
    ['  daily: "25:00"\n  notify: [pager]\n', /rhythm\.daily: expected "HH:MM", got "25:00"/],
    [
      '  weekly: "09:00"\n  notify: [pager]\n',
      /rhythm\.weekly: expected "<day> HH:MM" \(day: mon, .*sun\), got "09:00"/,
    ],
    ['  weekly: "someday 09:00"\n  notify: [pager]\n', /rhythm\.weekly: expected "<day> HH:MM"/],
    [
      '  monthly: "32 09:00"\n  notify: [pager]\n',
      /rhythm\.monthly: expected "<day of month> HH:MM" \(day 1-31\), got "32 09:00"/,
    ],
    [
      '  quarterly: "09:00"\n  notify: [pager]\n',
      /rhythm\.quarterly: expected "<day of the quarter's first month> HH:MM"/,
    ],
    [
      '  timeZone: Mars/Olympus\n  daily: "09:00"\n  notify: [pager]\n',
      /rhythm\.timeZone: unknown time zone "Mars\/Olympus"/,
    ],
    ['  daily: "09:00"\n', /rhythm\.notify: required: a list of notifier names/],
    ['  daily: "09:00"\n  notify: []\n', /rhythm\.notify: must name at least one notifier/],
    [
      '  daily: "09:00"\n  notify: pager\n',
      /rhythm\.notify: expected a list of notifier names .*got string "pager"/,
    ],
    [
      '  daily: "09:00"\n  notify: [pager, slack-ops]\n',
      /rhythm\.notify\[1\]: unknown notifier "slack-ops": expected one of slack-platform, pager/,
    ],
    [
      '  daily: "09:00"\n  notify: [pager]\n  format: pdf\n',
      /rhythm\.format: expected one of markdown\|table\|html, got string "pdf"/,
    ],
    [
      '  daily: "09:00"\n  notify: [pager]\n  link: day2.example\n',
      /rhythm\.link: expected an http:\/\/ or https:\/\/ URL/,
    ],
    ['  daily: "09:00"\n  notify: [pager]\n  hourly: "09:00"\n', /rhythm: unknown field "hourly"/],
    ["  notify: [pager]\n", /rhythm: name at least one of daily, weekly, monthly, quarterly/],
  ];
  for (const [yaml, re] of cases) assert.match(error(yaml), re, yaml);
  assert.match(
    error('  daily: "09:00"\n  notify: [pager]\n', ""),
    /rhythm\.notify\[0\]: unknown notifier "pager": no incidents\.notifications slackWebhooks or webhooks are configured/,
  );
  assert.match(
    parseErr("rhythm: [daily]\n"),
    /rhythm: expected a mapping \(timeZone, daily, weekly, monthly, quarterly, notify, format\), got a list/,
  );
});

function parseErr(source: string): string {
  try {
    parseConfig(source, "day2.yaml");
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted: ${source}`);
}
