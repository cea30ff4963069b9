import type { Component, Evidence } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { baseName, dirName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { compareStrings } from '../util/compare.js';

/**
 * go.mod (+ go.sum beside it for modules older than Go 1.17), read the way golang.org/x/mod/modfile reads it:
 * line-oriented statements, `verb (` … `)` blocks, `//` comments, quoted or raw-quoted tokens.
 * - every `require` is a component (name = module path, version as written: v0.31.0, pseudo-versions,
 *   +incompatible); `// indirect` marks the ones the main module does not import itself;
 * - `replace old [v] => new v` swaps in the replacement module and version (osv-scalibr's rule: an old path
 *   without version replaces every version, with a version only that one); `replace old => ./dir` builds a
 *   local copy, so the component stays under its required name but without a version (the code is not that
 *   release); `exclude` is noted on a require it names;
 * - the Go toolchain is a component too, `pkg:golang/stdlib@<version>`: the `toolchain` line if present (the
 *   toolchain the go command switches to), else the `go` line (the minimum release); both are recorded in
 *   properties goDirective / goToolchain (and `godebug` settings in goDebug) for rules;
 * - from Go 1.17 on, go.mod lists every module the build needs; below that (osv-scalibr §C.2) the modules
 *   whose content hashes are in go.sum are added (stale go.sum lines can make this over-report).
 */
export const goModExtractor: Extractor = {
  name: 'go/go.mod',
  version: 1,
  fileRequired: (path) => baseName(path) === 'go.mod',
  alsoReads: (path) => baseName(path) === 'go.sum',
  async extract(input: ExtractInput): Promise<Component[]> {
    const text = await input.readText();
    const mod = parseGoModText(text);
    let sum: { text: string; path: string } | undefined;
    if (mod.goVersion !== undefined && goBefore117(mod.goVersion)) {
      const dir = dirName(input.path);
      const sumPath = dir ? `${dir}/go.sum` : 'go.sum';
      if (await input.vfs.exists(sumPath)) sum = { text: await input.vfs.readText(sumPath), path: sumPath };
    }
    return goModComponents(mod, input.path, sum, input.layer);
  },
};

/** One statement: its tokens (verb first, also inside blocks), its trailing comment and line. */
interface Stmt {
  verb: string;
  args: string[];
  comment?: string;
  line: number;
}

export interface GoRequire {
  path: string;
  version: string;
  indirect: boolean;
  line: number;
}

interface GoReplace {
  oldPath: string;
  oldVersion?: string;
  newPath: string;
  newVersion?: string;
  line: number;
}

export interface GoModFile {
  module?: string;
  goVersion?: string;
  goLine?: number;
  toolchain?: string;
  toolchainLine?: number;
  godebug: string[];
  requires: GoRequire[];
  replaces: GoReplace[];
  excludes: { path: string; version: string; line: number }[];
}

// modfile.GoVersionRE / ToolchainRE
const GO_VERSION = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
const TOOLCHAIN = /^default$|^go1($|\.)/;
// a module version as go.mod must write it (canonical semver with 'v'; pseudo-versions and +incompatible fit)
const MODULE_VERSION = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const KNOWN = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'exclude', 'replace', 'retract', 'tool', 'ignore']);

