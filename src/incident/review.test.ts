/**
 * Review drafts: exact draft and Markdown for a hand-built P1 incident that was acknowledged
 * late, escalated twice, reopened once and mitigated before resolution.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { reviewDraft, trackedActionItems } from "./review.js";
import { renderReviewMarkdown } from "./review-markdown.js";
import type { ActionItem, Alert, Incident, TimelineEntry } from "./types.js";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const INCIDENT: Incident = {
  id: "42",
  title: "Checkout API error rate above 5%",
  priority: "P1",
  priorityOverridden: true,
  status: "resolved",
  groupKey: "g42",
  service: "checkout",
  namespace: "shop",
  labels: { alertname: "CheckoutErrors" },
  createdAt: T0,
  acknowledgedAt: T0 + 50 * MIN,
  mitigatedAt: T0 + 35 * MIN,
  resolvedAt: T0 + 65 * MIN,
  commander: "alice",
  assignee: "bob",
  escalationLevel: 2,
};

let seq = 0;
function entry(minutes: number, kind: TimelineEntry["kind"], actor: string, text: string): TimelineEntry {
  return { id: `t${++seq}`, incidentId: "42", at: T0 + minutes * MIN, kind, actor, text };
}

const TIMELINE: TimelineEntry[] = [
  entry(0, "triggered", "alertmanager", "CheckoutErrors firing"),
  entry(0, "alert", "alertmanager", "CheckoutErrors (fp1)"),
  entry(0, "notification", "day2", "war room #inc-42 notified"),
  entry(15, "escalated", "policy", "level 1: platform-secondary"),
  entry(22, "acknowledged", "bob", "looking"),
  entry(25, "priority", "bob", "P2 -> P1"),
  entry(30, "escalated", "policy", "level 2: engineering-manager"),
  entry(35, "mitigated", "bob", "rolled back checkout to v1.4.2"),
  entry(40, "resolved", "bob", "error rate back to 0.1%"),
  entry(45, "reopened", "alertmanager", "CheckoutErrors firing again"),
  entry(50, "acknowledged", "bob", "again"),
  entry(55, "note", "alice", "payments | checkout both affected"),
  entry(65, "resolved", "alice", "payments dependency pinned"),
  // Another incident's entry is ignored.
  { id: "x", incidentId: "43", at: T0, kind: "note", actor: "eve", text: "other incident" },
];

function alert(
  fp: string,
  startsAtMin: number,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): Alert {
  return {
    fingerprint: fp,
    status: "resolved",
    labels,
    annotations,
    startsAt: T0 + startsAtMin * MIN,
    endsAt: T0 + 60 * MIN,
    source: "alertmanager",
    groupKey: "g42",
    incidentId: "42",
    receivedAt: T0,
  };
}

const ALERTS: Alert[] = [
  alert(
    "fp1",
    -2,
    { alertname: "CheckoutErrors", service: "checkout", namespace: "shop" },
    { summary: "5xx above 5% for 2 min", runbook_url: "runbooks/checkout-errors.md" },
  ),
  alert(
    "fp2",
    -1,
    { alertname: "CheckoutErrors", service: "checkout", namespace: "shop", pod: "checkout-2" },
    { summary: "5xx above 5% for 2 min", runbook_url: "runbooks/checkout-errors.md" },
  ),
  alert("fp3", 1, { alertname: "PaymentsLatency", service: "payments", namespace: "payments" }, {}),
];

const NOW = T0 + DAY;

test("reviewDraft: impact, key timeline, root-cause prompts, verdicts, suggested action items", () => {
  const draft = reviewDraft(INCIDENT, TIMELINE, ALERTS, undefined, { now: NOW });
  const at = (m: number): number => T0 + m * MIN;
  assert.deepEqual(draft, {
    incidentId: "42",
    title: "Checkout API error rate above 5%",
    priority: "P1",
    status: "resolved",
    commander: "alice",
    generatedAt: NOW,
    summary:
      'P1 incident "Checkout API error rate above 5%" on service checkout, namespace shop: opened 2026-03-01 10:00 UTC, ' +
      "acknowledged after 22 min by bob, mitigated after 35 min, resolved after 1 h 5 min. 3 alerts, escalated 2 times.",
    impact: {
      startedAt: at(-2), // the first alert fired before the incident opened
      endedAt: at(65),
      ongoing: false,
      durationMs: 67 * MIN,
      timeToAcknowledgeMs: 22 * MIN, // the first acknowledgement, not the one after reopening
      timeToMitigateMs: 35 * MIN,
      timeToResolveMs: 65 * MIN, // the final resolution
      ackDeadlineMs: 15 * MIN,
      services: ["checkout", "payments"],
      namespaces: ["payments", "shop"],
      alertCount: 3,
      suppressedAlertCount: 0,
    },
    timeline: [
      { at: at(0), kind: "triggered", actor: "alertmanager", text: "CheckoutErrors firing" },
      { at: at(15), kind: "escalated", actor: "policy", text: "level 1: platform-secondary" },
      { at: at(22), kind: "acknowledged", actor: "bob", text: "looking" },
      { at: at(25), kind: "priority", actor: "bob", text: "P2 -> P1" },
      { at: at(30), kind: "escalated", actor: "policy", text: "level 2: engineering-manager" },
      { at: at(35), kind: "mitigated", actor: "bob", text: "rolled back checkout to v1.4.2" },
      { at: at(40), kind: "resolved", actor: "bob", text: "error rate back to 0.1%" },
      { at: at(45), kind: "reopened", actor: "alertmanager", text: "CheckoutErrors firing again" },
      { at: at(50), kind: "acknowledged", actor: "bob", text: "again" },
      { at: at(55), kind: "note", actor: "alice", text: "payments | checkout both affected" },
      { at: at(65), kind: "resolved", actor: "alice", text: "payments dependency pinned" },
    ],
    rootCause: {
      prompts: [
        "What changed shortly before 2026-03-01 09:58 UTC? (deploys, configuration, traffic, dependencies)",
        'Why did CheckoutErrors fire ("5xx above 5% for 2 min"), and why then?',
        "Why did PaymentsLatency fire, and why then?",
        "Did runbooks/checkout-errors.md lead to the fix? What was missing or wrong in it?",
        "Could this have been detected earlier, or prevented?",
      ],
      alerts: [
        {
          name: "CheckoutErrors",
          count: 2,
          summary: "5xx above 5% for 2 min",
          runbook: "runbooks/checkout-errors.md",
        },
        { name: "PaymentsLatency", count: 1 },
      ],
      runbooks: ["runbooks/checkout-errors.md"],
    },
    wentWell: [
      "Incident commander assigned: alice.",
      "Impact mitigated 35 min after the incident opened.",
      "Alerts linked a runbook: runbooks/checkout-errors.md.",
    ],
    wentBadly: [
      "Acknowledged after the deadline: 22 min against 15 min for P1.",
      "Escalated 2 times.",
      "No runbook linked from PaymentsLatency.",
      "Priority changed once during the incident.",
      "Reopened once.",
    ],
    actionItems: [
      {
        title: "Update runbooks/checkout-errors.md with what this incident taught",
        owner: "alice",
        dueAt: NOW + 7 * DAY,
        runbook: "runbooks/checkout-errors.md",
        status: "open",
        tracked: true,
        suggested: true,
      },
      {
        title: "Write a runbook for PaymentsLatency and link it from the alert",
        owner: "alice",
        dueAt: NOW + 7 * DAY,
        status: "open",
        tracked: false,
        suggested: true,
      },
    ],
  });
});

const MARKDOWN = `# Post-incident review: Checkout API error rate above 5%

**Incident** 42 · **Priority** P1 · **Status** resolved · **Commander** alice

_Draft generated 2026-03-02 10:00 UTC by day2 from the incident timeline. Edit freely._

## Summary

P1 incident "Checkout API error rate above 5%" on service checkout, namespace shop: opened 2026-03-01 10:00 UTC, acknowledged after 22 min by bob, mitigated after 35 min, resolved after 1 h 5 min. 3 alerts, escalated 2 times.

## Impact

| Measure | Value |
|---|---|
| Started | 2026-03-01 09:58 UTC |
| Ended | 2026-03-01 11:05 UTC |
| Duration | 1 h 7 min |
| Time to acknowledge | 22 min (deadline 15 min) |
| Time to mitigate | 35 min |
| Time to resolve | 1 h 5 min |
| Services | checkout, payments |
| Namespaces | payments, shop |
| Alerts | 3 |

## Timeline (UTC)

| Time | Event | Who | What |
|---|---|---|---|
| 2026-03-01 10:00 | triggered | alertmanager | CheckoutErrors firing |
| 2026-03-01 10:15 | escalated | policy | level 1: platform-secondary |
| 2026-03-01 10:22 | acknowledged | bob | looking |
| 2026-03-01 10:25 | priority | bob | P2 -> P1 |
| 2026-03-01 10:30 | escalated | policy | level 2: engineering-manager |
| 2026-03-01 10:35 | mitigated | bob | rolled back checkout to v1.4.2 |
| 2026-03-01 10:40 | resolved | bob | error rate back to 0.1% |
| 2026-03-01 10:45 | reopened | alertmanager | CheckoutErrors firing again |
| 2026-03-01 10:50 | acknowledged | bob | again |
| 2026-03-01 10:55 | note | alice | payments \\| checkout both affected |
| 2026-03-01 11:05 | resolved | alice | payments dependency pinned |

## Root cause

_To be written by the responders. Questions to start from:_

- What changed shortly before 2026-03-01 09:58 UTC? (deploys, configuration, traffic, dependencies)
- Why did CheckoutErrors fire ("5xx above 5% for 2 min"), and why then?
- Why did PaymentsLatency fire, and why then?
- Did runbooks/checkout-errors.md lead to the fix? What was missing or wrong in it?
- Could this have been detected earlier, or prevented?

Alerts involved:

- **CheckoutErrors** (2): 5xx above 5% for 2 min (runbook: runbooks/checkout-errors.md)
- **PaymentsLatency** (no runbook)

## What went well

- Incident commander assigned: alice.
- Impact mitigated 35 min after the incident opened.
- Alerts linked a runbook: runbooks/checkout-errors.md.

## What went badly

- Acknowledged after the deadline: 22 min against 15 min for P1.
- Escalated 2 times.
- No runbook linked from PaymentsLatency.
- Priority changed once during the incident.
- Reopened once.

## Action items

| Done | Action | Owner | Due | Runbook | Status |
|---|---|---|---|---|---|
| [ ] | Update runbooks/checkout-errors.md with what this incident taught _(suggested)_ | alice | 2026-03-09 | runbooks/checkout-errors.md (tracked) | open |
| [ ] | Write a runbook for PaymentsLatency and link it from the alert _(suggested)_ | alice | 2026-03-09 |  | open |

Items naming a runbook are tracked until closed.
`;

test("renderReviewMarkdown: exact output", () => {
  assert.equal(
    renderReviewMarkdown(reviewDraft(INCIDENT, TIMELINE, ALERTS, undefined, { now: NOW })),
    MARKDOWN,
  );
});

test("stored action items: owners, due dates, runbook items tracked until closed", () => {
  const items: ActionItem[] = [
    { id: "a1", incidentId: "42", title: "Add a payments SLO alert", owner: "carol", dueAt: T0 + 14 * DAY },
    {
      id: "a2",
      incidentId: "42",
      title: "Document the rollback",
      owner: "bob",
      dueAt: T0 + 7 * DAY,
      runbook: "runbooks/checkout-errors.md",
    },
    {
      id: "a3",
      incidentId: "42",
      title: "Pin payments client",
      runbook: "runbooks/payments.md",
      closedAt: T0 + 2 * DAY,
    },
  ];
  const draft = reviewDraft(INCIDENT, TIMELINE, ALERTS, items, { now: NOW });
  assert.deepEqual(draft.actionItems, [
    {
      id: "a1",
      title: "Add a payments SLO alert",
      owner: "carol",
      dueAt: T0 + 14 * DAY,
      status: "open",
      tracked: false,
      suggested: false,
    },
    {
      id: "a2",
      title: "Document the rollback",
      owner: "bob",
      dueAt: T0 + 7 * DAY,
      runbook: "runbooks/checkout-errors.md",
      status: "open",
      tracked: true,
      suggested: false,
    },
    {
      id: "a3",
      title: "Pin payments client",
      runbook: "runbooks/payments.md",
      status: "closed",
      closedAt: T0 + 2 * DAY,
      tracked: false,
      suggested: false,
    },
  ]);
  assert.deepEqual(
    trackedActionItems(items).map((i) => i.id),
    ["a2"],
  );
  const md = renderReviewMarkdown(draft);
  assert.ok(md.includes("| [ ] | Add a payments SLO alert | carol | 2026-03-15 |  | open |"));
  assert.ok(
    md.includes(
      "| [x] | Pin payments client | unassigned | none | runbooks/payments.md | closed 2026-03-03 |",
    ),
  );
  // An empty list is the reviewers' choice: no suggestions.
  assert.deepEqual(reviewDraft(INCIDENT, TIMELINE, ALERTS, [], { now: NOW }).actionItems, []);
});

test("a clean incident goes well; an unacknowledged P3 is judged without a deadline", () => {
  const clean: Incident = {
    ...INCIDENT,
    priority: "P2",
    acknowledgedAt: T0 + 4 * MIN,
    mitigatedAt: undefined,
    resolvedAt: T0 + 30 * MIN,
    escalationLevel: 0,
  };
  const timeline = [entry(0, "triggered", "alertmanager", "x"), entry(4, "acknowledged", "bob", "on it")];
  const draft = reviewDraft(clean, timeline, ALERTS.slice(0, 1), undefined, { now: NOW });
  assert.deepEqual(draft.wentWell, [
    "Acknowledged in 4 min, within the 1 h deadline for P2.",
    "No escalation needed: the first responder took it.",
    "Alerts linked a runbook: runbooks/checkout-errors.md.",
    "Resolved without reopening.",
  ]);
  assert.deepEqual(draft.wentBadly, []);
  assert.equal(draft.impact.timeToResolveMs, 30 * MIN);

  const open: Incident = {
    ...INCIDENT,
    priority: "P3",
    status: "triggered",
    acknowledgedAt: undefined,
    mitigatedAt: undefined,
    resolvedAt: undefined,
    commander: undefined,
    assignee: undefined,
  };
  const d = reviewDraft(open, [entry(0, "triggered", "alertmanager", "x")], [], undefined, {
    now: T0 + 90 * MIN,
  });
  assert.equal(d.impact.ongoing, true);
  assert.equal(d.impact.durationMs, 90 * MIN);
  assert.equal(d.impact.ackDeadlineMs, undefined);
  assert.deepEqual(d.wentWell, []);
  assert.deepEqual(d.wentBadly, ["Never acknowledged.", "Not resolved when this draft was generated."]);
  assert.equal(
    d.summary,
    'P3 incident "Checkout API error rate above 5%" on service checkout, namespace shop: opened 2026-03-01 10:00 UTC, not resolved yet. 0 alerts.',
  );
  assert.deepEqual(d.actionItems, []);
  // With the policy's deadline (e.g. next business day) the P3 is judged against it.
  const late = reviewDraft({ ...open, acknowledgedAt: T0 + 20 * 60 * MIN }, [], [], undefined, {
    now: NOW,
    ackDeadlineMs: 16 * 60 * MIN,
  });
  assert.equal(late.wentBadly[0], "Acknowledged after the deadline: 20 h against 16 h for P3.");
});
