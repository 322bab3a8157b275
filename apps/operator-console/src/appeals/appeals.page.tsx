export function AppealsPage() {
  return <section className="page">…</section>;
}
