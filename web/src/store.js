// store.js: the browser-side storage of the softphone, all in IndexedDB:
// the device configuration (key "device"), settings, and the call history.
// Nothing goes to localStorage, cookies or the URL.
const DB_NAME = 'sipcloak';
const DB_VERSION = 1;
const KV = 'kv';
const HISTORY = 'history';
export const HISTORY_MAX = 100;

let dbp = null;

function req2p(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function open() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(KV)) db.createObjectStore(KV);
        if (!db.objectStoreNames.contains(HISTORY)) {
          db.createObjectStore(HISTORY, { keyPath: 'id', autoIncrement: true });
        }
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
      r.onblocked = () => reject(new Error('database blocked'));
    });
  }
  return dbp;
}

async function tx(store, mode, fn) {
  const db = await open();
  const t = db.transaction(store, mode);
  const out = fn(t.objectStore(store));
  await new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
  return out instanceof IDBRequest ? out.result : out;
}

export const kvGet = (key) => tx(KV, 'readonly', (s) => s.get(key));
export const kvPut = (key, value) => tx(KV, 'readwrite', (s) => s.put(value, key));
export const kvDel = (key) => tx(KV, 'readwrite', (s) => s.delete(key));

// One finished call: { at, dir: 'in'|'out', peer, name, secs, result }.
export async function historyAdd(rec) {
  await tx(HISTORY, 'readwrite', (s) => s.add(rec));
  const all = await historyList(Infinity);
  if (all.length > HISTORY_MAX) {
    const old = all.slice(HISTORY_MAX).map((r) => r.id);
    await tx(HISTORY, 'readwrite', (s) => old.forEach((id) => s.delete(id)));
  }
}

// Newest first.
export async function historyList(limit = HISTORY_MAX) {
  const db = await open();
  const all = await req2p(db.transaction(HISTORY).objectStore(HISTORY).getAll());
  return all.reverse().slice(0, limit);
}

export const historyClear = () => tx(HISTORY, 'readwrite', (s) => s.clear());
