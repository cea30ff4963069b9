import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { blobPath, DIGEST_RE, sha256Hex, type ResolvedImage } from './image.js';
import { DEFAULT_PLATFORM, INDEX_TYPES, resolveManifest, toResolved, type Descriptor } from './oci-layout.js';
import { DirStore, ImageError } from './store.js';

/**
 * `registry:REF` over the OCI distribution API (GET /v2/<name>/manifests/<ref>, /v2/<name>/blobs/<digest>):
 * anonymous, bearer-token (WWW-Authenticate: Bearer realm=…) and basic auth, credentials from the Docker config
 * file (`credHelpers`, `credsStore`, `auths`). Manifests and layers are verified against their digests; layers stream to a temp dir
 * (never held in memory) that the image's cleanup() removes. Credentials never appear in any message.
 */

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const MAX_MANIFEST = 4 * 1024 * 1024;

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Docker's reference grammar, simplified: [host[:port]/]path[:tag][@sha256:…]; Docker Hub by default. */
export function parseRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new ImageError(`registry:${ref}: '${digest}' is not a sha256 digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0]!;
  let registry = 'registry-1.docker.io';
  let repository = rest;
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = rest.slice(first.length + 1);
  }
  if (registry === 'registry-1.docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository)) {
    throw new ImageError(`registry:${ref}: '${repository}' is not a valid repository name`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new ImageError(`registry:${ref}: '${tag}' is not a valid tag`);
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Plain HTTP only for loopback registries (what Docker also allows without configuration). */
function baseUrl(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || /^127\./.test(host);
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

interface Credentials {
  username: string;
  password: string;
  /** a credential helper's identity token (Username "<token>"): exchanged for an access token at the token service */
  identityToken?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface CredentialOptions {
  /** the Docker config file; default $DOCKER_CONFIG/config.json or ~/.docker/config.json */
  configFile?: string;
  /** how long a credential helper may take */
  helperTimeoutMs?: number;
}

const HELPER_TIMEOUT_MS = 30_000;
const HELPER_MAX_OUTPUT = 64 * 1024;

/**
 * Credentials for a registry from the Docker config file, as the Docker CLI picks them: a `credHelpers` entry
 * for the registry, else the `credsStore` helper, else `auths` (base64 "user:pass", or username/password).
 */
export async function dockerCredentials(registry: string, opts: CredentialOptions = {}): Promise<Credentials | undefined> {
  const file = opts.configFile ?? path.join(process.env['DOCKER_CONFIG'] ?? path.join(os.homedir(), '.docker'), 'config.json');
  let config: DockerConfig;
  try {
    config = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // never echo the file: it holds secrets
    throw new ImageError(`Docker config ${file} could not be read as JSON`);
  }
  const hub = registry === 'registry-1.docker.io';
  const keys = hub ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', registry] : [registry, `https://${registry}`, `http://${registry}`];
  // the server URL helpers store Docker Hub under; other registries by host[:port]
  const serverUrl = hub ? 'https://index.docker.io/v1/' : registry;
  const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => typeof h === 'string' && h) ?? config.credsStore;
  if (typeof helper === 'string' && helper) return helperCredentials(helper, serverUrl, file, opts.helperTimeoutMs ?? HELPER_TIMEOUT_MS);
  for (const k of keys) {
    const e = config.auths?.[k] ?? config.auths?.[`${k}/`];
    if (!e) continue;
    if (e.identitytoken) return { username: '', password: '', identityToken: e.identitytoken };
    if (e.username && e.password) return { username: e.username, password: e.password };
    if (e.auth) {
      const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
    }
  }
  return undefined;
}

/**
 * Docker's credential-helper protocol: `docker-credential-<name> get`, the server URL on stdin, JSON
 * {ServerURL, Username, Secret} on stdout; Username "<token>" makes Secret an identity token. Run with execFile
 * (no shell) and a timeout. Nothing the helper prints goes into a message: it may hold the secret.
 */