/** Parse go.mod text; ParseError names the line of the first syntax error, like `go mod` does. */
export function parseGoModText(rawText: string): GoModFile {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const mod: GoModFile = { godebug: [], requires: [], replaces: [], excludes: [] };
  for (const s of statements(text)) {
    const fail = (msg: string): never => {
      throw new ParseError(`go.mod line ${s.line}: ${msg}`, s.line);
    };
    const want = (n: number) => {
      if (s.args.length !== n) fail(`usage: ${s.verb} needs ${n === 1 ? 'one argument' : `${n} arguments`}, found ${s.args.length}`);
    };
    switch (s.verb) {
      case 'module':
        want(1);
        if (mod.module !== undefined) fail('repeated module statement');
        mod.module = s.args[0];
        break;
      case 'go':
        want(1);
        if (mod.goVersion !== undefined) fail('repeated go statement');
        if (!GO_VERSION.test(s.args[0]!)) fail(`invalid go version '${s.args[0]}': must match format 1.23.0`);
        mod.goVersion = s.args[0];
        mod.goLine = s.line;
        break;
      case 'toolchain':
        want(1);
        if (mod.toolchain !== undefined) fail('repeated toolchain statement');
        if (!TOOLCHAIN.test(s.args[0]!)) fail(`invalid toolchain name '${s.args[0]}': must be of the form go1.21.0 or default`);
        mod.toolchain = s.args[0];
        mod.toolchainLine = s.line;
        break;
      case 'godebug':
        want(1);
        if (!/^[^=]+=[^=]*$/.test(s.args[0]!)) fail(`invalid godebug '${s.args[0]}': must be key=value`);
        mod.godebug.push(s.args[0]!);
        break;
      case 'require':
      case 'exclude': {
        want(2);
        const [path, version] = s.args as [string, string];
        if (!MODULE_VERSION.test(version)) fail(`invalid module version '${version}' for ${path}: must be of the form v1.2.3`);
        if (s.verb === 'require') mod.requires.push({ path, version, indirect: isIndirect(s.comment), line: s.line });
        else mod.excludes.push({ path, version, line: s.line });
        break;
      }
      case 'replace': {
        const arrow = s.args.indexOf('=>');
        const left = s.args.slice(0, arrow);
        const right = s.args.slice(arrow + 1);
        if (arrow === -1 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2) {
          fail('usage: replace module/path [v1.2.3] => other/module v1.4 | replace module/path [v1.2.3] => ../local/directory');
        }
        const r: GoReplace = { oldPath: left[0]!, oldVersion: left[1], newPath: right[0]!, newVersion: right[1], line: s.line };
        for (const v of [r.oldVersion, r.newVersion]) {
          if (v !== undefined && !MODULE_VERSION.test(v)) fail(`invalid module version '${v}' in replace: must be of the form v1.2.3`);
        }
        if (r.newVersion === undefined && !isLocalPath(r.newPath)) fail(`replacement module ${r.newPath} without version must be a directory path (rooted or starting with ./ or ../)`);
        mod.replaces.push(r);
        break;
      }
      // retract, tool, ignore: known directives that name no dependency
      default:
        if (!KNOWN.has(s.verb)) fail(`unknown directive: ${s.verb}`);
    }
  }
  return mod;
}

/** modfile.isIndirect: the line's comment is `// indirect` or starts with `// indirect;` */
function isIndirect(comment: string | undefined): boolean {
  if (comment === undefined) return false;
  const c = comment.trim();
  return c === 'indirect' || c.startsWith('indirect;');
}

/** modfile.IsDirectoryPath */
function isLocalPath(p: string): boolean {
  return p === '.' || p === '..' || /^\.\.?[/\\]/.test(p) || p.startsWith('/') || /^[A-Za-z]:[/\\]/.test(p) || p.startsWith('\\');
}

/** go.mod's language version is older than 1.17 (then go.mod may omit indirect requirements) */
function goBefore117(v: string): boolean {
  const m = GO_VERSION.exec(v);
  return m !== null && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 17));
}

