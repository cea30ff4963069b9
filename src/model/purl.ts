import type { Ecosystem } from './types.js';

/** Encode one purl path segment (package-url spec: percent-encode everything but unreserved chars). */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Build a package URL following syft's conventions (design.md "Component identity"):
 * `pkg:npm/%40noble/hashes@1.3.1`, `pkg:cargo/ring@0.17.14`, `pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78`.
 * `namespace` is the scope / group / Go module path prefix; `name` is the rest.
 */
export function makePurl(type: Ecosystem, name: string, version?: string, namespace?: string): string {
  let ns = namespace;
  let n = name;
  if (type === 'npm' && !ns && n.startsWith('@') && n.includes('/')) {
    const i = n.indexOf('/');
    ns = n.slice(0, i);
    n = n.slice(i + 1);
  }
  if (type === 'golang' && !ns && n.includes('/')) {
    const i = n.lastIndexOf('/');
    ns = n.slice(0, i);
    n = n.slice(i + 1);
  }
  if (type === 'pypi') n = n.toLowerCase().replace(/[-_.]+/g, '-');
  const nsPart = ns ? ns.split('/').map(encodeSegment).join('/') + '/' : '';
  const verPart = version ? '@' + encodeSegment(version) : '';
  return `pkg:${type}/${nsPart}${encodeSegment(n)}${verPart}`;
}

/** The purl without `@version`, qualifiers and subpath: the part of an identity that survives upgrades. */
export function purlWithoutVersion(purl: string): string {
  const cut = purl.search(/[?#]/);
  const base = cut === -1 ? purl : purl.slice(0, cut);
  const at = base.lastIndexOf('@');
  // an '@' right after "pkg:type/" would be an unencoded npm scope; encoded scopes are %40
  return at > base.indexOf('/') ? base.slice(0, at) : base;
}
