import { useEffect, useState } from "preact/hooks";
import { session } from "./api.js";
import { href, useRoute } from "./router.js";
import { Login } from "./pages/login.js";
import { Clusters } from "./pages/clusters.js";
import { FleetPage } from "./pages/fleet.js";
import { DriftPage } from "./pages/drift.js";
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
  const [page = "fleet"] = route;
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
            <a href={href(n.route)} aria-current={page === n.route ? "page" : undefined}>
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
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: string[] }) {
  switch (route[0] ?? "fleet") {
    case "fleet":
      return <FleetPage />;
    case "audit":
      return <AuditPage />;
    case "drift":
      return <DriftPage route={route.slice(1)} />;
    case "clusters":
      return route[1] ? <ClusterPage name={route[1]} /> : <Clusters />;
    case "apps":
      return route[1] ? <AppPage name={route[1]} cluster={route[2]} /> : <Missing />;
    default:
      return <Missing />;
  }
}

const Missing = () => (
  <p>
    No page here. Go to the <a href={href("fleet")}>fleet</a>.
  </p>
);
