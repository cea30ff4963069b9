import { createRequire } from 'node:module';
import type { Component, Evidence } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { baseName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * pom.xml: the dependencies a Maven project declares itself (osv-scalibr's pomxml without the network
 * resolver). What is read:
 * - `<dependencies>` of the project and of every `<profile>` (a profile's own `<properties>` apply to it);
 * - `${…}` from `<properties>` and the project's own coordinates (project.version, project.groupId, parent.*);
 * - versions a dependency leaves out, from `<dependencyManagement>` (groupId:artifactId:type:classifier, as
 *   Maven keys it); managed entries nothing here uses are components too (a parent POM pins them for its
 *   modules), marked as such in the evidence;
 * - scope: test → dev, `<optional>true</optional>` → optional, any written scope (provided, runtime, system,
 *   test) in properties.mavenScope.
 * Nothing is fetched: a parent POM, an imported BOM or an undefined property leaves the version undefined, and
 * the evidence says where it would come from. Version ranges (`[1.78,2)`) are resolved only at build time, so
 * they too leave the version undefined.
 */
export const pomXmlExtractor: Extractor = {
  name: 'maven/pom.xml',
  version: 1,
  fileRequired: (path) => baseName(path) === 'pom.xml',
  async extract(input: ExtractInput): Promise<Component[]> {
    return parsePomXml(await input.readText(), input.path, input.layer);
  },
};

// fast-xml-parser is loaded on the first pom.xml, so scans without one do not pay for it at start-up
const requireCjs = createRequire(import.meta.url);
let fxp: typeof import('fast-xml-parser') | undefined;
const xml = () => (fxp ??= requireCjs('fast-xml-parser') as typeof import('fast-xml-parser'));

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
  [key: string]: XmlValue;
}

interface Coordinates {
  groupId?: string;
  artifactId?: string;
  version?: string;
  type?: string;
  classifier?: string;
  scope?: string;
  optional?: string;
}

/** where a <dependency> sits; the key is its element path, used to find its line */
type Section = 'dependencies' | 'dependencyManagement' | 'profile dependencies' | 'profile dependencyManagement';
const SECTION_PATHS: Record<Section, string> = {
  dependencies: 'project/dependencies/dependency',
  dependencyManagement: 'project/dependencyManagement/dependencies/dependency',
  'profile dependencies': 'project/profiles/profile/dependencies/dependency',
  'profile dependencyManagement': 'project/profiles/profile/dependencyManagement/dependencies/dependency',
};

interface Declared {
  dep: Coordinates;
  section: Section;
  profile?: string;
  props: Map<string, string>;
  line?: number;
}

const MAX_INTERPOLATION_DEPTH = 10;

export function parsePomXml(rawText: string, path: string, layer?: string): Component[] {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const file = baseName(path);
  const { XMLParser, XMLValidator } = xml();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    // tags still open at the end of the text come back as "Invalid '[…names…]' found." at line 1
    const open = /^Invalid '\[([\s\S]*)\]' found\.$/.exec(valid.err.msg);
    if (open) {
      const names = (JSON.parse(`[${open[1]}]`) as string[]).map((n) => `<${n}>`);
      const last = text.replace(/\r?\n$/, '').split('\n').length;
      throw new ParseError(`${file} is not well-formed XML: the file ends with ${names.join(' ')} still open (line ${last})`, last);
    }
    throw new ParseError(`${file} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, valid.err.line);
  }
  const parser = new XMLParser({
    ignoreAttributes: true,
    // versions stay strings: "1.10" must not become the number 1.1
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => name === 'dependency' || name === 'profile',
    // entity expansion bounded (DOCTYPE entities in a scanned file are untrusted input)
    processEntities: { enabled: true, maxEntityCount: 100, maxTotalExpansions: 1000, maxExpandedLength: 100000 },
    htmlEntities: true,
  });
  let doc: XmlObject;
  try {
    doc = parser.parse(text) as XmlObject;
  } catch (err) {
    throw new ParseError(`${file} could not be read as XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const project = obj(doc.project);
  if (!project) throw new ParseError(`${file} has no <project> root element, so it is not a Maven POM`, 1);

  const parent = coords(project.parent);
  const self: Coordinates = {
    groupId: str(project.groupId) ?? parent.groupId,
    artifactId: str(project.artifactId),
    version: str(project.version) ?? parent.version,
  };
  const baseProps = properties(project.properties);
  // the project's own coordinates (Maven model interpolation); properties cannot override these
  const builtins: Record<string, string | undefined> = {
    'project.groupId': self.groupId,
    'pom.groupId': self.groupId,
    groupId: self.groupId,
    'project.artifactId': self.artifactId,
    'pom.artifactId': self.artifactId,
    artifactId: self.artifactId,
    'project.version': self.version,
    'pom.version': self.version,
    version: self.version,
    'project.parent.groupId': parent.groupId,
    'parent.groupId': parent.groupId,
    'project.parent.version': parent.version,
    'parent.version': parent.version,
  };
  for (const [k, v] of Object.entries(builtins)) if (v !== undefined && !baseProps.has(k)) baseProps.set(k, v);

  const declared: Declared[] = [];
  for (const d of list(obj(project.dependencies)?.dependency)) declared.push({ dep: coords(d), section: 'dependencies', props: baseProps });
  for (const d of list(obj(obj(project.dependencyManagement)?.dependencies)?.dependency)) {
    declared.push({ dep: coords(d), section: 'dependencyManagement', props: baseProps });
  }
  const profiles = list(obj(project.profiles)?.profile).map((p) => obj(p) ?? {});
  // profile dependencies in document order: profile by profile, the dependencies of each before the next
  for (const section of ['profile dependencies', 'profile dependencyManagement'] as const) {
    for (const p of profiles) {
      const props = new Map([...baseProps, ...properties(p.properties)]);
      const deps = section === 'profile dependencies' ? obj(p.dependencies) : obj(obj(p.dependencyManagement)?.dependencies);
      for (const d of list(deps?.dependency)) declared.push({ dep: coords(d), section, profile: str(p.id), props });
    }
  }
  assignLines(text, declared);

  const resolve = (value: string | undefined, props: Map<string, string>) => interpolate(value, props);
  // dependencyManagement of the project (profile-managed versions apply within their profile)
  const managed = new Map<string, { version?: string; scope?: string; line?: number }>();
  const imports: string[] = [];
  const managementKey = (d: Coordinates, props: Map<string, string>) =>
    [resolve(d.groupId, props).value, resolve(d.artifactId, props).value, resolve(d.type, props).value ?? 'jar', resolve(d.classifier, props).value ?? ''].join(':');
  for (const m of declared) {
    if (m.section !== 'dependencyManagement') continue;
    if (m.dep.scope === 'import') {
      imports.push(`${m.dep.groupId}:${m.dep.artifactId}:${m.dep.version ?? '?'}`);
      continue;
    }
    const key = managementKey(m.dep, m.props);
    if (!managed.has(key)) managed.set(key, { version: m.dep.version, scope: m.dep.scope, line: m.line });
  }

  const usedKeys = new Set(declared.filter((d) => d.section.endsWith('dependencies')).map((d) => managementKey(d.dep, d.props)));
  const parentText = parent.artifactId ? `the parent POM ${parent.groupId ?? '?'}:${parent.artifactId}:${parent.version ?? '?'} (not fetched)` : undefined;
  const whereElse = [parentText, ...imports.map((i) => `the imported BOM ${i} (not fetched)`)].filter(Boolean).join(' or ') || 'nowhere in this file (no parent POM)';

  const components: Component[] = [];
  for (const d of declared) {
    if (d.dep.scope === 'import') continue; // a BOM import is not a dependency
    const isManagement = d.section.endsWith('dependencyManagement');
    const key = managementKey(d.dep, d.props);
    if (isManagement && usedKeys.has(key)) continue; // the dependency that uses it is the component
    const groupId = resolve(d.dep.groupId, d.props);
    const artifactId = resolve(d.dep.artifactId, d.props);
    if (groupId.value === undefined || artifactId.value === undefined) continue; // not a coordinate we can name
    const notes: string[] = [];
    let rawVersion = d.dep.version;
    let scope = d.dep.scope;
    if (!isManagement) {
      const m = managed.get(key);
      if (rawVersion === undefined && m) {
        rawVersion = m.version;
        notes.push(`version from <dependencyManagement>${m.line !== undefined ? ` at line ${m.line}` : ''}`);
      }
      scope ??= m?.scope;
    }
    const version = resolve(rawVersion, d.props);
    let finalVersion = version.value;
    if (rawVersion === undefined) {
      notes.push(`no version here: it is managed by ${whereElse}`);
    } else if (version.unresolved.length > 0) {
      finalVersion = undefined;
      notes.push(`${version.unresolved.map((p) => '${' + p + '}').join(', ')} is not defined in this file${parentText ? ` (it may come from ${parentText})` : ''}`);
    } else if (finalVersion !== undefined && /^[[(]/.test(finalVersion)) {
      notes.push(`version range ${finalVersion} is resolved only at build time`);
      finalVersion = undefined;
    }
    const classifier = resolve(d.dep.classifier, d.props).value;
    const type = resolve(d.dep.type, d.props).value;
    const name = `${groupId.value}:${artifactId.value}`;
    const where = d.profile !== undefined ? `<profile> ${d.profile} ${d.section.replace('profile ', '<')}>` : `<${d.section}>`;
    const extras = [classifier && `classifier ${classifier}`, type && type !== 'jar' && `type ${type}`, scope && `scope ${scope}`, d.dep.optional === 'true' && 'optional']
      .filter(Boolean)
      .join(', ');
    let detail = `${file} ${where} ${name} ${finalVersion ?? rawVersion ?? '(no version)'}${extras ? ` (${extras})` : ''}`;
    if (isManagement) detail += '; managed version only (modules that use it get this version)';
    if (notes.length > 0) detail += '; ' + notes.join('; ');
    const evidence: Evidence = { kind: 'declared', path, detail };
    if (d.line !== undefined) evidence.line = d.line;
    if (layer !== undefined) evidence.layer = layer;

    const c: Component = {
      ecosystem: 'maven',
      name,
      version: finalVersion,
      purl: mavenPurl(groupId.value, artifactId.value, finalVersion, classifier, type),
      evidence: [evidence],
      direct: !isManagement,
    };
    const s: { dev?: boolean; optional?: boolean } = {};
    if (scope === 'test') s.dev = true;
    if (d.dep.optional === 'true') s.optional = true;
    if (Object.keys(s).length > 0) c.scope = s;
    if (scope !== undefined) c.properties = { mavenScope: scope };
    if (!isManagement && self.artifactId) c.dependencyPath = [self.artifactId, name];
    components.push(c);
  }
  return components.sort(compareComponents);
}

/** pkg:maven/group/artifact@version?classifier=…&type=… (qualifiers sorted, as the purl spec asks) */
function mavenPurl(groupId: string, artifactId: string, version: string | undefined, classifier?: string, type?: string): string {
  const base = makePurl('maven', artifactId, version, groupId);
  const q: string[] = [];
  if (classifier && !classifier.includes('${')) q.push(`classifier=${encodeURIComponent(classifier)}`);
  if (type && type !== 'jar' && !type.includes('${')) q.push(`type=${encodeURIComponent(type)}`);
  return q.length > 0 ? `${base}?${q.join('&')}` : base;
}

/** `${name}` substitution, repeated for nested references; names without a value are reported */
function interpolate(value: string | undefined, props: Map<string, string>): { value?: string; unresolved: string[] } {
  if (value === undefined) return { unresolved: [] };
  let v = value;
  const unresolved = new Set<string>();
  for (let depth = 0; depth < MAX_INTERPOLATION_DEPTH && v.includes('${'); depth++) {
    const next = v.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
      const p = props.get(key.trim());
      if (p === undefined) unresolved.add(key.trim());
      return p ?? whole;
    });
    if (next === v) break;
    v = next;
  }
  for (const m of v.matchAll(/\$\{([^}]+)\}/g)) unresolved.add(m[1]!.trim());
  return { value: v, unresolved: [...unresolved] };
}

function properties(node: XmlValue | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const o = obj(node);
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) {
    const s = typeof v === 'string' ? v : Array.isArray(v) ? str(v[v.length - 1]) : undefined;
    if (s !== undefined) out.set(k, s);
  }
  return out;
}

