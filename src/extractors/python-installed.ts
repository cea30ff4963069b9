import type { Component } from '../model/types.js';
import { makePurl } from '../model/purl.js';
import { dirName, ParseError, type ExtractInput, type Extractor } from './types.js';
import { parseCoreMetadata } from './python-common.js';

/**
 * Installed Python distributions: `<site|dist>-packages/<name>-<version>.dist-info/METADATA` (the core metadata an
 * installer writes; PEP 627) is a `pkg:pypi` component with `installed` evidence, so the PyPI rules judge what an
 * image or a virtualenv actually holds, not only what a lockfile asks for.
 *
 * Only what a Python installer put there: INSTALLER names it (`pip`, `uv`, …). A distribution's own python3-*
 * packages are left to the OS package database, which knows their patched versions (Debian's dist-info has no
 * INSTALLER; Fedora's and RHEL's pyproject-rpm-macros write `rpm` into it).
 *
 * The WHEEL file beside METADATA says how the package was built: its `Tag` platform (`wheelPlatform`) tells a wheel
 * from PyPI (manylinux_*, musllinux_*, macosx_*, win_*: the only binary platforms PyPI accepts, PEP 600) from one
 * built from the sdist on the host (`linux_x86_64`), which links the system's libraries; rules about bundled copies
 * leave the latter out (match.notProperties).
 */
const OS_INSTALLERS = new Set(['rpm']);
const DIST_INFO = /(?:^|\/)(?:site|dist)-packages\/[^/]+\.dist-info\/(METADATA|WHEEL|INSTALLER)$/;
/** core metadata headers sit before the description; a huge METADATA is a long description, not more headers */
const MAX_METADATA_BYTES = 4 * 1024 * 1024;

export const pythonInstalledExtractor: Extractor = {
  name: 'python/installed',
  version: 1,
  fileRequired: (path) => DIST_INFO.exec(path)?.[1] === 'METADATA',
  alsoReads: (path) => DIST_INFO.test(path) && !path.endsWith('/METADATA'),
  async extract(input: ExtractInput): Promise<Component[]> {
    const dir = dirName(input.path);
    const sibling = async (file: string) => {
      const p = `${dir}/${file}`;
      return (await input.vfs.exists(p)) ? input.vfs.readText(p, 64 * 1024) : undefined;
    };
    const installer = (await sibling('INSTALLER'))?.trim().split(/\s+/)[0];
    if (!installer || OS_INSTALLERS.has(installer)) return [];
    const meta = parseCoreMetadata(await input.vfs.readText(input.path, MAX_METADATA_BYTES));
    const name = meta.get('name')?.value;
    const version = meta.get('version')?.value;
    if (!name) throw new ParseError(`${input.path} has no Name header`);
    const wheel = await sibling('WHEEL');
    const tag = wheel === undefined ? undefined : parseCoreMetadata(wheel).get('tag')?.value;
    // {python tag}-{abi tag}-{platform tag} (PEP 425); the platform may be several, joined by '.'
    const wheelPlatform = tag?.split('-')[2];
    const properties: Record<string, string> = { installer, ...(wheelPlatform ? { wheelPlatform } : {}) };
    return [
      {
        ecosystem: 'pypi',
        name,
        ...(version ? { version } : {}),
        purl: makePurl('pypi', name, version),
        evidence: [
          {
            kind: 'installed',
            path: input.path,
            // the Name header's line: a SARIF region for the alert
            line: meta.get('name')!.line,
            ...(input.layer ? { layer: input.layer } : {}),
            detail: `${name} ${version ?? '(no version)'} installed by ${installer}${tag ? ` from a ${tag} wheel` : ''}`,
          },
        ],
        properties,
      },
    ];
  },
};
