// jsforce against the local org, as a user's Node.js app would use it: credentials from the
// AppLink authorization endpoint, then CRUD on every object, relationship queries, paging with
// queryMore, describe, and the error shapes Salesforce answers with. run.sh starts the org and
// passes its environment (HEROKU_APPLINK_API_URL, HEROKU_APPLINK_TOKEN, HEROKU_APP_ID, ...).
import jsforce from 'jsforce';
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

const env = process.env;
let conn;
let auth;

async function authorize(connection, token = env.HEROKU_APPLINK_TOKEN, appId = env.HEROKU_APP_ID) {
  const res = await fetch(`${env.HEROKU_APPLINK_API_URL}/authorizations/${connection}`, {
    headers: {Authorization: `Bearer ${token}`, 'X-App-UUID': appId},
  });
  return {status: res.status, body: await res.json()};
}

// Rejects with jsforce's error: name and errorCode are Salesforce's errorCode.
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  const {status, body} = await authorize(env.CONNECTION_NAMES.split(',')[0]);
  assert.equal(status, 200);
  auth = body;
  conn = new jsforce.Connection({
    instanceUrl: body.org.instance_url,
    accessToken: body.org.user_auth.access_token,
    version: body.org.api_version,
  });
});

test('AppLink answers with the org and a user access token in its JSON shape', async () => {
  assert.equal(auth.status, 'authorized');
  assert.equal(auth.org.type, 'SalesforceOrg');
  assert.match(auth.org.id, /^00D[A-Za-z0-9]{15}$/);
  assert.match(auth.org.user_auth.user_id, /^005[A-Za-z0-9]{15}$/);
  assert.match(auth.org.user_auth.access_token, /^00D[A-Za-z0-9]{12}!/);
  const wrongToken = await authorize('devorg', 'not-the-token');
  assert.equal(wrongToken.status, 401);
  const unknown = await authorize('no-such-connection');
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.body, {title: 'Not Found', detail: 'Authorization not found'});
  const wrongApp = await authorize('devorg', env.HEROKU_APPLINK_TOKEN, 'another-app');
  assert.equal(wrongApp.status, 403);
});

test('Integration endpoint answers for CONNECTION_NAMES in its shape', async () => {
  const res = await fetch(`${env.HEROKU_INTEGRATION_API_URL}/invocations/authorization`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${env.HEROKU_INTEGRATION_TOKEN}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({org_name: 'devorg'}),
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.org_domain_url, auth.org.instance_url);
  assert.match(body.access_token, /^00D/);
});

