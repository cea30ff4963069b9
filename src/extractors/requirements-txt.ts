import path from 'node:path';
import type { Component } from '../model/types.js';
import type { Vfs } from '../sources/vfs.js';
import { normalizeName, toComponents, type PyPackage, type PyRoot } from './python-common.js';
import { stripBom } from './toml.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * pip requirements files: any `*.txt` whose basename contains "requirements" (osv-scalibr, syft).
 * - One requirement per logical line (backslash continuations joined; the line reported is the first one).
 * - `name[extras] <specifiers> ; <marker> --hash=…`: the version is the `==`/`===` pin when there is exactly one
 *   (no wildcard); anything else is a component without a version (name rules still apply). `${ENV}` is kept as
 *   written. The marker is kept as the `marker` property.
 * - `-r`/`--requirement FILE` is followed relative to the file, through the source (never outside the scan root,
 *   each file once); a requirements*.txt file named there is left to its own extraction, so nothing is reported
 *   twice. `-c`/`--constraint FILE` adds no packages but supplies pins for unpinned requirements.
 * - pip-compile's `# via` comments are the edges: a parent named there depends on the requirement, `-r file` as a
 *   parent means the project asks for it directly.
 * - Options (`--index-url`, `--no-binary`, …) and comments are skipped. A line that is none of the above is
 *   reported (ParseError naming the line) and skipped; every other package of the file is still returned.
 */
export const requirementsTxtExtractor: Extractor = {
  name: 'python/requirements.txt',
  version: 1,
  fileRequired: isRequirementsFile,
  async extract(input: ExtractInput): Promise<Component[]> {
    return extractRequirements(await input.readText(), input.path, input.vfs, input.layer);
  },
};

export function isRequirementsFile(p: string): boolean {
  const b = baseName(p).toLowerCase();
  return b.endsWith('.txt') && b.includes('requirements');
}

interface Requirement extends PyPackage {
  /** normalised names of the `# via` parents; `-r …` entries kept as written */
  via: string[];
  path: string;
}

interface Problem {
  path: string;
  line: number;
  message: string;
}

interface Parsed {
  requirements: Requirement[];
  /** includes to follow: [target as written, line] */
  includes: Array<{ target: string; line: number; constraint: boolean }>;
  problems: Problem[];
}

// a PEP 508 name, optional [extras], then the rest
const REQ_RE = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/s;
const OP = '(?:~=|===|==|!=|<=|>=|<|>)';
// a version starts with something other than an operator character (`hyperlink===` has none)
const VER = '[^,\\s()=<>!~][^,\\s()]*';
const SPEC_RE = new RegExp(`^\\(?\\s*${OP}\\s*${VER}\\s*(?:,\\s*${OP}\\s*${VER}\\s*)*\\)?$`);
const OPTION_WITH_VALUE = /^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+)(.+)$/;

/** Logical lines: continuation backslashes joined, comments cut; `# via` blocks handed back separately. */
function* logicalLines(text: string): Generator<{ line: number; content: string; via?: string[]; viaStart?: boolean }> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) {
      // pip-compile: "# via a, b" / "# via" followed by "#   a" lines
      const via = /^#\s*via\b\s*(.*)$/.exec(trimmed);
      if (via) yield { line: start, content: '', via: splitVia(via[1]!), viaStart: true };
      else {
        const item = /^#\s{2,}(\S.*)$/.exec(trimmed);
        if (item) yield { line: start, content: '', via: splitVia(item[1]!) };
        else yield { line: start, content: '' };
      }
      continue;
    }
    while (/(^|[^\\])\\$/.test(raw) && i + 1 < lines.length) raw = raw.slice(0, -1) + lines[++i]!;
    // pip: a comment starts at '#' at the line start or after whitespace
    const content = raw.replace(/(^|\s)#.*$/, '').trim();
    yield { line: start, content };
    // older pip-compile: "name==1.0  # via a, b" on the requirement's own line
    const inlineVia = /\s#\s*via\s+(.+)$/.exec(raw);
    if (inlineVia) yield { line: start, content: '', via: splitVia(inlineVia[1]!), viaStart: true };
  }
}

