/** The month a review covers: "2026-10" <-> [start, end) in UTC. */

export interface Month {
  /** "2026-10". */
  readonly label: string;
  /** Epoch ms of the first instant, inclusive. */
  readonly start: number;
  /** Epoch ms of the next month's first instant, exclusive. */
  readonly end: number;
  readonly days: number;
}

const DAY = 86_400_000;

function monthOf(year: number, month0: number): Month {
  const start = Date.UTC(year, month0, 1);
  const end = Date.UTC(year, month0 + 1, 1);
  const d = new Date(start);
  return {
    label: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`,
    start,
    end,
    days: Math.round((end - start) / DAY),
  };
}

/** "YYYY-MM" (month 01-12) -> the month, or undefined for anything else. */
export function parseMonth(text: string): Month | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return monthOf(Number(m[1]), month - 1);
}

/** The last whole month before `at` (the default review: last month). */
export function previousMonth(at: number): Month {
  const d = new Date(at);
  return monthOf(d.getUTCFullYear(), d.getUTCMonth() - 1);
}

/** The month before `m`. */
export function monthBefore(m: Month): Month {
  return previousMonth(m.start);
}

/** The month after `m`. */
export function monthAfter(m: Month): Month {
  const d = new Date(m.end);
  return monthOf(d.getUTCFullYear(), d.getUTCMonth());
}

/** "2026-10-03" for each day of the month. */
export function dayLabels(m: Month): string[] {
  return Array.from({ length: m.days }, (_, i) => new Date(m.start + i * DAY).toISOString().slice(0, 10));
}
