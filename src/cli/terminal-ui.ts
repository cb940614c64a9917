import type { GenerationStatus } from '../core/ports/oxen.js';
import type { CliUi } from './run-animation.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const LABEL: Record<GenerationStatus, string> = {
  queued: 'queued at Oxen',
  processing: 'generating',
  succeeded: 'finished',
  failed: 'failed',
  cancelled: 'cancelled',
  unknown: 'waiting',
};

/** `m:ss`. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Terminal output: on a TTY one live line redrawn in place (spinner, state, elapsed); otherwise a line
 * per state change, so logs and CI output stay readable.
 */
export function createTerminalUi(out: NodeJS.WriteStream = process.stdout): CliUi & { clear(): void } {
  const tty = out.isTTY === true;
  let frame = 0;
  let live = false;
  let lastState: GenerationStatus | undefined;
  const clear = () => {
    if (live) out.write('\r\x1b[K');
    live = false;
  };
  return {
    step(text) {
      clear();
      out.write(`✔ ${text}\n`);
    },
    warn(text) {
      clear();
      out.write(`! ${text}\n`);
    },
    progress(state, elapsedMs) {
      const line = `${LABEL[state]} · ${formatElapsed(elapsedMs)} elapsed`;
      if (tty) {
        out.write(`\r\x1b[K${SPINNER[frame++ % SPINNER.length]} ${line}  (Ctrl-C cancels)`);
        live = true;
      } else if (state !== lastState) {
        out.write(`… ${line}\n`);
      }
      lastState = state;
    },
    clear,
  };
}
