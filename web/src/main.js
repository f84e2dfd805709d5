// main.js: the softphone's screens: onboarding from a one-time link
// (/p/<token>), registration status, dial pad, calls, microphone, history.
import { kvGet, kvPut, kvDel } from './store.js';
import { Phone, ST } from './phone.js';
import { Tabs } from './tabs.js';
import { micList, micOpen, micError, meterAttach, streamStop } from './media.js';
import { Calls } from './calls.js';
import { historyShow } from './history.js';

const TOKEN_PATH = /^\/p\/([A-Za-z0-9]{32})$/;
const $ = (id) => document.getElementById(id);

const REVOKED_MSG = 'This device was revoked or its credential rotated — ask your administrator for a new link.';
const LINK_ERR = {
  404: 'This link is not valid. Check that it was copied whole, or ask your administrator for a new one.',
  410: 'This link has already been used or has expired. Ask your administrator for a new one.',
  429: 'Too many attempts from this network. Wait a while, then try again.',
};

function statusText(state, d) {
  switch (state) {
    case ST.CONNECTING: return 'Connecting…';
    case ST.REGISTERED: return 'Registered: ready for calls';
    case ST.AUTH_FAILED: return 'Authentication failed: the gateway did not accept this device\'s credential. Ask your administrator for a new link.';
    case ST.REVOKED: return 'Revoked: ' + REVOKED_MSG;
    case ST.OFFLINE: return 'Offline: waiting for the network…';
    case ST.RECONNECTING:
      return 'Reconnecting' + (d && d.wait ? ` (next try within ${d.wait} s)` : '') + '…';
    default: return 'Not connected';
  }
}

const app = {
  cfg: null,
  phone: null,
  micGet: null,
  calls: null,
  micId: '',
  testStop: null,
};

function show(id) {
  for (const s of ['onboard', 'nodevice', 'problem', 'phone']) $(s).hidden = s !== id;
}

function setStatus(state, detail) {
  const el = $('reg-status');
  el.dataset.state = state;
  el.textContent = statusText(state, detail);
  if (state === ST.REVOKED || state === ST.AUTH_FAILED) {
    $('problem-h').textContent = state === ST.REVOKED ? 'This device can no longer sign in' : 'Authentication failed';
    $('problem-msg').textContent = state === ST.REVOKED ? REVOKED_MSG : statusText(state);
    $('problem').hidden = false;
  }
  if (app.calls) app.calls.regChanged(state);
}

// ---- onboarding ----

async function redeem() {
  const go = $('onboard-go');
  go.disabled = true;
  $('onboard-msg').textContent = 'Setting up…';
  let r;
  let body = {};
  try {
    r = await fetch(location.pathname, {
      method: 'POST', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
      headers: { 'Content-Type': 'application/json' }, body: '{}',
    });
    body = await r.json().catch(() => ({}));
  } catch (e) {
    go.disabled = false;
    $('onboard-msg').textContent = 'The gateway could not be reached. Check the network and try again.';
    return;
  }
  if (r.status !== 200 || !body.ws_url || !body.password) {
    $('onboard-msg').textContent = LINK_ERR[r.status] || `Setup failed (${r.status}).`;
    $('reg-status').textContent = 'Not set up';
    $('reg-status').dataset.state = 'link_' + r.status;
    return;
  }
  try {
    await kvPut('device', body);
  } catch (e) {
    $('onboard-msg').textContent = 'The link is used, but this browser would not store the settings (private mode?). Ask for a new link.';
    return;
  }
  // the token must not stay in the address bar or the history
  history.replaceState(null, '', '/');
  start(body);
}

// ---- the phone ----

function start(cfg) {
  app.cfg = cfg;
  show('phone');
  $('me-name').textContent = cfg.display_name || cfg.sip_username;
  $('me-uri').textContent = cfg.sip_uri;
  const tabs = new Tabs((from) => app.calls && app.calls.answeredElsewhere(from));
  app.phone = new Phone(cfg, {
    status: setStatus,
    incoming: (s) => app.calls.incoming(s),
    session: (s) => app.calls.outgoing(s),
    adrift: (lost) => app.calls.adrift(lost),
  });
  app.calls = new Calls(app, tabs);
  app.phone.start();
}

