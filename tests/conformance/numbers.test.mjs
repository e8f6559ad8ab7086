// jsforce against the local org with the numbers a Node.js app really sends: binary floats such
// as 53.99100000000001 (53.991 plus one ulp) or 0.1 + 0.2. Salesforce takes any JSON number in
// range for a currency, percent or number field; the local org stores it rounded half up to the
// field's scale (src/devorg/README.md, "Numbers from clients") and refuses one out of range.
import jsforce from 'jsforce';
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

const env = process.env;
let conn;
let entry;
let opportunity;

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
  // An opportunity of our own, so that other files' tests see no new lines.
  const [pbe] = (await conn.query(
                     'SELECT Id, Pricebook2Id FROM PricebookEntry WHERE IsActive = true LIMIT 1'))
                    .records;
  entry = pbe.Id;
  const opp = await conn.sobject('Opportunity').create({
    Name: 'Numbers Deal',
    StageName: 'Prospecting',
    CloseDate: '2026-12-31',
    Pricebook2Id: pbe.Pricebook2Id,
  });
  opportunity = opp.id;
});

const api = (path) => `/services/data/v${conn.version}${path}`;

// 53.991 one ulp (2^-47) above, as binary floating point arithmetic leaves it.
const price = 53.991 + 2 ** -47;

test('a float with 16 digits is sent as such and read back rounded to cents', async () => {
  assert.equal(JSON.stringify(price), '53.99100000000001');
  const line = await conn.sobject('OpportunityLineItem').create({
    OpportunityId: opportunity,
    PricebookEntryId: entry,
    Quantity: 0.1 + 0.2,  // 0.30000000000000004
    UnitPrice: price,
    Discount: 12.345,
  });
  assert.equal(line.success, true);
  const read = await conn.sobject('OpportunityLineItem').retrieve(line.id);
  assert.equal(read.UnitPrice, 53.99);
  assert.equal(read.Quantity, 0.3);
  assert.equal(read.Discount, 12.35);  // half up
  assert.equal(read.Subtotal, 16.2);   // 0.3 × 53.99 = 16.197
  const found = await conn.query(
      `SELECT Id FROM OpportunityLineItem WHERE Id = '${line.id}' AND UnitPrice = 53.99`);
  assert.equal(found.totalSize, 1);

  await conn.sobject('OpportunityLineItem').update({Id: line.id, UnitPrice: -0.125, Quantity: 1e2});
  const updated = await conn.sobject('OpportunityLineItem').retrieve(line.id);
  assert.equal(updated.UnitPrice, -0.13);  // half away from zero
  assert.equal(updated.Quantity, 100);
});

test('a number out of range is refused with NUMBER_OUTSIDE_VALID_RANGE', async () => {
  const error =
      await conn.sobject('OpportunityLineItem')
          .create(
              {OpportunityId: opportunity, PricebookEntryId: entry, Quantity: 1, UnitPrice: 1e20})
          .then(() => assert.fail('expected the create to fail'), (e) => e);
  assert.equal(error.errorCode, 'NUMBER_OUTSIDE_VALID_RANGE');
  assert.match(error.message, /^Sales Price: value outside of valid range on numeric field/);
});

test('a composite graph writes a quote line with a float and reads it back', async () => {
  const answer = await conn.request({
    method: 'POST',
    url: api('/composite/graph'),
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({
      graphs: [{
        graphId: 'numbers',
        compositeRequest: [
          {
            method: 'PATCH',
            url: api('/sobjects/Quote/GenerationKey__c/numbers-q'),
            referenceId: 'quote',
            body: {Name: 'Numbers Quote', OpportunityId: opportunity},
          },
          {
            method: 'PATCH',
            url: api('/sobjects/QuoteLineItem/GenerationKey__c/numbers-q-1'),
            referenceId: 'line',
            body:
                {QuoteId: '@{quote.id}', PricebookEntryId: entry, Quantity: 1.5, UnitPrice: price},
          },
        ],
      }],
    }),
  });
  assert.equal(answer.graphs[0].isSuccessful, true, JSON.stringify(answer));
  const lines = await conn.query(
      'SELECT UnitPrice, TotalPrice, Quote.TotalPrice FROM QuoteLineItem ' +
      'WHERE GenerationKey__c = \'numbers-q-1\'');
  assert.equal(lines.totalSize, 1);
  assert.equal(lines.records[0].UnitPrice, 53.99);
  assert.equal(lines.records[0].TotalPrice, 80.99);  // 1.5 × 53.99 = 80.985, half up
  assert.equal(lines.records[0].Quote.TotalPrice, 80.99);
});
