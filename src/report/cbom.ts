import type { ScanResult } from '../model/result.js';
import type { EvidenceKind } from '../model/types.js';
import { fileRef, toJson } from './common.js';
import { allCryptoComponents, type CryptoComponent } from './crypto-components.js';
import { certificateLabel, loadFacts, type AlgorithmFact, type Facts, type ModuleFact, type TlsDefaultsFact } from './facts.js';
import { compareStrings } from '../util/compare.js';

/**
 * `--format cbom`: a CycloneDX 1.6 JSON cryptography bill of materials (knowledge/sarif-action-cbom-tui.md §3).
 *
 * - every crypto library found is a `library` component, bom-ref = its purl, with evidence.occurrences (file and
 *   line; an image layer goes into additionalContext and a `cryptaudit:layer` property, occurrences have no layer);
 * - `cryptographic-asset` components only from the fact base (rules/facts/modules.yml): the TLS key exchange a
 *   library version enables by default (protocol, groups as algorithm refs) and algorithms the version provides,
 *   linked from the library through dependencies[].provides ("does not imply that the implementation is in use");
 * - a CMVP validation only where the fact base ties the library version to a module: module, standard, status and
 *   certificate numbers as `cryptaudit:cmvp-*` properties (a library component has no certificationLevel in 1.6,
 *   and the fact base records no security level for these modules, so none is claimed);
 * - metadata says what was and was not analysed.
 * Deterministic: serialNumber and metadata.timestamp appear only when the caller passes them.
 */

export const CBOM_SPEC_VERSION = '1.6';

export interface CbomOptions {
  /** `urn:uuid:…`; absent by default so the same scan gives byte-identical output */
  serialNumber?: string;
  /** ISO 8601 date-time for metadata.timestamp; absent by default */
  timestamp?: string;
}

interface Property {
  name: string;
  value: string;
}

interface Occurrence {
  location: string;
  line?: number;
  additionalContext?: string;
}

interface CdxComponent {
  type: 'library' | 'cryptographic-asset';
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  cryptoProperties?: unknown;
  evidence?: { occurrences: Occurrence[] };
  properties?: Property[];
}

interface CdxDependency {
  ref: string;
  dependsOn?: string[];
  provides?: string[];
}

export interface CycloneDxBom {
  $schema: string;
  bomFormat: 'CycloneDX';
  specVersion: typeof CBOM_SPEC_VERSION;
  serialNumber?: string;
  version: 1;
  metadata: {
    timestamp?: string;
    tools: { components: Array<{ type: 'application'; name: string; version: string }> };
    properties: Property[];
  };
  components: CdxComponent[];
  dependencies: CdxDependency[];
}

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const EVIDENCE_ANALYSED: Record<EvidenceKind, string> = {
  declared: 'package entries in lockfiles and manifests',
  installed: 'OS and language package databases',
  linked: 'dynamic-link records of binaries',
  embedded: 'code signatures and version banners inside binaries',
  buildinfo: 'build metadata embedded in binaries (Go buildinfo, cargo-auditable)',
};

const NOT_ANALYSED =
  'source code and call sites (which algorithms the application really uses); runtime configuration (FIPS mode ' +
  'switches, OpenSSL configuration, TLS settings); build features that lockfiles do not record';


