/**
 * The rhythm's history: the scheduled reports the server sent for one cadence (GET
 * /api/v1/rhythm/reports), newest first, each period with its ok / attention / open counts and
 * its delivery; choosing a period shows that report's items and evidence as they were sent.
 */
import { useState } from "react";
// The API's shapes, type-only (nothing server-side is bundled).
import type { RhythmReportRow, RhythmReportsPage } from "../../../src/server/schemas-dashboard.js";
import { useApi } from "../api/useApi.js";
import { dateTime } from "../format.js";
import { Badge } from "./Badge.js";
import { ErrorBox, Loading } from "./ErrorBox.js";

/** Delivery states drawn with the badge tones the dashboard already uses. */
const DELIVERY: Record<RhythmReportRow["delivery"]["state"], { tone: string; label: string }> = {
  delivered: { tone: "ok", label: "delivered" },
  pending: { tone: "manual-open", label: "pending" },
  partial: { tone: "at-risk", label: "partly failed" },
  failed: { tone: "attention", label: "failed" },
  unknown: { tone: "no-data", label: "unknown" },
};

function Delivery({ report }: { report: RhythmReportRow }) {
  const d = DELIVERY[report.delivery.state];
  const detail = report.delivery.targets
    .map((t) => `${t.target}: ${t.status}${t.lastError ? ` (${t.lastError})` : ""}`)
    .join(", ");
  return (
    <span data-delivery={report.delivery.state}>
      <Badge status={d.tone} label={d.label} title={detail} />
    </span>
  );
}

/** One sent report's items, read-only: the status, evidence and sign-off as evaluated then. */
function SentItems({ report }: { report: RhythmReportRow }) {
  return (
    <section className="card" data-report-detail={report.period} aria-labelledby="sent-report-title">
      <h3 id="sent-report-title">
        {report.cadence} {report.period}
      </h3>
      <p className="muted small">
        Scheduled {dateTime(report.scheduledAt)} · sent {dateTime(report.sentAt)} · on the collection of{" "}
        {dateTime(report.collectedAt)}
      </p>
      <ol className="checklist">
        {report.items.map((i) => (
          <li key={i.id} className="card" data-sent-item={i.id}>
            <div className="item-head">
              <Badge status={i.status} />
              <strong>{i.title}</strong>
            </div>
            {i.evidence.length ? (
              <ul className="evidence">
                {i.evidence.map((e, n) => (
                  <li key={n}>{e}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function RhythmReports({ cadence }: { cadence: string }) {
  const res = useApi<RhythmReportsPage>(`/api/v1/rhythm/reports?cadence=${cadence}&limit=30`);
  const [open, setOpen] = useState<string | null>(null);
  if (res.state === "error") return <ErrorBox error={res.error} onRetry={res.reload} />;
  if (!res.data) return <Loading what={`the ${cadence} reports`} />;
  const reports = res.data.items.filter((r) => r.cadence === cadence);
  if (reports.length === 0)
    return (
      <p className="empty">
        No {cadence} report sent yet: with a <code>rhythm:</code> section in day2.yaml,{" "}
        <code>day2 serve</code> sends one each period.
      </p>
    );
  const chosen = reports.find((r) => r.period === open);
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="num">
                OK
              </th>
              <th scope="col" className="num">
                Attention
              </th>
              <th scope="col" className="num">
                Open
              </th>
              <th scope="col">Sent</th>
              <th scope="col">Delivery</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.period} data-report={r.period}>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-pressed={r.period === open}
                    onClick={() => setOpen(r.period === open ? null : r.period)}
                  >
                    {r.period}
                  </button>
                </td>
                <td className="num" data-count="ok">
                  {r.counts.ok}
                </td>
                <td className="num" data-count="attention">
                  {r.counts.attention}
                </td>
                <td className="num" data-count="open">
                  {r.counts.open}
                </td>
                <td>{dateTime(r.sentAt)}</td>
                <td>
                  <Delivery report={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chosen ? <SentItems report={chosen} /> : null}
    </>
  );
}
