/** etl page (being built). */
export default function Route() {
  return <h1>etl</h1>;
}