function splitVia(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '' && !/^\(/.test(x));
}

function parseText(rawText: string, file: string): Parsed {
  const text = stripBom(rawText);
  const out: Parsed = { requirements: [], includes: [], problems: [] };
  let last: Requirement | undefined;
  let inVia = false;
  for (const { line, content, via, viaStart } of logicalLines(text)) {
    if (via !== undefined) {
      if (viaStart) inVia = true;
      if (inVia && last) last.via.push(...via.map(parentKey));
      continue;
    }
    if (content === '') {
      inVia = false; // a blank line or another comment ends a "# via" block
      continue;
    }
    inVia = false;
    const req = parseLine(content, line, file, out);
    if (req) {
      out.requirements.push(req);
      last = req;
    } else last = undefined;
  }
  return out;
}

/** `-r path` parents stay as written; package parents are normalised names without extras. */
function parentKey(p: string): string {
  if (/^(-r|-c|--requirement|--constraint)\b/.test(p)) return p;
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(p)?.[0];
  return name ? normalizeName(name) : p;
}

function parseLine(content: string, line: number, file: string, out: Parsed): Requirement | undefined {
  const problem = (message: string) => {
    out.problems.push({ path: file, line, message });
    return undefined;
  };
  if (content.startsWith('-')) {
    const opt = OPTION_WITH_VALUE.exec(content);
    if (opt) {
      const [, flag, value] = opt;
      if (flag === '-r' || flag === '--requirement') out.includes.push({ target: value!.trim(), line, constraint: false });
      else if (flag === '-c' || flag === '--constraint') out.includes.push({ target: value!.trim(), line, constraint: true });
      else return fromUrl(value!.trim(), line, file, content); // -e: only an #egg= name says what it is
    }
    return undefined; // --index-url, --hash on its own, --no-binary …: not packages
  }
  // a bare URL, archive or local path: a package only when it names itself with #egg=
  if (/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:\/\/|[A-Za-z]:\\)/.test(content)) return fromUrl(content, line, file, content);
  // per-requirement options (--hash=…, --config-settings …) come after the requirement
  const optAt = content.search(/\s--?[a-z]/);
  const spec = optAt === -1 ? content : content.slice(0, optAt).trim();
  const m = REQ_RE.exec(spec);
  if (!m) return problem(`cannot read requirement '${content}'`);
  const [, name, , rest0] = m;
  let rest = rest0!.trim();
  let marker: string | undefined;
  const semi = rest.indexOf(';');
  if (semi !== -1) {
    marker = rest.slice(semi + 1).trim();
    rest = rest.slice(0, semi).trim();
  }
  let version: string | undefined;
  if (rest.startsWith('@')) {
    // PEP 508 direct reference: name @ url
    if (rest.slice(1).trim() === '') return problem(`requirement '${content}' has '@' without a URL`);
  } else if (rest !== '') {
    if (!SPEC_RE.test(rest)) return problem(`cannot read version specifier '${rest}' of ${name}`);
    const clauses = rest.replace(/[()]/g, '').split(',').map((c) => c.trim());
    const pin = clauses.length === 1 ? /^===?\s*(\S+)$/.exec(clauses[0]!) : null;
    if (pin && !pin[1]!.includes('*')) version = pin[1];
  }
  const properties: Record<string, string> = {};
  if (marker) properties.marker = marker;
  return { name: name!, version, line, detail: `${baseName(file)} ${spec}`, deps: [], properties, via: [], path: file };
}

function fromUrl(url: string, line: number, file: string, content: string): Requirement | undefined {
  const egg = /#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(url)?.[1];
  if (!egg) return undefined;
  return { name: egg, line, detail: `${baseName(file)} ${content}`, deps: [], via: [], path: file };
}

/** posix path of an include, relative to the scan root; undefined when it leaves the root or is absolute. */
function resolveInclude(from: string, target: string): string | undefined {
  if (target.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(target) || /^[A-Za-z]:[\\/]/.test(target)) return undefined;
  const joined = path.posix.normalize(path.posix.join(dirName(from) || '.', target));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined;
}

