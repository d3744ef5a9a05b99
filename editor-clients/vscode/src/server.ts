// Starts, configures and restarts the Cromwell language server for the extension.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CancellationTokenSource,
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { EDIT_COMMAND, editCommand, editNeedingInstruction } from './edit';
import { askInstruction } from './instruction';
import { aotCacheForJdk, commandLine, findJava, LaunchPlan, planLaunch } from './launch';
import { ModelSpec, parseModel } from './model';
import { LAUNCH_KEYS, serverSettings, ServerSettings } from './settings';
import { NoStatus, ServerStatus } from './status';

const STATUS_TIMEOUT_MS = 5000;

export type Runnable = Exclude<LaunchPlan, { kind: 'missing' }>;

export class CromwellServer implements vscode.Disposable {
  private client: LanguageClient | null = null;
  private plan: Runnable | null = null;
  private java: string | null = null;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the server starts or stops, and after each suggestion. */
  readonly onDidChange = this.changed.event;
  /** Why the server is not running, when it is not. */
  stoppedReason = 'Cromwell: the server is starting';
  private starting = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('cromwell');
  }

  modelSpec(): ModelSpec {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    return parseModel(this.config().get('model'), process.env, os.homedir(), folder);
  }

  /** Settings for the server; the model only when its file exists (else the server gets none). */
  settings(): ServerSettings {
    const spec = this.modelSpec();
    const model = spec.kind !== 'none' && fs.existsSync(spec.path) ? spec.path : null;
    const config = this.config();
    return serverSettings((k) => config.get(k), model);
  }

  running(): LanguageClient | null {
    return this.client !== null && this.client.state === State.Running ? this.client : null;
  }

  /** The program and arguments that run `cromwell ARGS...` the way the server is run. */
  async cromwellCommand(args: string[]): Promise<{ command: string; args: string[] } | { message: string }> {
    const ready = await this.resolveLaunch();
    return 'message' in ready ? ready : commandLine(ready.plan, ready.java, args);
  }

  /** What the status bar shows while there is no status to ask for. */
  noStatus(): NoStatus {
    return this.starting ? { phase: 'starting' } : { phase: 'stopped', reason: this.stoppedReason };
  }

  async start(): Promise<void> {
    this.starting = true;
    try {
      await this.startClient();
    } finally {
      this.starting = false;
      this.changed.fire();
    }
  }

  private async startClient(): Promise<void> {
    const ready = await this.resolveLaunch();
    if ('message' in ready) {
      this.stopped(ready.message);
      void vscode.window.showErrorMessage(ready.message, 'Open Settings').then((a) => {
        if (a !== undefined) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'cromwell.server');
        }
      });
      return;
    }
    const run = commandLine(ready.plan, ready.java, ['lsp']);
    this.output.appendLine(`starting: ${run.command} ${run.args.join(' ')}`);
    const serverOptions: ServerOptions = { command: run.command, args: run.args, options: { env: process.env } };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      initializationOptions: this.settings(),
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        // The server also offers its suggestion as a plain completion item, for editors without
        // inline completions. VS Code has them, so the extra request (which would supersede the
        // inline one on the server) is not sent.
        provideCompletionItem: () => undefined,
        // The server's "Cromwell: edit selection…" code action runs cromwell.edit without an
        // instruction (the client is to ask for it): ask, then send the one-object shape.
        executeCommand: async (command, args, next) => {
          const target = command === EDIT_COMMAND ? editNeedingInstruction(args) : null;
          if (target === null) {
            return next(command, args);
          }
          const instruction = await askInstruction();
          return instruction === undefined ? undefined : next(command, editCommand(target.uri, target.range, instruction).arguments);
        },
        provideInlineCompletionItems: async (document, position, context, token, next) => {
          const result = await next(document, position, context, token);
          this.changed.fire();
          return result;
        },
      },
    };
    const client = new LanguageClient('cromwell', 'Cromwell', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) {
        this.stoppedReason = 'Cromwell: the server stopped (see the Cromwell output)';
      }
      this.changed.fire();
    });
    this.client = client;
    try {
      await client.start();
      this.changed.fire();
    } catch (e) {
      this.stopped(`Cromwell: the server did not start: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(this.stoppedReason);
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c !== null && c.needsStop()) {
      await c.stop().catch(() => undefined);
    }
    this.stopped('Cromwell: the server is stopped');
  }

  async restart(): Promise<void> {
    await this.stop();
    this.plan = null;
    this.java = null;
    await this.start();
  }

  /** Sends the current settings (workspace/didChangeConfiguration); the server reloads on a new model. */
  async pushSettings(): Promise<void> {
    const c = this.running();
    if (c !== null) {
      await c.sendNotification(DidChangeConfigurationNotification.type, { settings: this.settings() });
    }
  }

  /** Restarts for a change of the program to run; sends anything else to the running server. */
  async configurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (LAUNCH_KEYS.some((k) => e.affectsConfiguration('cromwell.' + k))) {
      await this.restart();
    } else if (e.affectsConfiguration('cromwell')) {
      await this.pushSettings();
    }
  }

  /** cromwell/status, or null when the server is not running or has not answered in 5 s. */
  async status(): Promise<ServerStatus | null> {
    const c = this.running();
    if (c === null) {
      return null;
    }
    const cancel = new CancellationTokenSource();
    const timer = setTimeout(() => cancel.cancel(), STATUS_TIMEOUT_MS);
    try {
      return await c.sendRequest<ServerStatus>('cromwell/status', cancel.token);
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }

  private stopped(reason: string): void {
    this.stoppedReason = reason;
    this.output.appendLine(reason);
    this.changed.fire();
  }

  private async resolveLaunch(): Promise<{ plan: Runnable; java: string | null } | { message: string }> {
    if (this.plan === null) {
      const config = this.config();
      const plan = planLaunch({
        command: config.get<string>('server.command') ?? '',
        java: config.get<string>('server.java') ?? '',
        jar: config.get<string>('server.jar') ?? '',
        jvmOptions: config.get<string[]>('server.jvmOptions') ?? [],
        bundledJar: path.join(this.context.extensionPath, 'server', 'cromwell.jar'),
        workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
        exists: (p) => fs.existsSync(p),
        modifiedMs: (p) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? null,
      });
      if (plan.kind === 'missing') {
        return { message: plan.message };
      }
      if (plan.kind === 'jar') {
        const java = await findJava(plan.java, process.env);
        if ('message' in java) {
          return java;
        }
        this.java = java.java;
        this.plan = { ...plan, aotCache: aotCacheForJdk(plan.aotCache, java.home, readText) };
      } else {
        this.plan = plan;
      }
    }
    return { plan: this.plan, java: this.java };
  }
}

/** A file's text, or null when it cannot be read (no such file). */
function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}
