import path from 'node:path';
import type { Component } from '../../model/types.js';
import type { Vfs } from '../../sources/vfs.js';
import { OS_RELEASE_PATHS } from './os-release.js';

/**
 * The OS's FIPS configuration as far as files show it (knowledge/binary-signatures.md §11, §2.1): the
 * crypto-policies selection, OpenSSL configs that include fipsmodule.cnf / activate the `fips` provider, the
 * provider module `ossl-modules/fips.so`, and the legacy `/etc/system-fips` flag. The kernel's
 * /proc/sys/crypto/fips_enabled is a run-time value no image holds.
 */

export type FipsState =
  /** the provider module is there and a config activates it (or the crypto policy is FIPS) */
  | 'enabled'
  /** a config asks for FIPS but no provider module is in the image */
  | 'configured-module-missing'
  /** fips.so is installed but no config activates it */
  | 'module-not-configured'
  /** nothing FIPS-related */
  | 'not-configured';

export interface OpensslConfigFacts {
  path: string;
  /** `.include`s of a fipsmodule.cnf */
  includesFipsModule: boolean;
  /** providers section names a `fips` provider whose section says activate = 1 */
  activatesFipsProvider: boolean;
  /** `default_properties = fips=yes` */
  defaultPropertiesFips: boolean;
}

export interface OsFipsPosture {
  state: FipsState;
  /** /etc/crypto-policies/config value (DEFAULT, FIPS, …) */
  cryptoPolicy?: string;
  systemFipsFlag: boolean;
  opensslConfigs: OpensslConfigFacts[];
  fipsModuleConfigs: string[];
  fipsProviderModules: string[];
}

const CRYPTO_POLICY = 'etc/crypto-policies/config';
const SYSTEM_FIPS = 'etc/system-fips';
const OPENSSL_CNF = /^(etc\/ssl|usr\/lib\/ssl|etc\/pki\/tls|usr\/local\/ssl|etc\/ssl\d[\d.]*)\/openssl\.cnf$/;
const FIPSMODULE_CNF = /(^|\/)fipsmodule\.cnf$/;
const FIPS_SO = /(^|\/)ossl-modules\/fips\.(so|dll|dylib)$/;

/** Files the posture reads after the walk (image sources keep them from the one pass over the layers). */
export function isPostureFile(p: string): boolean {
  return p === CRYPTO_POLICY || p === SYSTEM_FIPS || OPENSSL_CNF.test(p) || FIPSMODULE_CNF.test(p) || FIPS_SO.test(p) || OS_RELEASE_PATHS.includes(p);
}

/** Where to look when the source cannot list files cheaply (a directory that is an OS root). */
const FIXED_CANDIDATES = [
  CRYPTO_POLICY,
  SYSTEM_FIPS,
  'etc/ssl/openssl.cnf',
  'usr/lib/ssl/openssl.cnf',
  'etc/pki/tls/openssl.cnf',
  'usr/local/ssl/openssl.cnf',
  'etc/ssl/fipsmodule.cnf',
  'usr/lib/ssl/fipsmodule.cnf',
  'etc/pki/tls/fipsmodule.cnf',
  'usr/local/ssl/fipsmodule.cnf',
  'usr/lib64/ossl-modules/fips.so',
  'usr/lib/ossl-modules/fips.so',
  'usr/lib/x86_64-linux-gnu/ossl-modules/fips.so',
  'usr/lib/aarch64-linux-gnu/ossl-modules/fips.so',
  'usr/local/lib64/ossl-modules/fips.so',
  'usr/local/lib/ossl-modules/fips.so',
];

type Sections = Map<string, Map<string, string>>;

/** OpenSSL config syntax (config(5)): [section], name = value, `.include path`, # comments. */
export function parseOpensslConf(text: string, into: Sections = new Map(), includes: string[] = []): { sections: Sections; includes: string[] } {
  let section = 'default';
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const inc = /^\.include\s*=?\s*(.+)$/.exec(line);
    if (inc) {
      includes.push(inc[1]!.trim().replace(/^"(.*)"$/, '$1'));
      continue;
    }
    const sec = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    let map = into.get(section);
    if (!map) into.set(section, (map = new Map()));
    map.set(kv[1]!, kv[2]!.trim().replace(/^"(.*)"$/, '$1'));
  }
  return { sections: into, includes };
}

function isOn(v: string | undefined): boolean {
  return v !== undefined && /^(1|yes|true|on)$/i.test(v);
}

