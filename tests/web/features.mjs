// features.mjs: the softphone features calls.mjs does not show, through
// the real gateway (run by phones.sh): the incoming-call notification
// and ringtone, keyboard use and the layout at 360 and 1280 px, recovery
// after the tab slept while its WebSocket died, a call kept across a lost
// WebSocket (or ended with a reason when it cannot be), and a blind
// transfer from the UI to sipp acting as the PBX.
//
// What the page does is observed through an init script (HOOKS) that
// records without changing behaviour: Notification constructions and
// close() calls, OscillatorNode start/stop (the ringtone is two
// oscillators, media.js ringStart), every WebSocket made (and, when asked,
// points new ones at a closed port: "the gateway is unreachable"), and a
// page visibility the test can switch (headless tabs are always visible).
import assert from 'node:assert/strict';
import {
  base, sleep, cliJson, Gateway, browserLaunch, watch, regState, runner, artifacts, provision, level,
  idle, ringing, sipp, killSipps,
} from './lib.mjs';

const LINKS = JSON.parse(process.env.WEB_LINKS);
const E = process.env;
const LEVEL_MIN = 20; // the meter is 0..100 for -60..0 dBFS: 20 is -48 dBFS
const GRACE_MS = 5000; // GW_CALL_GRACE_MS in src/gw/call.h
const RING_HZ = [425, 480]; // media.js ringStart
const gw = new Gateway();
let browser = null;
let ctxA = null;
let ctxB = null;
// a failure keeps a screenshot and the console of alice's and bob's pages
const both = { pages: () => [ctxA, ctxB].flatMap((c) => (c ? c.pages() : [])) };
const { test: run, end } = runner(() => both);
const only = E.WEB_ONLY ? new RegExp(E.WEB_ONLY) : null; // while debugging
const test = (name, fn) => (only && !only.test(name) ? null : run(name, fn));

function HOOKS() {
  const rec = { notes: [], osc: [], ws: [], wsMade: [], block: false };
  window.__sc = rec;
  if (window.Notification) {
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, opts) {
        const r = { title, body: opts && opts.body, closed: false };
        rec.notes.push(r);
        super(title, opts);
        this.scRec = r;
      }

      close() {
        this.scRec.closed = true;
        super.close();
      }
    };
  }
  // for the failure message of a silent call: did a remote track come,
  // did ICE connect, what did the gateway answer
  rec.pcs = [];
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends PC {
    constructor(...a) {
      super(...a);
      const r = { tracks: 0, states: [], answer: '' };
      rec.pcs.push(r);
      this.addEventListener('track', () => r.tracks++);
      this.addEventListener('connectionstatechange', () => r.states.push(this.connectionState));
      const srd = this.setRemoteDescription.bind(this);
      this.setRemoteDescription = (d) => { r.answer = d && d.sdp; return srd(d); };
    }
  };
  rec.actx = [];
  const AC = window.AudioContext;
  window.AudioContext = class extends AC {
    constructor(...a) {
      super(...a);
      rec.actx.push(this);
    }
  };
  const ostart = OscillatorNode.prototype.start;
  const ostop = OscillatorNode.prototype.stop;
  OscillatorNode.prototype.start = function (...a) {
    this.scRec = { hz: this.frequency.value, stopped: false };
    rec.osc.push(this.scRec);
    return ostart.apply(this, a);
  };
  OscillatorNode.prototype.stop = function (...a) {
    if (this.scRec) this.scRec.stopped = true;
    return ostop.apply(this, a);
  };
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(url, protocols) {
      super(rec.block ? String(url).replace(/^(wss?:\/\/[^/]+):\d+/, '$1:9') : url, protocols);
      rec.ws.push(this);
      rec.wsMade.push(Date.now());
    }
  };
  let vis = 'visible';
  Object.defineProperty(Document.prototype, 'visibilityState', { get: () => vis, configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get: () => vis !== 'visible', configurable: true });
  // returns how many WebSockets were made while the event was handled
  window.__scVisible = (on) => {
    const n = rec.wsMade.length;
    vis = on ? 'visible' : 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    return rec.wsMade.length - n;
  };
}

