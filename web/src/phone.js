// phone.js: the SIP side of the softphone over JsSIP: registration with a
// status and its reason, reconnection, and calls (RFC 3261 over RFC 7118
// WebSocket; DTMF as RFC 4733 events; blind transfer with REFER, RFC 3515).
import JsSIP from 'jssip';

export const REG_CHECK_MS = 30000; // re-REGISTER while idle: notices revocation
const RECOVERY_MIN_S = 2;
const RECOVERY_MAX_S = 30;
// A call survives its WebSocket closing if the app reconnects and
// re-INVITEs on the new one before the gateway gives up on the old one
// (GW_CALL_GRACE_MS, 5 s, in src/gw/call.h); past this the call is ended
// here with a clear reason instead of sitting silent.
export const CALL_KEEP_MS = 4500;
export const LOST = 'Connection lost'; // the 'ended' cause of such a call

// Registration states shown to people (main.js has the words).
export const ST = {
  CONNECTING: 'connecting',
  REGISTERED: 'registered',
  AUTH_FAILED: 'auth_failed',
  REVOKED: 'revoked',
  OFFLINE: 'offline',
  RECONNECTING: 'reconnecting',
  STOPPED: 'stopped',
};

export class Phone {
  // cfg: the device configuration from provisioning; on: { status(state,
  // detail), incoming(session), session(session), adrift(bool): the
  // calls lost their socket / are kept on the new one }.
  constructor(cfg, on) {
    this.cfg = cfg;
    this.on = on;
    this.ua = null;
    this.state = ST.STOPPED;
    this.attempts = 0;
    this.sessions = new Set();
    this.checkTimer = null;
    this.keepTimer = null;
  }

  pcConfig() {
    return {
      iceServers: Array.isArray(this.cfg.ice_servers) ? this.cfg.ice_servers : [],
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
    };
  }

  set(state, detail) {
    this.state = state;
    this.on.status(state, detail);
  }

  start() {
    if (this.ua) return;
    const socket = new JsSIP.WebSocketInterface(this.cfg.ws_url);
    const ua = new JsSIP.UA({
      sockets: [socket],
      uri: this.cfg.sip_uri,
      authorization_user: this.cfg.sip_username,
      password: this.cfg.password,
      realm: this.cfg.realm,
      display_name: this.cfg.display_name,
      register: true,
      session_timers: false,
      user_agent: 'sipcloak-web',
      connection_recovery_min_interval: RECOVERY_MIN_S,
      connection_recovery_max_interval: RECOVERY_MAX_S,
    });
    this.ua = ua;
    this.attempts = 0;
    ua.on('connecting', () => {
      if (this.state === ST.REVOKED) return;
      this.set(this.attempts ? ST.RECONNECTING : ST.CONNECTING, { attempt: this.attempts });
    });
    ua.on('connected', () => {
      this.attempts = 0;
      if (this.state !== ST.REGISTERED) this.set(ST.CONNECTING, { attempt: 0 });
      if (this.keepTimer) this.callsResume();
    });
    ua.on('disconnected', () => {
      if (this.state === ST.REVOKED || this.ua !== ua) return;
      this.attempts++;
      const wait = Math.min(RECOVERY_MAX_S, RECOVERY_MIN_S * 2 ** (this.attempts - 1));
      if (!navigator.onLine) this.set(ST.OFFLINE, {});
      else this.set(ST.RECONNECTING, { attempt: this.attempts, wait });
      if (this.sessions.size) this.callsAdrift(ua);
    });
    ua.on('registered', () => this.set(ST.REGISTERED, {}));
    ua.on('unregistered', () => {
      if (this.state === ST.REGISTERED) this.set(ST.CONNECTING, {});
    });
    ua.on('registrationFailed', (e) => this.regFailed(e));
    ua.on('newRTCSession', (e) => this.newSession(e));
    ua.start();
    this.checkTimer = setInterval(() => this.check(), REG_CHECK_MS);
  }

  regFailed(e) {
    const status = e.response ? e.response.status_code : 0;
    if (e.cause === JsSIP.C.causes.REJECTED || status === 403) {
      // the registrar refuses this device for good: stop trying
      this.set(ST.REVOKED, { status });
      this.stop();
    } else if (e.cause === JsSIP.C.causes.AUTHENTICATION_ERROR) {
      this.set(ST.AUTH_FAILED, { status });
      this.stop();
    } else if (!navigator.onLine) {
      this.set(ST.OFFLINE, {});
    } else {
      this.set(ST.RECONNECTING, { cause: e.cause, status });
    }
  }