async function readSmall(vfs: Vfs, p: string): Promise<string | undefined> {
  try {
    return (await vfs.exists(p)) ? await vfs.readText(p, 1024 * 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** An include path inside the target: absolute paths start at the target root, relative ones at the config's folder. */
function includePath(configPath: string, inc: string): string | undefined {
  const joined = inc.startsWith('/') ? inc.slice(1) : path.posix.join(path.posix.dirname(configPath), inc);
  const norm = path.posix.normalize(joined);
  return norm.startsWith('..') ? undefined : norm;
}

export async function opensslConfigFacts(vfs: Vfs, p: string, text: string): Promise<OpensslConfigFacts> {
  const { sections, includes } = parseOpensslConf(text);
  // included files carry the fips section (fipsinstall writes [fips_sect] activate = 1 into fipsmodule.cnf)
  for (const inc of includes.slice(0, 16)) {
    const ip = includePath(p, inc);
    const t = ip ? await readSmall(vfs, ip) : undefined;
    if (t) parseOpensslConf(t, sections);
  }
  const init = sections.get('default')?.get('openssl_conf') ?? sections.get('default')?.get('nodejs_conf');
  const providers = init ? sections.get(sections.get(init)?.get('providers') ?? '') : undefined;
  const fipsSect = providers?.get('fips');
  const algSect = init ? sections.get(sections.get(init)?.get('alg_section') ?? '') : undefined;
  return {
    path: p,
    includesFipsModule: includes.some((i) => FIPSMODULE_CNF.test(i)),
    activatesFipsProvider: fipsSect !== undefined && isOn(sections.get(fipsSect)?.get('activate')),
    defaultPropertiesFips: /(^|,)\s*fips\s*=\s*yes\b/.test(algSect?.get('default_properties') ?? ''),
  };
}

/**
 * Read the posture. `listed`: paths the source already knows exist (image sources list them from the layer
 * index); without it, fixed well-known locations are tried.
 */
export async function readFipsPosture(vfs: Vfs, listed?: readonly string[]): Promise<OsFipsPosture> {
  const candidates = listed ? [...new Set(listed)].filter(isPostureFile).sort() : FIXED_CANDIDATES;
  const present: string[] = [];
  for (const p of candidates) if (await vfs.exists(p)) present.push(p);
  const policyText = present.includes(CRYPTO_POLICY) ? await readSmall(vfs, CRYPTO_POLICY) : undefined;
  const cryptoPolicy = policyText?.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  const opensslConfigs: OpensslConfigFacts[] = [];
  for (const p of present.filter((x) => OPENSSL_CNF.test(x))) {
    const t = await readSmall(vfs, p);
    if (t !== undefined) opensslConfigs.push(await opensslConfigFacts(vfs, p, t));
  }
  const fipsModuleConfigs = present.filter((x) => FIPSMODULE_CNF.test(x));
  const fipsProviderModules = present.filter((x) => FIPS_SO.test(x));
  const policyFips = cryptoPolicy !== undefined && /^FIPS(:|$)/i.test(cryptoPolicy);
  const asked = policyFips || opensslConfigs.some((c) => c.activatesFipsProvider || c.includesFipsModule || c.defaultPropertiesFips);
  const activated = policyFips || opensslConfigs.some((c) => c.activatesFipsProvider);
  const state: FipsState =
    fipsProviderModules.length > 0 ? (activated ? 'enabled' : 'module-not-configured') : asked ? 'configured-module-missing' : 'not-configured';
  return {
    state,
    ...(cryptoPolicy ? { cryptoPolicy } : {}),
    systemFipsFlag: present.includes(SYSTEM_FIPS),
    opensslConfigs,
    fipsModuleConfigs,
    fipsProviderModules,
  };
}

const postureCache = new WeakMap<Vfs, Promise<OsFipsPosture>>();

/** The posture of a source, read once: image sources list candidate files from their layer index. */
export function fipsPostureOf(vfs: Vfs): Promise<OsFipsPosture> {
  let p = postureCache.get(vfs);
  if (!p) {
    const lister = (vfs as { listFiles?: (f: (p: string) => boolean) => string[] }).listFiles;
    p = readFipsPosture(vfs, typeof lister === 'function' ? lister.call(vfs, isPostureFile) : undefined);
    postureCache.set(vfs, p);
  }
  return p;
}

/** OS packages that are the system OpenSSL (knowledge §10): these carry the posture for the fips-140-3 rules. */
export const SYSTEM_OPENSSL: Readonly<Record<string, readonly string[]>> = {
  deb: ['libssl3', 'libssl3t64', 'libssl1.1', 'openssl'],
  apk: ['libcrypto3', 'libssl3', 'libcrypto1.1', 'libssl1.1', 'openssl'],
  rpm: ['openssl-libs', 'openssl'],
};

/**
 * Put the posture on the components a policy judges by it: the system OpenSSL packages, and anything that
 * links a library dynamically (it uses whatever the OS provides). Property `osFipsPosture` (rule
 * match.properties).
 */
export function annotatePosture(components: Component[], posture: OsFipsPosture): void {
  for (const c of components) {
    const system = SYSTEM_OPENSSL[c.ecosystem]?.includes(c.name) ?? false;
    if (!system && !c.evidence.some((e) => e.kind === 'linked')) continue;
    c.properties = { ...(c.properties ?? {}), osFipsPosture: posture.state };
  }
}
