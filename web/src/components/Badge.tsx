/**
 * A status word with a colour and a symbol: colour is never the only signal (the word and the
 * symbol say the same for readers who cannot tell the colours apart).
 */
export type Tone = "good" | "warn" | "bad" | "neutral" | "info";

const SYMBOL: Record<Tone, string> = { good: "✓", warn: "!", bad: "✕", neutral: "–", info: "i" };

const TONES: Record<string, Tone> = {
  // KPI and success criteria
  met: "good",
  signed: "good",
  "at-risk": "warn",
  missed: "bad",
  "no-data": "neutral",
  open: "warn",
  // rhythm items
  ok: "good",
  attention: "bad",
  "manual-open": "warn",
  "manual-done": "good",
  "not-available": "neutral",
  // severities
  critical: "bad",
  high: "bad",
  medium: "warn",
  low: "info",
  info: "neutral",
  // incident priorities and statuses
  P0: "bad",
  P1: "bad",
  P2: "warn",
  P3: "info",
  triggered: "bad",
  acknowledged: "warn",
  mitigated: "info",
  resolved: "good",
  reviewed: "good",
  fixed: "good",
};

const LABELS: Record<string, string> = {
  "at-risk": "at risk",
  "no-data": "no data",
  "manual-open": "to sign off",
  "manual-done": "signed off",
  "not-available": "not available",
  ok: "ok",
};

export function toneOf(status: string): Tone {
  return TONES[status] ?? "neutral";
}

export function Badge({ status, label, title }: { status: string; label?: string; title?: string }) {
  const tone = toneOf(status);
  return (
    <span className={`badge tone-${tone}`} title={title} data-status={status}>
      <span aria-hidden="true" className="badge-symbol">
        {SYMBOL[tone]}
      </span>
      {label ?? LABELS[status] ?? status}
    </span>
  );
}
