/** dora page (being built). */
export default function Route() {
  return <h1>dora</h1>;
}
