// The status-bar item: model state, last latency and tokens reused, from cromwell/status.
import * as vscode from 'vscode';
import { CromwellServer } from './server';
import { ServerStatus, statusBar } from './status';

const POLL_MS = 2000;

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('cromwell.status', vscode.StatusBarAlignment.Right, 100);
  private readonly timer: NodeJS.Timeout;
  private readonly subscription: vscode.Disposable;
  private busy = false;

  constructor(
    private readonly server: CromwellServer,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.item.name = 'Cromwell';
    this.item.command = 'cromwell.showStatus';
    this.item.show();
    this.subscription = server.onDidChange(() => void this.refresh());
    // Polled as well: loading a model finishes without any event the client sees.
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    try {
      const status: ServerStatus | null = await this.server.status().catch(() => null);
      const view = statusBar(status, this.server.noStatus());
      this.item.text = view.text;
      this.item.tooltip = view.tooltip;
      this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    } catch (e) {
      this.output.error(`status bar: ${(e as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
