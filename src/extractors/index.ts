import type { Extractor } from './types.js';
import { cargoLockExtractor } from './cargo-lock.js';
import { npmLockExtractor, npmLockPlainExtractor } from './npm-lock.js';
import { yarnLockExtractor } from './yarn-lock.js';
import { pnpmLockExtractor } from './pnpm-lock.js';
import { bunLockExtractor } from './bun-lock.js';
import { nugetLockExtractor } from './nuget-lock.js';
import { gemfileLockExtractor } from './gemfile-lock.js';
import { composerLockExtractor } from './composer-lock.js';
import { pdmLockExtractor } from './pdm-lock.js';
import { pipfileLockExtractor } from './pipfile-lock.js';
import { poetryLockExtractor } from './poetry-lock.js';
import { requirementsTxtExtractor } from './requirements-txt.js';
import { uvLockExtractor } from './uv-lock.js';
import { goModExtractor } from './go-mod.js';
import { pomXmlExtractor } from './pom-xml.js';
import { gradleLockfileExtractor } from './gradle-lockfile.js';
import { nativeBinaryExtractor } from './binary/candidate.js';
import { dpkgExtractor } from './os/dpkg.js';
import { apkExtractor } from './os/apk.js';
import { rpmDbExtractor } from './os/rpm.js';
import { archiveExtractor } from './archive/index.js';
import { pythonInstalledExtractor } from './python-installed.js';

/**
 * How package-lock.json is read. 'lockfile' (default): the lockfile's own JSON, exactly what `npm ci` installs.
 * 'arborist': @npmcli/arborist's loadVirtual where the file is on disk. Both give the same components on every
 * fixture (tested); Arborist costs 10–13× a bare JSON.parse on large lockfiles against ~2.5× (bench/), so it
 * is the opt-in cross-check rather than the default.
 */
export type NpmReader = 'lockfile' | 'arborist';
export const NPM_READERS: readonly NpmReader[] = ['lockfile', 'arborist'];

export interface ExtractorOptions {
  npmReader?: NpmReader;
}

/** Every extractor, in one explicit list (osv-scalibr style: no self-registration side effects). */
export function defaultExtractors(options: ExtractorOptions = {}): Extractor[] {
  return [
    cargoLockExtractor,
    options.npmReader === 'arborist' ? npmLockExtractor : npmLockPlainExtractor,
    yarnLockExtractor,
    pnpmLockExtractor,
    bunLockExtractor,
    nugetLockExtractor,
    gemfileLockExtractor,
    composerLockExtractor,
    poetryLockExtractor,
    uvLockExtractor,
    pipfileLockExtractor,
    pdmLockExtractor,
    requirementsTxtExtractor,
    pythonInstalledExtractor,
    goModExtractor,
    pomXmlExtractor,
    gradleLockfileExtractor,
    nativeBinaryExtractor,
    dpkgExtractor,
    apkExtractor,
    rpmDbExtractor,
    archiveExtractor,
  ];
}

export const extractors: Extractor[] = defaultExtractors();