function coords(node: XmlValue | undefined): Coordinates {
  const o = obj(node) ?? {};
  return {
    groupId: str(o.groupId),
    artifactId: str(o.artifactId),
    version: str(o.version),
    type: str(o.type),
    classifier: str(o.classifier),
    scope: str(o.scope),
    optional: str(o.optional),
  };
}

function obj(v: XmlValue | undefined): XmlObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

function str(v: XmlValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function list(v: XmlValue | undefined): XmlValue[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * fast-xml-parser gives no positions, so one scan of the text finds the start line of every <dependency>
 * element with its element path (comments, CDATA, processing instructions and DOCTYPE skipped). Within each
 * section the n-th element found is the n-th parsed entry (both in document order); a section whose counts
 * disagree gets no lines rather than wrong ones.
 */
function assignLines(text: string, declared: Declared[]): void {
  const found = dependencyStarts(text);
  for (const [section, path] of Object.entries(SECTION_PATHS) as [Section, string][]) {
    const entries = declared.filter((d) => d.section === section);
    const lines = found.get(path) ?? [];
    if (lines.length !== entries.length) continue;
    entries.forEach((d, i) => (d.line = lines[i]));
  }
}

/** element path ("project/dependencies/dependency") → start lines of <dependency> elements there */
export function dependencyStarts(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const stack: string[] = [];
  let line = 1;
  let pos = 0; // text before `pos` has been counted into `line`
  const lineAt = (i: number) => {
    for (let j = text.indexOf('\n', pos); j !== -1 && j < i; j = text.indexOf('\n', j + 1)) line++;
    pos = i;
    return line;
  };
  let i = text.indexOf('<');
  while (i !== -1) {
    let end: number;
    if (text.startsWith('<!--', i)) end = indexAfter(text, '-->', i + 4);
    else if (text.startsWith('<![CDATA[', i)) end = indexAfter(text, ']]>', i + 9);
    else if (text.startsWith('<?', i)) end = indexAfter(text, '?>', i + 2);
    else if (text.startsWith('<!', i)) end = doctypeEnd(text, i);
    else {
      end = tagEnd(text, i);
      const closing = text[i + 1] === '/';
      const m = /^<\/?\s*([^\s/>]+)/.exec(text.slice(i, Math.min(end, i + 200)));
      const name = m ? localName(m[1]!) : '';
      if (closing) {
        const at = stack.lastIndexOf(name);
        if (at !== -1) stack.length = at;
      } else {
        const selfClosing = text[end - 2] === '/';
        if (name === 'dependency') {
          const key = [...stack, name].join('/');
          const lines = out.get(key) ?? [];
          lines.push(lineAt(i));
          out.set(key, lines);
        }
        if (!selfClosing) stack.push(name);
      }
    }
    i = text.indexOf('<', end);
  }
  return out;
}

/** `pom:dependency` → `dependency` (fast-xml-parser keeps prefixes, but POMs use the default namespace) */
function localName(name: string): string {
  const c = name.indexOf(':');
  return c === -1 ? name : name.slice(c + 1);
}

function indexAfter(text: string, needle: string, from: number): number {
  const j = text.indexOf(needle, from);
  return j === -1 ? text.length : j + needle.length;
}

/** end of a start/end tag, skipping '>' inside quoted attribute values */
function tagEnd(text: string, from: number): number {
  let quote: string | undefined;
  for (let j = from + 1; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j + 1;
  }
  return text.length;
}

/** <!DOCTYPE … [ internal subset ] > */
function doctypeEnd(text: string, from: number): number {
  let depth = 0;
  for (let j = from + 2; j < text.length; j++) {
    const c = text[j];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return j + 1;
  }
  return text.length;
}

function compareComponents(a: Component, b: Component): number {
  return compareStrings(a.name, b.name) || compareStrings(a.version ?? '', b.version ?? '') || (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0);
}