function sortProps(props: Property[]): Property[] {
  const seen = new Set<string>();
  return props
    .filter((p) => {
      const k = `${p.name}\0${p.value}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.value, b.value));
}

export function moduleStatus(m: ModuleFact): string {
  if (m.status === 'historical') return `historical${m.statusSince ? ` since ${m.statusSince}` : ''}`;
  if (m.status === 'active') return `active${m.sunset ? `, sunset ${m.sunset}` : ''}`;
  return 'in process (no certificate yet)';
}

export const algorithmRef = (a: AlgorithmFact): string => `crypto/algorithm/${a.id}`;
export const protocolRef = (t: TlsDefaultsFact): string => `crypto/protocol/tls/${t.id}`;

export function renderCbom(result: ScanResult, options: CbomOptions = {}): string {
  return toJson(buildCbom(result, options));
}

export function buildCbom(result: ScanResult, options: CbomOptions = {}, facts: Facts = loadFacts()): CycloneDxBom {
  if (options.serialNumber !== undefined && !UUID_URN.test(options.serialNumber)) {
    throw new Error(`CBOM serial number must be a urn:uuid (RFC 4122), got '${options.serialNumber}'`);
  }
  if (options.timestamp !== undefined && Number.isNaN(Date.parse(options.timestamp))) {
    throw new Error(`CBOM timestamp must be an ISO 8601 date-time, got '${options.timestamp}'`);
  }
  const found = allCryptoComponents(result, facts);
  const tagsOf = new Map(result.rules.map((r) => [r.rule.id, r.rule.tags ?? []]));

  // one library component per purl: the same library in two lockfiles or targets is one component, two occurrences
  const byPurl = new Map<string, CryptoComponent[]>();
  for (const cc of found) {
    const list = byPurl.get(cc.component.purl) ?? [];
    list.push(cc);
    byPurl.set(cc.component.purl, list);
  }

  const libraries: CdxComponent[] = [];
  const dependencies: CdxDependency[] = [];
  const protocols = new Map<string, TlsDefaultsFact>();
  const algorithms = new Map<string, AlgorithmFact>();
  for (const purl of [...byPurl.keys()].sort(compareStrings)) {
    const ccs = byPurl.get(purl)!;
    const first = ccs[0]!.component;
    const props: Property[] = [{ name: 'cryptaudit:ecosystem', value: first.ecosystem }];
    const occurrences: Occurrence[] = [];
    const provides = new Set<string>();
    const dependsOn = new Set<string>();
    for (const cc of ccs) {
      const c = cc.component;
      for (const ev of c.evidence) {
        const where = fileRef(cc.target, ev.path);
        const context = [`${ev.kind}: ${ev.detail}`, ev.layer ? `layer ${ev.layer}` : undefined, ev.removedIn ? `removed by layer ${ev.removedIn}` : undefined]
          .filter(Boolean)
          .join('; ');
        occurrences.push({ location: where.path, line: ev.line, additionalContext: context });
        props.push({ name: 'cryptaudit:evidence-kind', value: ev.kind });
        if (ev.layer) props.push({ name: 'cryptaudit:layer', value: ev.layer });
        // still shipped in that layer's bytes, absent from the final filesystem
        if (ev.removedIn) props.push({ name: 'cryptaudit:removed-in-layer', value: ev.removedIn });
      }
      if (c.scope?.dev) props.push({ name: 'cryptaudit:scope', value: 'dev' });
      if (c.scope?.optional) props.push({ name: 'cryptaudit:scope', value: 'optional' });
      for (const f of cc.findings) {
        props.push({ name: 'cryptaudit:finding', value: `${f.ruleId} (${f.level})` });
        for (const tag of tagsOf.get(f.ruleId) ?? []) props.push({ name: 'cryptaudit:rule-tag', value: tag });
      }
      const { module, tls, provides: algs } = cc.facts;
      if (module) props.push(...moduleProperties(module.fact, module.condition, module.library.source));
      if (tls) {
        props.push({ name: 'cryptaudit:tls-default-key-exchange', value: tls.fact.title });
        props.push({ name: 'cryptaudit:tls-post-quantum-default', value: tls.fact.postQuantum });
        props.push({ name: 'cryptaudit:fact-source', value: tls.library.source });
        if (tls.fact.groups.length > 0) {
          protocols.set(tls.fact.id, tls.fact);
          provides.add(protocolRef(tls.fact));
          for (const g of tls.fact.groups) algorithms.set(g, facts.algorithms.find((a) => a.id === g)!);
        }
      }
      for (const a of algs) {
        algorithms.set(a.fact.id, a.fact);
        provides.add(algorithmRef(a.fact));
        props.push({ name: 'cryptaudit:fact-source', value: a.library.source });
      }
      // edges to other crypto libraries of the same target, as the lockfile resolves them
      for (const dep of c.dependencies ?? []) {
        const other = found.find((o) => o.target === cc.target && o.component.name === dep && o.component.purl !== purl);
        if (other) dependsOn.add(other.component.purl);
      }
    }
    occurrences.sort((a, b) => compareStrings(a.location, b.location) || (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.additionalContext ?? '', b.additionalContext ?? ''));
    libraries.push({
      type: 'library',
      'bom-ref': purl,
      name: first.name,
      version: first.version,
      purl,
      evidence: { occurrences: dedupe(occurrences) },
      properties: sortProps(props),
    });
    // dependsOn even when empty: the schema allows it, and cdxgen's validator expects it on every entry
    const dep: CdxDependency = { ref: purl, dependsOn: [...dependsOn].sort(compareStrings) };
    if (provides.size) dep.provides = [...provides].sort(compareStrings);
    dependencies.push(dep);
  }

  const protocolComponents = [...protocols.values()]
    .sort((a, b) => compareStrings(protocolRef(a), protocolRef(b)))
    .map((t): CdxComponent => ({
      type: 'cryptographic-asset',
      'bom-ref': protocolRef(t),
      name: 'TLS',
      cryptoProperties: {
        assetType: 'protocol',
        protocolProperties: { type: 'tls', cryptoRefArray: t.groups.map((g) => algorithmRef(facts.algorithms.find((a) => a.id === g)!)) },
      },
      properties: sortProps([
        { name: 'cryptaudit:fact', value: t.title },
        // cryptoRefArray is a set; the preference order is a fact of its own
        { name: 'cryptaudit:default-groups-in-order', value: t.groups.join(', ') },
        { name: 'cryptaudit:default-groups-complete', value: String(t.complete) },
        { name: 'cryptaudit:post-quantum-default', value: t.postQuantum },
        { name: 'cryptaudit:fact-source', value: t.source },
      ]),
    }));

  const algorithmComponents = [...algorithms.values()]
    .sort((a, b) => compareStrings(algorithmRef(a), algorithmRef(b)))
    .map((a): CdxComponent => {
      const algorithmProperties: Record<string, unknown> = { primitive: a.primitive };
      if (a.parameterSetIdentifier !== undefined) algorithmProperties['parameterSetIdentifier'] = a.parameterSetIdentifier;
      if (a.nistQuantumSecurityLevel !== undefined) algorithmProperties['nistQuantumSecurityLevel'] = a.nistQuantumSecurityLevel;
      const props: Property[] = [
        { name: 'cryptaudit:quantum-vulnerable', value: String(a.quantumVulnerable) },
        { name: 'cryptaudit:fact-source', value: a.source },
      ];
      if (a.url) props.push({ name: 'cryptaudit:fact-url', value: a.url });
      return {
        type: 'cryptographic-asset',
        'bom-ref': algorithmRef(a),
        name: a.name,
        cryptoProperties: { assetType: 'algorithm', algorithmProperties },
        properties: sortProps(props),
      };
    });

  const bom: CycloneDxBom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CBOM_SPEC_VERSION,
    serialNumber: options.serialNumber,
    version: 1,
    metadata: {
      timestamp: options.timestamp,
      tools: { components: [{ type: 'application', name: result.tool.name, version: result.tool.version }] },
      properties: sortProps(metadataProperties(result, found, facts)),
    },
    components: [...libraries, ...protocolComponents, ...algorithmComponents],
    dependencies,
  };
  return bom;
}

function dedupe(occ: Occurrence[]): Occurrence[] {
  return occ.filter((o, i) => i === 0 || JSON.stringify(o) !== JSON.stringify(occ[i - 1]));
}

function moduleProperties(m: ModuleFact, condition: string | undefined, librarySource: string): Property[] {
  const props: Property[] = [
    { name: 'cryptaudit:cmvp-module', value: m.name },
    { name: 'cryptaudit:cmvp-standard', value: m.standard },
    { name: 'cryptaudit:cmvp-status', value: moduleStatus(m) },
    { name: 'cryptaudit:fact-source', value: m.source },
    { name: 'cryptaudit:fact-source', value: librarySource },
  ];
  for (const c of m.certificates) props.push({ name: 'cryptaudit:cmvp-certificate', value: certificateLabel(c) });
  if (condition) props.push({ name: 'cryptaudit:cmvp-condition', value: condition });
  if (m.url) props.push({ name: 'cryptaudit:fact-url', value: m.url });
  return props;
}

function metadataProperties(result: ScanResult, found: CryptoComponent[], facts: Facts): Property[] {
  const kinds = new Set<EvidenceKind>();
  for (const t of result.targets) for (const c of t.components) for (const e of c.evidence) kinds.add(e.kind);
  const analysed = [...kinds].sort(compareStrings).map((k) => EVIDENCE_ANALYSED[k]);
  const props: Property[] = [
    {
      name: 'cryptaudit:analysis',
      value:
        `Analysed: ${analysed.length ? analysed.join('; ') : 'no supported files were found'}. ` +
        `Not analysed: ${NOT_ANALYSED}. A library listed here is present in what was scanned; protocol and algorithm ` +
        `entries are what that library version provides by default according to the fact base, not observed use.`,
    },
    { name: 'cryptaudit:policy', value: result.policy.id },
    { name: 'cryptaudit:facts-as-of', value: facts.asOf },
    { name: 'cryptaudit:crypto-libraries', value: String(new Set(found.map((c) => c.component.purl)).size) },
  ];
  for (const t of result.targets) {
    props.push({ name: 'cryptaudit:target', value: t.target });
    props.push({ name: 'cryptaudit:files-parsed', value: `${t.target}: ${t.filesParsed} of ${t.filesExtracted}` });
    for (const e of t.errors) {
      const where = fileRef(t, e.path).path + (e.line ? `:${e.line}` : '');
      props.push({ name: 'cryptaudit:not-parsed', value: `${where}: ${e.message}` });
    }
  }
  return props;
}
