/**
 * The demo's `incidents:` section: three weekly on-call rotations (platform, product
 * engineering, incident commanders) with a few overrides, escalation policies per team and
 * two past maintenance windows. Built as the day2.yaml document (so it goes through the same
 * validation as a real config) relative to `now`, so the rotations cover the whole history.
 */
import type { IncidentsInput } from "./policy-config.js";
import { DAY, HOUR } from "./policy-time.js";

export const PLATFORM_ONCALL = ["mira.kovacs", "jonas.becker", "priya.raman", "tomasz.nowak", "elena.rossi"];
export const PRODUCT_ONCALL = [
  "sam.okafor",
  "lucia.fernandez",
  "daniel.kim",
  "hannah.schultz",
  "omar.haddad",
  "grace.liu",
];
export const COMMANDERS = ["rachel.adams", "marco.bianchi", "nadia.petrova", "chris.morgan"];
export const HEAD_OF_PLATFORM = "victoria.hale";
export const VP_ENGINEERING = "ben.carter";
export const DATA_LEAD = "ines.moreau";

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");
const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The Monday (UTC) at or before `ms`, at 00:00 UTC. */
function mondayBefore(ms: number): number {
  const d = Math.floor(ms / DAY) * DAY;
  const dow = new Date(d).getUTCDay();
  return d - ((dow + 6) % 7) * DAY;
}

/** A day's 00:00 UTC, `n` days before now's day. */
const dayStart = (now: number, n: number): number => Math.floor(now / DAY) * DAY - n * DAY;

/** The day2.yaml `incidents:` document of the demo, relative to `now`, covering `days` of history. */
export function demoIncidentsDoc(now: number, days: number): IncidentsInput {
  const start = mondayBefore(now - (days + 14) * DAY);
  return {
    schedules: [
      {
        id: "platform-oncall",
        name: "Platform on-call",
        timeZone: "Europe/Berlin",
        layers: [
          { name: "weekly", users: PLATFORM_ONCALL, rotation: "1w", handoff: "10:00", start: date(start) },
        ],
        overrides: [
          // Holiday cover, a sick day, and someone covering right now.
          {
            user: "priya.raman",
            from: iso(dayStart(now, 61) + 8 * HOUR),
            to: iso(dayStart(now, 58) + 8 * HOUR),
          },
          {
            user: "elena.rossi",
            from: iso(dayStart(now, 27) + 6 * HOUR),
            to: iso(dayStart(now, 26) + 6 * HOUR),
          },
          {
            user: "jonas.becker",
            from: iso(dayStart(now, 1) + 8 * HOUR),
            to: iso(dayStart(now, -2) + 8 * HOUR),
          },
        ],
      },
      {
        id: "product-oncall",
        name: "Product engineering on-call",
        timeZone: "UTC",
        layers: [
          {
            name: "weekly",
            users: PRODUCT_ONCALL,
            rotation: "1w",
            handoff: "09:00",
            start: date(start + 2 * DAY),
          },
        ],
        overrides: [
          {
            user: "grace.liu",
            from: iso(dayStart(now, 44) + 17 * HOUR),
            to: iso(dayStart(now, 42) + 9 * HOUR),
          },
        ],
      },
      {
        id: "incident-commanders",
        name: "Incident commanders",
        timeZone: "UTC",
        layers: [{ name: "weekly", users: COMMANDERS, rotation: "1w", handoff: "09:00", start: date(start) }],
      },
    ],
    escalationPolicies: [
      {
        id: "platform",
        name: "Platform",
        match: { team: "platform" },
        commander: "incident-commanders",
        levels: [
          { targets: [{ schedule: "platform-oncall" }] },
          { targets: [{ schedule: "incident-commanders" }], timeout: "15m" },
          { targets: [{ user: HEAD_OF_PLATFORM }], timeout: "30m" },
        ],
        repeat: 1,
      },
      {
        id: "data",
        name: "Data and ML",
        match: { team: ["data", "ml"] },
        commander: "incident-commanders",
        levels: [
          { targets: [{ schedule: "product-oncall" }] },
          { targets: [{ user: DATA_LEAD }], timeout: "30m" },
        ],
        repeat: 1,
      },
      {
        id: "product",
        name: "Product engineering",
        commander: "incident-commanders",
        levels: [
          { targets: [{ schedule: "product-oncall" }] },
          { targets: [{ schedule: "incident-commanders" }], timeout: "15m" },
          { targets: [{ user: VP_ENGINEERING }], timeout: "30m" },
        ],
        repeat: 1,
      },
    ],
    maintenance: [
      {
        id: "mw-node-rollover",
        matchers: ['alertname=~"KubeNodeNotReady|KubeNodeUnreachable|TargetDown|KubePodNotReady"'],
        startsAt: iso(dayStart(now, 38) + 6 * HOUR),
        endsAt: iso(dayStart(now, 38) + 8 * HOUR),
        createdBy: "mira.kovacs",
        comment: "General node pool rollover to the new AMI (drain and replace, one node at a time)",
      },
      {
        id: "mw-orders-db-upgrade",
        matchers: ['namespace="orders"'],
        startsAt: iso(dayStart(now, 17) + 3 * HOUR),
        endsAt: iso(dayStart(now, 17) + 5 * HOUR),
        createdBy: "hannah.schultz",
        comment: "orders-db PostgreSQL 16.4 -> 16.6 minor upgrade with a switchover",
      },
    ],
  };
}
