/**
 * Runs the `kobza` program in-process (commander with exitOverride), capturing stdout and stderr.
 */
import { vi } from 'vitest';
import { buildProgram } from '../../cli/kobza.js';

/**
 * @example
 * const { stdout, exitCode } = await runKobzaInProcess('cache', 'stats', '--config', file);
 */
export async function runKobzaInProcess(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'kobza', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, stderr, exitCode };
}
