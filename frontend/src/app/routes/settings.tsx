/** settings page (being built). */
export default function Route() {
  return <h1>settings</h1>;
}