// (the state line keeps the last call's words until the next call shows)
const inCall = (p, ms = 15000) => p.waitForFunction(() => !document.getElementById('incall').hidden &&
  /^In call/.test(document.getElementById('call-state').textContent), null, { timeout: ms });
const rec = (p) => p.evaluate(() => JSON.parse(JSON.stringify({ ...window.__sc, ws: window.__sc.ws.length,
  actx: window.__sc.actx.map((c) => c.state) })));
const diag = async (p) => {
  const r = await rec(p);
  return JSON.stringify({ audioContexts: r.actx, lastPeerConnection: r.pcs[r.pcs.length - 1] });
};
const lastCall = (p, re, ms = 10000) =>
  p.waitForFunction((s) => new RegExp(s).test(document.getElementById('last-call').textContent), re.source, { timeout: ms });
const history = (p, re, ms = 10000) =>
  p.waitForFunction((s) => new RegExp(s).test(document.getElementById('history-list').textContent), re.source, { timeout: ms });

// After a failed test: no call and no ringing left on the page.
async function reset(p) {
  if (await p.isVisible('#incoming')) await p.click('#decline');
  if (await p.isVisible('#incall')) await p.click('#hangup');
  await idle(p);
}

function online(user) {
  return cliJson('device', 'list', user).some((d) => d.online);
}

async function waitFor(fn, ms, what) {
  const stop = Date.now() + ms;
  while (Date.now() < stop) {
    if (await fn()) return;
    await sleep(200);
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

async function noHScroll(p, width) {
  await p.setViewportSize({ width, height: 800 });
  // let the layout settle at the new width (slow on a loaded machine); an
  // overflow that stays fails below
  await p.waitForFunction(() => document.documentElement.scrollWidth <= innerWidth, null, { timeout: 5000 })
    .catch(() => {});
  const m = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: innerWidth }));
  assert.ok(m.sw <= m.w, `horizontal scrolling at ${width} px: scrollWidth ${m.sw} > ${m.w}`);
}

