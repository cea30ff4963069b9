/**
 * Dynamic-library names of the crypto libraries (knowledge/binary-signatures.md §1, §2.x, §6): a DT_NEEDED /
 * PE import / Mach-O load command matching one is `linked` evidence for that library. The same patterns tell
 * whether a file *is* the library (a system libcrypto.so.3 under /usr/lib is the OS copy, not a vendored one).
 * auditwheel renames grafted copies `libcrypto-<8hex>.so.3`, delvewheel `libcrypto-3-x64-<32hex>.dll`.
 */
export interface LibraryNames {
  library: string;
  /** matched against the base name of a linked library or of the file itself */
  names: RegExp;
}

export const LIBRARY_NAMES: readonly LibraryNames[] = [
  { library: 'openssl', names: /^lib(?:ssl|crypto)(?:-[0-9a-f]{8})?(?:\.so(?:\.[\w.-]+)?|(?:\.\d+)*\.dylib)$|^lib(?:ssl|crypto)-\d+(?:_\d+)?(?:-x64|-arm64)?(?:-[0-9a-f]{32})?\.dll$|^(?:ssl|lib)eay32\.dll$/ },
  { library: 'openssl', names: /^fips\.(?:so|dll|dylib)$/ },
  { library: 'gnutls', names: /^libgnutls(?:-dane)?(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^libgnutls(?:\.\d+)*\.dylib$|^libgnutls-\d+\.dll$/ },
  { library: 'libgcrypt', names: /^libgcrypt(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^libgcrypt(?:\.\d+)*\.dylib$|^libgcrypt-\d+\.dll$/ },
  { library: 'nettle', names: /^lib(?:nettle|hogweed)(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^lib(?:nettle|hogweed)(?:\.\d+)*\.dylib$/ },
  { library: 'nss', names: /^lib(?:nss3|ssl3|smime3|softokn3|freebl3|freeblpriv3)\.(?:so|dylib|dll)$/ },
  { library: 'libsodium', names: /^libsodium(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^libsodium(?:\.\d+)*\.dylib$|^libsodium(?:-\d+)?\.dll$/ },
  { library: 'mbedtls', names: /^lib(?:mbedcrypto|mbedtls|mbedx509|polarssl)(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^lib(?:mbedcrypto|mbedtls|mbedx509)(?:\.\d+)*\.dylib$/ },
  { library: 'wolfssl', names: /^libwolfssl(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^libwolfssl(?:\.\d+)*\.dylib$|^wolfssl\.dll$/ },
  { library: 'botan', names: /^libbotan-\d(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^libbotan-\d(?:\.\d+)*\.dylib$/ },
  { library: 'cryptopp', names: /^lib(?:cryptopp|crypto\+\+)(?:-[0-9a-f]{8})?\.so(?:\.[\d.]+)?$|^lib(?:cryptopp|crypto\+\+)(?:\.\d+)*\.dylib$/ },
];

/** The library a dynamic-library name belongs to (any path prefix is dropped first). */
export function libraryOfName(name: string): string | undefined {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? name;
  const lower = base.toLowerCase();
  return LIBRARY_NAMES.find((l) => l.names.test(base) || l.names.test(lower))?.library;
}

/** The soname's ABI part: "libssl.so.1.1" → "1.1", "libcrypto-2e26a48f.so.3" → "3", "libcrypto-3-x64.dll" → "3". */
export function sonameVersion(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return /\.so\.([\d.]+)$/.exec(base)?.[1] ?? /\.(\d+(?:\.\d+)*)\.dylib$/.exec(base)?.[1] ?? /-(\d+(?:_\d+)?)(?:-x64|-arm64)?(?:-[0-9a-f]{32})?\.dll$/i.exec(base)?.[1]?.replace('_', '.');
}

/** OS library folders: a library file here is the distribution's copy (knowledge/binary-signatures.md §13). */
export const SYSTEM_LIB_DIR = /^(?:usr\/)?(?:local\/)?lib(?:32|64|x32)?\/(?:[^/]+-linux-gnu[^/]*\/)?(?:ossl-modules\/|engines-\d+\/)?[^/]+$/;
