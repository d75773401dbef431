import { useEffect, useState } from "preact/hooks";
import { session } from "./api.js";
import { href, routeOf, useRoute, type Route } from "./router.js";
import { Login } from "./pages/login.js";
import { Clusters } from "./pages/clusters.js";
import { FleetPage } from "./pages/fleet.js";
import { DriftDetail, DriftOverview } from "./pages/drift.js";
import { AppPage } from "./pages/app.js";
import { ClusterPage } from "./pages/cluster.js";
import { AuditPage } from "./pages/audit.js";

const NAV = [
  { route: "fleet", label: "Fleet" },
  { route: "clusters", label: "Clusters" },
  { route: "drift", label: "Drift" },
  { route: "audit", label: "Audit" },
];

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const route = useRoute();
  useEffect(() => {
    const out = () => setSignedIn(false);
    addEventListener("gitfleet:signed-out", out);
    return () => removeEventListener("gitfleet:signed-out", out);
  }, []);
  if (!signedIn) return <Login onLogin={() => setSignedIn(true)} />;
  const [section = "fleet"] = route;
  return (
    <>
      {/* Moves focus only: a "#main" hash would be read as a route. */}
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <span class="brand">gitfleet</span>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a href={href(n.route)} aria-current={section === n.route ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            session.clear();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={routeOf(route)} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "fleet":
      return <FleetPage />;
    case "audit":
      return <AuditPage />;
    case "drift":
      return <DriftOverview />;
    case "drift-detail":
      return <DriftDetail cluster={route.cluster} app={route.app} />;
    case "clusters":
      return <Clusters />;
    case "cluster":
      return <ClusterPage name={route.name} />;
    case "app":
      return <AppPage name={route.name} cluster={route.cluster} />;
    case "missing":
      return <Missing />;
  }
}

const Missing = () => (
  <p>
    No page here. Go to the <a href={href("fleet")}>fleet</a>.
  </p>
);
