import { execFile, type ExecFileOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const BUILD = 'npm run --silent build';
const BUILD_TIMEOUT_MS = 180_000;
let built: Promise<void> | undefined;

export interface CliResult {
  stdout: string;
  stderr: string;
}

/**
 * The command line `npm run <script>` ends in, read from package.json: `node <flags> dist/scripts/x.js` when
 * the script's only pre-step is the build, otherwise npm itself (so nothing npm would run is skipped).
 */
export function scriptCommand(script: string, args: string[]): [string, string[]] {
  const line = scripts[script];
  if (line === undefined) throw new Error(`package.json has no script "${script}"`);
  const words = line.split(' ');
  const direct = words[0] === 'node' && scripts[`pre${script}`] === BUILD && !/["'$&|;<>`\\]/.test(line);
  return direct ? [process.execPath, [...words.slice(1), ...args]] : ['npm', ['run', '--silent', script, '--', ...args]];
}

/**
 * `npm run <script> -- ...args`, as the README has people type it. The first call in a test process goes
 * through npm, whose pre-step compiles dist/ and so proves the npm wiring; later calls run the same `node`
 * command line directly, sparing each npm's start-up and a `tsc` that finds nothing left to compile
 * (about 5 s of CPU a call). Rejects like execFile on a non-zero exit, with `code`, `stdout` and `stderr`.
 */
export function npmRun(script: string, args: string[], options: ExecFileOptions): Promise<CliResult> {
  if (!built) {
    // This call may compile what changed since the last build: on a busy machine, minutes.
    const timeout = options.timeout ? options.timeout + BUILD_TIMEOUT_MS : undefined;
    const first = run('npm', ['run', '--silent', script, '--', ...args], { ...options, timeout, encoding: 'utf8' });
    built = first.then(() => undefined, () => undefined);
    return first;
  }
  return built.then(() => {
    const [command, argv] = scriptCommand(script, args);
    return run(command, argv, { ...options, encoding: 'utf8' });
  });
}
