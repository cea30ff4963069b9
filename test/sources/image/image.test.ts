// Real images built without Docker (scripts/make-image-fixtures.sh): a debootstrap Debian 12 rootfs, real
// Debian packages, an npm lockfile and the esbuild binary from the npm registry, and a layer that purges
// libsodium23. The same image in three forms (docker-archive, OCI layout with zstd, OCI tar with gzip) must
// scan the same; a rebuild with new layer digests must keep every fingerprint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scan, type ScanResult, type TargetResult } from '../../../src/index.js';
import { renderJson } from '../../../src/report/json.js';
import { renderText } from '../../../src/report/text.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { detailLines, itemsFromReport } from '../../../src/tui/model.js';
import { buildSarif } from '../../../src/report/sarif.js';
import { buildCbom } from '../../../src/report/cbom.js';
import { errorsText, jsonReportValidator } from '../../report/validators.js';
import { openTarget } from '../../../src/sources/index.js';
import { cliPath } from '../../helpers.js';
import { fingerprint } from '../../../src/model/fingerprint.js';
import { imageFixture, IMAGES_MISSING } from './helpers.js';

const cache = new Map<string, Promise<ScanResult>>();
function scanned(target: string, policy = 'inventory'): Promise<ScanResult> {
  const key = `${target}\0${policy}`;
  let p = cache.get(key);
  if (!p) cache.set(key, (p = scan({ targets: [target], policy, discoverConfig: false, failOn: 'none' })));
  return p;
}

function component(t: TargetResult, name: string) {
  return t.components.find((c) => c.name === name);
}


