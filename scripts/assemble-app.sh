#!/bin/sh
# Builds one gitfleet workspace and assembles what its image runs into DEST: its bin/, dist/ and
# package.json, the dist/ of each @gitfleet workspace it depends on (shared; web for the hub),
# and `npm ci --omit=dev` of only that workspace's dependency tree. The Dockerfiles run exactly
# this (hub/Dockerfile, agent/Dockerfile).
#   scripts/assemble-app.sh hub|agent DEST      (from the repository root; GITFLEET_COMMIT stamps --version)
set -eu
ws="$1"
dest="$2"
workspaces=$(node -p 'require("./package.json").workspaces.join(" ")')
# This workspace and the workspaces it needs at run time, dependencies first.
needed=$(node -e '
  const dirs = require("./package.json").workspaces;
  const pkg = (d) => require(`./${d}/package.json`);
  const byName = new Map(dirs.map((d) => [pkg(d).name, d]));
  const out = [];
  const visit = (d) => {
    for (const dep of Object.keys(pkg(d).dependencies ?? {})) if (byName.has(dep) && !out.includes(byName.get(dep))) visit(byName.get(dep));
    if (!out.includes(d)) out.push(d);
  };
  visit(process.argv[1]);
  console.log(out.join(" "));' "$ws")
flags=$(for w in $needed; do printf -- '-w %s ' "$w"; done)

# Compile: TypeScript, vite and the root's tools, no install scripts (no native build needed to
# compile), no peer dependencies (the helm/kubectl package's aws-cdk-lib peer is not needed).
npm ci --ignore-scripts --omit=peer --no-audit --no-fund --include-workspace-root $flags
npm run build $flags
node scripts/stamp-build.mjs

# Runtime dependencies of this workspace only, with the install scripts package.json allows
# (better-sqlite3 for the hub). npm ci wants every workspace's package.json beside the lock.
# --omit=optional: the lock marks typescript devOptional (an optional peer of @prisma/client), so
# --omit=dev alone would keep it; nothing at run time needs an optional dependency.
mkdir -p "$dest"
cp package.json package-lock.json "$dest/"
for w in $workspaces; do
  mkdir -p "$dest/$w" && cp "$w/package.json" "$dest/$w/"
done
(cd "$dest" && npm ci --omit=dev --omit=optional --omit=peer --no-audit --no-fund -w "$ws" && npm cache clean --force 2>/dev/null)
for w in $workspaces; do
  case " $needed " in *" $w "*) cp -R "$w/dist" "$dest/$w/" ;; *) rm -rf "${dest:?}/$w" ;; esac
done
cp -R "$ws/bin" "$dest/$ws/"
find "$dest" -path "$dest/node_modules" -prune -o \( -name '*.map' -o -name '*.d.ts' \) -type f -exec rm {} +
