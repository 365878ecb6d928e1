#!/usr/bin/env bash
# Build the image with buildah (no container engine needed), on a base made from Debian's own packages,
# then run the image's command inside it as its non-root user and check /livez and a POST.
#   deploy/image/build.sh            (make image; root, with buildah and debootstrap installed)
# The base (localhost/closeness-base:bookworm) is kept in buildah's storage and reused by later runs.
# The machine's pip configuration and CA bundle are mounted for the build, never copied into the image.
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=localhost/closeness-base:bookworm
IMAGE=${IMAGE:-localhost/closeness:latest}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BUILDAH=(buildah --storage-driver "${STORAGE_DRIVER:-vfs}")

if ! "${BUILDAH[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
  echo "image: building the base from Debian's packages (debootstrap bookworm, python3)"
  rootfs=$(mktemp -d /var/tmp/closeness-base.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" "$MIRROR" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  container=$("${BUILDAH[@]}" from scratch)
  mount=$("${BUILDAH[@]}" mount "$container")
  cp -a "$rootfs"/. "$mount"/
  "${BUILDAH[@]}" umount "$container" >/dev/null
  "${BUILDAH[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd /bin/sh "$container"
  "${BUILDAH[@]}" commit -q --rm "$container" "$BASE" >/dev/null
fi

mounts=()
for file in /etc/pip.conf /etc/ssl/certs/ca-certificates.crt; do
  [ -f "$file" ] && mounts+=(--volume "$file:$file:ro")
done
echo "image: building $IMAGE on $BASE"
"${BUILDAH[@]}" bud --isolation chroot --format docker --layers=false --build-arg "BASE=$BASE" "${mounts[@]}" -t "$IMAGE" . >/dev/null

echo "image: running its command as its user, then /livez and a POST"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
command=$("${BUILDAH[@]}" inspect --type image --format '{{.OCIv1.Config.Cmd}}' "$IMAGE" | tr -d '[]')
user=$("${BUILDAH[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")
container=$("${BUILDAH[@]}" from "$IMAGE")
trap '"${BUILDAH[@]}" rm "$container" >/dev/null 2>&1 || true' EXIT
"${BUILDAH[@]}" run --isolation chroot --user "$user" --env "CLOSENESS_PORT=$port" \
  --volume "$PWD/deploy/image/smoke.py:/smoke.py:ro" "$container" -- \
  sh -c "$command > /tmp/serve.log 2>&1 & python3 /smoke.py $port \$! || { tail -20 /tmp/serve.log; exit 1; }"
"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true  # images the tag no longer names: no growth per run
