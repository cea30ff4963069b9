/**
 * The byte-signature table: data, not code. Each entry is one literal anchor (found by the single combined scan)
 * and, optionally, a regular expression tried at the anchor (sticky, on the latin1 view of the bytes, so it can
 * look behind the anchor) whose named group `version` is the library version. Other named groups that match are
 * recorded as component properties (e.g. `fips`).
 *
 * Kept as a typed module rather than YAML beside the rules: the rule loader reads every rules/**.yml as a rule,
 * and a typed table is checked by the compiler at build time and costs nothing to load; test/extractors/binary/
 * signatures.test.ts checks the invariants a schema would (ids unique, patterns compile, start at their anchor,
 * sources cite the fact base) and runs every entry against a snippet cut from a real binary.
 *
 * Order matters where banners overlap: AWS-LC and BoringSSL carry an OpenSSL-compatible banner
 * ("OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)"), so they come first, and the OpenSSL banner pattern demands the
 * release date OpenSSL itself always prints, which the compatible banners lack.
 */

/** What a hit says about the code in the file. */
export type Signal =
  /** a version banner: the library's text is in the file (embedded only when nothing links the library dynamically) */
  | 'banner'
  /** symbol names or code bytes of the library */
  | 'symbol'
  /** a FIPS module build marker */
  | 'fips-marker'
  /** a build path left by the compiler (Rust panic locations, C __FILE__) */
  | 'build-path';

export interface Signature {
  /** stable id, used by tests and in evidence details */
  id: string;
  /** component name (generic purl name, or crate name for ecosystem cargo); ignored when `attach` is set */
  library: string;
  ecosystem?: 'generic' | 'cargo';
  /** literal (latin1; \xNN for raw bytes) that the combined scan looks for */
  anchor: string;
  /** JS regex tried sticky at the anchor's position; may use lookbehind for bytes before it */
  pattern?: string;
  signal: Signal;
  /** versions written with underscores in symbol prefixes (ring_core_0_17_8_) become dotted */
  underscoreVersion?: boolean;
  /** the component name comes from this named group (registry paths name many crates) */
  nameGroup?: string;
  /** the hit describes the Go toolchain of the file (a property of pkg:golang/stdlib), not a component */
  attach?: { go: string } | { bcm: true };
  /** knowledge/<file>.md §<section> */
  source: string;
}

