import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { type Stack, startStack } from './stack.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

describe('main: logs in a terminal', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('GIVEN stdout is a terminal THEN lines are human-readable (pino-pretty), secrets still scrubbed', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'animate-tty-'));
    // `script` gives the child a pseudo-terminal, as a person running `npm start` has.
    const command = `${process.execPath} --import ${TSX} ${join(ROOT, 'src/main.ts')} all`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, TERM: 'dumb', ...stack.env },
      // A stdin kept open: `script` ends the session when its input reaches end of file.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      const text = () => stripVTControlCharacters(output);
      await eventually(() => /INFO: ready\b/.test(text()), 'a readable ready line', 90_000);

      expect(text()).not.toMatch(/^\{"level"/m);
      expect(text()).toMatch(/role: "all"/);
      expect(output).not.toContain(stack.env.SLACK_SIGNING_SECRET);
    } finally {
      child.kill('SIGTERM');
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
