#!/usr/bin/env bash
# Builds the gitfleet images with buildah where no registry can serve the node base image (this
# project's machines reach only Debian's and npm's package repositories), then runs each image's
# entrypoint with --help and --version as a non-root user.
#
# The base is a stand-in for docker.io/library/node:20.20.2-bookworm-slim: a Debian bookworm
# root filesystem from debootstrap plus this machine's node and npm (same Node version as the
# pinned tag). The Dockerfiles themselves build unchanged on top of it.
#
#   deploy/images/build-offline.sh [agent] [hub]      (as root, from anywhere; default: agent)
set -euo pipefail
cd "$(dirname "$0")/../.."
images=("${@:-agent}")
node_version=20.20.2 # the Dockerfiles' pinned base tag
base=docker.io/library/node:${node_version}-bookworm-slim
bh() { buildah --storage-driver vfs "$@"; }

command -v buildah >/dev/null && command -v debootstrap >/dev/null || {
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah debootstrap
}
[ "$(node --version)" = "v$node_version" ] || { echo "this machine's node $(node --version) is not the base image's $node_version" >&2; exit 1; }

if ! bh inspect --type image "$base" >/dev/null 2>&1; then
  rootfs=$(mktemp -d /tmp/gitfleet-rootfs-XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  install -D -m 0755 "$(command -v node)" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules" && cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  # This machine's CA bundle (npm's registry may sit behind a TLS proxy) and Node headers (no
  # prebuilt better-sqlite3 can be downloaded here: it compiles against them), as its npm uses.
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$rootfs/usr/local/include" && cp -a "$(dirname "$(command -v node)")/../include/node" "$rootfs/usr/local/include/"
  mkdir -p "$rootfs/usr/local/etc" && printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\n' > "$rootfs/usr/local/etc/npmrc"
  ctr=$(bh from scratch)
  bh copy "$ctr" "$rootfs" /
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$ctr"
  bh commit -q "$ctr" "$base"
  bh rm "$ctr" >/dev/null
fi

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
for image in "${images[@]}"; do
  tag="localhost/gitfleet/$image:test"
  bh bud --isolation chroot --pull=never --layers=false -f "$image/Dockerfile" --build-arg "GITFLEET_COMMIT=$commit" -t "$tag" .
  # Run the entrypoint as the image's user, the way a container runtime would.
  config=$(bh inspect --type image "$tag")
  mapfile -t cmd < <(node -e 'for (const a of JSON.parse(process.argv[1]).OCIv1.config.Entrypoint) console.log(a)' "$config")
  user=$(node -p 'JSON.parse(process.argv[1]).OCIv1.config.User' "$config")
  ctr=$(bh from --pull=never "$tag")
  echo "== $tag: ${cmd[*]} --help / --version as user $user"
  bh run --isolation chroot --user "$user" "$ctr" -- "${cmd[@]}" --help
  bh run --isolation chroot --user "$user" "$ctr" -- "${cmd[@]}" --version
  bh rm "$ctr" >/dev/null
  bh images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$tag"
done
