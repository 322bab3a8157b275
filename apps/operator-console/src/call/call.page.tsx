export function CallPage() {
  return <section className="page">…</section>;
}
