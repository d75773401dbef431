// The definitions suites apply (`gitfleet apply -f`), as YAML text: one shape for the Source and App
// headers, so a suite writes only what is particular to it.

/** Source "apps" at url; `fields` are more spec fields in flow style, e.g. `branch: main, interval: 1h`. */
export function sourceYaml(url: string, fields: string): string {
  return `apiVersion: gitfleet.dev/v1
kind: Source
metadata: {name: apps}
spec: {url: "${url}", ${fields}}
`;
}

/** App `name` rendering `path` of Source "apps"; `spec` is the rest of its spec, each line indented two spaces. */
export function appYaml(name: string, path: string, spec: string): string {
  return `apiVersion: gitfleet.dev/v1
kind: App
metadata: {name: ${name}}
spec:
  source: apps
  path: ${path}
${spec}`;
}
