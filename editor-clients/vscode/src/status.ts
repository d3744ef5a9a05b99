// What cromwell/status returns (CromwellLanguageServer.status) and how the extension shows it.

export interface ServerStats {
  requests: number;
  completed: number;
  superseded: number;
  cancelled: number;
  reusedTokens: number;
  computedTokens: number;
  accepted: number;
  lastLatenciesMillis: number[];
  lastReused: number;
  lastComputed: number;
}

/** The server serializes with Gson, which leaves out null fields: those are optional here. */
export interface ServerStatus {
  model?: string | null;
  modelState: string;
  threads: number;
  fimFormat?: string | null;
  sessions: number;
  openDocuments: number;
  positionEncoding: string;
  indexedFiles: number;
  stats: ServerStats;
}

export type ModelState = 'ready' | 'loading' | 'none' | 'failed';

/** The server's modelState is "ready", "loading", "none: …" or "failed: …". */
export function modelState(status: Pick<ServerStatus, 'modelState'>): { state: ModelState; detail: string } {
  const s = status.modelState ?? '';
  const colon = s.indexOf(':');
  const head = (colon < 0 ? s : s.slice(0, colon)).trim();
  const detail = colon < 0 ? '' : s.slice(colon + 1).trim();
  const state: ModelState = head === 'ready' || head === 'loading' || head === 'failed' ? head : 'none';
  return { state, detail };
}

export function lastLatency(stats: ServerStats | undefined): number | null {
  const l = stats?.lastLatenciesMillis ?? [];
  return l.length === 0 ? null : l[l.length - 1];
}

export interface StatusBarView {
  text: string;
  tooltip: string;
  warning: boolean;
}

/** Where the server is when it gives no status: starting, or stopped with a reason. */
export type NoStatus = { phase: 'starting' } | { phase: 'stopped'; reason: string };

/** The status-bar item: model state, the last suggestion's latency, and its prompt tokens reused. */
export function statusBar(status: ServerStatus | null, none: NoStatus = { phase: 'stopped', reason: 'Cromwell: the server is not running' }): StatusBarView {
  if (status === null) {
    return none.phase === 'starting'
      ? { text: '$(sync~spin) Cromwell: starting', tooltip: 'Cromwell: starting the server', warning: false }
      : { text: '$(circle-slash) Cromwell: stopped', tooltip: none.reason, warning: true };
  }
  const { state, detail } = modelState(status);
  const name = modelName(status.model);
  if (state === 'loading') {
    return { text: `$(sync~spin) Cromwell: loading ${name}`, tooltip: `Cromwell is loading ${status.model}`, warning: false };
  }
  if (state === 'none') {
    return { text: '$(circle-slash) Cromwell: no model', tooltip: detail || 'No model is set: run "Cromwell: Download Model" or set cromwell.model', warning: true };
  }
  if (state === 'failed') {
    return { text: '$(error) Cromwell: model failed', tooltip: detail, warning: true };
  }
  const parts = [`$(sparkle) ${name}`];
  const latency = lastLatency(status.stats);
  if (latency !== null) {
    parts.push(`${latency} ms`);
    const s = status.stats;
    const prompt = s.lastReused + s.lastComputed;
    if (prompt > 0) {
      parts.push(`${s.lastReused}/${prompt} reused`);
    }
  }
  return { text: parts.join(' · '), tooltip: statusReport(status), warning: false };
}

/** The full status, one fact a line (Cromwell: Show Status and the tooltip). */
export function statusReport(status: ServerStatus): string {
  const { state, detail } = modelState(status);
  const s = status.stats;
  const latencies = s?.lastLatenciesMillis ?? [];
  const lines = [
    `Model: ${status.model ?? '(none)'}`,
    `State: ${state}${detail ? ' (' + detail + ')' : ''}`,
    `FIM format: ${status.fimFormat ?? '-'}   threads: ${status.threads}`,
    `Open documents: ${status.openDocuments}   sessions: ${status.sessions}   indexed files: ${status.indexedFiles}`,
  ];
  if (s !== undefined) {
    lines.push(
      `Suggestions: ${s.requests} requested, ${s.completed} completed, ${s.superseded} superseded, ${s.cancelled} cancelled, ${s.accepted} accepted`,
      `Prompt tokens: ${s.reusedTokens} reused, ${s.computedTokens} computed (last: ${s.lastReused} reused, ${s.lastComputed} computed)`,
      `Latency: ${latencies.length === 0 ? '-' : 'last ' + latencies[latencies.length - 1] + ' ms, recent ' + latencies.join(', ') + ' ms'}`,
    );
  }
  return lines.join('\n');
}

function modelName(model: string | null | undefined): string {
  if (model === null || model === undefined) {
    return 'no model';
  }
  const base = model.split(/[\\/]/).pop() ?? model;
  return base.replace(/\.gguf$/i, '');
}
