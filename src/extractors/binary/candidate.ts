import { baseName, type Extractor } from '../types.js';

/**
 * The native-binary extractor as the walk sees it: a name test only, and the parsers (ELF/PE/Mach-O, Go
 * buildinfo, the signature scanner) loaded on the first file that passes it, so a scan of lockfiles never pays
 * for them at start-up.
 */

const LIB_EXT = /\.(?:so(?:\.[0-9][\w.]*)?|dylib|dll|exe|node|pyd|wasm|bundle|sys|ocx)$/i;
const SO_INFIX = /\.so\.\d/;
const BIN_DIR = /(?:^|\/)(?:s?bin|libexec)\//;
const SCRIPT_EXT = /\.(?:sh|bash|zsh|fish|py|pyc|pl|rb|js|mjs|cjs|ts|cmd|bat|ps1|txt|md|json|ya?ml|toml|cfg|conf|ini|xml|html?|1|gz|bz2|xz|zip|tar|jar|whl|c|h|cc|hpp|go|rs|java|class|lock)$/i;
const TEXT_NAMES = new Set(
  'readme license licence copying notice authors contributors changelog changes history news todo makefile gnumakefile dockerfile containerfile jenkinsfile procfile gemfile rakefile vagrantfile brewfile justfile podfile cartfile snakefile pipfile codeowners owners version manifest install configure'.split(
    ' ',
  ),
);

/** A native library or executable by its name alone (`.so`, `.so.3`, `.dll`, `.pyd`, …): archive members are chosen by this. */
export function isLibraryName(base: string): boolean {
  return LIB_EXT.test(base) || SO_INFIX.test(base);
}

export function isNativeCandidate(path: string): boolean {
  const base = baseName(path);
  if (base.startsWith('.') || base.length === 0) return false;
  if (isLibraryName(base)) return true;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1) : '';
  if (BIN_DIR.test(path) && !SCRIPT_EXT.test(base)) return true;
  if (ext === '' || /^\d+$/.test(ext)) return !TEXT_NAMES.has(base.toLowerCase().replace(/\.\d+$/, ''));
  return false;
}

export const nativeBinaryExtractor: Extractor = {
  name: 'binary/native',
  version: 1,
  insideNodeModules: true,
  readsOnlyItsFile: true,
  fileRequired: isNativeCandidate,
  extract: async (input) => (await import('./native.js')).extractNative(input),
};
