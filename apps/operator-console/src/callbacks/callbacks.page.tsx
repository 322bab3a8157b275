export function CallbacksPage() {
  return <section className="page">…</section>;
}