test('creates, retrieves, updates and deletes every object the patterns use', async () => {
  const account =
      await conn.sobject('Account').create({Name: 'Conformance Inc', BillingCountry: 'France'});
  assert.equal(account.success, true);
  assert.match(account.id, /^001[A-Za-z0-9]{15}$/);
  const contact = await conn.sobject('Contact').create(
      {LastName: 'Doe', FirstName: 'Jane', AccountId: account.id});
  const product = await conn.sobject('Product2')
                      .create({Name: 'Conformance Widget', Family: 'Hardware', IsActive: true});
  const standard = await conn.query('SELECT Id FROM Pricebook2 WHERE IsStandard = true');
  const standardEntry = await conn.sobject('PricebookEntry').create({
    Pricebook2Id: standard.records[0].Id,
    Product2Id: product.id,
    UnitPrice: 100,
    IsActive: true,
  });
  const book = await conn.sobject('Pricebook2').create({Name: 'Partner prices', IsActive: true});
  const entry = await conn.sobject('PricebookEntry').create({
    Pricebook2Id: book.id,
    Product2Id: product.id,
    UnitPrice: 80,
    IsActive: true,
  });
  const opportunity = await conn.sobject('Opportunity').create({
    Name: 'Conformance deal',
    AccountId: account.id,
    StageName: 'Prospecting',
    CloseDate: '2026-12-31',
    Pricebook2Id: book.id,
  });
  const line = await conn.sobject('OpportunityLineItem').create({
    OpportunityId: opportunity.id,
    PricebookEntryId: entry.id,
    Quantity: 3,
    UnitPrice: 80,
  });
  const quote = await conn.sobject('Quote').create({Name: 'Q1', OpportunityId: opportunity.id});
  const quoteLine = await conn.sobject('QuoteLineItem').create({
    QuoteId: quote.id,
    PricebookEntryId: entry.id,
    Quantity: 2,
    UnitPrice: 75.5,
  });
  for (const r
           of [contact, product, standardEntry, book, entry, opportunity, line, quote, quoteLine]) {
    assert.equal(r.success, true);
  }

  const opp = await conn.sobject('Opportunity').retrieve(opportunity.id);
  assert.equal(opp.Name, 'Conformance deal');
  assert.equal(opp.Amount, 240);
  assert.equal(opp.attributes.type, 'Opportunity');
  const q = await conn.sobject('Quote').retrieve(quote.id);
  assert.equal(q.TotalPrice, 151);
  assert.equal(q.AccountId, account.id);
  assert.equal((await conn.sobject('Contact').retrieve(contact.id)).Name, 'Jane Doe');

  const updated =
      await conn.sobject('Opportunity').update({Id: opportunity.id, StageName: 'Closed Won'});
  assert.equal(updated.success, true);
  const won = await conn.sobject('Opportunity').retrieve(opportunity.id);
  assert.equal(won.IsWon, true);

  const removed = await conn.sobject('QuoteLineItem').destroy(quoteLine.id);
  assert.equal(removed.success, true);
  assert.equal((await conn.sobject('Quote').retrieve(quote.id)).LineItemCount, 0);
  const gone = await failure(conn.sobject('QuoteLineItem').retrieve(quoteLine.id));
  assert.equal(gone.errorCode, 'ENTITY_IS_DELETED');
});

test('upserts by external id, reporting created then updated', async () => {
  const [opp] = (await conn.query('SELECT Id FROM Opportunity LIMIT 1')).records;
  const first = await conn.sobject('Quote').upsert(
      {Name: 'Upserted', OpportunityId: opp.Id, GenerationKey__c: 'conformance:1'},
      'GenerationKey__c');
  assert.equal(first.success, true);
  assert.equal(first.created, true);
  const second = await conn.sobject('Quote').upsert(
      {Name: 'Upserted again', GenerationKey__c: 'conformance:1'}, 'GenerationKey__c');
  assert.equal(second.success, true);
  assert.equal(second.created, false);
  assert.equal(second.id, first.id);
  const found =
      await conn.query('SELECT Name FROM Quote WHERE GenerationKey__c = \'conformance:1\'');
  assert.equal(found.totalSize, 1);
  assert.equal(found.records[0].Name, 'Upserted again');
});

test('queries parent fields and child subqueries', async () => {
  const result = await conn.query(
      'SELECT Name, Amount, Account.Name, Account.BillingCountry, ' +
      '(SELECT Quantity, UnitPrice, TotalPrice, PricebookEntry.Product2.Family FROM OpportunityLineItems) ' +
      'FROM Opportunity WHERE Name LIKE \'%deal%\' ORDER BY Name LIMIT 5');
  assert.equal(result.done, true);
  assert.equal(result.records.length, 5);
  for (const opp of result.records) {
    assert.equal(typeof opp.Account.Name, 'string');
    assert.ok(opp.OpportunityLineItems.totalSize >= 1);
    const total = opp.OpportunityLineItems.records.reduce((sum, l) => sum + l.TotalPrice, 0);
    assert.ok(Math.abs(total - opp.Amount) < 0.005, `${opp.Name}: ${total} != ${opp.Amount}`);
  }
  const count = await conn.query('SELECT COUNT() FROM Opportunity');
  assert.ok(count.totalSize >= 50);
  assert.deepEqual(count.records, []);
});

