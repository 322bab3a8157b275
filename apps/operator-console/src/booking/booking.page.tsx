export function BookingPage() {
  return <section className="page">…</section>;
}
