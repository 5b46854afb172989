/**
 * nginx with `proxy_cache` (Debian's nginx or nginx-light) as the CDN benchmarks' peer: a
 * generated config in a temp dir, listening on a random 127.0.0.1 port, caching whatever
 * `origin` answers. One worker process plus the cache manager (which enforces `max_size`), so
 * the CPU figures are the whole server's: the master's and every child's, read from /proc.
 * Each answer carries `X-Cache-Status` ($upstream_cache_status: HIT, MISS, EXPIRED ...).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cpuSplit, type ServerProc } from './servers.js';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];

/** The nginx binary, or undefined when none is installed. */
export function nginxBinary(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export interface NginxCache {
  /** `max_size` of the cache, bytes (nginx counts whole file-system blocks per cached file). */
  maxBytes: number;
  /** Shared memory for keys (`keys_zone`), bytes: about 8,000 keys per MiB. */
  keysZoneBytes?: number;
}

/** The file-system block size under `dir`: nginx's cache accounts each file in whole blocks. */
export function blockSize(dir: string): number {
  try {
    return statfsSync(dir).bsize || 4096;
  } catch {
    return 4096;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The pids of a process's children (nginx's worker and cache processes). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export async function startNginx(dir: string, originPort: number, cache: NginxCache): Promise<ServerProc> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (apt-get install -y nginx-light)');
  mkdirSync(join(dir, 'cache'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const keysZone = Math.max(1, Math.ceil((cache.keysZoneBytes ?? 64 * 1024 * 1024) / (1024 * 1024)));
  // As root, nginx's workers would run as nobody, who cannot write the cache in our temp dir.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  const conf = `
${user}
daemon off;
master_process on;
worker_processes 1;
error_log ${join(dir, 'error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  proxy_cache_path ${join(dir, 'cache')} levels=1:2 keys_zone=cdn:${keysZone}m max_size=${Math.floor(cache.maxBytes / 1024)}k inactive=7d use_temp_path=off;
  upstream origin { server 127.0.0.1:${originPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache cdn;
      proxy_cache_valid 200 1d;
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status;
    }
  }
}
`;
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const child = spawn(bin, ['-p', dir, '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr = (stderr + c).slice(-8000)));
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r((exitCode = code))));
  const pid = child.pid!;
  const endpoint = `http://127.0.0.1:${port}`;
  // Ready when it answers on its port.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`nginx exited with ${exitCode}; stderr:\n${stderr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`);
    const up = await fetch(`${endpoint}/_ready`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not get ready in time; stderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const split = () => {
    let user = 0;
    let system = 0;
    for (const p of [pid, ...childrenOf(pid)]) {
      try {
        const c = cpuSplit(p);
        user += c.user;
        system += c.system;
      } catch {
        // a child that ended meanwhile
      }
    }
    return { user, system };
  };
  return {
    name: 'nginx',
    endpoint,
    pid,
    cpuMicros: () => {
      const s = split();
      return s.user + s.system;
    },
    cpuSplit: split,
    writeBytes: () => NaN,
    memory: () => ({ rssMb: NaN, peakMb: NaN }),
    stderrTail: () => stderr,
    exited: () => exitCode !== undefined,
    async stop(timeoutMs = 10_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM'); // fast shutdown: the master stops its workers
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