try {
  await gw.start();
  browser = await browserLaunch();
  ctxA = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 900 } });
  // notifications only: the microphone stays "ask" (the flags' fake UI
  // says yes each time), so Chromium hides the host addresses behind mDNS
  // names and offers c=0.0.0.0, as for someone who allows the microphone
  // once: the gateway must not take that for hold
  await ctxA.grantPermissions(['notifications'], { origin: base });
  await ctxA.addInitScript(HOOKS);
  ctxB = await browser.newContext({ ignoreHTTPSErrors: true });
  const a = await provision(ctxA, LINKS.alice.url, 'alice');
  const b = await provision(ctxB, LINKS.bob.url, 'bob');

  await test('incoming call: a notification names the caller, the ringtone plays; Enter answers; both stop', async () => {
    await reset(a);
    await reset(b);
    assert.equal(await a.isVisible('#notify'), false, 'notifications granted: no "Allow" button');
    await b.fill('#number', '201');
    await b.click('#call');
    await ringing(a);
    await a.waitForFunction(() => window.__sc.osc.length >= 2, null, { timeout: 5000 });
    let r = await rec(a);
    assert.equal(r.notes.length, 1, JSON.stringify(r.notes));
    assert.equal(r.notes[0].title, 'Incoming call');
    assert.match(r.notes[0].body, /^Bob Example \(bob\)$/);
    assert.equal(r.notes[0].closed, false);
    assert.deepEqual(r.osc.map((o) => o.hz).sort(), RING_HZ);
    assert.ok(r.osc.every((o) => !o.stopped), 'ringtone playing');
    // the incoming screen takes the focus: Enter answers
    assert.equal(await a.evaluate(() => document.activeElement.id), 'answer');
    await a.keyboard.press('Enter');
    await inCall(a);
    await inCall(b);
    r = await rec(a);
    assert.equal(r.notes[0].closed, true, 'notification closed on answer');
    assert.ok(r.osc.every((o) => o.stopped), 'ringtone stopped on answer');
    await b.click('#hangup');
    await idle(a);
    await idle(b);
  });

  await test('a call the caller gives up on: notification closed, ringtone stopped, a missed call in history', async () => {
    await reset(a);
    await reset(b);
    await b.fill('#number', '201');
    await b.click('#call');
    await ringing(a);
    await a.waitForFunction(() => window.__sc.notes.length === 2 && window.__sc.osc.length === 4, null, { timeout: 5000 });
    await b.click('#hangup'); // CANCEL
    await a.waitForSelector('#incoming', { state: 'hidden', timeout: 10000 });
    const r = await rec(a);
    assert.equal(r.notes[1].closed, true, 'notification closed');
    assert.ok(r.osc.every((o) => o.stopped), 'ringtone stopped');
    await history(a, /missed/);
    await idle(b);
  });

  await test('keyboard: Tab reaches the number, the dial pad and Call; Enter dials; Escape hangs up; no horizontal scroll at 360 and 1280 px', async () => {
    await reset(a);
    await reset(b);
    await noHScroll(a, 360);
    await noHScroll(a, 1280);
    await a.fill('#number', '');
    await a.focus('.skip'); // the first stop from the top of the page
    const seen = [];
    for (let i = 0; i < 40 && !seen.includes('call'); i++) {
      await a.keyboard.press('Tab');
      seen.push(await a.evaluate(() => {
        const el = document.activeElement;
        return el.dataset.key ? 'key' + el.dataset.key : el.id || el.tagName;
      }));
    }
    const at = (id) => seen.indexOf(id);
    assert.ok(at('number') >= 0, `Tab order: ${seen}`);
    for (const k of ['1', '5', '0', '#']) assert.ok(at('key' + k) > at('number'), `pad key ${k} in Tab order: ${seen}`);
    assert.ok(at('call') > at('key#'), `Call after the pad: ${seen}`);
    // a pad key pressed with the keyboard types its digit (and puts the
    // focus in the number, where more digits can be typed)
    await a.focus('#pad [data-key="4"]');
    await a.keyboard.press('Enter');
    assert.equal(await a.evaluate(() => document.activeElement.id), 'number');
    await a.focus('#pad [data-key="5"]');
    await a.keyboard.press('Space');
    assert.equal(await a.inputValue('#number'), '45');
    await a.fill('#number', '');
    await a.focus('#number');
    await a.keyboard.type('*43');
    await a.keyboard.press('Enter');
    await inCall(a);
    const lv = await level(a, 'rx-meter', 4000);
    assert.ok(lv > LEVEL_MIN, `received level ${lv} ${await diag(a)}`);
    await noHScroll(a, 360);
    await noHScroll(a, 1280);
    await a.setViewportSize({ width: 1000, height: 900 });
    await a.evaluate(() => document.activeElement && document.activeElement.blur());
    await a.keyboard.press('Escape');
    await idle(a);
    await history(a, /\*43/);
  });

  await test('the tab slept while its WebSocket died and the gateway dropped it: visible again, it re-registers at once', async () => {
    await reset(a);
    await reset(b);
    await regState(a, 'registered');
    await a.evaluate(() => {
      window.__scVisible(false);
      window.__sc.block = true; // the gateway cannot be reached
      window.__sc.ws[window.__sc.ws.length - 1].close();
    });
    const st = await regState(a, 'reconnecting', 5000);
    assert.match(st.text, /^Reconnecting/);
    await waitFor(() => !online('alice'), 10000, 'the gateway drops the registration');
    await sleep(6000); // JsSIP's backoff grows (2, 2-4, 2-8 s...) meanwhile
    await regState(a, ['reconnecting', 'connecting'], 1000); // still cut off
    const made = await a.evaluate(() => {
      window.__sc.block = false;
      return window.__scVisible(true);
    });
    // not at the next backoff retry: a new socket during the event itself
    assert.ok(made >= 1, 'a WebSocket opened as the tab became visible');
    const t0 = Date.now();
    const back = await regState(a, 'registered', 5000);
    assert.match(back.text, /^Registered/);
    console.log(`  registered ${Date.now() - t0} ms after the tab became visible`);
    await waitFor(() => online('alice'), 5000, 'the gateway lists the device online');
  });

  await test('the WebSocket closes in a call (*43): the app reconnects and re-INVITEs; the call and its sound outlast the grace', async () => {
    await reset(a);
    await reset(b);
    await a.fill('#number', '*43');
    await a.click('#call');
    await inCall(a);
    const lv0 = await level(a, 'rx-meter', 4000);
    assert.ok(lv0 > LEVEL_MIN, `received level before ${lv0} ${await diag(a)}`);
    const n = (await rec(a)).ws;
    await a.evaluate(() => window.__sc.ws[window.__sc.ws.length - 1].close());
    await a.waitForFunction(() => /^Reconnecting/.test(document.getElementById('call-state').textContent),
      null, { timeout: 3000 });
    await inCall(a, GRACE_MS); // kept on the new socket
    assert.ok((await rec(a)).ws > n, 'a new WebSocket');
    await sleep(GRACE_MS + 1500); // past the gateway's grace for the old one
    assert.equal(await a.isVisible('#incall'), true, 'still in the call');
    await inCall(a, 1000);
    const lv = await level(a, 'rx-meter', 3000);
    assert.ok(lv > LEVEL_MIN, `received level after the reconnect ${lv} ${await diag(a)}`);
    assert.equal((await regState(a, 'registered')).state, 'registered');
    // the hang-up goes over the new socket and the gateway ends the call
    await a.click('#hangup');
    await idle(a);
    await lastCall(a, /\*43 — \d+:\d\d$/);
  });

  await test('the WebSocket closes in a call and cannot come back: the call ends with that reason, then it re-registers', async () => {
    await reset(a);
    await reset(b);
    await a.fill('#number', '*43');
    await a.click('#call');
    await inCall(a);
    const t0 = Date.now();
    await a.evaluate(() => {
      window.__sc.block = true;
      window.__sc.ws[window.__sc.ws.length - 1].close();
    });
    await idle(a, GRACE_MS + 3000);
    const took = Date.now() - t0;
    assert.ok(took < GRACE_MS + 1000, `ended after ${took} ms`);
    await lastCall(a, /the connection to the gateway was lost after \d+:\d\d/);
    await history(a, /connection to the gateway was lost/);
    await a.evaluate(() => { window.__sc.block = false; });
    await regState(a, 'registered', 40000);
  });

  await test('blind transfer from the UI: REFER to the PBX (sipp) with the typed target, NOTIFY 200, the app shows it transferred', async () => {
    await reset(a);
    await reset(b);
    const pbx = sipp('xfer', ['-sf', `${E.WEB_SIPP}/uas_xfer.xml`, '-rtp_echo',
      '-mi', '127.0.0.1', '-mp', E.WEB_PBX_MEDIA_PORT]);
    await sleep(300); // sipp binds its port
    await a.fill('#number', '3000');
    await a.click('#call');
    await inCall(a);
    await a.fill('#xfer-to', '2050');
    await a.press('#xfer-to', 'Enter');
    await idle(a, 15000);
    assert.equal(await pbx.done, 0, `sipp: ${pbx.err()}`);
    await lastCall(a, /transferred to 2050 after \d+:\d\d/);
    await history(a, /transferred to 2050/);
  });

  const errs = [a, b].flatMap((p) => p.sc.log.filter((l) => l.startsWith('[pageerror]')));
  await test('no page errors and no CSP violations', async () => {
    assert.deepEqual(errs, []);
    assert.deepEqual([...a.sc.csp, ...b.sc.csp], []);
  });
} catch (e) {
  console.log(`not ok - setup: ${(e && e.stack) || e}`);
  process.exitCode = 1;
  await artifacts(both, 'setup').catch(() => {});
} finally {
  killSipps();
  if (browser) await browser.close().catch(() => {});
  await gw.stop();
}
process.exitCode = end() || process.exitCode || 0;
