// history.js: the local call history on screen (newest first); a click on
// an entry puts its number in the dial field.
import { historyList, historyClear } from './store.js';

const $ = (id) => document.getElementById(id);
let wired = false;

function when(ms) {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}

function dur(s) {
  return s ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : '';
}

export async function historyShow() {
  if (!wired) {
    wired = true;
    $('history-clear').addEventListener('click', async () => {
      await historyClear().catch(() => {});
      historyShow();
    });
  }
  const list = await historyList().catch(() => []);
  const ol = $('history-list');
  ol.replaceChildren();
  for (const r of list) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'hist';
    const arrow = r.dir === 'in' ? 'Incoming' : 'Outgoing';
    b.textContent = `${arrow} ${r.name || r.peer || 'unknown'} · ${when(r.at)} · ${r.result}${r.secs ? ' · ' + dur(r.secs) : ''}`;
    b.setAttribute('aria-label', `${b.textContent}. Put ${r.peer} in the number field`);
    b.addEventListener('click', () => {
      $('number').value = r.peer || '';
      $('number').focus();
    });
    li.append(b);
    ol.append(li);
  }
  $('history-empty').hidden = list.length > 0;
  $('history-clear').hidden = list.length === 0;
}