const V3 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}`;

export const SIGNATURES: readonly Signature[] = [
  // --- AWS-LC and BoringSSL before OpenSSL: both carry an OpenSSL-compatible banner ---
  {
    id: 'aws-lc-banner',
    library: 'aws-lc',
    anchor: 'AWS-LC ',
    // "OpenSSL 1.1.1 (compatible; AWS-LC 1.69.0)" and AWSLC_VERSION_STRING "AWS-LC FIPS 3.0.0" / "AWS-LC 1.69.0"
    pattern: String.raw`AWS-LC (?<fips>FIPS )?(?<version>${V3})(?=[\0)])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.3',
  },
  {
    id: 'boringssl-banner',
    library: 'boringssl',
    anchor: 'BoringSSL',
    // OPENSSL_VERSION_TEXT "OpenSSL 1.1.1 (compatible; BoringSSL)"; OpenSSL_version(OPENSSL_VERSION) = "BoringSSL"
    pattern: String.raw`(?<=\(compatible; |\0)BoringSSL(?=[\0)])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.2',
  },
  {
    id: 'bcm-module',
    library: 'boringssl',
    anchor: 'BORINGSSL_bcm_',
    // FIPS module boundary symbols of BoringCrypto, shared by AWS-LC's FIPS module
    pattern: String.raw`BORINGSSL_bcm_(?:text_start|text_end|text_hash|rodata_start|rodata_end|power_on_self_test)(?=\0)`,
    signal: 'fips-marker',
    attach: { bcm: true },
    source: 'knowledge/binary-signatures.md §2.2',
  },
  {
    id: 'openssl-banner',
    library: 'openssl',
    anchor: 'OpenSSL ',
    // 3.x "OpenSSL 3.1.5 30 Jan 2024", 3.x+meta "OpenSSL 3.0.7+quic 1 Nov 2022", 1.x two spaces
    // "OpenSSL 1.1.1n  15 Mar 2022", "OpenSSL 1.0.2u-fips  20 Dec 2019", RHEL "OpenSSL 1.1.1k  FIPS 25 Mar 2021";
    // the date is required, which also keeps the "(compatible; …)" banners of AWS-LC and BoringSSL out
    pattern: String.raw`(?<=\0|part of )OpenSSL (?<version>${V3}[a-z]{0,2}(?:-(?:alpha|beta|pre)\d+)?)(?<fipsSuffix>-fips)?(?<build>\+[0-9A-Za-z._-]+)? {1,2}(?<fips>FIPS )?\d{1,2} [A-Z][a-z]{2} \d{4}(?=\0|\n)`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.1',
  },
  {
    id: 'openssl-fips-provider',
    library: 'openssl',
    anchor: 'OpenSSL FIPS Provider',
    pattern: String.raw`(?<fipsProvider>OpenSSL FIPS Provider)(?=\0)`,
    signal: 'fips-marker',
    source: 'knowledge/binary-signatures.md §2.1',
  },
  {
    id: 'libressl-banner',
    library: 'libressl',
    anchor: 'LibreSSL ',
    pattern: String.raw`(?<=\0|part of )LibreSSL (?<version>${V3})(?=\0)`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.4',
  },
  {
    id: 'wolfssl-banner',
    library: 'wolfssl',
    anchor: 'wolfSSL ',
    pattern: String.raw`(?<![A-Za-z])wolfSSL (?<version>${V3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.5',
  },
  {
    id: 'wolfcrypt-fips',
    library: 'wolfssl',
    anchor: 'wolfCrypt_GetVersion_fips',
    pattern: String.raw`(?<fips>wolfCrypt_GetVersion_fips)(?=\0)`,
    signal: 'fips-marker',
    source: 'knowledge/binary-signatures.md §2.5',
  },
  {
    id: 'mbedtls-banner',
    library: 'mbedtls',
    anchor: 'bed TLS ',
    pattern: String.raw`(?<=[\0 ][Mm])bed TLS (?<version>${V3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.6',
  },
  {
    id: 'gnutls-banner',
    library: 'gnutls',
    anchor: 'GnuTLS ',
    pattern: String.raw`GnuTLS (?<version>${V3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.7',
  },
  {
    id: 'libgcrypt-banner',
    library: 'libgcrypt',
    anchor: 'Libgcrypt ',
    pattern: String.raw`Libgcrypt (?<version>[01]\.\d{1,3}\.\d{1,3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.7',
  },
  {
    id: 'nettle-tool-banner',
    library: 'nettle',
    anchor: 'nettle ',
    pattern: String.raw`(?<=\()nettle (?<version>\d{1,3}\.\d{1,3}(?:\.\d{1,3})?)\)`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.7',
  },
  {
    id: 'nss-banner',
    library: 'nss',
    anchor: 'NSS ',
    pattern: String.raw`(?<=Version: |\$Header: |@\(#\))NSS (?<version>\d{1,3}(?:\.\d{1,3}){1,3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.8',
  },
  {
    id: 'libsodium-symbols',
    library: 'libsodium',
    anchor: 'sodium_',
    pattern: String.raw`(?<=\0_?)sodium_(?:init|memzero|mlock|mprotect_noaccess)(?=\0)`,
    signal: 'symbol',
    source: 'knowledge/binary-signatures.md §2.9',
  },
  {
    id: 'libsodium-version',
    library: 'libsodium',
    anchor: 'sysrandom',
    // sodium_version_string() returns the bare SODIUM_VERSION_STRING; in the prebuilt sodium-native addons (linux,
    // darwin) it sits right after the randombytes implementation name (test/fixtures/binary/snippets/README.md)
    pattern: String.raw`(?<=\0)sysrandom\0(?<version>1\.0\.\d{1,3})\0`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.9',
  },
  {
    id: 'botan-banner',
    library: 'botan',
    anchor: 'Botan ',
    pattern: String.raw`Botan (?<version>${V3}) \((?:release|unreleased)`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §2.9',
  },
  {
    id: 'nettle-symbols',
    library: 'nettle',
    anchor: 'nettle_',
    pattern: String.raw`(?<=\0_?)nettle_(?:sha256_digest|aes128_encrypt|aes256_encrypt|gcm_aes128_encrypt|chacha_poly1305_encrypt)(?=\0)`,
    signal: 'symbol',
    source: 'knowledge/binary-signatures.md §2.7',
  },
  {
    id: 'cryptopp-symbols',
    library: 'cryptopp',
    anchor: '_ZN8CryptoPP',
    // Itanium C++ mangling of namespace CryptoPP (checked on Debian 12 libcrypto++8: test/fixtures/binary/snippets)
    pattern: String.raw`(?<=\0_?)_ZN8CryptoPP\d{1,3}[A-Za-z]`,
    signal: 'symbol',
    source: 'knowledge/binary-signatures.md §2.9',
  },
  // --- Rust: prefixed C symbols give the crate version ---
  {
    id: 'ring-core-prefix',
    library: 'ring',
    ecosystem: 'cargo',
    anchor: 'ring_core_',
    // 0.17.0–0.17.8 "ring_core_0_17_8_bn_mul_mont", 0.17.9+ "ring_core_0_17_14__bn_mul_mont"
    pattern: String.raw`(?<![A-Za-z0-9])ring_core_(?<version>\d{1,3}_\d{1,3}_\d{1,3})(?:_[a-z]+_?\d+)?__?[A-Za-z]`,
    signal: 'symbol',
    underscoreVersion: true,
    source: 'knowledge/binary-signatures.md §3.1',
  },
  {
    id: 'ring-gfp-prefix',
    library: 'ring',
    ecosystem: 'cargo',
    anchor: 'GFp_',
    // ring <= 0.16: C/asm symbols prefixed GFp_ (no version in the prefix)
    pattern: String.raw`(?<=\0_?)GFp_(?:bn_mul_mont|aes_hw_|gcm_init_|ChaCha20_ctr32|ecp_nistz256_|nistz256_|x25519_|poly1305_|sha256_block|sha512_block|ia32cap_P|cpuid_setup|memcmp|LIMBS_|BN_)`,
    signal: 'symbol',
    source: 'knowledge/binary-signatures.md §3.1',
  },
  {
    id: 'aws-lc-sys-prefix',
    library: 'aws-lc-sys',
    ecosystem: 'cargo',
    anchor: 'aws_lc_',
    pattern: String.raw`(?<![A-Za-z0-9])aws_lc_(?<version>\d{1,3}_\d{1,3}_\d{1,3})_[A-Za-z]`,
    signal: 'symbol',
    underscoreVersion: true,
    source: 'knowledge/binary-signatures.md §3.2',
  },
  {
    id: 'aws-lc-fips-sys-prefix',
    library: 'aws-lc-fips-sys',
    ecosystem: 'cargo',
    anchor: 'aws_lc_',
    pattern: String.raw`(?<![A-Za-z0-9])aws_lc_fips_(?<version>\d{1,3}_\d{1,3}_\d{1,3})_[A-Za-z]`,
    signal: 'symbol',
    underscoreVersion: true,
    source: 'knowledge/binary-signatures.md §3.2',
  },
  {
    id: 'cargo-registry-path',
    library: '',
    ecosystem: 'cargo',
    anchor: 'registry/src/',
    // "/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ring-0.17.8/src/lib.rs"
    pattern: String.raw`registry/src/[^/\0]{1,80}/(?<name>[A-Za-z0-9_-]{1,64}?)-(?<version>\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9A-Za-z.-]{1,40})?(?:\+[0-9A-Za-z.-]{1,40})?)/`,
    signal: 'build-path',
    nameGroup: 'name',
    source: 'knowledge/binary-signatures.md §3.6',
  },
  // --- Go: facts about the toolchain's crypto, attached to pkg:golang/stdlib ---
  {
    id: 'go-boringcrypto-symbols',
    library: '',
    anchor: '_goboringcrypto_',
    signal: 'symbol',
    attach: { go: 'goBoringSymbols' },
    source: 'knowledge/binary-signatures.md §4.3',
  },
  {
    id: 'go-boringcrypto-sig',
    library: '',
    anchor: '\xeb\x1d\xf4\x48\xf4\x4b\xf4',
    // sig.BoringCrypto / StandardCrypto / FIPSOnly marker functions of amd64 binaries (golang/go sig_amd64.s)
    pattern: String.raw`\xeb\x1d\xf4\x48\xf4\x4b\xf4(?:(?<boring>\xb3\x32\xf5\x28\x13\xa3\xb4\x50\xd4\x41\xcc\x24\x85\xf0\x01\x45\x4e\x92\x10\x1b\x1d\x2f\x19\x50)|(?<standard>\xba\xee\x4d\xfa\x98\x51\xca\x56\xa9\x11\x45\xe8\x3e\x99\xc5\x9c\xf9\x11\xcb\x8e\x80\xda\xf1\x2f)|(?<fipsOnly>\x36\x3c\xb9\xce\x9d\x68\x04\x7d\x31\xf2\x8d\x32\x5d\x5c\xa5\x87\x3f\x5d\x80\xca\xf6\xd6\x15\x1b))\xc3`,
    signal: 'symbol',
    attach: { go: 'goCryptoSig' },
    source: 'knowledge/binary-signatures.md §4.3',
  },
  {
    id: 'go-fips-openssl-dlopen',
    library: '',
    anchor: '_goboringcrypto_',
    // golang-fips/openssl-fips keeps the boring API names but dlopens libcrypto (check-payload fixture, §4.5)
    pattern: String.raw`_goboringcrypto_DLOPEN_OPENSSL`,
    signal: 'symbol',
    attach: { go: 'goOpensslBackend' },
    source: 'knowledge/binary-signatures.md §4.5',
  },
  {
    id: 'go-buildinfo-magic',
    library: '',
    anchor: '\xff Go buildinf:',
    signal: 'symbol',
    attach: { go: 'goBuildinfoAt' },
    source: 'knowledge/binary-signatures.md §4.1',
  },
  {
    id: 'go-modinfo-sentinel',
    library: '',
    // runtime.modinfo's infoStart sentinel (§4.1): found even where a build stripped the buildinfo header
    anchor: '\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6',
    pattern: String.raw`\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6path\t`,
    signal: 'symbol',
    attach: { go: 'goModinfoAt' },
    source: 'knowledge/binary-signatures.md §4.1',
  },
  {
    id: 'go-version-string',
    library: '',
    anchor: 'go1.',
    // runtime.buildVersion's text, NUL-padded in rodata ("go1.26.5\0"); used only when there is no buildinfo header
    pattern: String.raw`(?<=\0)go(?<version>1\.\d{1,2}(?:\.\d{1,2})?(?:(?:rc|beta)\d+)?)(?<x> X:[a-z0-9,]+)?(?=\0)`,
    signal: 'symbol',
    attach: { go: 'goVersionString' },
    source: 'knowledge/binary-signatures.md §4.2',
  },
  {
    id: 'go-openssl-backend',
    library: '',
    anchor: 'go_openssl_',
    // golang-fips/openssl C helpers (go_openssl_fips_enabled, …): crypto through a dlopen'ed libcrypto
    pattern: String.raw`(?<=\0_?)go_openssl_[a-zA-Z0-9_]+(?=\0)`,
    signal: 'symbol',
    attach: { go: 'goOpensslBackend' },
    source: 'knowledge/binary-signatures.md §4.5',
  },
  {
    id: 'go-crypto-packages',
    library: '',
    anchor: 'crypto/',
    // function names in pclntab ("crypto/sha256.(*digest).Write"): the binary uses Go's crypto at all
    // (check-payload skips binaries without crypto functions, §4.6)
    pattern: String.raw`(?<=\0)crypto/(?:aes|cipher|ecdh|ecdsa|ed25519|hmac|mlkem|rand|rsa|sha1|sha256|sha512|sha3|tls|x509|internal/fips140|internal/boring)[./]`,
    signal: 'symbol',
    attach: { go: 'goUsesCrypto' },
    source: 'knowledge/binary-signatures.md §4.6',
  },
  {
    id: 'node-version',
    library: 'node',
    anchor: 'node.js/v',
    pattern: String.raw`node\.js/v(?<version>${V3})(?![0-9.])`,
    signal: 'banner',
    source: 'knowledge/binary-signatures.md §5',
  },
];
