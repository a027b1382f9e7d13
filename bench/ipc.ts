/**
 * The parent side of a bench child process that answers numbered commands over IPC: each
 * command goes out with a sequence number under `key`, and the child's reply
 * `{ [key], value }` or `{ [key], error }` settles the matching call.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * A `call(command)` for a forked child.
 * @example
 * const call = ipcCaller(fork('child.js'));
 * const { url } = await call<{ url: string }>({ cmd: 'start' });
 */
export function ipcCaller(child: ChildProcess, key: 'seq' | 'id' = 'seq'): <T>(command: object) => Promise<T> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (message: Record<string, unknown> & { value?: unknown; error?: string }) => {
    const number = message[key] as number;
    const waiter = pending.get(number);
    pending.delete(number);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
  });
  return function call<T>(command: object): Promise<T> {
    const number = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(number, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...command, [key]: number });
    });
  };
}
