/** analytics page (being built). */
export default function Route() {
  return <h1>analytics</h1>;
}
