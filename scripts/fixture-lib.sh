# Shared by the fixture scripts (sourced): fetching from Debian and the npm registry, the two sources tests may use.

# apt_download DIR PKG...: Debian packages' .deb files into DIR (no install); apt's lists are refreshed only when
# they are too old to name the packages
apt_download() {
  local dir="$1"
  shift
  (cd "$dir" && { apt-get download "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 || true; apt-get download "$@" >/dev/null; }; })
}

# apt_install PKG...: install Debian packages (tools a fixture step runs), refreshing apt's lists only if needed
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

# npm_pack_into DIR PKG: a registry package's tarball unpacked as DIR/package (skipped when already there)
npm_pack_into() {
  local dir="$1" pkg="$2"
  if [ ! -d "$dir/package" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack "$pkg" --silent >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
  fi
}
