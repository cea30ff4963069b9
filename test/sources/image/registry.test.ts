// registry:REF against a real registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1, with the
// debootstrap-built image pushed by skopeo: anonymous, basic auth (htpasswd) and bearer tokens (a token service
// in front of the same registry), credentials from a Docker config file. No credential may reach any output.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scan, ScanInputError } from '../../../src/index.js';
import { renderJson } from '../../../src/report/json.js';
import { renderSarif } from '../../../src/report/sarif.js';
import { renderText } from '../../../src/report/text.js';
import { dockerCredentials, parseRef } from '../../../src/sources/image/registry.js';
import { imageFixture, IMAGES_MISSING } from './helpers.js';

const USER = 'ci-user';
const PASSWORD = 'S3cret-pw-7f2a9c';
const TOKEN = 'tok-91c3e7d2b8a4';
const IDENTITY_TOKEN = 'idt-5e0b7c1f9a3d';

function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cryptaudit-registry-'));
const procs: ChildProcess[] = [];
let tokenServer: http.Server | undefined;
const tokenPosts: Array<{ url: string; grantType: string | null; scope: string | null; service: string | null }> = [];

async function startRegistry(name: string, withAuth: boolean): Promise<string> {
  const port = await freePort();
  const dir = path.join(tmp, name);
  const auth = withAuth ? `auth:\n  htpasswd:\n    realm: cryptaudit-test\n    path: ${dir}.htpasswd\n` : '';
  if (withAuth) writeFileSync(`${dir}.htpasswd`, execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]));
  writeFileSync(`${dir}.yml`, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const p = spawn('docker-registry', ['serve', `${dir}.yml`], { stdio: 'ignore' });
  procs.push(p);
  await waitFor(`http://127.0.0.1:${port}/v2/`);
  return `127.0.0.1:${port}`;
}

function push(layout: string, dest: string, creds?: string): void {
  execFileSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []), `oci:${layout}:app`, `docker://${dest}`], {
    stdio: 'ignore',
  });
}

function dockerConfig(registry: string, password = PASSWORD): string {
  const file = path.join(tmp, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } }));
  return file;
}

/** Every rendering of a result and its errors, to look for leaked secrets. */
function allOutput(r: Awaited<ReturnType<typeof scan>>): string {
  return [renderJson(r), renderSarif(r), renderText(r, { color: false } as never)].join('\n');
}

const layout = imageFixture('oci');
const tools = have('docker-registry') && have('skopeo') && have('htpasswd');
const skip = !layout ? IMAGES_MISSING : !tools ? 'docker-registry/skopeo/htpasswd not installed (scripts/make-image-fixtures.sh installs them)' : undefined;
if (skip && process.env.CI && !tools) throw new Error(skip);

