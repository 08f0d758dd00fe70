/** An address the dashboard has no page for. */
export function NotFound({ what }: { what: string }) {
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>
        There is no {what}. Go to the <a href="#/overview">overview</a>.
      </p>
    </section>
  );
}