async function helperCredentials(name: string, serverUrl: string, configFile: string, timeoutMs: number): Promise<Credentials | undefined> {
  const where = `credential helper docker-credential-${name} (from ${configFile})`;
  // a name, not a path: the helper is looked up on PATH like Docker does
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new ImageError(`${where}: '${name}' is not a helper name`);
  const { stdout, code, error } = await new Promise<{ stdout: string; code: number | string | null; error?: NodeJS.ErrnoException }>((resolve) => {
    const child = execFile(
      `docker-credential-${name}`,
      ['get'],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: HELPER_MAX_OUTPUT, windowsHide: true, encoding: 'utf8' },
      (err, out) => resolve({ stdout: out, code: err ? ((err as NodeJS.ErrnoException).code ?? null) : 0, ...(err ? { error: err as NodeJS.ErrnoException } : {}) }),
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${serverUrl}\n`);
  });
  if (error) {
    if (error.code === 'ENOENT') throw new ImageError(`${where}: not found on PATH`);
    if ((error as { killed?: boolean }).killed) throw new ImageError(`${where}: no answer within ${timeoutMs} ms`);
    // the helpers of docker/docker-credential-helpers say so on stdout and exit 1: anonymous, like Docker
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new ImageError(`${where}: failed (exit ${typeof code === 'number' ? code : String(code)})`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw new ImageError(`${where}: answer is not JSON`);
  }
  if (typeof answer.Secret !== 'string' || !answer.Secret) throw new ImageError(`${where}: answer has no Secret`);
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  if (username === '<token>') return { username: '', password: '', identityToken: answer.Secret };
  return { username, password: answer.Secret };
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const sp = header.indexOf(' ');
  const scheme = (sp === -1 ? header : header.slice(0, sp)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(sp + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;
  constructor(
    private readonly ref: ImageRef,
    private readonly display: string,
    /** read on the first challenge only: an anonymous pull never runs a credential helper */
    private readonly credentials: () => Promise<Credentials | undefined>,
  ) {
    this.base = baseUrl(ref.registry);
  }

  private fail(what: string, detail: string): never {
    throw new ImageError(`registry:${this.display}: ${what}: ${detail}`);
  }

  private async request(url: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept) headers['accept'] = accept;
    if (this.authorization) headers['authorization'] = this.authorization;
    let res: Response;
    try {
      res = await fetch(url, { headers, redirect: 'follow' });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      this.fail(`cannot reach ${this.ref.registry}`, cause ?? (e as Error).message);
    }
    if (res.status === 401) {
      await res.body?.cancel();
      await this.authenticate(res.headers.get('www-authenticate') ?? '');
      headers['authorization'] = this.authorization!;
      res = await fetch(url, { headers, redirect: 'follow' });
    }
    return res;
  }

  private async authenticate(header: string): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    const creds = await this.credentials();
    const basic = creds && !creds.identityToken ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (creds?.identityToken) this.fail('authentication required', `the registry asks for a password, but the Docker config gives an identity token for ${this.ref.registry}`);
      if (!basic) this.fail('authentication required', `no credentials for ${this.ref.registry} in the Docker config file`);
      this.authorization = basic;
      return;
    }
    if (scheme !== 'bearer' || !params['realm']) this.fail('authentication required', `unsupported challenge '${scheme}'`);
    const realm = new URL(params['realm']!);
    const scope = params['scope'] ?? `repository:${this.ref.repository}:pull`;
    let res: Response;
    try {
      if (creds?.identityToken) {
        // the distribution spec's OAuth2 flow: the identity token is a refresh token, POSTed, never in a URL
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, scope, client_id: 'cryptaudit' });
        if (params['service']) form.set('service', params['service']);
        res = await fetch(realm, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      } else {
        if (params['service']) realm.searchParams.set('service', params['service']);
        realm.searchParams.set('scope', scope);
        res = await fetch(realm, { headers: basic ? { authorization: basic } : {} });
      }
    } catch (e) {
      this.fail('token service unreachable', (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
    }
    if (!res.ok) {
      await res.body?.cancel();
      this.fail('authentication failed', `token service answered ${res.status}${creds ? ' (check the credentials in the Docker config file)' : ' (no credentials for this registry in the Docker config file)'}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) this.fail('authentication failed', 'token service returned no token');
    this.authorization = `Bearer ${token}`;
  }

  private check(res: Response, what: string): void {
    if (res.ok) return;
    if (res.status === 401 || res.status === 403) this.fail(what, `access denied (${res.status}); check the credentials for ${this.ref.registry} in the Docker config file`);
    if (res.status === 404) this.fail(what, 'not found (404)');
    this.fail(what, `HTTP ${res.status}`);
  }

  /** A manifest or index by tag or digest, verified when addressed by digest; returns its digest. */
  async manifest(reference: string): Promise<{ body: Buffer; digest: string; mediaType?: string }> {
    const res = await this.request(`${this.base}/v2/${this.ref.repository}/manifests/${reference}`, MANIFEST_ACCEPT);
    this.check(res, `manifest ${reference}`);
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_MANIFEST) this.fail(`manifest ${reference}`, `${len} bytes is too large`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_MANIFEST) this.fail(`manifest ${reference}`, 'too large');
    const digest = `sha256:${sha256Hex(body)}`;
    if (reference.startsWith('sha256:') && digest !== reference) this.fail(`manifest ${reference}`, `content has digest ${digest}: corrupt or tampered with`);
    return { body, digest, mediaType: res.headers.get('content-type')?.split(';')[0] ?? undefined };
  }

  async smallBlob(digest: string): Promise<Buffer> {
    const res = await this.request(`${this.base}/v2/${this.ref.repository}/blobs/${digest}`);
    this.check(res, `blob ${digest}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (`sha256:${sha256Hex(body)}` !== digest) this.fail(`blob ${digest}`, 'content does not match its digest: corrupt or tampered with');
    return body;
  }

  /** Stream a blob to `file`, hashing on the way; a mismatch deletes the file and fails. */
  async blobToFile(digest: string, file: string): Promise<void> {
    const res = await this.request(`${this.base}/v2/${this.ref.repository}/blobs/${digest}`);
    this.check(res, `layer ${digest}`);
    if (!res.body) this.fail(`layer ${digest}`, 'empty response');
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), tap, createWriteStream(file));
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== digest) {
      await fs.rm(file, { force: true });
      this.fail(`layer ${digest}`, `downloaded content has digest ${got}: corrupt or tampered with`);
    }
  }
}

export async function pullImage(ref: string, opts: { platform?: string; dockerConfig?: string }): Promise<ResolvedImage> {
  const parsed = parseRef(ref);
  let creds: Promise<Credentials | undefined> | undefined;
  const client = new RegistryClient(parsed, ref, () => (creds ??= dockerCredentials(parsed.registry, { configFile: opts.dockerConfig })));
  const where = `registry:${ref}`;
  const top = await client.manifest(parsed.digest ?? parsed.tag ?? 'latest');
  // descriptors below the top come back by digest; the top one is what the tag/digest named
  const fetched = new Map<string, Buffer>([[top.digest, top.body]]);
  const fetch = async (d: Descriptor): Promise<Buffer> => {
    const hit = fetched.get(d.digest);
    if (hit) return hit;
    const isManifest = d.mediaType === undefined || d.mediaType.includes('manifest') || INDEX_TYPES.includes(d.mediaType);
    return isManifest && !d.mediaType?.includes('config') ? (await client.manifest(d.digest)).body : client.smallBlob(d.digest);
  };
  const first: Descriptor = { digest: top.digest, ...(top.mediaType ? { mediaType: top.mediaType } : {}) };
  const resolved = await resolveManifest(first, fetch, { platform: opts.platform ?? DEFAULT_PLATFORM, where });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cryptaudit-pull-'));
  const cleanup = () => fs.rm(dir, { recursive: true, force: true });
  try {
    await fs.mkdir(path.join(dir, 'blobs/sha256'), { recursive: true });
    for (const layer of resolved.manifest.layers ?? []) {
      await client.blobToFile(layer.digest, path.join(dir, blobPath(layer.digest, where)));
    }
    const image = toResolved(new DirStore(dir, where), where, `${parsed.registry}/${parsed.repository}`, resolved, where);
    image.cleanup = cleanup;
    return image;
  } catch (e) {
    await cleanup();
    throw e;
  }
}
