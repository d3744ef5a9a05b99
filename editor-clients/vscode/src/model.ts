// Where a model comes from: the `cromwell.model` setting is either a catalogue name, installed as
// <store>/<name>.gguf, or a path to a GGUF file. The store follows the server's rule:
// $CROMWELL_HOME/models, with CROMWELL_HOME defaulting to ${XDG_CACHE_HOME:-~/.cache}/cromwell.
import * as path from 'node:path';

export type ModelSpec =
  | { kind: 'none' }
  | { kind: 'name'; name: string; path: string }
  | { kind: 'path'; path: string };

export type Env = Readonly<Record<string, string | undefined>>;

export function modelStore(env: Env, home: string): string {
  const cromwellHome =
    nonEmpty(env.CROMWELL_HOME) ?? path.join(nonEmpty(env.XDG_CACHE_HOME) ?? path.join(home, '.cache'), 'cromwell');
  return path.join(expandHome(cromwellHome, home), 'models');
}

/** A catalogue name has no path separator and no .gguf suffix; anything else is a path. */
export function isCatalogueName(spec: string): boolean {
  return !/[\\/]/.test(spec) && !spec.toLowerCase().endsWith('.gguf') && !spec.startsWith('~') && !spec.startsWith('.');
}

export function parseModel(setting: unknown, env: Env, home: string, cwd: string): ModelSpec {
  const spec = typeof setting === 'string' ? setting.trim() : '';
  if (spec === '') {
    return { kind: 'none' };
  }
  if (isCatalogueName(spec)) {
    return { kind: 'name', name: spec, path: path.join(modelStore(env, home), spec + '.gguf') };
  }
  return { kind: 'path', path: path.resolve(cwd, expandHome(spec, home)) };
}

export function expandHome(p: string, home: string): string {
  if (p === '~') {
    return home;
  }
  return p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}

/**
 * Names offered by "Cromwell: Download Model". The catalogue inside the server (cromwell pull)
 * is the authority: it refuses a name it does not know, so this list only saves typing.
 */
export const SUGGESTED_MODELS: readonly { name: string; detail: string }[] = [
  { name: 'qwen2.5-coder-0.5b-instruct', detail: 'Qwen2.5-Coder 0.5B, Q4_K_M, 491 MB — the default' },
  { name: 'smollm2-135m-instruct', detail: 'SmolLM2 135M, Q4_1, 98 MB — fastest, weakest' },
  { name: 'qwen2.5-coder-1.5b-instruct', detail: 'Qwen2.5-Coder 1.5B, Q4_K_M, 1.1 GB — best, slowest' },
];