/** Statements in file order; block entries carry their block's verb. */
function statements(text: string): Stmt[] {
  const out: Stmt[] = [];
  let block: { verb: string; line: number } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const { tokens, comment } = tokenize(lines[i]!.replace(/\r$/, ''), lineNo);
    if (tokens.length === 0) continue;
    const fail = (msg: string): never => {
      throw new ParseError(`go.mod line ${lineNo}: ${msg}`, lineNo);
    };
    if (block) {
      if (tokens.length === 1 && tokens[0] === ')') {
        block = undefined;
        continue;
      }
      if (tokens.includes('(') || tokens.includes(')')) fail(`unexpected ${tokens.includes('(') ? "'('" : "')'"} inside the ${block.verb} block opened at line ${block.line}`);
      out.push({ verb: block.verb, args: tokens, comment, line: lineNo });
      continue;
    }
    const verb = tokens[0]!;
    if (verb === '(' || verb === ')') fail(`unexpected '${verb}'`);
    const rest = tokens.slice(1);
    if (rest.length === 1 && rest[0] === '(') {
      block = { verb, line: lineNo };
      continue;
    }
    if (rest.length === 2 && rest[0] === '(' && rest[1] === ')') continue; // `require ()`
    if (rest.includes('(') || rest.includes(')')) fail(`unexpected parenthesis in ${verb} statement`);
    out.push({ verb, args: rest, comment, line: lineNo });
  }
  if (block) throw new ParseError(`go.mod line ${block.line}: the ${block.verb} block opened here is not closed before the end of the file`, block.line);
  return out;
}

/** One line's tokens: `//` comments, "interpreted" and `raw` strings, '(' ')' and '=>' as their own tokens. */
function tokenize(line: string, lineNo: number): { tokens: string[]; comment?: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
    } else if (line.startsWith('//', i)) {
      return { tokens, comment: line.slice(i + 2) };
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (line.startsWith('=>', i)) {
      tokens.push('=>');
      i += 2;
    } else if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(line.slice(i));
      if (!m) throw new ParseError(`go.mod line ${lineNo}: unterminated quoted string`, lineNo);
      try {
        tokens.push(JSON.parse(m[0]) as string);
      } catch {
        throw new ParseError(`go.mod line ${lineNo}: invalid quoted string ${m[0]}`, lineNo);
      }
      i += m[0].length;
    } else if (c === '`') {
      const end = line.indexOf('`', i + 1);
      if (end === -1) throw new ParseError(`go.mod line ${lineNo}: unterminated raw string`, lineNo);
      tokens.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !/[\s()"`]/.test(line[j]!) && !line.startsWith('//', j) && !line.startsWith('=>', j)) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return { tokens };
}

interface SumEntry {
  path: string;
  version: string;
  line: number;
}

/** go.sum content-hash lines (`path version h1:…`); `/go.mod` lines only pin a go.mod file, not code */
export function parseGoSum(rawText: string): SumEntry[] {
  const out: SumEntry[] = [];
  rawText.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    if (parts.length !== 3 || !MODULE_VERSION.test(parts[1]!.replace(/\/go\.mod$/, ''))) {
      throw new ParseError(`go.sum line ${i + 1}: expected "module/path v1.2.3[/go.mod] h1:hash", found ${JSON.stringify(line.slice(0, 120))}`, i + 1);
    }
    if (parts[1]!.endsWith('/go.mod')) return;
    out.push({ path: parts[0]!, version: parts[1]!, line: i + 1 });
  });
  return out;
}

