#!/usr/bin/env bash
# Real Java archives and Python wheels for the archive extractor's tests and rule tests, fetched/assembled once into
# .cache/binary/archives/ (idempotent: the finished step leaves .cache/binary/.stamp-archives-v1). Nothing here is
# committed. Run after scripts/make-binary-fixtures.sh (the wheel with .libs/ reuses its vendored/app.libs/ files).
#   - Debian 12 packages (apt-get download + dpkg-deb -x, no install), as shipped:
#       libbcprov-java, libbcpkix-java, libbcutil-java  → jars/bcprov-1.72.jar, bcpkix-1.72.jar, bcutil-1.72.jar
#         (Bouncy Castle 1.72; Debian's jars carry a manifest — Implementation-Vendor-Id/-Version — and the provider
#         class org/bouncycastle/jce/provider/BouncyCastleProvider.class, but no META-INF/maven/**/pom.properties)
#       libnetty-tcnative-java → jars/netty-tcnative.jar (META-INF/maven/io.netty/netty-tcnative/pom.properties)
#       python3-pip-whl → wheels/pip-23.0.1-py3-none-any.whl (a real wheel: *.dist-info/METADATA, no native code)
#   - npm registry: vnu-jar@26.9.27 → npm/vnu.jar (the Nu Html Checker: a real shaded fat jar, 14,814 entries, 38
#     absorbed libraries each with its META-INF/maven/**/pom.properties; no Bouncy Castle). Stamp .stamp-archives-npm-v1.
#   - ASSEMBLED here (no real fat jar or bundling wheel is in Debian 12, and Maven Central/PyPI are not reachable):
#       webapp/shop.war  — `jar` (JDK) packing the Debian jars above under WEB-INF/lib/ (deflated, as WARs are)
#       boot/shop-boot.jar — Spring Boot's layout: the same jars under BOOT-INF/lib/, stored uncompressed (`jar -0`)
#       wheels/vendoredcrypto-1.0-cp311-cp311-manylinux_2_17_x86_64.whl — `zip` of a dist-info we write and the
#         auditwheel-renamed Debian libcrypto/libssl from vendored/app.libs/ under vendoredcrypto.libs/
#       bad/truncated.jar — the first 64 KiB of bcpkix-1.72.jar (a cut real jar: no central directory)
# Steps whose tool is missing are skipped with a message; the tests that need their output skip too.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.cache/binary"
a="$root/archives"
log() { printf 'make-archive-fixtures: %s\n' "$*" >&2; }
# shellcheck source=fixture-lib.sh
. scripts/fixture-lib.sh
stampfile="$root/.stamp-archives-v1"
npmstamp="$root/.stamp-archives-npm-v1"
VNU_PKG=vnu-jar@26.9.27

if [ ! -f "$npmstamp" ]; then
  log "fetching $VNU_PKG from the npm registry"
  d="$root/dl/archive-vnu"
  rm -rf "$d" && mkdir -p "$a/npm"
  npm_pack_into "$d" "$VNU_PKG"
  cp -f "$d/package/build/dist/vnu.jar" "$a/npm/vnu.jar"
  touch "$npmstamp"
fi
[ -f "$stampfile" ] && exit 0

DEBS="libbcprov-java libbcpkix-java libbcutil-java libnetty-tcnative-java python3-pip-whl"
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  log "apt-get/dpkg-deb not available: skipping the archive fixtures"
  exit 0
fi
dl="$root/dl/archive-debs"
ex="$root/dl/archive-debroot"
mkdir -p "$dl" "$ex" "$a/jars" "$a/wheels" "$a/bad"
log "downloading Debian packages: $DEBS"
apt_download "$dl" $DEBS
for d in "$dl"/*.deb; do dpkg-deb -x "$d" "$ex"; done
ls "$dl"/*.deb | xargs -n1 basename > "$a/PACKAGES.txt"
j="$ex/usr/share/java"
cp -f "$(readlink -f "$j/bcprov.jar")" "$a/jars/bcprov-1.72.jar"
cp -f "$(readlink -f "$j/bcpkix.jar")" "$a/jars/bcpkix-1.72.jar"
cp -f "$(readlink -f "$j/bcutil.jar")" "$a/jars/bcutil-1.72.jar"
cp -f "$(readlink -f "$j/netty-tcnative.jar")" "$a/jars/netty-tcnative.jar"
cp -f "$ex"/usr/share/python-wheels/pip-*.whl "$a/wheels/"
head -c 65536 "$a/jars/bcpkix-1.72.jar" > "$a/bad/truncated.jar"

if command -v jar >/dev/null; then
  w="$root/dl/archive-war"
  rm -rf "$w" && mkdir -p "$w/war/WEB-INF/lib" "$w/boot/BOOT-INF/lib" "$a/webapp" "$a/boot"
  for f in bcprov-1.72.jar bcpkix-1.72.jar netty-tcnative.jar; do
    cp "$a/jars/$f" "$w/war/WEB-INF/lib/"
    cp "$a/jars/$f" "$w/boot/BOOT-INF/lib/"
  done
  (cd "$w/war" && jar --create --file "$a/webapp/shop.war" .)
  (cd "$w/boot" && jar --create --no-compress --file "$a/boot/shop-boot.jar" .)
else
  log "no JDK jar tool: skipping the assembled WAR and Spring Boot jar"
fi

libs="$root/targets/vendored/app.libs"
if command -v zip >/dev/null && ls "$libs"/libcrypto-*.so.3 >/dev/null 2>&1; then
  wh="$root/dl/archive-wheel"
  rm -rf "$wh" && mkdir -p "$wh/vendoredcrypto-1.0.dist-info" "$wh/vendoredcrypto.libs" "$wh/vendoredcrypto"
  cp "$libs"/libcrypto-*.so.3 "$libs"/libssl-*.so.3 "$wh/vendoredcrypto.libs/"
  printf '' > "$wh/vendoredcrypto/__init__.py"
  printf 'Metadata-Version: 2.1\nName: vendoredcrypto\nVersion: 1.0\nSummary: cryptaudit test fixture: Debian libcrypto/libssl grafted the auditwheel way\n\n' \
    > "$wh/vendoredcrypto-1.0.dist-info/METADATA"
  printf 'Wheel-Version: 1.0\nGenerator: cryptaudit make-archive-fixtures.sh\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\n' \
    > "$wh/vendoredcrypto-1.0.dist-info/WHEEL"
  (cd "$wh" && find . -type f | sed 's|^\./||' | sort | sed 's|$|,,|' > vendoredcrypto-1.0.dist-info/RECORD)
  (cd "$wh" && rm -f "$a/wheels/vendoredcrypto-1.0-cp311-cp311-manylinux_2_17_x86_64.whl" && zip -q -X -r "$a/wheels/vendoredcrypto-1.0-cp311-cp311-manylinux_2_17_x86_64.whl" vendoredcrypto vendoredcrypto.libs vendoredcrypto-1.0.dist-info)
else
  log "no zip tool or no vendored/app.libs (run scripts/make-binary-fixtures.sh first): skipping the .libs wheel"
fi
touch "$stampfile"
log "fixtures in $a"