test('pages through several thousand records with queryMore', async () => {
  const batch = [];
  for (let i = 0; i < 2600; i++) batch.push({Name: `Paging ${String(i).padStart(4, '0')}`});
  for (let i = 0; i < batch.length; i += 200) {
    const results =
        await conn.sobject('Account').create(batch.slice(i, i + 200), {allOrNone: true});
    assert.equal(results.length, Math.min(200, batch.length - i));
    assert.ok(results.every((r) => r.success));
  }
  const first = await conn.query(
      'SELECT Id, Name FROM Account WHERE Name LIKE \'Paging %\' ORDER BY Name',
      {autoFetch: false});
  assert.equal(first.totalSize, 2600);
  assert.equal(first.done, false);
  assert.equal(first.records.length, 2000);
  assert.match(first.nextRecordsUrl, /\/query\/01g[A-Za-z0-9]{15}-2000$/);
  const second = await conn.queryMore(first.nextRecordsUrl);
  assert.equal(second.done, true);
  assert.equal(second.records.length, 600);
  assert.equal(second.records[0].Name, 'Paging 2000');

  const all = await conn.query(
      'SELECT Id FROM Account WHERE Name LIKE \'Paging %\'', {autoFetch: true, maxFetch: 5000});
  assert.equal(all.records.length, 2600);
});

test('describes the org and its objects', async () => {
  const global = await conn.describeGlobal();
  const names = global.sobjects.map((o) => o.name);
  for (const name of ['Account', 'Opportunity', 'OpportunityLineItem', 'Quote', 'QuoteLineItem']) {
    assert.ok(names.includes(name), name);
  }
  const quote = await conn.sobject('Quote').describe();
  assert.equal(quote.name, 'Quote');
  assert.equal(quote.keyPrefix, '0Q0');
  const key = quote.fields.find((f) => f.name === 'GenerationKey__c');
  assert.equal(key.externalId, true);
  assert.equal(key.unique, true);
  const opportunity = quote.fields.find((f) => f.name === 'OpportunityId');
  assert.deepEqual(opportunity.referenceTo, ['Opportunity']);
  const lines = quote.childRelationships.find((c) => c.relationshipName === 'QuoteLineItems');
  assert.equal(lines.childSObject, 'QuoteLineItem');
});

test('answers errors in Salesforce shapes', async () => {
  const malformed = await failure(conn.query('SELEKT Id FROM Account'));
  assert.equal(malformed.errorCode, 'MALFORMED_QUERY');
  assert.equal(malformed.name, 'MALFORMED_QUERY');
  const field = await failure(conn.query('SELECT Bacon__c FROM Account'));
  assert.equal(field.errorCode, 'INVALID_FIELD');
  assert.match(field.message, /No such column 'Bacon__c' on entity 'Account'/);
  const type = await failure(conn.query('SELECT Id FROM Nope__c'));
  assert.equal(type.errorCode, 'INVALID_TYPE');
  const missing = await failure(conn.sobject('Account').retrieve('001000000000999AAA'));
  assert.equal(missing.errorCode, 'NOT_FOUND');
  const badId =
      await failure(conn.sobject('Contact').create({LastName: 'x', AccountId: 'not-an-id'}));
  assert.equal(badId.errorCode, 'MALFORMED_ID');
  const required = await failure(conn.sobject('Account').create({Description: 'no name'}));
  assert.equal(required.errorCode, 'REQUIRED_FIELD_MISSING');
  assert.equal(required.message, 'Required fields are missing: [Name]');
  const bad = new jsforce.Connection(
      {instanceUrl: conn.instanceUrl, accessToken: '00D000000000001!nope', version: conn.version});
  const session = await failure(bad.query('SELECT Id FROM Account'));
  assert.equal(session.errorCode, 'INVALID_SESSION_ID');
});