/** Components of a parsed go.mod (and, for go < 1.17, its go.sum). */
export function goModComponents(mod: GoModFile, path: string, sum?: { text: string; path: string }, layer?: string): Component[] {
  const file = baseName(path);
  const ev = (p: string, line: number | undefined, detail: string): Evidence => {
    const e: Evidence = { kind: 'declared', path: p, detail };
    if (line !== undefined) e.line = line;
    if (layer !== undefined) e.layer = layer;
    return e;
  };
  const components: Component[] = [];
  const byKey = new Map<string, Component>();

  for (const req of mod.requires) {
    let name = req.path;
    let version: string | undefined = req.version;
    let detail = `${file} require ${req.path} ${req.version}${req.indirect ? ' // indirect' : ''}`;
    // the last matching replace wins, as in the go command; a versioned one beats a version-less one
    const rep =
      findLast(mod.replaces, (r) => r.oldPath === req.path && r.oldVersion === req.version) ??
      findLast(mod.replaces, (r) => r.oldPath === req.path && r.oldVersion === undefined);
    if (rep) {
      if (rep.newVersion === undefined) {
        version = undefined;
        detail += `, replaced by the local directory ${rep.newPath} (line ${rep.line}): the build uses that copy, not this release`;
      } else {
        name = rep.newPath;
        version = rep.newVersion;
        detail += `, replaced by ${rep.newPath} ${rep.newVersion} (line ${rep.line})`;
      }
    }
    const excluded = mod.excludes.find((x) => x.path === req.path && x.version === req.version);
    if (excluded) detail += `; this version is excluded (line ${excluded.line}), so the go command selects a later one`;
    const c: Component = {
      ecosystem: 'golang',
      name,
      version,
      purl: makePurl('golang', name, version),
      evidence: [ev(path, req.line, detail)],
      direct: !req.indirect,
    };
    if (!req.indirect && mod.module !== undefined) c.dependencyPath = [mod.module, name];
    components.push(c);
    byKey.set(`${name}@${version ?? ''}`, c);
  }

  if (sum) {
    for (const s of parseGoSum(sum.text)) {
      const detail = `go.sum ${s.path} ${s.version} (go ${mod.goVersion} < 1.17: go.mod need not list indirect requirements)`;
      const existing = byKey.get(`${s.path}@${s.version}`);
      if (existing) {
        existing.evidence.push(ev(sum.path, s.line, detail));
        continue;
      }
      const c: Component = {
        ecosystem: 'golang',
        name: s.path,
        version: s.version,
        purl: makePurl('golang', s.path, s.version),
        evidence: [ev(sum.path, s.line, detail)],
        direct: false,
      };
      components.push(c);
      byKey.set(`${s.path}@${s.version}`, c);
    }
  }

  const stdlib = stdlibComponent(mod, path, ev);
  if (stdlib) components.push(stdlib);
  return components.sort(compareComponents);
}

/**
 * The Go release the module asks for: `toolchain go1.24.3` (custom suffixes such as go1.23.6-xyz name the same
 * release, as osv-scalibr reads them) or else the `go` line. Either is a minimum: a newer local Go builds it too.
 */
function stdlibComponent(mod: GoModFile, path: string, ev: (p: string, line: number | undefined, detail: string) => Evidence): Component | undefined {
  const file = baseName(path);
  const properties: Record<string, string> = {};
  if (mod.goVersion !== undefined) properties.goDirective = mod.goVersion;
  if (mod.toolchain !== undefined) properties.goToolchain = mod.toolchain;
  if (mod.godebug.length > 0) properties.goDebug = mod.godebug.join(',');
  let version: string | undefined;
  let evidence: Evidence;
  if (mod.toolchain !== undefined && mod.toolchain !== 'default') {
    version = mod.toolchain.replace(/^go/, '').split('-')[0]!;
    const go = mod.goVersion !== undefined ? ` (go ${mod.goVersion})` : '';
    evidence = ev(path, mod.toolchainLine, `${file} toolchain ${mod.toolchain}${go}: the Go release the go command builds with, at least`);
  } else if (mod.goVersion !== undefined) {
    version = mod.goVersion;
    evidence = ev(path, mod.goLine, `${file} go ${mod.goVersion} (no toolchain line): the oldest Go release that may build this module`);
  } else {
    return undefined;
  }
  return {
    ecosystem: 'golang',
    name: 'stdlib',
    version,
    purl: makePurl('golang', 'stdlib', version),
    evidence: [evidence],
    direct: true,
    properties,
  };
}

function findLast<T>(list: readonly T[], pred: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i]!)) return list[i];
  return undefined;
}

function compareComponents(a: Component, b: Component): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.evidence[0]!.path, b.evidence[0]!.path) ||
    (a.evidence[0]?.line ?? 0) - (b.evidence[0]?.line ?? 0)
  );
}

