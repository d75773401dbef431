export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <ul class="labels" aria-label="Labels">
      {entries.map(([k, v]) => (
        <li key={k}>
          {k}={v}
        </li>
      ))}
    </ul>
  );
}
