// jsforce against the local org's Composite, Composite Graph, sObject Collections and Bulk API
// 2.0, the calls a batch-minded Node.js app makes.
import jsforce from 'jsforce';
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

const env = process.env;
let conn;

before(async () => {
  const res = await fetch(`${env.HEROKU_APPLINK_API_URL}/authorizations/devorg`, {
    headers: {Authorization: `Bearer ${env.HEROKU_APPLINK_TOKEN}`, 'X-App-UUID': env.HEROKU_APP_ID},
  });
  const auth = await res.json();
  conn = new jsforce.Connection({
    instanceUrl: auth.org.instance_url,
    accessToken: auth.org.user_auth.access_token,
    version: auth.org.api_version,
  });
});

const api = (path) => `/services/data/v${conn.version}${path}`;

test('composite runs sub-requests in order with references and allOrNone', async () => {
  const answer = await conn.request({
    method: 'POST',
    url: api('/composite'),
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: api('/sobjects/Account'),
          referenceId: 'acct',
          body: {Name: 'Composite Co'}
        },
        {
          method: 'POST',
          url: api('/sobjects/Contact'),
          referenceId: 'ct',
          body: {LastName: 'Ref', AccountId: '@{acct.id}'}
        },
        {
          method: 'GET',
          url: api('/sobjects/Contact/@{ct.id}?fields=AccountId'),
          referenceId: 'read'
        },
      ],
    }),
  });
  const [acct, ct, read] = answer.compositeResponse;
  assert.equal(acct.httpStatusCode, 201);
  assert.equal(ct.httpStatusCode, 201);
  assert.equal(read.httpStatusCode, 200);
  assert.equal(read.body.AccountId, acct.body.id);

  const failed = await conn.request({
    method: 'POST',
    url: api('/composite'),
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: api('/sobjects/Account'),
          referenceId: 'ok',
          body: {Name: 'Rolled back'}
        },
        {method: 'POST', url: api('/sobjects/Account'), referenceId: 'bad', body: {}},
      ],
    }),
  });
  assert.equal(failed.compositeResponse[0].httpStatusCode, 400);
  assert.equal(failed.compositeResponse[0].body[0].errorCode, 'PROCESSING_HALTED');
  assert.equal(failed.compositeResponse[1].body[0].errorCode, 'REQUIRED_FIELD_MISSING');
  const rolled = await conn.query('SELECT COUNT() FROM Account WHERE Name = \'Rolled back\'');
  assert.equal(rolled.totalSize, 0);
});

test('a composite graph writes a quote and its lines by upsert, all or none per graph', async () => {
  const [opp] =
      (await conn.query(
           'SELECT Id, (SELECT PricebookEntryId FROM OpportunityLineItems) FROM Opportunity LIMIT 1'))
          .records;
  const entry = opp.OpportunityLineItems.records[0].PricebookEntryId;
  const graph = (id, key) => ({
    graphId: id,
    compositeRequest: [
      {
        method: 'PATCH',
        url: api(`/sobjects/Quote/GenerationKey__c/${key}`),
        referenceId: 'quote',
        body: {Name: `Graph ${key}`, OpportunityId: opp.Id}
      },
      {
        method: 'PATCH',
        url: api(`/sobjects/QuoteLineItem/GenerationKey__c/${key}-1`),
        referenceId: 'line',
        body: {QuoteId: '@{quote.id}', PricebookEntryId: entry, Quantity: 2, UnitPrice: 10}
      },
    ],
  });
  const body = JSON.stringify({graphs: [graph('g1', 'graph-a'), graph('g2', 'graph-b')]});
  const first = await conn.request({
    method: 'POST',
    url: api('/composite/graph'),
    headers: {'Content-Type': 'application/json'},
    body
  });
  assert.deepEqual(first.graphs.map((g) => g.isSuccessful), [true, true]);
  // The same graphs again (a retried job): rewritten, not duplicated.
  const again = await conn.request({
    method: 'POST',
    url: api('/composite/graph'),
    headers: {'Content-Type': 'application/json'},
    body
  });
  assert.deepEqual(again.graphs.map((g) => g.isSuccessful), [true, true]);
  const quotes =
      await conn.query('SELECT Id, LineItemCount FROM Quote WHERE Name LIKE \'Graph %\'');
  assert.equal(quotes.totalSize, 2);
  assert.ok(quotes.records.every((q) => q.LineItemCount === 1));
});

test('collections update and delete with results in request order', async () => {
  const created = await conn.sobject('Account').create(
      [{Name: 'Coll 1'}, {Name: 'Coll 2'}, {Name: 'Coll 3'}], {allOrNone: true});
  const ids = created.map((r) => r.id);
  const updated = await conn.sobject('Account').update(
      ids.map((Id, i) => ({Id, Description: `updated ${i}`})), {allOrNone: false});
  assert.deepEqual(updated.map((r) => r.id), ids);
  assert.ok(updated.every((r) => r.success));
  const removed = await conn.sobject('Account').destroy(ids, {allOrNone: true});
  assert.deepEqual(removed.map((r) => r.id), ids);
  const left = await conn.query('SELECT COUNT() FROM Account WHERE Name LIKE \'Coll %\'');
  assert.equal(left.totalSize, 0);
});

test('Bulk API 2.0 ingests CSV with per-row results and answers query jobs', async () => {
  let csv = 'Name,NumberOfEmployees\n';
  for (let i = 0; i < 500; i++) csv += `Bulk2 ${i},${i === 42 ? 'not-a-number' : i}\n`;
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'insert',
    input: csv,
    pollInterval: 50,
    pollTimeout: 30000,
  });
  assert.equal(results.successfulResults.length, 499);
  assert.equal(results.failedResults.length, 1);
  assert.equal(results.failedResults[0].Name, 'Bulk2 42');
  assert.match(results.failedResults[0].sf__Error, /^JSON_PARSER_ERROR:/);
  assert.equal(results.unprocessedRecords.length, 0);

  const records = await conn.bulk2.query(
      'SELECT Id, Name FROM Account WHERE Name LIKE \'Bulk2 %\'',
      {pollInterval: 50, pollTimeout: 30000});
  const rows = await records.toArray();
  assert.equal(rows.length, 499);
  assert.ok(rows.every((r) => r.Name.startsWith('Bulk2 ')));
});

test('platform events publish through REST and the Flow sends a notification', async () => {
  const result =
      await conn.sobject('QuoteGenerationComplete__e').create({Status__c: 'Quotes Generated: 7'});
  assert.equal(result.success, true);
  const res = await fetch(`${conn.instanceUrl}/devorg/notifications`);
  const {notifications} = await res.json();
  assert.ok(notifications.some((n) => n.body === 'Quotes Generated: 7'));
});
