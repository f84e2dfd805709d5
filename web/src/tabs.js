// tabs.js: several tabs of the same device (BroadcastChannel): every tab
// rings; when one answers, the others stop ringing at once (the gateway
// then cancels their forks of the call).
const CHANNEL = 'sipcloak';

export class Tabs {
  constructor(onAnsweredElsewhere) {
    this.ch = 'BroadcastChannel' in self ? new BroadcastChannel(CHANNEL) : null;
    if (this.ch) {
      this.ch.onmessage = (e) => {
        const m = e.data || {};
        if (m.type === 'answered') onAnsweredElsewhere(m.from);
      };
    }
  }

  // This tab answered a call from `from` (the caller's URI user).
  answered(from) {
    if (this.ch) this.ch.postMessage({ type: 'answered', from });
  }
}
