/**
 * The operating rhythm: the checklist of a cadence for the current period, each item's status
 * and evidence, sign-off of manual items (responders and admins); its history (the reports the
 * server sent for the cadence, period by period) and the sign-off history.
 */
import { useState } from "react";
import type { RhythmDocBody, SignoffsPage } from "../api/types.js";
import { useApi } from "../api/useApi.js";
import { Badge } from "../components/Badge.js";
import { ErrorBox, Loading } from "../components/ErrorBox.js";
import { RhythmReports } from "../components/RhythmReports.js";
import { SignOffForm } from "../components/SignOffForm.js";
import { NotFound } from "./NotFound.js";
import { dateTime } from "../format.js";
import { canRespond, useSession } from "../session.js";

const CADENCES = ["daily", "weekly", "monthly", "quarterly"] as const;
function Checklist({ doc, onChange }: { doc: RhythmDocBody; onChange: () => void }) {
  const { user } = useSession();
  const responder = canRespond(user);
  return (
    <ol className="checklist">
      {doc.items.map((i) => (
        <li key={i.id} className="card" data-item={i.id}>
          <div className="item-head">
            <Badge status={i.status} />
            <strong>{i.title}</strong>
            <span className="muted small">{i.kind === "manual" ? "manual" : "evaluated"}</span>
          </div>
          {i.evidence.length ? (
            <ul className="evidence">
              {i.evidence.map((e, n) => (
                <li key={n}>{e}</li>
              ))}
            </ul>
          ) : null}
          {i.command ? (
            <p className="small">
              More: <code>{i.command}</code>
            </p>
          ) : null}
          {i.signoff ? (
            <p className="small">
              Signed off by {i.signoff.who}, {dateTime(i.signoff.at)}
              {i.signoff.note ? `: ${i.signoff.note}` : ""}
            </p>
          ) : null}
          {responder && (i.status === "manual-open" || i.status === "not-available") ? (
            <SignOffForm itemId={i.id} title={i.title} onDone={onChange} />
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function History() {
  const res = useApi<SignoffsPage>("/api/v1/rhythm/signoffs?limit=20");
  if (res.state === "error") return <ErrorBox error={res.error} onRetry={res.reload} />;
  if (!res.data) return <Loading what="sign-offs" />;
  if (res.data.items.length === 0) return <p className="empty">No sign-offs yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col" className="num">
              When
            </th>
            <th scope="col">Item</th>
            <th scope="col">Period</th>
            <th scope="col">Who</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {res.data.items.map((s) => (
            <tr key={s.id}>
              <td className="num">{dateTime(s.at)}</td>
              <td className="mono small">{s.itemId}</td>
              <td>{s.period}</td>
              <td>{s.who}</td>
              <td>{s.note ?? <span className="muted">–</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Rhythm({ cadence }: { cadence: string }) {
  const known = (CADENCES as readonly string[]).includes(cadence);
  const res = useApi<RhythmDocBody>(known ? `/api/v1/rhythm/${cadence}` : null);
  const [tick, setTick] = useState(0);
  if (!known) return <NotFound what={`cadence "${cadence}" (daily, weekly, monthly or quarterly)`} />;
  const changed = () => {
    res.reload();
    setTick((t) => t + 1);
  };
  return (
    <section className="page" aria-labelledby="rhythm-title">
      <header className="page-head">
        <h1 id="rhythm-title">Rhythm</h1>
        <nav className="tabs" aria-label="Cadence">
          {CADENCES.map((c) => (
            <a key={c} href={`#/rhythm/${c}`} aria-current={c === cadence ? "page" : undefined}>
              {c}
            </a>
          ))}
        </nav>
      </header>
      {res.state === "error" ? <ErrorBox error={res.error} onRetry={res.reload} /> : null}
      {!res.data && res.state === "loading" ? <Loading what={`the ${cadence} checklist`} /> : null}
      {res.data ? (
        <>
          <p className="muted small">
            Period {res.data.period} · {res.data.source} ·{" "}
            {Object.entries(res.data.counts)
              .filter(([, n]) => n > 0)
              .map(([s, n]) => `${n} ${s.replace("manual-", "manual ")}`)
              .join(", ")}
          </p>
          {res.data.notes.map((n) => (
            <p key={n} className="notice small">
              {n}
            </p>
          ))}
          <Checklist doc={res.data} onChange={changed} />
        </>
      ) : null}
      <section aria-labelledby="reports-title" data-section="reports">
        <h2 id="reports-title">History: {cadence} reports sent</h2>
        {/* Keyed by cadence: another tab starts with no report open. */}
        <RhythmReports key={cadence} cadence={cadence} />
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">Sign-off history</h2>
        {/* A new key after each sign-off reloads the history. */}
        <History key={tick} />
      </section>
    </section>
  );
}
