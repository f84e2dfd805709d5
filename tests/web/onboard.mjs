// onboard.mjs: the web softphone in headless Chromium against the real
// gateway (onboard.sh made the config, user and links): provisioning link
// -> registered, with the token gone from the URL and the configuration in
// IndexedDB only; security headers and no CSP violation; a reload registers
// from IndexedDB; two tabs both registered; axe-core on the onboarding,
// idle and dial pad screens; the microphone meter and a denied permission;
// used, unknown and expired links say so; offline and back; the
// gateway restarted -> the app re-registers by itself; the device revoked
// while open -> the app says so.
import assert from 'node:assert/strict';
import { env, base, sleep, cli, cliJson, Gateway, browserLaunch, watch, regState, runner, axeSource } from './lib.mjs';

const LINKS = JSON.parse(process.env.WEB_LINKS); // { main, spare, expiring: {device,url,at} }
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self' wss:; img-src 'self' data:; media-src 'self' blob:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const gw = new Gateway();
let browser = null;
let ctx = null;
const { test, end } = runner(() => ctx);

async function newPage(name) {
  return watch(await ctx.newPage(), name);
}

async function axe(page, label) {
  await page.evaluate(axeSource); // evaluate is not subject to the page's CSP
  const r = await page.evaluate(() => globalThis.axe.run(document, {
    resultTypes: ['violations'],
  }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`), [],
    `${label}: axe found serious or critical violations`);
  return r.violations.length;
}

let tab1;

try {
  await gw.start();
  browser = await browserLaunch();
  ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 900 } });

  await test('the app and its files carry the security headers; the HTML has no inline script or style', async () => {
    for (const path of ['/', '/app.js', '/app.css', '/icon.svg', new URL(LINKS.spare.url).pathname]) {
      const r = await ctx.request.get(base + path);
      assert.equal(r.status(), 200, path);
      const h = r.headers();
      assert.equal(h['content-security-policy'], CSP, path);
      assert.match(h['strict-transport-security'] || '', /^max-age=\d+/, path);
      assert.equal(h['referrer-policy'], 'no-referrer', path);
      assert.equal(h['x-content-type-options'], 'nosniff', path);
      assert.ok(h.etag, path);
    }
    const html = await (await ctx.request.get(base + '/')).text();
    for (const m of html.matchAll(/<script\b[^>]*>/g)) assert.match(m[0], /\bsrc="\/[^"]+"/);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/); // nothing external
    const r = await ctx.request.get(base + '/nope.js');
    assert.equal(r.status(), 404);
  });

  await test('provisioning link: set up, registered, token gone from the URL, config only in IndexedDB', async () => {
    tab1 = await newPage('tab1');
    await tab1.goto(LINKS.main.url);
    await regState(tab1, 'onboarding');
    await axe(tab1, 'onboarding');
    await tab1.click('#onboard-go');
    const st = await regState(tab1, 'registered');
    assert.match(st.text, /^Registered/);
    assert.equal(new URL(tab1.url()).pathname, '/');
    const token = LINKS.main.url.slice(LINKS.main.url.lastIndexOf('/') + 1);
    const stored = await tab1.evaluate(() => new Promise((resolve, reject) => {
      const r = indexedDB.open('sipcloak');
      r.onsuccess = () => {
        const g = r.result.transaction('kv').objectStore('kv').get('device');
        g.onsuccess = () => resolve(g.result);
        g.onerror = () => reject(g.error);
      };
      r.onerror = () => reject(r.error);
    }));
    assert.match(stored.sip_username, /^d[a-z0-9]{20}$/);
    assert.match(stored.password, /^[A-Za-z0-9]{32}$/);
    const ls = await tab1.evaluate(() => JSON.stringify(Object.entries(localStorage)));
    assert.ok(!ls.includes(stored.password), 'password in localStorage');
    assert.ok(!ls.includes(token), 'token in localStorage');
    const cookies = await ctx.cookies();
    assert.equal(cookies.length, 0);
    const hist = await tab1.evaluate(() => history.length);
    assert.ok(hist >= 1);
    assert.deepEqual(tab1.sc.csp, [], 'CSP violations');
    const online = cliJson('device', 'list', 'alice').find((d) => d.sip_username === stored.sip_username);
    assert.ok(online, 'device listed');
    assert.equal(online.online, true, JSON.stringify(online));
  });

  await test('axe-core: idle screen and dial pad without serious or critical violations', async () => {
    await axe(tab1, 'idle');
    await tab1.click('#pad [data-key="1"]');
    await tab1.click('#pad [data-key="*"]');
    await tab1.keyboard.press('4');
    assert.equal(await tab1.inputValue('#number'), '1*4');
    await tab1.click('#backspace');
    assert.equal(await tab1.inputValue('#number'), '1*');
    await axe(tab1, 'dial pad');
    await tab1.setViewportSize({ width: 360, height: 740 }); // a phone
    await axe(tab1, 'dial pad, phone width');
    const overflow = await tab1.evaluate(() => document.documentElement.scrollWidth > innerWidth);
    assert.equal(overflow, false, 'horizontal scrolling at 360 px');
    await tab1.setViewportSize({ width: 1000, height: 900 });
  });

  await test('a second tab of the same device registers from IndexedDB; both stay registered', async () => {
    const tab2 = await newPage('tab2');
    await tab2.goto(base + '/');
    await regState(tab2, 'registered');
    await sleep(500);
    assert.equal((await regState(tab1, 'registered')).state, 'registered');
    assert.deepEqual(tab2.sc.csp, [], 'CSP violations');
    await tab2.close();
  });

  await test('a used link says so', async () => {
    const p = await newPage('used');
    await p.goto(LINKS.main.url);
    await p.click('#onboard-go');
    await p.waitForFunction(() => /already been used or has expired/.test(document.getElementById('onboard-msg').textContent));
    assert.equal((await regState(p, 'link_410')).state, 'link_410');
    await p.close();
  });

  await test('an unknown link says so', async () => {
    const p = await newPage('unknown');
    const tok = LINKS.spare.url.slice(LINKS.spare.url.lastIndexOf('/') + 1);
    const other = (tok[0] === 'A' ? 'B' : 'A') + tok.slice(1);
    await p.goto(`${base}/p/${other}`);
    await p.click('#onboard-go');
    await p.waitForFunction(() => /not valid/.test(document.getElementById('onboard-msg').textContent));
    const r = await ctx.request.get(`${base}/p/not-a-token`);
    assert.equal(r.status(), 404);
    await p.close();
  });

  await test('microphone: the level meter moves with the fake microphone; a denied permission is explained', async () => {
    await tab1.click('#mic-test');
    await tab1.waitForFunction(() => Number(document.getElementById('tx-meter').getAttribute('aria-valuenow')) > 5,
      null, { timeout: 10000 });
    await tab1.click('#mic-test');
    const p = await newPage('mic-denied');
    // a browser that says no (the flags of these tests always say yes)
    await p.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await p.goto(base + '/');
    await regState(p, 'registered');
    await p.click('#mic-test');
    await p.waitForSelector('#mic-msg:not([hidden])');
    assert.match(await p.textContent('#mic-msg'), /blocked the microphone/);
    await p.fill('#number', '100');
    await p.click('#call');
    assert.equal(await p.isVisible('#incall'), false);
    await p.close();
  });

  await test('the network goes away and comes back: offline, then registered again', async () => {
    await ctx.setOffline(true);
    assert.match((await regState(tab1, 'offline', 5000)).text, /^Offline/);
    await ctx.setOffline(false);
    await regState(tab1, 'registered', 20000);
  });

  await test('the gateway restarted during registration: the app re-registers by itself', async () => {
    assert.equal(await gw.stop(), 0, 'gateway exit status');
    const st = await regState(tab1, ['reconnecting', 'offline', 'connecting'], 10000);
    assert.notEqual(st.state, 'registered');
    await sleep(1500);
    await gw.start();
    await regState(tab1, 'registered', 45000);
  });

  await test('a link past its expiry says so', async () => {
    const left = LINKS.expiring.at * 1000 - Date.now();
    if (left > -2000) await sleep(left + 2000);
    const p = await newPage('expired');
    await p.goto(LINKS.expiring.url);
    await p.click('#onboard-go');
    await p.waitForFunction(() => /already been used or has expired/.test(document.getElementById('onboard-msg').textContent));
    await p.close();
  });

  await test('device revoked while the app is open: it says so', async () => {
    const r = cli('device', 'revoke', String(LINKS.main.device));
    assert.equal(r.status, 0, r.err);
    const st = await regState(tab1, 'revoked', 45000); // the next re-REGISTER (<= 30 s)
    assert.match(st.text, /revoked or its credential rotated — ask your administrator for a new link/);
    assert.equal(await tab1.isVisible('#problem'), true);
    assert.deepEqual(tab1.sc.csp, [], 'CSP violations');
  });
} catch (e) {
  console.log(`not ok - setup: ${(e && e.stack) || e}`);
  process.exitCode = 1;
} finally {
  if (ctx) {
    const bad = ctx.pages().flatMap((p) => p.sc ? p.sc.log.filter((l) => l.startsWith('[pageerror]')) : []);
    if (bad.length) console.log('page errors:\n' + bad.join('\n'));
  }
  if (browser) await browser.close().catch(() => {});
  await gw.stop();
}
process.exitCode = end() || process.exitCode || 0;