  // Re-register now (after sleep, coming back online, every REG_CHECK_MS):
  // a revoked device learns it at once. Reconnects at once when the socket
  // is gone: a fresh start without a call, the same UA (and dialogs) with
  // one.
  check() {
    if (!this.ua || this.state === ST.REVOKED || this.state === ST.AUTH_FAILED) return;
    if (this.ua.isConnected()) {
      this.ua.register();
    } else if (!navigator.onLine) {
      // the 'online' event comes back here
    } else if (!this.sessions.size) {
      this.restart();
    } else if (!this.ua.transport.isConnecting()) {
      this.ua.transport.connect();
    }
  }

  // The WebSocket closed with calls up: reconnect now rather than after
  // JsSIP's backoff, and give the calls CALL_KEEP_MS to be re-INVITEd on
  // the new socket (callsResume) before ending them here.
  callsAdrift(ua) {
    if (this.keepTimer) return;
    for (const s of this.sessions) s.scAdrift = true;
    this.on.adrift(true);
    this.keepTimer = setTimeout(() => {
      this.keepTimer = null;
      for (const s of this.sessions) {
        if (s.scAdrift) s.terminate({ cause: LOST, status_code: 480 });
      }
    }, CALL_KEEP_MS);
    if (navigator.onLine && !ua.transport.isConnecting()) ua.transport.connect();
  }

  // Connected again: each established call sends a re-INVITE on the new
  // socket, which moves the gateway's side of the dialog to this flow
  // (RFC 3261 §14: a target refresh). The media flows on meanwhile.
  callsResume() {
    for (const s of this.sessions) {
      if (!s.scAdrift) continue;
      if (!s.isEstablished()) {
        s.terminate({ cause: LOST });
        continue;
      }
      s.renegotiate({}, () => {
        s.scAdrift = false;
        if (![...this.sessions].some((x) => x.scAdrift)) {
          clearTimeout(this.keepTimer);
          this.keepTimer = null;
          this.on.adrift(false);
        }
      });
    }
  }

  // The network is back (the 'online' event): a socket from before the
  // change is likely dead, so without a call a fresh start re-registers at
  // once; a call in progress keeps its UA and JsSIP's own recovery.
  online() {
    if (!this.ua || this.state === ST.REVOKED || this.state === ST.AUTH_FAILED) return;
    if (this.sessions.size) this.check();
    else this.restart();
  }

  restart() {
    const st = this.state;
    this.stop();
    if (st !== ST.REVOKED && st !== ST.AUTH_FAILED) this.start();
  }

  stop() {
    clearInterval(this.checkTimer);
    this.checkTimer = null;
    clearTimeout(this.keepTimer);
    this.keepTimer = null;
    const ua = this.ua;
    this.ua = null;
    if (ua) ua.stop();
  }

  newSession(e) {
    const s = e.session;
    this.sessions.add(s);
    const done = () => {
      this.sessions.delete(s);
      if (!this.sessions.size && this.keepTimer) {
        clearTimeout(this.keepTimer);
        this.keepTimer = null;
      }
    };
    s.on('ended', done);
    s.on('failed', done);
    if (e.originator === 'remote') this.on.incoming(s);
    else this.on.session(s);
  }

  // An outgoing call with the given microphone stream.
  call(target, stream) {
    if (!this.ua) throw new Error('not started');
    return this.ua.call(target, {
      mediaStream: stream,
      pcConfig: this.pcConfig(),
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    });
  }

  answer(session, stream) {
    session.answer({ mediaStream: stream, pcConfig: this.pcConfig() });
  }

  // A number as typed, or a full SIP URI; digits go to the device's domain.
  target(text) {
    const t = text.trim();
    if (/^sips?:/i.test(t)) return t;
    const domain = this.cfg.sip_uri.replace(/^sips?:[^@]*@/i, '');
    return `sip:${t.replace(/[\s().-]/g, '')}@${domain}`;
  }
}

// DTMF as RFC 4733 telephone-events in the media (JsSIP calls it RFC2833).
export function sendDtmf(session, tone) {
  session.sendDTMF(tone, { transportType: JsSIP.C.DTMF_TRANSPORT.RFC2833, duration: 100, interToneGap: 70 });
}

// The display text of a session's other side.
export function peerOf(session) {
  const id = session.remote_identity;
  if (!id) return '';
  const user = id.uri ? id.uri.user : '';
  return id.display_name ? `${id.display_name} (${user})` : user;
}

export { JsSIP };