/**
 * Read one requirements file and the `-r`/`-c` files it names. Returns its components; when some lines or includes
 * could not be read, throws ParseError naming the first with the others' lines and carrying the components read.
 */
export async function extractRequirements(text: string, file: string, vfs: Vfs | undefined, layer?: string): Promise<Component[]> {
  const visited = new Set<string>([file]);
  const requirements: Requirement[] = [];
  const problems: Problem[] = [];
  const pins = new Map<string, string>();

  const visit = async (parsed: Parsed, at: string, constraintOnly: boolean): Promise<void> => {
    problems.push(...parsed.problems);
    if (constraintOnly) {
      for (const r of parsed.requirements) if (r.version !== undefined && !pins.has(normalizeName(r.name))) pins.set(normalizeName(r.name), r.version);
    } else requirements.push(...parsed.requirements);
    for (const inc of parsed.includes) {
      const target = resolveInclude(at, inc.target);
      if (target === undefined) {
        problems.push({ path: at, line: inc.line, message: `${inc.constraint ? '-c' : '-r'} ${inc.target} is outside the scan root; not followed` });
        continue;
      }
      if (visited.has(target)) continue; // include loops and diamonds: each file once
      visited.add(target);
      // another requirements*.txt is extracted on its own (the walk reaches it); constraints are always read here
      if (!inc.constraint && !constraintOnly && isRequirementsFile(target)) continue;
      let included: string;
      try {
        if (!vfs || !(await vfs.exists(target))) throw new Error('not found');
        included = await vfs.readText(target);
      } catch {
        problems.push({ path: at, line: inc.line, message: `${inc.constraint ? '-c' : '-r'} ${inc.target}: ${target} cannot be read` });
        continue;
      }
      await visit(parseText(included, target), target, constraintOnly || inc.constraint);
    }
  };
  await visit(parseText(text, file), file, false);

  for (const r of requirements) if (r.version === undefined) r.version = pins.get(normalizeName(r.name));

  // pip-compile edges: each parent depends on the requirement that names it
  const index = new Map(requirements.map((r, i) => [normalizeName(r.name), i]));
  const rootDeps = new Map<string, string[]>();
  let hasVia = false;
  for (const r of requirements) {
    for (const parent of r.via) {
      hasVia = true;
      const rootName = /^(?:-r|-c|--requirement|--constraint)\s+(.+)$/.exec(parent)?.[1];
      if (rootName !== undefined) {
        const key = baseName(rootName.trim());
        rootDeps.set(key, [...(rootDeps.get(key) ?? []), r.name]);
      } else {
        const i = index.get(parent);
        if (i !== undefined && !requirements[i]!.deps.includes(r.name)) requirements[i]!.deps.push(r.name);
      }
    }
  }
  const roots: PyRoot[] = [...rootDeps].map(([name, deps]) => ({ name, deps }));

  const byPath = new Map<string, Requirement[]>();
  for (const r of requirements) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  let components: Component[];
  if (hasVia) {
    // one graph over every file read, evidence in the file each requirement came from
    components = toComponents(requirements, file, layer, roots.length > 0 ? roots : undefined);
  } else {
    // no edges recorded: neither "direct" nor paths can be told
    components = [...byPath].flatMap(([p, rs]) =>
      toComponents(rs, p, layer, undefined).map((c) => {
        delete c.direct;
        delete c.dependencyPath;
        return c;
      }),
    );
  }
  for (const c of components) if (c.dependencies?.length === 0 && !hasVia) delete c.dependencies;

  if (problems.length > 0) {
    // in file order: the file itself first, then included files, each by line
    problems.sort((a, b) => Number(a.path !== file) - Number(b.path !== file) || compareStrings(a.path, b.path) || a.line - b.line);
    const [first, ...more] = problems;
    const where = (p: Problem) => (p.path === file ? `line ${p.line}` : `${p.path}:${p.line}`);
    const tail = more.length > 0 ? `; also at ${more.map(where).join(', ')}` : '';
    throw new ParseError(`${where(first!)}: ${first!.message}${tail}; skipped, every other line was read`, first!.path === file ? first!.line : undefined, components);
  }
  return components;
}
