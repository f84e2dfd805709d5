// lib.mjs: what the browser tests share: headless Chromium through
// playwright-core (from tests/integration/node_modules), the gateway as a
// child process, the CLI, a tiny test runner, and artifacts on failure
// (a screenshot and the console of every open page, under WEB_ARTIFACTS).
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../integration/package.json'));
export const { chromium } = require('playwright-core');
export const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const env = {
  cli: process.env.WEB_CLI,
  config: process.env.WEB_CONFIG,
  port: process.env.WEB_PORT,
  artifacts: process.env.WEB_ARTIFACTS,
  tone: process.env.WEB_TONE,
};
export const base = `https://127.0.0.1:${env.port}`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// sipcloak ARGS: { status, out, err }
export function cli(...args) {
  const r = spawnSync(env.cli, ['-c', env.config, ...args], { encoding: 'utf8', timeout: 15000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
export function cliJson(...args) {
  const r = cli('--json', ...args);
  assert.equal(r.status, 0, `sipcloak ${args.join(' ')}: ${r.status} ${r.out} ${r.err}`);
  return JSON.parse(r.out);
}

// The gateway as a child; its output appended to WEB_ARTIFACTS/gateway.log.
export class Gateway {
  constructor() {
    this.proc = null;
    this.log = join(env.artifacts, 'gateway.log');
  }

  async start() {
    const out = [];
    this.proc = spawn(env.cli, ['serve', '-c', env.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => out.push(d);
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.proc.on('exit', () => writeFileSync(this.log, Buffer.concat(out), { flag: 'a' }));
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${base}/healthz`);
        if (r.ok) return;
      } catch (e) { /* not yet */ }
      if (this.proc.exitCode !== null) throw new Error('gateway exited at start');
      await sleep(100);
    }
    throw new Error('gateway did not answer /healthz within 10 s');
  }

  async stop() {
    const p = this.proc;
    if (!p || p.exitCode !== null) return 0;
    const done = new Promise((r) => p.once('exit', (code) => r(code)));
    p.kill('SIGTERM');
    this.proc = null;
    return done;
  }
}

// Exactly the flags the project asks for, plus the fake microphone file;
// playwright gives every launch a fresh temporary profile (user data dir).
export async function browserLaunch() {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (env.tone) args.push(`--use-file-for-fake-audio-capture=${env.tone}`);
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

// Records the console and page errors of a page (for artifacts and for the
// CSP check).
export function watch(page, name) {
  page.sc = { name, log: [], csp: [] };
  page.on('console', (m) => {
    const t = `[${m.type()}] ${m.text()}`;
    page.sc.log.push(t);
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) page.sc.csp.push(t);
  });
  page.on('pageerror', (e) => page.sc.log.push(`[pageerror] ${e.message}`));
  return page;
}

export async function artifacts(ctx, label) {
  mkdirSync(env.artifacts, { recursive: true });
  let i = 0;
  for (const p of ctx.pages()) {
    const n = `${label}-${i++}-${(p.sc && p.sc.name) || 'page'}`.replace(/[^\w.-]+/g, '_');
    await p.screenshot({ path: join(env.artifacts, n + '.png'), fullPage: true }).catch(() => {});
    writeFileSync(join(env.artifacts, n + '.console.txt'), ((p.sc && p.sc.log) || []).join('\n') + '\n');
  }
}

// Waits until the registration status element has one of the states.
export async function regState(page, states, ms = 15000) {
  const want = [].concat(states);
  await page.waitForFunction((w) => {
    const el = document.getElementById('reg-status');
    return el && w.includes(el.dataset.state);
  }, want, { timeout: ms });
  return page.$eval('#reg-status', (el) => ({ state: el.dataset.state, text: el.textContent }));
}

// Tiny runner: sequential, artifacts of every page on failure, a closing
// "N passed, N failed" line.
export function runner(ctxf) {
  let passed = 0;
  let failed = 0;
  const test = async (name, fn) => {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${name}\n  ${(e && e.stack) || e}`);
      const ctx = ctxf();
      if (ctx) await artifacts(ctx, name).catch(() => {});
    }
  };
  const end = () => {
    console.log(`${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  };
  return { test, end };
}

// Opens a provisioning link in a new page of ctx and waits for registration.
export async function provision(ctx, url, name) {
  const p = watch(await ctx.newPage(), name);
  await p.goto(url);
  await p.click('#onboard-go');
  await regState(p, 'registered');
  return p;
}

// The highest value of a meter over ms.
export async function level(p, id, ms = 4000) {
  return p.evaluate(async ([i, t]) => {
    let max = 0;
    const stop = Date.now() + t;
    while (Date.now() < stop) {
      max = Math.max(max, Number(document.getElementById(i).getAttribute('aria-valuenow')));
      await new Promise((r) => setTimeout(r, 100));
    }
    return max;
  }, [id, ms]);
}

export const idle = (p, ms = 15000) => p.waitForSelector('#incall', { state: 'hidden', timeout: ms });
export const ringing = (p, ms = 15000) => p.waitForSelector('#incoming', { state: 'visible', timeout: ms });

// sipp as the PBX on WEB_PBX_PORT, one call, its errors and messages logged
// in WEB_WORK; killSipps() ends whatever is still running.
const sipps = [];
export function sipp(name, args) {
  const w = process.env.WEB_WORK;
  const p = spawn('sipp', ['-i', '127.0.0.1', '-p', process.env.WEB_PBX_PORT, '-m', '1', '-nostdin',
    '-trace_err', '-error_file', `${w}/sipp-${name}-err.log`,
    '-trace_msg', '-message_file', `${w}/sipp-${name}-msg.log`, ...args],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  sipps.push(p);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.done = new Promise((r) => p.on('exit', (code) => r(code)));
  p.err = () => err;
  return p;
}
export function killSipps() {
  for (const c of sipps) c.kill('SIGKILL');
}
