#!/bin/sh
# Builds one gitfleet workspace and assembles what its image runs into DEST: the package's
# bin/, dist/ and package.json, @gitfleet/shared's dist/, and `npm ci --omit=dev` of only that
# workspace's dependency tree. The Dockerfiles run exactly this (hub/Dockerfile, agent/Dockerfile).
#   scripts/assemble-app.sh hub|agent DEST      (from the repository root; GITFLEET_COMMIT stamps --version)
set -eu
ws="$1"
dest="$2"

# Compile: TypeScript and the root's tools, no install scripts (no native build needed to compile),
# no peer dependencies (the helm/kubectl layer package's aws-cdk-lib peer is not needed).
npm ci --ignore-scripts --omit=peer --no-audit --no-fund --include-workspace-root -w shared -w "$ws"
npm run build -w shared -w "$ws"
node scripts/stamp-build.mjs

# Runtime dependencies of this workspace only, with the install scripts package.json allows
# (better-sqlite3 for the hub). npm ci wants every workspace's package.json beside the lock.
# --omit=optional: the lock marks typescript devOptional (an optional peer of @prisma/client), so
# --omit=dev alone would keep it; nothing at run time needs an optional dependency.
mkdir -p "$dest"
cp package.json package-lock.json "$dest/"
for w in $(node -p 'require("./package.json").workspaces.join(" ")'); do
  mkdir -p "$dest/$w" && cp "$w/package.json" "$dest/$w/"
done
(cd "$dest" && npm ci --omit=dev --omit=optional --omit=peer --no-audit --no-fund -w "$ws" && npm cache clean --force 2>/dev/null)
for w in $(node -p 'require("./package.json").workspaces.join(" ")'); do
  [ "$w" = shared ] || [ "$w" = "$ws" ] || rm -rf "${dest:?}/$w"
done
cp -R shared/dist "$dest/shared/"
cp -R "$ws/bin" "$ws/dist" "$dest/$ws/"
find "$dest/shared/dist" "$dest/$ws/dist" \( -name '*.map' -o -name '*.d.ts' \) -delete
