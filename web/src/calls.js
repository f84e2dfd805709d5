// calls.js: one call at a time on screen: outgoing and incoming (ringtone,
// notification), answer/decline/hang up, mute, hold, DTMF, blind transfer,
// the call timer, the received level, and a history entry at the end.
import { peerOf, sendDtmf, LOST } from './phone.js';
import { ringStart, meterAttach, streamStop } from './media.js';
import { historyAdd } from './store.js';
import { historyShow } from './history.js';

const $ = (id) => document.getElementById(id);
const BUSY = 486; // RFC 3261 21.4.24 Busy Here: this tab is in a call
const LOST_MSG = 'the connection to the gateway was lost';

function fmt(secs) {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = String(secs % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export class Calls {
  constructor(app, tabs) {
    this.app = app;
    this.tabs = tabs;
    this.cur = null;   // { session, dir, peer, user, stream, started, ... }
    this.ringing = null; // { session, stop, note, user }
    $('answer').addEventListener('click', () => this.answer());
    $('decline').addEventListener('click', () => this.decline());
    $('hangup').addEventListener('click', () => this.hangup());
    $('mute').addEventListener('click', () => this.toggleMute());
    $('hold').addEventListener('click', () => this.toggleHold());
    $('keys').addEventListener('click', () => {
      const pad = $('dtmf');
      pad.hidden = !pad.hidden;
      $('keys').setAttribute('aria-expanded', String(!pad.hidden));
    });
    $('xfer').addEventListener('submit', (e) => {
      e.preventDefault();
      this.transfer($('xfer-to').value);
    });
    document.addEventListener('keydown', (e) => this.key(e));
  }

  regChanged(state) {
    $('call').disabled = state !== 'registered' && !this.cur;
  }

  // ---- outgoing ----
  async dial(number) {
    if (this.cur) return;
    const stream = await this.app.micGet();
    if (!stream) return;
    let target;
    try {
      target = this.app.phone.target(number);
      this.app.phone.call(target, stream);
    } catch (e) {
      streamStop(stream);
      $('call-state').textContent = 'The call could not start: ' + e.message;
      return;
    }
    this.cur.stream = stream;
    this.cur.number = number;
  }

  outgoing(session) {
    this.track(session, 'out');
    this.state('Calling…');
    session.on('progress', () => this.state('Ringing…'));
  }

  // ---- incoming ----
  incoming(session) {
    const user = session.remote_identity && session.remote_identity.uri ? session.remote_identity.uri.user : '';
    if (session.scReplaces && this.cur === session.scReplaces) {
      // an attended transfer: the new call takes the current one's place
      // and microphone; the old one ends when the new one is confirmed
      const old = this.cur;
      const stream = old.stream;
      old.stream = null;
      this.track(session, old.dir);
      this.cur.stream = stream;
      this.app.phone.answer(session, stream);
      return;
    }
    if (this.cur || this.ringing) {
      session.terminate({ status_code: BUSY });
      this.record({ dir: 'in', peer: user, name: peerOf(session), secs: 0, result: 'missed (busy)' });
      return;
    }
    const stop = ringStart();
    let note = null;
    if ('Notification' in self && Notification.permission === 'granted') {
      try {
        note = new Notification('Incoming call', { body: peerOf(session), tag: 'sipcloak-call', requireInteraction: true });
        note.onclick = () => { focus(); note.close(); };
      } catch (e) { note = null; }
    }
    this.ringing = { session, stop, note, user };
    $('incoming-from').textContent = peerOf(session) || 'Unknown caller';
    $('incoming').hidden = false;
    $('answer').focus();
    const end = (result) => () => {
      if (!this.ringing || this.ringing.session !== session) return;
      this.stopRinging();
      if (!this.cur || this.cur.session !== session) {
        this.record({ dir: 'in', peer: user, name: peerOf(session), secs: 0, result });
      }
    };
    session.on('failed', end('missed'));
    session.on('ended', end('missed'));
    session.on('accepted', () => this.stopRinging());
  }

  stopRinging() {
    const r = this.ringing;
    if (!r) return;
    this.ringing = null;
    r.stop();
    if (r.note) r.note.close();
    $('incoming').hidden = true;
  }

  answeredElsewhere(from) {
    const r = this.ringing;
    if (r && (!from || r.user === from)) {
      this.stopRinging();
      this.record({ dir: 'in', peer: r.user, name: peerOf(r.session), secs: 0, result: 'answered in another tab' });
      $('last-call').textContent = 'Answered in another tab';
    }
  }

  async answer() {
    const r = this.ringing;
    if (!r) return;
    const stream = await this.app.micGet();
    if (!stream || this.ringing !== r) {
      if (stream) streamStop(stream);
      return;
    }
    this.stopRinging();
    this.track(r.session, 'in');
    this.cur.stream = stream;
    this.state('Connecting…');
    this.tabs.answered(r.user);
    this.app.phone.answer(r.session, stream);
  }

  decline() {
    const r = this.ringing;
    if (!r) return;
    this.stopRinging();
    r.session.terminate({ status_code: 603, reason_phrase: 'Decline' });
    this.record({ dir: 'in', peer: r.user, name: peerOf(r.session), secs: 0, result: 'declined' });
  }

  // ---- the call on screen ----
  track(session, dir) {
    const c = { session, dir, peer: peerOf(session), started: 0, muted: false, held: false };
    c.user = session.remote_identity && session.remote_identity.uri ? session.remote_identity.uri.user : '';
    this.cur = c;
    $('call-peer').textContent = c.peer || c.user;
    $('call-timer').textContent = '0:00';
    $('incall').hidden = false;
    $('dialer').hidden = true;
    this.buttons();
    const attach = (pc) => {
      pc.addEventListener('track', (e) => {
        const stream = e.streams[0] || new MediaStream([e.track]);
        $('remote').srcObject = stream;
        if (c.rxStop) c.rxStop();
        c.rxStop = meterAttach($('rx-meter'), stream);
      });
    };
    if (session.connection) attach(session.connection);
    else session.on('peerconnection', (e) => attach(e.peerconnection));
    session.on('confirmed', () => {
      c.started = Date.now();
      this.state('In call');
      c.timer = setInterval(() => {
        $('call-timer').textContent = fmt(Math.floor((Date.now() - c.started) / 1000));
      }, 1000);
    });
    session.on('hold', () => { c.held = true; this.buttons(); this.state('On hold'); });
    session.on('unhold', () => { c.held = false; this.buttons(); this.state('In call'); });
    session.on('muted', () => { c.muted = true; this.buttons(); });
    session.on('unmuted', () => { c.muted = false; this.buttons(); });
    // scAdrift: phone.js ended it, the WebSocket gone (callsAdrift)
    session.on('ended', (e) => this.finish(c, session.scAdrift || e.cause === LOST ? LOST_MSG
      : e.originator === 'local' ? 'ended' : 'ended by the other side'));
    session.on('failed', (e) => this.finish(c, session.scAdrift ? LOST_MSG : 'failed: ' + (e.cause || 'unknown')));
    // Transfers from the other side: a REFER (RFC 3515) is followed by a
    // new call on the same microphone (this one ends when the transferor
    // hangs up); an INVITE with Replaces (RFC 3891) is answered in this
    // call's place (incoming()).
    session.on('refer', (e) => {
      if (this.cur !== c || !c.stream) { e.reject(); return; }
      const stream = c.stream;
      this.state('Transferred…');
      e.accept(null, { mediaStream: stream, pcConfig: this.app.phone.pcConfig() });
      if (this.cur !== c) { // the new call is on screen (outgoing())
        c.stream = null;
        this.cur.stream = stream;
        this.cur.number = e.request.refer_to.uri.user;
      }
    });
    session.on('replaces', (e) => {
      if (this.cur !== c || !c.stream) { e.reject(); return; }
      e.accept((ns) => { ns.scReplaces = c; });
    });
  }

  state(text) {
    $('call-state').textContent = text;
  }

  // The call's WebSocket closed (true) or the call was kept on a new one.
  adrift(lost) {
    const c = this.cur;
    if (!c || !c.started) return;
    this.state(lost ? 'Reconnecting… (the call continues if the connection is back within seconds)'
      : c.held ? 'On hold' : 'In call');
  }

  buttons() {
    const c = this.cur;
    if (!c) return;
    $('mute').setAttribute('aria-pressed', String(c.muted));
    $('mute').textContent = c.muted ? 'Unmute' : 'Mute';
    $('hold').setAttribute('aria-pressed', String(c.held));
    $('hold').textContent = c.held ? 'Resume' : 'Hold';
  }

  finish(c, result) {
    if (c.done) return;
    c.done = true;
    clearInterval(c.timer);
    if (c.rxStop) c.rxStop();
    streamStop(c.stream);
    const secs = c.started ? Math.round((Date.now() - c.started) / 1000) : 0;
    if (c.xferTo) result = 'transferred to ' + c.xferTo;
    const why = result === LOST_MSG || c.xferTo;
    this.record({ dir: c.dir, peer: c.user || c.number || '', name: c.peer, secs,
      result: c.started && !why ? 'answered' : result });
    if (this.cur === c) {
      this.cur = null;
      $('remote').srcObject = null;
      $('incall').hidden = true;
      $('dtmf').hidden = true;
      $('keys').setAttribute('aria-expanded', 'false');
      $('dialer').hidden = false;
      $('last-call').textContent = `Last call: ${c.peer || c.user} — ` +
        (c.started && !why ? fmt(secs) : c.started ? `${result} after ${fmt(secs)}` : result);
      this.regChanged(this.app.phone ? this.app.phone.state : '');
    }
  }

  hangup() {
    if (this.cur) this.cur.session.terminate();
  }

  toggleMute() {
    const c = this.cur;
    if (!c) return;
    if (c.muted) c.session.unmute({ audio: true });
    else c.session.mute({ audio: true });
  }

  toggleHold() {
    const c = this.cur;
    if (!c || !c.started) return;
    if (c.held) c.session.unhold();
    else c.session.hold();
  }

  dtmf(tone) {
    const c = this.cur;
    if (!c || !c.started) return;
    try {
      sendDtmf(c.session, tone);
      this.state(`In call — sent ${tone}`);
    } catch (e) {
      this.state('Tone not sent: ' + e.message);
    }
  }

  // Blind transfer (RFC 3515 REFER): on acceptance our leg hangs up.
  transfer(to) {
    const c = this.cur;
    if (!c || !c.started || !to.trim()) return;
    const target = this.app.phone.target(to);
    this.state('Transferring…');
    c.session.refer(target, {
      eventHandlers: {
        accepted: () => { c.xferTo = to.trim(); this.state('Transferred'); c.session.terminate(); },
        failed: () => this.state('Transfer failed: still in the call'),
        requestFailed: () => this.state('Transfer refused: still in the call'),
      },
    });
  }

  // Keyboard: digits type or send tones; Enter answers; Escape declines or
  // hangs up (when focus is not in a text field).
  key(e) {
    const inField = e.target && /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName);
    if (e.key === 'Escape') {
      if (this.ringing) this.decline();
      else if (this.cur) this.hangup();
      return;
    }
    if (inField || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9*#]$/.test(e.key)) {
      if (this.cur) this.dtmf(e.key);
      else if (!this.ringing) $('number').value += e.key;
    }
  }

  record(rec) {
    historyAdd({ at: Date.now(), ...rec }).then(historyShow, () => {});
  }
}
