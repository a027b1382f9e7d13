/**
 * A real Redis for tests: the one .ci/run started (KOBZA_TEST_REDIS_URL), or a private
 * redis-server on a free loopback port. Fails loudly when neither is possible, so Redis
 * tests never skip silently.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not start on port ${port}`);
}

/**
 * @example
 * const redis = await startTestRedis(); … await redis.stop();
 */
export async function startTestRedis(): Promise<TestRedis> {
  const shared = process.env.KOBZA_TEST_REDIS_URL;
  if (shared) return { url: shared, stop: async () => {} };
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('Redis tests need redis-server: install it (apt-get install -y redis-server) or set KOBZA_TEST_REDIS_URL');
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'kobza-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await waitForPort(port, Date.now() + 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private redis-server a test may stop, freeze and bring back (outage tests). */
export interface ControllableRedis extends TestRedis {
  port: number;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hang). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** SIGKILL: connections drop, the port refuses. */
  kill(): Promise<void>;
  /** Starts a fresh (empty) server on the same port after `kill`. */
  restart(): Promise<void>;
  /** Whether the process is stopped by SIGSTOP right now (read from /proc). */
  isPaused(): boolean;
}

/**
 * Always a private redis-server (never KOBZA_TEST_REDIS_URL: the test kills it).
 * @example
 * const redis = await startControllableRedis(); redis.pause(); … redis.resume(); await redis.stop();
 */
export async function startControllableRedis(options: { password?: string } = {}): Promise<ControllableRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'kobza-redis-'));
  let child: ChildProcess;
  const launch = async () => {
    const auth = options.password ? ['--requirepass', options.password] : [];
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...auth], { stdio: 'ignore' });
    await waitForPort(port, Date.now() + 10_000);
  };
  const exited = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
  await launch();
  return {
    url: options.password ? `redis://:${options.password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    port,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    isPaused: () => {
      try {
        return /^\d+ \(.*\) T /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    },
    async kill() {
      const done = exited();
      child.kill('SIGKILL');
      await done;
    },
    restart: launch,
    async stop() {
      const done = exited();
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
