/** admin page (being built). */
export default function Route() {
  return <h1>admin</h1>;
}
