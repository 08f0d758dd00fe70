/**
 * One incident: what, how urgent, who is on it, its timeline, alerts and action items; for
 * responders and admins, the lifecycle buttons (acknowledge, mitigate, resolve) with a note.
 */
import { useState } from "react";
import type { Incident, IncidentDetail } from "../api/types.js";
import { useAction, useApi } from "../api/useApi.js";
import { Badge } from "../components/Badge.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { dateTime, duration } from "../format.js";
import { canRespond, useSession } from "../session.js";

const STEPS = [
  { path: "ack", label: "Acknowledge", from: ["triggered"] },
  { path: "mitigate", label: "Mark mitigated", from: ["triggered", "acknowledged"] },
  { path: "resolve", label: "Resolve", from: ["triggered", "acknowledged", "mitigated"] },
] as const;

function Actions({ incident, onDone }: { incident: Incident; onDone: () => void }) {
  const act = useAction();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const steps = STEPS.filter((s) => (s.from as readonly string[]).includes(incident.status));
  if (steps.length === 0) return null;
  async function run(path: string) {
    setBusy(path);
    setError(null);
    const r = await act(`/api/v1/incidents/${encodeURIComponent(incident.id)}/${path}`, {
      method: "POST",
      body: note.trim() ? { note: note.trim() } : {},
    });
    setBusy(null);
    if (r.ok) {
      setNote("");
      onDone();
    } else setError(r.error);
  }
  return (
    <section className="card actions" aria-label="Respond">
      <label htmlFor="step-note">Note (optional, goes on the timeline)</label>
      <textarea id="step-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      <div className="buttons">
        {steps.map((s) => (
          <button
            key={s.path}
            type="button"
            className={s.path === "ack" ? "primary" : ""}
            disabled={busy !== null}
            onClick={() => void run(s.path)}
          >
            {busy === s.path ? `${s.label}…` : s.label}
          </button>
        ))}
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}

function Facts({ i }: { i: Incident }) {
  const rows: [string, string | undefined][] = [
    ["Opened", dateTime(i.createdAt)],
    [
      "Acknowledged",
      i.acknowledgedAt
        ? `${dateTime(i.acknowledgedAt)} (after ${duration(i.acknowledgedAt - i.createdAt)})`
        : undefined,
    ],
    ["Mitigated", i.mitigatedAt ? dateTime(i.mitigatedAt) : undefined],
    [
      "Resolved",
      i.resolvedAt ? `${dateTime(i.resolvedAt)} (after ${duration(i.resolvedAt - i.createdAt)})` : undefined,
    ],
    ["Service", i.service],
    ["Namespace", i.namespace],
    ["Assignee", i.assignee],
    ["Commander", i.commander],
    ["War room", i.warRoom],
    ["Escalation level", String(i.escalationLevel)],
  ];
  return (
    <dl className="facts">
      {rows
        .filter((r): r is [string, string] => r[1] !== undefined)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

export function IncidentDetailPage({ id }: { id: string }) {
  const { user } = useSession();
  const res = useApi<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`);
  if (res.state === "error" && !res.data)
    return (
      <section className="page">
        <p>
          <a href="#/incidents">← Incidents</a>
        </p>
        <ErrorBox error={res.error} onRetry={res.reload} />
      </section>
    );
  if (!res.data) return <Loading what={`incident ${id}`} />;
  const { incident: i, timeline, alerts = [], actionItems = [] } = res.data;
  return (
    <section className="page" aria-labelledby="incident-title" data-incident={i.id}>
      <p>
        <a href="#/incidents">← Incidents</a>
      </p>
      <header className="page-head incident-head">
        <h1 id="incident-title">{i.title}</h1>
        <div className="chips">
          <Badge status={i.priority} label={`${i.priority}${i.priorityOverridden ? " (set by hand)" : ""}`} />
          <Badge status={i.status} />
          <span className="mono muted">{i.id}</span>
        </div>
      </header>
      {res.state === "error" ? <ErrorBox error={res.error} onRetry={res.reload} /> : null}
      <div className="two-col">
        <div>
          <Facts i={i} />
          {canRespond(user) ? (
            <Actions incident={i} onDone={res.reload} />
          ) : (
            <p className="muted small">
              Your role ({user.role}) can read incidents; responders and admins can acknowledge and resolve
              them.
            </p>
          )}
        </div>
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <ol className="timeline">
            {timeline.map((t) => (
              <li key={t.id} data-kind={t.kind}>
                <time dateTime={new Date(t.at).toISOString()} className="num">
                  {dateTime(t.at)}
                </time>
                <span className="tl-kind">{t.kind}</span>
                <span className="tl-actor">{t.actor}</span>
                <p>{t.text}</p>
              </li>
            ))}
          </ol>
        </section>
      </div>
      {alerts.length ? (
        <section aria-labelledby="alerts-title">
          <h2 id="alerts-title">Alerts ({alerts.length})</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Alert</th>
                  <th scope="col">Status</th>
                  <th scope="col">Summary</th>
                  <th scope="col" className="num">
                    Started
                  </th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <tr key={a.fingerprint}>
                    <td className="mono">{a.labels.alertname ?? a.fingerprint}</td>
                    <td>
                      <Badge status={a.status === "firing" ? "triggered" : "resolved"} label={a.status} />
                    </td>
                    <td>{a.annotations.summary ?? a.annotations.description ?? ""}</td>
                    <td className="num">{dateTime(a.startsAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {actionItems.length ? (
        <section aria-labelledby="ai-title">
          <h2 id="ai-title">Action items</h2>
          <ul className="plain">
            {actionItems.map((a) => (
              <li key={a.id}>
                <Badge status={a.closedAt ? "resolved" : "open"} label={a.closedAt ? "done" : "open"} />{" "}
                {a.title}
                {a.owner ? <span className="muted"> · {a.owner}</span> : null}
                {a.runbook ? <span className="muted mono"> · {a.runbook}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