describe('registry:REF', { skip }, () => {
  let open: string;
  let locked: string;
  let bearer: string;
  const oldDockerConfig = process.env['DOCKER_CONFIG'];

  before(async () => {
    open = await startRegistry('open', false);
    locked = await startRegistry('locked', true);
    push(layout!, `${open}/team/app:1.0`);
    push(layout!, `${locked}/team/app:1.0`, `${USER}:${PASSWORD}`);
    // a token service (the Bearer flow of the distribution spec) in front of the open registry
    const port = await freePort();
    bearer = `127.0.0.1:${port}`;
    tokenServer = http
      .createServer((req, res) => {
        if (req.url!.startsWith('/token') && req.method === 'POST') {
          // the OAuth2 refresh-token flow a credential helper's identity token takes
          let body = '';
          req.on('data', (d) => (body += d));
          req.on('end', () => {
            const form = new URLSearchParams(body);
            tokenPosts.push({ url: req.url!, grantType: form.get('grant_type'), scope: form.get('scope'), service: form.get('service') });
            const ok = form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === IDENTITY_TOKEN;
            res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
            res.end(ok ? JSON.stringify({ access_token: TOKEN }) : '{}');
          });
          return;
        }
        if (req.url!.startsWith('/token')) {
          const ok = req.headers.authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
          res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
          return res.end(ok ? JSON.stringify({ token: TOKEN }) : '{}');
        }
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${bearer}/token",service="test",scope="repository:team/app:pull"` });
          return res.end();
        }
        const up = http.request(`http://${open}${req.url}`, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } }, (u) => {
          res.writeHead(u.statusCode!, u.headers);
          u.pipe(res);
        });
        up.end();
      })
      .listen(port, '127.0.0.1');
    // no ambient Docker config may leak into these tests
    process.env['DOCKER_CONFIG'] = path.join(tmp, 'no-docker-config');
  });

  after(() => {
    for (const p of procs) p.kill();
    tokenServer?.close();
    if (oldDockerConfig === undefined) delete process.env['DOCKER_CONFIG'];
    else process.env['DOCKER_CONFIG'] = oldDockerConfig;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('parses references the way Docker does', () => {
    assert.deepEqual(parseRef('alpine'), { registry: 'registry-1.docker.io', repository: 'library/alpine' });
    assert.deepEqual(parseRef('127.0.0.1:5000/team/app:1.0'), { registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.0' });
    assert.throws(() => parseRef('Team/App'), /not a valid repository name/);
  });

  it('pulls anonymously, verifies digests and scans like the local image', async () => {
    const r = await scan({ targets: [`registry:${open}/team/app:1.0`], policy: 'inventory', discoverConfig: false, failOn: 'none' });
    const t = r.targets[0]!;
    assert.equal(t.kind, 'image');
    assert.equal(t.displayRoot, 'app');
    assert.deepEqual(t.errors, []);
    assert.equal(t.image!.reference, `registry:${open}/team/app:1.0`);
    assert.match(t.image!.digest!, /^sha256:[0-9a-f]{64}$/);
    const ssl = t.components.find((c) => c.name === 'libssl3')!;
    assert.equal(ssl.evidence[0]!.layerCreatedBy, 'RUN dpkg -i libssl3 openssl libsodium23');
    const local = await scan({ targets: [`oci:${layout}:app`], policy: 'inventory', discoverConfig: false, failOn: 'none' });
    assert.deepEqual(
      t.components.map((c) => c.purl),
      local.targets[0]!.components.map((c) => c.purl),
    );
  });

  it('uses basic auth from the Docker config file and never prints the password', async () => {
    await assert.rejects(
      scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }),
      (e: Error) => e instanceof ScanInputError && /no credentials for 127\.0\.0\.1:\d+ in the Docker config file/.test(e.message),
    );
    process.env['DOCKER_CONFIG'] = path.dirname(dockerConfig(locked));
    // DOCKER_CONFIG names a folder with config.json
    writeFileSync(path.join(process.env['DOCKER_CONFIG'], 'config.json'), JSON.stringify({ auths: { [locked]: { username: USER, password: PASSWORD } } }));
    try {
      const r = await scan({ targets: [`registry:${locked}/team/app:1.0`], policy: 'fips-140-3', discoverConfig: false, failOn: 'none' });
      assert.ok(r.targets[0]!.components.length > 100);
      const out = allOutput(r);
      assert.ok(!out.includes(PASSWORD) && !out.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'password in output');
      writeFileSync(path.join(process.env['DOCKER_CONFIG'], 'config.json'), JSON.stringify({ auths: { [locked]: { username: USER, password: 'wrong-' + PASSWORD } } }));
      await assert.rejects(scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }), (e: Error) => {
        assert.match(e.message, /access denied \(401\); check the credentials for 127\.0\.0\.1:\d+ in the Docker config file/);
        assert.ok(!e.message.includes(PASSWORD) && !(e.stack ?? '').includes(PASSWORD));
        return true;
      });
    } finally {
      process.env['DOCKER_CONFIG'] = path.join(tmp, 'no-docker-config');
    }
  });

  it('follows a Bearer challenge to the token service', async () => {
    const r0 = scan({ targets: [`registry:${bearer}/team/app:1.0`], discoverConfig: false });
    await assert.rejects(r0, /authentication failed: token service answered 401 \(no credentials for this registry/);
    const dir = path.join(tmp, 'bearer-config');
    process.env['DOCKER_CONFIG'] = dir;
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [bearer]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
    try {
      const r = await scan({ targets: [`registry:${bearer}/team/app:1.0`], policy: 'inventory', discoverConfig: false, failOn: 'none' });
      assert.ok(r.targets[0]!.components.some((c) => c.name === 'libssl3'));
      const out = allOutput(r);
      for (const secret of [PASSWORD, TOKEN]) assert.ok(!out.includes(secret), `${secret} in output`);
    } finally {
      process.env['DOCKER_CONFIG'] = path.join(tmp, 'no-docker-config');
    }
  });

  it('names a missing tag and an unreachable registry', async () => {
    await assert.rejects(scan({ targets: [`registry:${open}/team/app:nope`], discoverConfig: false }), /manifest nope: not found \(404\)/);
    const port = await freePort();
    await assert.rejects(scan({ targets: [`registry:127.0.0.1:${port}/team/app:1.0`], discoverConfig: false }), /cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
  describe('Docker credential helpers (credHelpers, credsStore)', () => {
    // helpers implementing Docker's protocol (`get`, server URL on stdin, JSON on stdout), put on PATH
    const bin = path.join(tmp, 'bin');
    const log = path.join(tmp, 'helper.log');
    const oldPath = process.env['PATH'];
    const helper = (name: string, body: string) => {
      const file = path.join(bin, `docker-credential-${name}`);
      writeFileSync(file, `#!/bin/sh\nread -r url\nprintf '%s %s\\n' "$*" "$url" >> '${log}'\n${body}\n`, { mode: 0o755 });
    };
    const config = (c: object) => {
      const dir = path.join(tmp, `helper-config-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
      process.env['DOCKER_CONFIG'] = dir;
      return path.join(dir, 'config.json');
    };
    const calls = () => readFileSync(log, 'utf8').trim().split('\n');

    before(() => {
      mkdirSync(bin, { recursive: true });
      const json = (user: string, secret: string) => `printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$url" '${user}' '${secret}'`;
      helper('ca-basic', `[ "$1" = get ] || exit 2\ncase "$url" in\n  ${locked}) ${json(USER, PASSWORD)} ;;\n  *) echo 'credentials not found in native keychain'; exit 1 ;;\nesac`);
      helper('ca-token', `[ "$1" = get ] || exit 2\n${json('<token>', IDENTITY_TOKEN)}`);
      helper('ca-none', `echo 'credentials not found in native keychain'; exit 1`);
      helper('ca-broken', `echo 'oops ${PASSWORD}'; echo '${PASSWORD}' >&2; exit 3`);
      helper('ca-slow', `sleep 5`);
      process.env['PATH'] = `${bin}${path.delimiter}${oldPath}`;
    });
    after(() => {
      process.env['PATH'] = oldPath;
      process.env['DOCKER_CONFIG'] = path.join(tmp, 'no-docker-config');
    });

    it('credHelpers: runs the registry\'s helper with `get` and the server URL on stdin; the password never reaches output', async () => {
      writeFileSync(log, '');
      config({ credHelpers: { [locked]: 'ca-basic' }, credsStore: 'ca-none' });
      const r = await scan({ targets: [`registry:${locked}/team/app:1.0`], policy: 'fips-140-3', discoverConfig: false, failOn: 'none' });
      assert.ok(r.targets[0]!.components.length > 100);
      // asked once, with the registry as Docker names it, on stdin (not in argv)
      assert.deepEqual(calls(), [`get ${locked}`]);
      const out = allOutput(r);
      assert.ok(!out.includes(PASSWORD) && !out.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'password in output');
    });

    it('credsStore: an identity token (Username "<token>") is exchanged at the token service with the refresh-token grant', async () => {
      writeFileSync(log, '');
      tokenPosts.length = 0;
      config({ credsStore: 'ca-token', auths: { [bearer]: {} } });
      const r = await scan({ targets: [`registry:${bearer}/team/app:1.0`], policy: 'inventory', discoverConfig: false, failOn: 'none' });
      assert.ok(r.targets[0]!.components.some((c) => c.name === 'libssl3'));
      assert.deepEqual(calls(), [`get ${bearer}`]);
      assert.deepEqual(tokenPosts, [{ url: '/token', grantType: 'refresh_token', scope: 'repository:team/app:pull', service: 'test' }]);
      const out = allOutput(r);
      for (const secret of [IDENTITY_TOKEN, TOKEN]) assert.ok(!out.includes(secret), `${secret} in output`);
    });

    it('an anonymous pull never runs the helper', async () => {
      writeFileSync(log, '');
      config({ credsStore: 'ca-basic' });
      const r = await scan({ targets: [`registry:${open}/team/app:1.0`], policy: 'inventory', discoverConfig: false, failOn: 'none' });
      assert.ok(r.targets[0]!.components.length > 100);
      assert.equal(readFileSync(log, 'utf8'), '');
    });

    it('names the helper when it has no credentials, is missing, fails or hangs, and never repeats what it printed', async () => {
      config({ credsStore: 'ca-none' });
      await assert.rejects(scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }), /authentication required: no credentials for 127\.0\.0\.1:\d+ in the Docker config file/);
      const missing = config({ credHelpers: { [locked]: 'ca-missing' } });
      await assert.rejects(scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }), (e: Error) => {
        assert.ok(e instanceof ScanInputError);
        assert.equal(e.message, `credential helper docker-credential-ca-missing (from ${missing}): not found on PATH`);
        return true;
      });
      const broken = config({ credHelpers: { [locked]: 'ca-broken' } });
      await assert.rejects(scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }), (e: Error) => {
        assert.equal(e.message, `credential helper docker-credential-ca-broken (from ${broken}): failed (exit 3)`);
        assert.ok(!(e.stack ?? '').includes(PASSWORD));
        return true;
      });
      config({ credHelpers: { [locked]: '../ca-basic' } });
      await assert.rejects(scan({ targets: [`registry:${locked}/team/app:1.0`], discoverConfig: false }), /'\.\.\/ca-basic' is not a helper name/);
      const slow = config({ credsStore: 'ca-slow' });
      const started = Date.now();
      await assert.rejects(dockerCredentials(locked, { configFile: slow, helperTimeoutMs: 300 }), (e: Error) => {
        assert.equal(e.message, `credential helper docker-credential-ca-slow (from ${slow}): no answer within 300 ms`);
        return true;
      });
      assert.ok(Date.now() - started < 4000, 'the hung helper was stopped at the timeout');
    });
  });
});
