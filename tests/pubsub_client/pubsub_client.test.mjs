// An independent Pub/Sub API client against the local org: pozil's salesforce-pubsub-api-client
// (npm, pinned in package-lock.json; @grpc/grpc-js, its own copy of Salesforce's proto, avro-js,
// its own bitmap decoding) over the TLS port with the self-signed certificate
// (rejectUnauthorizedSsl: false), as a Node.js app would use it against Salesforce. run.sh starts
// the org and passes its environment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import PubSubApiClient from 'salesforce-pubsub-api-client';

const env = process.env;
const orgUrl = env.PRICING_DEVORG_URL;
const quiet = { debug() {}, info() {}, warn() {}, error: console.error };

async function credentials() {
  const url = new URL(env.HEROKU_APPLINK_API_URL);
  const res = await fetch(`${url}/authorizations/devorg`, {
    headers: { Authorization: `Bearer ${env.HEROKU_APPLINK_TOKEN}`, 'X-App-UUID': env.HEROKU_APP_ID }
  });
  assert.equal(res.status, 200);
  const { org } = await res.json();
  return { accessToken: org.user_auth.access_token, instanceUrl: org.instance_url, organizationId: org.id, userId: org.user_auth.user_id };
}

async function rest(auth, method, path, body) {
  const res = await fetch(`${orgUrl}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${auth.accessToken}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text === '' ? null : JSON.parse(text);
}

async function connect(auth) {
  const client = new PubSubApiClient({
    authType: 'user-supplied',
    accessToken: auth.accessToken,
    // The client insists on https://; the local org's REST API is http (the Pub/Sub API only
    // requires the metadata to be present).
    instanceUrl: auth.instanceUrl.replace(/^http:/, 'https:'),
    organizationId: auth.organizationId,
    pubSubEndpoint: env.PRICING_DEVORG_PUBSUB_TLS_ENDPOINT,
    rejectUnauthorizedSsl: false
  }, quiet);
  await client.connect();
  return client;
}

// Resolves with the first `n` events (or rejects on a stream error or after 10 s).
function collect(n) {
  const events = [];
  let resolve, reject;
  const done = new Promise((res, rej) => { resolve = res; reject = rej; });
  const timer = setTimeout(() => reject(new Error(`only ${events.length} of ${n} events in 10 s`)), 10_000);
  const callback = (subscription, type, data) => {
    if (type === 'event') {
      events.push(data);
      if (events.length === n) { clearTimeout(timer); resolve(events); }
    } else if (type === 'error') {
      clearTimeout(timer);
      reject(new Error(`stream error: ${JSON.stringify(data)}`));
    }
  };
  return { callback, done };
}

test('change events of one REST request arrive as one transaction, bitmaps decoded', async () => {
  const auth = await credentials();
  const client = await connect(auth);
  try {
    const opps = await rest(auth, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Opportunity ORDER BY Id LIMIT 3')}`);
    const ids = opps.records.map((r) => r.Id);
    await rest(auth, 'PATCH', '/composite/sobjects', {
      allOrNone: true,
      records: ids.map((id) => ({ attributes: { type: 'Opportunity' }, id, StageName: 'Closed Won' }))
    });
    const { callback, done } = collect(1);
    await client.subscribeFromEarliestEvent('/data/OpportunityChangeEvent', callback, 5);
    const [event] = await done;
    const header = event.payload.ChangeEventHeader;
    assert.equal(header.entityName, 'Opportunity');
    assert.equal(header.changeType, 'UPDATE');
    assert.deepEqual(header.recordIds.slice().sort(), ids.slice().sort());
    assert.equal(header.sequenceNumber, 1);
    assert.match(header.transactionKey, /^[0-9a-f-]{36}$/);
    assert.deepEqual(header.changedFields.slice().sort(), ['LastModifiedDate', 'StageName']);
    assert.equal(typeof event.replayId, 'number');
  } finally {
    client.close();
  }
});

test('a platform event published over Pub/Sub runs the Flow', async () => {
  const auth = await credentials();
  const client = await connect(auth);
  try {
    const result = await client.publish('/event/QuoteGenerationComplete__e', {
      CreatedDate: Date.now(),
      CreatedById: auth.userId,
      Status__c: { string: 'Quotes Generated: 7' }
    });
    assert.ok(result.replayId > 0, JSON.stringify(result));
    const res = await fetch(`${orgUrl}/devorg/notifications`);
    const { notifications } = await res.json();
    assert.ok(notifications.some((n) => n.body === 'Quotes Generated: 7'), JSON.stringify(notifications));
  } finally {
    client.close();
  }
});
