// provision.mjs URL URL2 PORT: Node's fetch against a running gateway with
// two fresh one-time links (tests/integration/provision.sh): the app's page
// and its headers, /app.js, one redeem with every field, then 410, 404, and the
// per-source rate limit (429 with Retry-After).
import assert from 'node:assert/strict';

const [url, url2, port] = process.argv.slice(2);
const base = `https://127.0.0.1:${port}`;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self' wss:; img-src 'self' data:; media-src 'self' blob:; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const post = (u) => fetch(u, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
});

function noStore(r) {
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=/);
}

function secure(r) {
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=/);
  assert.equal(r.headers.get('content-security-policy'), CSP);
}

// The web app's page, twice: GET never uses the link.
for (let i = 0; i < 2; i++) {
  const r = await fetch(url);
  assert.equal(r.status, 200);
  secure(r);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const html = await r.text();
  assert.match(html, /<script src="\/app\.js"/);
  assert.doesNotMatch(html, /<script>/);
}
{
  const r = await fetch(`${base}/app.js`);
  assert.equal(r.status, 200);
  secure(r);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.ok(r.headers.get('etag'));
  assert.match(await r.text(), /location\.pathname/);
}

// Redeem once: every field.
{
  const r = await post(url);
  assert.equal(r.status, 200);
  noStore(r);
  const c = await r.json();
  assert.deepEqual(Object.keys(c).sort(), ['display_name', 'ice_servers',
    'password', 'realm', 'sip_uri', 'sip_username', 'ws_url']);
  assert.equal(c.ws_url, `wss://127.0.0.1:${port}/ws`);
  assert.match(c.sip_username, /^d[a-z0-9]{20}$/);
  assert.equal(c.sip_uri, `sip:${c.sip_username}@sipcloak.test`);
  assert.match(c.password, /^[A-Za-z0-9]{32}$/);
  assert.equal(c.realm, 'sipcloak.test');
  assert.equal(c.display_name, 'Alice "Al" Example');
  assert.deepEqual(c.ice_servers, []);
}
// Then never again.
{
  const r = await post(url);
  assert.equal(r.status, 410);
  noStore(r);
  assert.deepEqual(await r.json(), { error: 'link_used_or_expired' });
}
// Unknown and malformed.
{
  const tok = url.slice(url.lastIndexOf('/') + 1);
  const other = (tok[0] === 'A' ? 'B' : 'A') + tok.slice(1);
  let r = await post(`${base}/p/${other}`);
  assert.equal(r.status, 404);
  noStore(r);
  assert.deepEqual(await r.json(), { error: 'unknown_link' });
  r = await post(`${base}/p/not-a-token`);
  assert.equal(r.status, 404);
  await r.arrayBuffer();
}
// Three failures so far; seven more make ten: then 429, and the second
// link, valid, is refused without being used.
for (let i = 0; i < 7; i++) {
  const r = await post(`${base}/p/x${i}`);
  assert.equal(r.status, 404);
  await r.arrayBuffer();
}
{
  const r = await post(url2);
  assert.equal(r.status, 429);
  noStore(r);
  assert.equal(r.headers.get('retry-after'), '600');
  assert.deepEqual(await r.json(), { error: 'rate_limited' });
}
console.log('provision.mjs: page, redeem once, 410, 404, 429: ok');
