/** Command-line flags of a compiled job (README.md, "Using flowc"); `flowc run` passes the same. */
import { UserError } from '../errors.ts';
import { parseDuration } from '../formats/time.ts';
import type { JobDefinition } from './graph.ts';

export interface JobFlags {
  params: Map<string, string>;
  checkpointDir?: string;
  checkpointInterval?: number;
  /** `latest` (the default when a checkpoint exists), a checkpoint file, or undefined. */
  restore?: string;
  fresh: boolean;
  quiet: boolean;
  metricsPort?: number;
  help: boolean;
}

export function parseJobFlags(argv: string[]): JobFlags {
  const flags: JobFlags = { params: new Map(), fresh: false, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UserError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--param': case '-p': {
        const kv = value();
        const k = kv.indexOf('=');
        if (k <= 0) throw new UserError(`--param takes NAME=VALUE, found "${kv}"`);
        flags.params.set(kv.slice(0, k), kv.slice(k + 1));
        break;
      }
      case '--checkpoint-dir': flags.checkpointDir = value(); break;
      case '--checkpoint-interval': {
        const v = value();
        const ms = parseDuration(v);
        if (ms === undefined || ms < 10) throw new UserError(`--checkpoint-interval takes a duration of at least 10ms, like 10s; found "${v}"`);
        flags.checkpointInterval = ms;
        break;
      }
      case '--restore': flags.restore = value(); break;
      case '--fresh': flags.fresh = true; break;
      case '--quiet': case '-q': flags.quiet = true; break;
      case '--metrics-port': {
        const v = value();
        const port = Number(v);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--metrics-port takes a port number, found "${v}"`);
        flags.metricsPort = port;
        break;
      }
      case '--help': case '-h': flags.help = true; break;
      default:
        throw new UserError(`unknown flag "${arg}" (see --help)`);
    }
  }
  if (flags.fresh && flags.restore) throw new UserError('--fresh and --restore contradict each other');
  return flags;
}

export function usage(def: JobDefinition): string {
  const params = def.params.map((p) =>
    `  --param ${p.name}=${p.type.toUpperCase()}${p.default !== undefined ? `   (default ${JSON.stringify(p.default)})` : p.nullable ? '   (optional)' : '   (required)'}`);
  return [
    `${def.name}: a Flow job compiled by flowc`,
    '',
    'usage: node job.mjs [flags]',
    '',
    ...(params.length ? ['params:', ...params, ''] : []),
    'flags:',
    '  --param NAME=VALUE           set a param (repeatable)',
    '  --checkpoint-dir DIR         where checkpoints go (overrides the job block)',
    '  --checkpoint-interval D      how often to checkpoint, e.g. 10s (overrides the job block)',
    '  --restore latest|PATH        restore from a checkpoint (default: the latest, when there is one)',
    '  --fresh                      ignore existing checkpoints and start over',
    '  --quiet                      no status line or summary',
    '  --metrics-port N             serve Prometheus metrics on 127.0.0.1:N',
    '',
    'exit codes: 0 done, 1 user error, 2 internal error',
    '',
  ].join('\n');
}
