/** Incidents: newest first, filtered by status and priority, 50 a page. */
import type { IncidentPage } from "../api/types.js";
import { query } from "../api/client.js";
import { useApi } from "../api/useApi.js";
import { Badge } from "../components/Badge.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { ago, count, dateTime, duration } from "../format.js";
import { href, navigate } from "../router.js";

const PAGE = 50;
const STATUSES = ["open", "triggered", "acknowledged", "mitigated", "resolved", "reviewed", "all"] as const;
const PRIORITIES = ["", "P0", "P1", "P2", "P3"] as const;

export function Incidents({ query: q }: { query: URLSearchParams }) {
  const status = q.get("status") ?? "open";
  const priority = q.get("priority") ?? "";
  const offset = Math.max(0, Number(q.get("offset") ?? 0) || 0);
  const path = `/api/v1/incidents${query({
    status: status === "all" ? undefined : status,
    priority: priority || undefined,
    limit: PAGE,
    offset,
  })}`;
  const res = useApi<IncidentPage>(path);
  const go = (over: Record<string, string | undefined>) =>
    navigate(href(["incidents"], { status, priority, offset: undefined, ...over }));

  return (
    <section className="page" aria-labelledby="incidents-title">
      <header className="page-head">
        <h1 id="incidents-title">Incidents</h1>
        {res.data ? <p className="muted num">{count(res.data.total)} matching</p> : null}
      </header>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => go({ status: e.target.value })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === "open" ? "open (not resolved)" : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select value={priority} onChange={(e) => go({ priority: e.target.value })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p || "any"}
              </option>
            ))}
          </select>
        </label>
      </form>
      {res.state === "error" ? <ErrorBox error={res.error} onRetry={res.reload} /> : null}
      {res.state === "loading" && !res.data ? <Loading what="incidents" /> : null}
      {res.data && res.data.items.length === 0 ? (
        <p className="empty">No incidents match these filters.</p>
      ) : null}
      {res.data && res.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="table incidents">
            <thead>
              <tr>
                <th scope="col">Priority</th>
                <th scope="col">Incident</th>
                <th scope="col">Status</th>
                <th scope="col">Service</th>
                <th scope="col" className="num">
                  Opened
                </th>
                <th scope="col" className="num">
                  Time to ack
                </th>
              </tr>
            </thead>
            <tbody>
              {res.data.items.map((i) => (
                <tr key={i.id} data-incident={i.id}>
                  <td>
                    <Badge status={i.priority} />
                  </td>
                  <td>
                    <a href={href(["incidents", i.id])}>{i.title}</a>
                    <div className="muted small mono">{i.id}</div>
                  </td>
                  <td>
                    <Badge status={i.status} />
                  </td>
                  <td>{i.service ?? <span className="muted">–</span>}</td>
                  <td className="num" title={dateTime(i.createdAt)}>
                    {ago(i.createdAt)}
                  </td>
                  <td className="num">
                    {i.acknowledgedAt ? (
                      duration(i.acknowledgedAt - i.createdAt)
                    ) : (
                      <span className="muted">not yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {res.data && res.data.total > PAGE ? (
        <nav className="pager" aria-label="Pages of incidents">
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => go({ offset: String(Math.max(0, offset - PAGE)) })}
          >
            ← Newer
          </button>
          <span className="num">
            {count(offset + 1)}–{count(Math.min(offset + PAGE, res.data.total))} of {count(res.data.total)}
          </span>
          <button
            type="button"
            disabled={offset + PAGE >= res.data.total}
            onClick={() => go({ offset: String(offset + PAGE) })}
          >
            Older →
          </button>
        </nav>
      ) : null}
    </section>
  );
}
