// The server's settings (lsp-server's ServerConfig.apply reads exactly these keys) built from the
// extension's configuration. Only server keys are sent: the server reports any other key as unknown.

/** Settings the server reads, in the names of ServerConfig. */
export const SERVER_KEYS = [
  'threads',
  'maxTokens',
  'debounceMs',
  'contextBudget',
  'timeLimitMs',
  'disabledLanguages',
  'memoryBudgetMb',
  'loadMode',
  'kvCache',
] as const;

/** Settings of the extension itself: they choose the program to start, so a change restarts it. */
export const LAUNCH_KEYS = ['server.command', 'server.java', 'server.jar', 'server.jvmOptions'] as const;

/** Settings read by vscode-languageclient itself (cromwell.trace.server logs the protocol). */
export const CLIENT_KEYS = ['trace.server'] as const;

export type ServerSettings = Record<string, unknown>;

/**
 * The object sent as initializationOptions and in workspace/didChangeConfiguration.
 * `modelPath` is the resolved GGUF path, or null when there is none to load ("" clears the model).
 * `threads` 0 means "the server's default" and is left out.
 */
export function serverSettings(get: (key: string) => unknown, modelPath: string | null): ServerSettings {
  // The extension asks about missing models itself (commands.ts checkModel), so the server must not
  // ask as well: a fresh install used to show two download prompts.
  const out: ServerSettings = { model: modelPath ?? '', offerDownloads: false };
  for (const key of SERVER_KEYS) {
    const value = get(key);
    if (value === undefined || value === null) {
      continue;
    }
    if (key === 'threads' && value === 0) {
      continue;
    }
    out[key] = value;
  }
  return out;
}
