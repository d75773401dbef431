/** A table's column headers. */
export function Head({ cols }: { cols: (string | false)[] }) {
  return (
    <thead>
      <tr>
        {cols.filter((c): c is string => c !== false).map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