async function micsFill() {
  const sel = $('mic');
  const list = await micList().catch(() => []);
  const cur = app.micId;
  sel.replaceChildren(new Option('Default microphone', ''));
  list.forEach((d, i) => {
    if (d.deviceId && d.deviceId !== 'default') {
      sel.add(new Option(d.label || `Microphone ${i + 1}`, d.deviceId));
    }
  });
  sel.value = [...sel.options].some((o) => o.value === cur) ? cur : '';
}

// Opens the chosen microphone; on failure shows why and returns null.
async function micGet() {
  try {
    const s = await micOpen(app.micId);
    $('mic-msg').hidden = true;
    micsFill();
    return s;
  } catch (e) {
    $('mic-msg').textContent = micError(e);
    $('mic-msg').hidden = false;
    return null;
  }
}

async function micTest() {
  const b = $('mic-test');
  if (app.testStop) {
    app.testStop();
    app.testStop = null;
    b.setAttribute('aria-pressed', 'false');
    b.textContent = 'Test microphone';
    return;
  }
  const s = await micGet();
  if (!s) return;
  const stop = meterAttach($('tx-meter'), s);
  app.testStop = () => { stop(); streamStop(s); };
  b.setAttribute('aria-pressed', 'true');
  b.textContent = 'Stop microphone test';
}

function padBuild(el, onKey) {
  const keys = [['1', ''], ['2', 'ABC'], ['3', 'DEF'], ['4', 'GHI'], ['5', 'JKL'], ['6', 'MNO'],
    ['7', 'PQRS'], ['8', 'TUV'], ['9', 'WXYZ'], ['*', ''], ['0', '+'], ['#', '']];
  for (const [k, sub] of keys) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'key';
    b.dataset.key = k;
    if (k === '*' || k === '#') b.setAttribute('aria-label', k === '*' ? 'star' : 'pound');
    b.textContent = k;
    if (sub) {
      const s = document.createElement('small');
      s.textContent = sub;
      s.setAttribute('aria-hidden', 'true');
      b.append(s);
    }
    b.addEventListener('click', () => onKey(k));
    el.append(b);
  }
}

function wire() {
  $('onboard-go').addEventListener('click', redeem);
  $('forget').addEventListener('click', async () => {
    if (app.phone) app.phone.stop();
    await kvDel('device').catch(() => {});
    $('problem').hidden = true;
    show('nodevice');
    setStatus('stopped');
    $('reg-status').textContent = 'Not set up';
  });
  padBuild($('pad'), (k) => {
    const n = $('number');
    n.value += k;
    n.focus();
  });
  padBuild($('dtmf'), (k) => app.calls && app.calls.dtmf(k));
  $('backspace').addEventListener('click', () => {
    const n = $('number');
    n.value = n.value.slice(0, -1);
    n.focus();
  });
  $('dial').addEventListener('submit', (e) => {
    e.preventDefault();
    const n = $('number').value.trim();
    if (n && app.calls) app.calls.dial(n);
  });
  $('mic').addEventListener('change', async () => {
    app.micId = $('mic').value;
    await kvPut('mic', app.micId).catch(() => {});
    if (app.testStop) { await micTest(); await micTest(); }
  });
  $('mic-test').addEventListener('click', micTest);
  $('notify').addEventListener('click', async () => {
    if (!('Notification' in self)) return;
    const p = await Notification.requestPermission();
    $('notify').hidden = p === 'granted';
  });
  if (!('Notification' in self) || Notification.permission === 'granted') $('notify').hidden = true;
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    navigator.mediaDevices.addEventListener('devicechange', micsFill);
  }
  // recovery after sleep or a network change
  addEventListener('offline', () => setStatus(ST.OFFLINE, {}));
  addEventListener('online', () => app.phone && app.phone.online());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && app.phone) app.phone.check();
  });
  addEventListener('pagehide', () => app.phone && app.phone.stop());
}

async function boot() {
  app.micGet = micGet;
  wire();
  app.micId = (await kvGet('mic').catch(() => '')) || '';
  micsFill();
  historyShow();
  const m = TOKEN_PATH.exec(location.pathname);
  if (m) {
    show('onboard');
    $('reg-status').textContent = 'Not set up yet';
    $('reg-status').dataset.state = 'onboarding';
    $('onboard-go').disabled = false;
    return;
  }
  let cfg = null;
  try {
    cfg = await kvGet('device');
  } catch (e) {
    cfg = null;
  }
  if (!cfg) {
    show('nodevice');
    $('reg-status').textContent = 'Not set up';
    $('reg-status').dataset.state = 'nodevice';
    return;
  }
  start(cfg);
}

boot();