describe('image targets (debootstrap-built image)', () => {
  const docker = imageFixture('app.docker.tar');
  const ociZstd = imageFixture('app-zstd');
  const ociTar = imageFixture('app.oci.tar');

  it('reads a docker-archive as a squashed filesystem with layer history', async (t) => {
    if (!docker) return t.skip(IMAGES_MISSING);
    const [r] = (await scanned(docker)).targets;
    assert.equal(r!.kind, 'image');
    assert.equal(r!.displayRoot, 'app');
    assert.deepEqual(r!.errors, []);
    const layers = r!.image!.layers;
    assert.deepEqual(
      layers.map((l) => l.createdBy),
      ['debootstrap --variant=minbase bookworm', 'RUN dpkg -i libssl3 openssl libsodium23', 'COPY app /app', 'RUN dpkg --purge libsodium23'],
    );
    // the OS OpenSSL: dpkg 'installed' evidence, syft-style purl, the layer that installed it (not the last
    // layer that rewrote the status file)
    const ssl = component(r!, 'libssl3')!;
    assert.match(ssl.purl, /^pkg:deb\/debian\/libssl3@3\.0\.[^?]+\?arch=amd64&distro=debian-12&upstream=openssl$/);
    const ev = ssl.evidence[0]!;
    assert.equal(ev.kind, 'installed');
    assert.equal(ev.path, 'var/lib/dpkg/status');
    assert.ok(ev.line! > 1);
    assert.equal(ev.layer, layers[1]!.diffId);
    assert.equal(ev.layerCreatedBy, 'RUN dpkg -i libssl3 openssl libsodium23');
    assert.equal(component(r!, 'libgnutls30')!.evidence[0]!.layer, layers[0]!.diffId);
    // the lockfile in /app: found at its path in the image, attributed to the COPY layer
    const forge = component(r!, 'node-forge')!;
    assert.equal(forge.evidence[0]!.path, 'app/package-lock.json');
    assert.equal(forge.evidence[0]!.layer, layers[2]!.diffId);
    assert.equal(forge.evidence[0]!.layerCreatedBy, 'COPY app /app');
    // purged by a later layer: not present at run time, but recorded as shipped-and-removed
    assert.equal(component(r!, 'libsodium23'), undefined);
    const removed = r!.image!.removedFiles.find((f) => /libsodium\.so\.23\./.test(f.path));
    assert.ok(removed, 'libsodium.so.23 recorded as removed');
    assert.equal(removed.layer, layers[1]!.diffId);
    assert.equal(removed.removedIn, layers[3]!.diffId);
    // OS FIPS posture: Debian's stock openssl.cnf, no provider module
    assert.equal(r!.osFips!.state, 'not-configured');
    assert.equal(ssl.properties?.osFipsPosture, 'not-configured');
  });

  it('text and Markdown reports name the layer and the instruction that made it', async (t) => {
    if (!docker) return t.skip(IMAGES_MISSING);
    const result = await scanned(docker, 'fips-140-3');
    assert.match(renderText(result, { color: false }), /app\/app\/package-lock\.json:\d+ \(layer sha256:[0-9a-f]{64}, from COPY app \/app\)/);
    assert.match(renderMarkdown(result), /`app\/app\/package-lock\.json:\d+` \(layer `sha256:[0-9a-f]{12}…`, from `COPY app \/app`\)/);
    // the triage view's evidence lines, from the JSON report it reads
    const items = itemsFromReport(JSON.parse(renderJson(result)));
    const lock = items.find((it) => it.finding.evidence[0]?.path === 'app/package-lock.json')!;
    assert.ok(detailLines(lock, 200).some((l) => /layer sha256:[0-9a-f]{64}, from COPY app \/app$/.test(l.text)));
  });

  it('gives the same components from the OCI layout (zstd) and the OCI tar (gzip)', async (t) => {
    if (!docker || !ociZstd || !ociTar) return t.skip(IMAGES_MISSING);
    const ids = (r: ScanResult) => r.targets[0]!.components.map((c) => `${c.purl} ${c.evidence[0]!.path}:${c.evidence[0]!.line} ${c.evidence[0]!.layerCreatedBy}`);
    const base = ids(await scanned(docker));
    const zstd = await scanned(`oci:${ociZstd}`);
    const gz = await scanned(ociTar);
    assert.deepEqual(ids(zstd), base);
    assert.deepEqual(ids(gz), base);
    assert.deepEqual(new Set(zstd.targets[0]!.image!.layers.map((l) => l.compression)), new Set(['zstd']));
    assert.deepEqual(new Set(gz.targets[0]!.image!.layers.map((l) => l.compression)), new Set(['gzip']));
    // diff ids are over the uncompressed tar: identical whatever the compression
    assert.deepEqual(
      zstd.targets[0]!.image!.layers.map((l) => l.diffId),
      gz.targets[0]!.image!.layers.map((l) => l.diffId),
    );
    assert.equal(zstd.targets[0]!.image!.digest?.startsWith('sha256:'), true);
  });

  it('picks an image by ref name from a layout holding several', async (t) => {
    const layout = imageFixture('oci');
    if (!layout) return t.skip(IMAGES_MISSING);
    await assert.rejects(openTarget(layout), /holds 4 images .*name one as oci:PATH:REF/);
    // the temp dir holds the copies of wanted files during the walk and is gone after close()
    const opened = await openTarget(`oci:${layout}:app`, undefined, { wanted: (p) => p === 'var/lib/dpkg/status' });
    const temp = opened.image!.tempDir;
    assert.ok(existsSync(temp));
    await opened.image!.close();
    assert.equal(existsSync(temp), false);
    const r = (await scanned(`oci:${layout}:base`)).targets[0]!;
    assert.equal(r.image!.layers.length, 2);
    assert.ok(component(r, 'libsodium23'), 'libsodium23 is installed in the base image');
  });

  it('SARIF: <image>/<path> locations without colons, imagePath and layer; fingerprints survive a rebuild', async (t) => {
    const rebuilt = imageFixture('app-rebuilt.docker.tar');
    if (!docker || !rebuilt) return t.skip(IMAGES_MISSING);
    const a = await scanned(docker, 'fips-140-3');
    const b = await scanned(rebuilt, 'fips-140-3');
    const la = a.targets[0]!.image!.layers.map((l) => l.diffId);
    const lb = b.targets[0]!.image!.layers.map((l) => l.diffId);
    assert.notEqual(la[2], lb[2], 'the rebuild changed the app layer digest');
    const sa = buildSarif(a).runs[0]!.results!;
    const sb = buildSarif(b).runs[0]!.results!;
    assert.ok(sa.length > 0);
    const ssl = sa.find((r) => r.ruleId === 'deb-openssl-no-fips-provider')!;
    assert.ok(ssl, 'system OpenSSL without FIPS provider reported under fips-140-3');
    assert.equal(ssl.level, 'warning');
    assert.equal(ssl.locations![0]!.physicalLocation!.artifactLocation!.uri, 'app/var/lib/dpkg/status');
    assert.equal(ssl.properties!.imagePath, 'var/lib/dpkg/status');
    assert.equal(ssl.properties!.layer, la[1]);
    for (const r of sa) assert.doesNotMatch(r.locations![0]!.physicalLocation!.artifactLocation!.uri!, /:/);
    const fp = (rs: typeof sa) => rs.map((r) => `${r.ruleId} ${r.partialFingerprints!['cryptauditFinding/v1']}`).sort();
    assert.deepEqual(fp(sb), fp(sa));
  });

  it('JSON report: image facts, OS FIPS posture and layer history valid against the result schema', async (t) => {
    if (!docker) return t.skip(IMAGES_MISSING);
    const json = JSON.parse(renderJson(await scanned(docker, 'fips-140-3'))) as { targets: Array<Record<string, any>> };
    const validate = jsonReportValidator();
    assert.ok(validate(json), errorsText(validate));
    const target = json.targets[0];
    assert.equal(target.kind, 'image');
    assert.equal(target.image.layers.length, 4);
    assert.equal(target.osFips.state, 'not-configured');
    const f = target.findings.find((x: { ruleId: string }) => x.ruleId === 'deb-openssl-no-fips-provider');
    assert.equal(f.evidence[0].layerCreatedBy, 'RUN dpkg -i libssl3 openssl libsodium23');
  });

  it('scans files a later layer removed: marked with both layers, notes with their own fingerprints, present results unchanged', async (t) => {
    const layout = imageFixture('oci');
    if (!docker || !layout) return t.skip(IMAGES_MISSING);
    const r = (await scanned(docker)).targets[0]!;
    const layers = r.image!.layers.map((l) => l.diffId);
    const so = 'usr/lib/x86_64-linux-gnu/libsodium.so.23.3.0';
    // layer 4 purged libsodium23: the library's code is still in layer 2's bytes
    const gone = r.components.filter((c) => c.properties?.removedInLayer);
    assert.deepEqual(
      gone.map((c) => `${c.purl} ${c.evidence[0]!.path}`),
      [`pkg:generic/libsodium ${so}`],
    );
    const c = gone[0]!;
    assert.equal(c.properties!.removedInLayer, layers[3]);
    for (const e of c.evidence) {
      assert.equal(e.layer, layers[1]);
      assert.equal(e.removedIn, layers[3]);
      assert.equal(e.layerCreatedBy, 'RUN dpkg -i libssl3 openssl libsodium23');
    }
    assert.ok(r.image!.removedFiles.some((f) => f.path === so));
    const f = r.findings.find((x) => x.component === c)!;
    assert.equal(f.ruleId, 'generic-system-crypto-library');
    assert.equal(f.level, 'note');
    assert.match(f.message, /deleted by a later image layer: it is not in the final filesystem, but its bytes still ship/);
    const sarif = buildSarif(await scanned(docker)).runs[0]!.results!.find((x) => x.properties!.imagePath === so)!;
    assert.equal(sarif.level, 'note');
    assert.equal(sarif.properties!.layer, layers[1]);
    assert.equal(sarif.properties!.removedInLayer, layers[3]);
    const bom = buildCbom(await scanned(docker)).components!.find((x) => x.purl === c.purl)!;
    assert.ok(bom.properties!.some((p) => p.name === 'cryptaudit:removed-in-layer' && p.value === layers[3]));
    // the base image still has the library: the same rule, purl and path, present, with the plain fingerprint;
    // the removed copy's result is a different one
    const base = (await scanned(`oci:${layout}:base`)).targets[0]!;
    const present = base.findings.find((x) => x.ruleId === f.ruleId && x.evidence[0]!.path === so)!;
    assert.equal(present.component.properties?.removedInLayer, undefined);
    assert.equal(present.fingerprint, fingerprint(f.ruleId, c.purl, so));
    assert.notEqual(f.fingerprint, present.fingerprint);
    // without the removed files, everything else is identical: they add results, never change present ones
    const without = (await scan({ targets: [docker], policy: 'inventory', discoverConfig: false, failOn: 'none', removedFiles: false })).targets[0]!;
    const ids = (fs: typeof r.findings) => fs.map((x) => `${x.ruleId} ${x.level} ${x.fingerprint} ${x.message}`);
    assert.deepEqual(ids(r.findings.filter((x) => x !== f)), ids(without.findings));
    assert.deepEqual(without.components.filter((x) => x.properties?.removedInLayer), []);
  });

  it('--skip-removed-files leaves out what later layers deleted, and nothing else', (t) => {
    const docker = imageFixture('app.docker.tar');
    if (!docker) return t.skip(IMAGES_MISSING);
    const sarifOf = (...extra: string[]) => {
      const r = spawnSync(process.execPath, [cliPath, 'scan', docker, '--policy', 'inventory', '--format', 'sarif', '--fail-on', 'none', ...extra], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return (JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ fingerprints: Record<string, string>; properties: Record<string, unknown> }> }> }).runs[0]!.results;
    };
    const all = sarifOf();
    const skipped = sarifOf('--skip-removed-files');
    const removed = all.filter((x) => x.properties['removedInLayer']);
    assert.equal(removed.length, 1, 'the fixture image deletes one crypto library in a later layer');
    assert.deepEqual(skipped.filter((x) => x.properties['removedInLayer']), []);
    assert.deepEqual(
      skipped.map((x) => x.fingerprints),
      all.filter((x) => !x.properties['removedInLayer']).map((x) => x.fingerprints),
    );
  });

  it('reports a FIPS configuration whose provider module is missing', async (t) => {
    const fips = imageFixture('app-fips.docker.tar');
    if (!fips) return t.skip(IMAGES_MISSING);
    const r = (await scanned(fips)).targets[0]!;
    assert.equal(r.osFips!.state, 'configured-module-missing');
    assert.deepEqual(r.osFips!.opensslConfigs, [
      { path: 'etc/ssl/openssl.cnf', includesFipsModule: true, activatesFipsProvider: false, defaultPropertiesFips: true },
    ]);
    assert.deepEqual(r.osFips!.fipsProviderModules, []);
  });
});
