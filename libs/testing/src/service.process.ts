import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (the OS picks it; released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** True while the process has not exited. */
  alive(): boolean;
  /** The last lines of its log. */
  tail(lines?: number): string;
  /** SIGTERM to its whole process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ServiceProcess>();

// Last resort when the test process goes away without afterAll (jest --forceExit, a crash):
// children run in their own process groups, so nothing else would stop them.
process.once('exit', () => {
  for (const service of running) killGroup(service.child.pid, 'SIGKILL');
});

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function tailOf(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Starts `command args` detached, in its own process group, stdout and stderr appended to `logFile`. */
export function startProcess(options: { name: string; command: string; args: readonly string[]; env: NodeJS.ProcessEnv; cwd: string; logFile: string }): ServiceProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const service: ServiceProcess = {
    name: options.name,
    logFile: options.logFile,
    child,
    alive: () => !exited && child.exitCode === null && child.signalCode === null,
    tail: (lines = 40) => tailOf(options.logFile, lines),
    stop: async (graceMs = 5_000) => {
      if (service.alive()) {
        killGroup(child.pid, 'SIGTERM');
        await Promise.race([exit, sleep(graceMs)]);
      }
      // Also the group's other members (tsx runs the script in a child process).
      killGroup(child.pid, 'SIGKILL');
      running.delete(service);
    },
  };
  running.add(service);
  return service;
}

/** Polls `url` until it answers 2xx; fails early, with the log's tail, when the process exits. */
export async function waitForHttp(url: string, service: ServiceProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.alive()) throw new Error(`${service.name} exited (code ${service.child.exitCode}) before ${url} answered; log tail:\n${service.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name}: ${url} did not answer within ${timeoutMs} ms; log tail:\n${service.tail()}`);
    await sleep(250);
  }
}
