// harness.mjs: what every call flow needs: the test page served on
// loopback, Chromium tabs running it (page.js), sipp as the PBX, and a
// test() that times each flow and stops everything on the first failure.
// Addresses: browsers on 127.0.0.1, the PBX (sipp) on PBX_IP, the gateway's
// SIP and media toward it on GW_IP (calls.sh writes the config).
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const E = process.env;
export const WORK = E.WORK;
export const DEV = JSON.parse(E.CALL_DEVICES); // { alice1: {user, password}, ... }
export const DOMAIN = 'sipcloak.test';
export const WS = `wss://127.0.0.1:${E.HTTPS_PORT}/ws`;
export const PBX_IP = E.PBX_IP;
export const GW_IP = E.GW_IP;
export const GW_SIP = `${GW_IP}:${E.SIP_PORT}`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const scenario = (name) => new URL(`./sipp/${name}.xml`, import.meta.url).pathname;
export const windows = []; // { name, t0, t1 } of every flow (epoch ms)
export const closedFrames = {}; // frames of tabs closed during the run
const children = [];
const pages = [];
let passed = 0;

const bundle = fs.readFileSync(path.join(WORK, 'page.bundle.js'));
const html = fs.readFileSync(new URL('./page.html', import.meta.url));
const server = http.createServer((req, res) => {
  if (req.url === '/page.bundle.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(bundle);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  }
});
await new Promise((r) => server.listen(Number(E.PAGE_PORT), '127.0.0.1', r));

export const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${WORK}/tone.wav`,
    '--autoplay-policy=no-user-gesture-required',
    '--ignore-certificate-errors'],
  // playwright gives Chromium a fresh --user-data-dir of its own (a new
  // temporary profile per launch) and refuses one in args
});

export async function tab(name) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.on('console', (m) => fs.appendFileSync(`${WORK}/console-${name}.log`, `${m.text()}\n`));
  await page.goto(`http://127.0.0.1:${E.PAGE_PORT}/`);
  const d = DEV[name];
  const ok = await page.evaluate((o) => window.sc.start(o),
    { ws: WS, uri: `sip:${d.user}@${DOMAIN}`, password: d.password });
  assert.ok(ok, `${name} registers`);
  page.devName = name;
  pages.push(page);
  return page;
}

// Every page's WebSocket frames (the closed ones' were kept at closing).
export async function allFrames() {
  const out = { ...closedFrames };
  for (const p of pages) {
    if (!p.isClosed()) out[p.devName] = await p.evaluate(() => window.sc.frames());
  }
  return out;
}

export async function waitEvent(page, what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ev = await page.evaluate((w) => window.sc.events(w), what);
    if (ev.length) return ev[ev.length - 1];
    await sleep(100);
  }
  const all = await page.evaluate(() => window.sc.events());
  throw new Error(`${page.devName}: no '${what}' within ${ms} ms; events: ${JSON.stringify(all.map((e) => e.what))}`);
}

// JsSIP's hold()/unhold() refuse while a re-INVITE is still pending
export async function retry(page, fn, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(fn)) return;
    await sleep(200);
  }
  throw new Error(`${page.devName}: ${fn} refused for ${ms} ms`);
}

export async function clearLog(...ps) {
  for (const p of ps) await p.evaluate(() => window.sc.log.splice(0));
}

// sipp as the PBX on PBX_IP; .done resolves with its exit code. Messages
// go to a trace file; `-timeout` bounds every scenario.
export function sipp(name, args) {
  const trace = `${WORK}/sipp-${name}-msgs.log`;
  const p = spawn('sipp', ['-i', PBX_IP, '-p', E.PBX_PORT, '-m', '1',
    '-mi', PBX_IP, '-mp', E.PBX_MEDIA_PORT, '-timeout', '40s',
    '-nostdin', '-trace_msg', '-message_file', trace, '-trace_err',
    '-error_file', `${WORK}/sipp-${name}-err.log`, ...args],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(p);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.done = new Promise((r) => p.on('exit', (code) => r(code)));
  p.trace = trace;
  p.err = () => err + (fs.existsSync(`${WORK}/sipp-${name}-err.log`)
    ? fs.readFileSync(`${WORK}/sipp-${name}-err.log`, 'utf8').slice(-800) : '');
  return p;
}

export async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    windows.push({ name, t0, t1: Date.now() });
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    console.error(`not ok - ${name}: ${e.stack || e}`);
    await cleanup();
    process.exit(1);
  }
}

export async function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  await browser.close().catch(() => {});
  server.close();
  return passed;
}
