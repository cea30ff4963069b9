#!/usr/bin/env bash
# Real container images for the image tests, built WITHOUT Docker:
#   debootstrap (minimal Debian rootfs) → umoci (one OCI layer per step, with history) → skopeo (docker-archive,
#   OCI layout with zstd, OCI tar).
# Layers of the `app` image:
#   1. debootstrap --variant=minbase bookworm               (dpkg, apt → libgnutls30, libgcrypt20, libnettle8 …)
#   2. dpkg -i libssl3 openssl libsodium23 (real .debs from Debian)
#   3. /app: a package-lock.json generated from the npm registry (test/fixtures/npm/rules/vulnerable) and the
#      esbuild binary from the npm registry (node_modules/@esbuild/linux-x64)
#   4. dpkg --purge libsodium23: a later layer deletes a crypto library (whiteouts; still in the shipped bytes)
# `app-rebuilt` repeats layers 3–4 with new file times (different layer digests, same content) for the
# fingerprint-stability test; `app-fips` adds an OpenSSL config that activates the FIPS provider.
# Everything is cached under .cache/images/ keyed by this script's hash; a warm run only checks the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/.cache/images"
stamp="$out/stamp"
want="$(sha256sum "$0" | cut -c1-16)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "image fixtures: cached in $out"
  exit 0
fi

need=()
for t in debootstrap umoci skopeo docker-registry htpasswd zstd rpmdb; do command -v "$t" >/dev/null || need+=("$t"); done
if ((${#need[@]})); then
  echo "image fixtures: installing debootstrap umoci skopeo docker-registry apache2-utils zstd rpm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap umoci skopeo docker-registry apache2-utils zstd rpm >/dev/null
fi

mkdir -p "$out"
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# 1. the Debian rootfs, cached as a tarball (the slow part: a minute or two cold)
base="$out/rootfs-$suite-minbase.tar"
if [[ ! -f "$base" ]]; then
  tmp="$(mktemp -d)"
  debootstrap --variant=minbase "$suite" "$tmp/rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 || {
    tail -20 "$out/debootstrap.log" >&2
    exit 1
  }
  rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*_Packages
  tar -C "$tmp/rootfs" --numeric-owner -cf "$base.part" .
  mv "$base.part" "$base"
  rm -rf "$tmp"
fi

# 2. real .debs, downloaded once (versions as the host's apt lists them: bookworm + security)
debs="$out/debs"
if [[ ! -f "$debs/done" ]]; then
  mkdir -p "$debs"
  # a fresh machine may have no package lists yet
  (cd "$debs" && apt-get download libssl3 openssl libsodium23 >/dev/null 2>&1) ||
    (apt-get update -qq && cd "$debs" && apt-get download libssl3 openssl libsodium23 >/dev/null)
  touch "$debs/done"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
layout="$work/oci"
umoci init --layout "$layout"
umoci new --image "$layout:app"
umoci unpack --image "$layout:app" "$work/bundle" >/dev/null
rfs="$work/bundle/rootfs"
tar -C "$rfs" --numeric-owner -xf "$base"
umoci repack --refresh-bundle --image "$layout:app" --history.created_by "debootstrap --variant=minbase $suite" "$work/bundle"

cp "$debs"/*.deb "$rfs/tmp/"
chroot "$rfs" /bin/sh -c 'dpkg -i /tmp/*.deb >/dev/null && rm /tmp/*.deb'
umoci repack --refresh-bundle --image "$layout:app" --history.created_by "RUN dpkg -i libssl3 openssl libsodium23" "$work/bundle"

app_layer() {
  mkdir -p "$rfs/app/bin"
  cp test/fixtures/npm/rules/vulnerable/package.json test/fixtures/npm/rules/vulnerable/package-lock.json "$rfs/app/"
  cp node_modules/@esbuild/linux-x64/bin/esbuild "$rfs/app/bin/esbuild"
  touch -d "$1" "$rfs/app" "$rfs/app/bin" "$rfs/app/"* "$rfs/app/bin/esbuild"
  umoci repack --refresh-bundle --image "$layout:$2" --history.created_by "COPY app /app" "$work/bundle"
  chroot "$rfs" dpkg --purge libsodium23 >/dev/null
  umoci repack --refresh-bundle --image "$layout:$2" --history.created_by "RUN dpkg --purge libsodium23" "$work/bundle"
}
# snapshot layers 1-2 under another tag before the app layers, for the rebuild
umoci tag --image "$layout:app" base
app_layer "2024-01-01 00:00:00" app

rm -rf "$work/bundle"
umoci unpack --image "$layout:base" "$work/bundle" >/dev/null
umoci tag --image "$layout:base" app-rebuilt
app_layer "2025-06-01 12:00:00" app-rebuilt

# app-fips: app plus an OpenSSL config that includes fipsmodule.cnf and activates the fips provider
# (the pattern of knowledge/binary-signatures.md §2.1); Debian 12 ships no FIPS provider module, so fips.so is
# absent: "configured but module missing" is the posture the tests expect.
rm -rf "$work/bundle"
umoci unpack --image "$layout:app" "$work/bundle" >/dev/null
umoci tag --image "$layout:app" app-fips
cat >"$rfs/usr/lib/ssl/openssl-fips.cnf" <<'EOF'
openssl_conf = openssl_init
.include /usr/lib/ssl/fipsmodule.cnf
[openssl_init]
providers = provider_sect
alg_section = algorithm_sect
[provider_sect]
default = default_sect
fips = fips_sect
[default_sect]
activate = 1
[algorithm_sect]
default_properties = fips=yes
EOF
cp "$rfs/usr/lib/ssl/openssl-fips.cnf" "$rfs/etc/ssl/openssl.cnf"
umoci repack --refresh-bundle --image "$layout:app-fips" --history.created_by "COPY openssl.cnf /etc/ssl/openssl.cnf" "$work/bundle"
umoci gc --layout "$layout"

rm -rf "$out/oci" "$out"/*.docker.tar "$out"/*.oci.tar "$out"/app-zstd
cp -r "$layout" "$out/oci"
for tag in app app-rebuilt app-fips; do
  skopeo copy -q "oci:$layout:$tag" "docker-archive:$out/$tag.docker.tar:cryptaudit-test/$tag:latest"
done
skopeo copy -q "oci:$layout:app" "oci-archive:$out/app.oci.tar:app"
skopeo copy -q --dest-compress-format zstd --dest-compress "oci:$layout:app" "oci:$out/app-zstd:app"
# an rpm database as rpm itself writes it (rpmdb.sqlite, empty): detected and reported as not yet readable
rm -rf "$out/rpm-root"
rpmdb --initdb --dbpath "$out/rpm-root/var/lib/rpm"
rm -f "$out/rpm-root/var/lib/rpm/.rpm.lock"
echo "$want" >"$stamp"
echo "image fixtures: built in $out"
