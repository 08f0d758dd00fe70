/** Number, money, time and duration formats shared by every page (en-US, tabular). */

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const usdFmt = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});
const usdCents = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

export function count(n: number): string {
  return int.format(n);
}

/** $12,345 (cents below $100, where they matter). */
export function usd(n: number): string {
  return Math.abs(n) < 100 ? usdCents.format(n) : usdFmt.format(n);
}

/** Up to `digits` decimals, fewer for large numbers. */
export function num(n: number, digits = 2): string {
  const d = Math.abs(n) >= 1000 ? 0 : Math.abs(n) >= 100 ? Math.min(1, digits) : digits;
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: d }).format(n);
}

/** A KPI value with its unit: "99.95 %", "12.5 min", "$0.42/1M req", "no data". */
export function kpiValue(value: number | null, unit: string): string {
  if (value === null) return "no data";
  if (unit.startsWith("$")) return `$${num(value)}${unit.slice(1)}`;
  if (unit === "%") return `${num(value)} %`;
  return `${num(value)} ${unit}`;
}

export function date(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric" });
}

export function dateTime(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}

/** "3 min", "2 h 5 min", "4 d". */
export function duration(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** "5 min ago", "in 3 h". */
export function ago(iso: string | number, now = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const d = now - t;
  return d >= 0 ? `${duration(d)} ago` : `in ${duration(-d)}`;
}
