import { stringify } from "yaml";
import { formatLabels, type Labels } from "@gitfleet/shared";

export interface AgentInstall {
  name: string;
  hub: string;
  token: string;
  labels: Labels;
  /** Empty: cluster-wide rights; otherwise a Role in each listed namespace only. */
  namespaces: string[];
  image: string;
}

const NS = "gitfleet-system";
const SA = "gitfleet-agent";
/** The agent image's WORKDIR, owned by its user; an emptyDir here. */
const STATE_DIR = "/var/lib/gitfleet-agent";

/** The objects that install an agent: namespace, service account, RBAC, the bootstrap Secret and the Deployment. */
export function agentManifest(spec: AgentInstall): string {
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels: { "app.kubernetes.io/name": SA } });
  const subject = [{ kind: "ServiceAccount", name: SA, namespace: NS }];
  // The agent applies whatever Git holds, so in cluster-wide mode it needs every verb; namespaced mode confines it.
  const allRules = [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }];
  const readRules = [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
  ];
  const rbac =
    spec.namespaces.length === 0
      ? [
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(SA), rules: allRules },
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: meta(SA), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: SA }, subjects: subject },
        ]
      : [
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: meta(`${SA}-read`), rules: readRules },
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: meta(`${SA}-read`), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${SA}-read` }, subjects: subject },
          // Inventories (what each app applied, for pruning) are ConfigMaps in the agent's own namespace.
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(`${SA}-inventory`, NS), rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }] },
          { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta(`${SA}-inventory`, NS), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${SA}-inventory` }, subjects: subject },
          ...spec.namespaces.flatMap((ns) => [
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(SA, ns), rules: allRules },
            { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta(SA, ns), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SA }, subjects: subject },
          ]),
        ];
  // The root filesystem is read-only: assignments and the bundle cache go to an emptyDir.
  const args = ["--hub", spec.hub, "--name", spec.name, "--credential-secret", `${NS}/${SA}-credential`, "--state-dir", STATE_DIR];
  if (Object.keys(spec.labels).length) args.push("--labels", formatLabels(spec.labels));
  if (spec.namespaces.length) args.push("--namespaces", spec.namespaces.join(","));
  const objects = [
    { apiVersion: "v1", kind: "Namespace", metadata: meta(NS) },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(SA, NS) },
    ...rbac,
    // The agent may read and rewrite only its own credential Secret in its namespace.
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta(`${SA}-credential`, NS), rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [`${SA}-bootstrap`, `${SA}-credential`], verbs: ["get", "update", "patch"] }, { apiGroups: [""], resources: ["secrets"], verbs: ["create"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta(`${SA}-credential`, NS), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${SA}-credential` }, subjects: subject },
    { apiVersion: "v1", kind: "Secret", metadata: meta(`${SA}-bootstrap`, NS), type: "Opaque", stringData: { token: spec.token } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(SA, NS),
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "app.kubernetes.io/name": SA } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": SA } },
          spec: {
            serviceAccountName: SA,
            containers: [
              {
                name: "agent",
                image: spec.image,
                args,
                env: [{ name: "GITFLEET_BOOTSTRAP_TOKEN", valueFrom: { secretKeyRef: { name: `${SA}-bootstrap`, key: "token" } } }],
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
                volumeMounts: [
                  { name: "state", mountPath: STATE_DIR },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
            ],
            volumes: [
              { name: "state", emptyDir: {} },
              { name: "tmp", emptyDir: {} },
            ],
          },
        },
      },
    },
  ];
  return objects.map((o) => stringify(o)).join("---\n");
}
