// jsforce's bulk2 against the local org's Bulk API 2.0 ingest, the way the product's large batch
// jobs write (issue 17): upsert Quotes on GenerationKey__c, then their QuoteLineItems with the
// relationship column Quote.GenerationKey__c (no Quote Ids), then read the failed rows; and the
// sample-data jobs' Opportunities and lines keyed by SampleKey__c, deleted again with their
// quotes.
import jsforce from 'jsforce';
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

const env = process.env;
let conn;
let opportunityId;
let entryId;

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
  opportunityId = (await conn.query('SELECT Id FROM Opportunity LIMIT 1')).records[0].Id;
  entryId = (await conn.query('SELECT Id FROM PricebookEntry WHERE IsActive = true LIMIT 1'))
                .records[0].Id;
});

const polling = {pollInterval: 50, pollTimeout: 60000};

test('quotes by generation key, then their lines by Quote.GenerationKey__c', async () => {
  const quotes = ['GenerationKey__c,Name,OpportunityId'];
  for (let q = 0; q < 300; q++) quotes.push(`conf:${q},Bulk quote ${q},${opportunityId}`);
  const written = await conn.bulk2.loadAndWaitForResults({
    object: 'Quote',
    operation: 'upsert',
    externalIdFieldName: 'GenerationKey__c',
    input: quotes.join('\n') + '\n',
    ...polling,
  });
  assert.equal(written.successfulResults.length, 300);
  assert.equal(written.failedResults.length, 0);
  assert.ok(written.successfulResults.every((r) => r.sf__Created === 'true'));
  assert.ok(written.successfulResults.every((r) => /^0Q0[0-9A-Za-z]{15}$/.test(r.sf__Id)));

  const lines = ['GenerationKey__c,Quote.GenerationKey__c,PricebookEntryId,Quantity,UnitPrice'];
  for (let q = 0; q < 300; q++) {
    for (let l = 1; l <= 3; l++) lines.push(`conf:${q}:${l},conf:${q},${entryId},${l},19.99`);
  }
  lines.push(`conf:missing:1,conf:missing,${entryId},1,19.99`);
  const result = await conn.bulk2.loadAndWaitForResults({
    object: 'QuoteLineItem',
    operation: 'upsert',
    externalIdFieldName: 'GenerationKey__c',
    input: lines.join('\n') + '\n',
    ...polling,
  });
  assert.equal(result.successfulResults.length, 900);
  assert.equal(result.unprocessedRecords.length, 0);
  assert.equal(result.failedResults.length, 1);
  const [failed] = result.failedResults;
  assert.equal(failed['Quote.GenerationKey__c'], 'conf:missing');
  assert.equal(failed.sf__Id, '');
  assert.equal(failed.sf__Error,
               'INVALID_FIELD:Foreign key external ID: conf:missing not found for field ' +
                   'GenerationKey__c in entity Quote:--');

  const q7 = await conn.query(
      'SELECT Id, LineItemCount, GrandTotal FROM Quote WHERE GenerationKey__c = \'conf:7\'');
  assert.equal(q7.records[0].LineItemCount, 3);
  assert.equal(q7.records[0].GrandTotal, 119.94);  // (1 + 2 + 3) × 19.99

  // Run again (a retried chunk): the same rows update, nothing is added.
  const again = await conn.bulk2.loadAndWaitForResults({
    object: 'QuoteLineItem',
    operation: 'upsert',
    externalIdFieldName: 'GenerationKey__c',
    input: lines.slice(0, 4).join('\n') + '\n',
    ...polling,
  });
  assert.equal(again.successfulResults.length, 3);
  assert.ok(again.successfulResults.every((r) => r.sf__Created === 'false'));
  const count = await conn.query(
      'SELECT COUNT() FROM QuoteLineItem WHERE Quote.GenerationKey__c LIKE \'conf:%\'');
  assert.equal(count.totalSize, 900);
});

test('sample opportunities and lines by SampleKey__c, deleted with their quotes', async () => {
  const opportunities = ['SampleKey__c,Name,StageName,CloseDate'];
  for (let n = 0; n < 20; n++) {
    opportunities.push(`pe-sample:conf:${n},Sample ${n},Prospecting,2026-12-31`);
  }
  const made = await conn.bulk2.loadAndWaitForResults({
    object: 'Opportunity',
    operation: 'upsert',
    externalIdFieldName: 'SampleKey__c',
    input: opportunities.join('\n') + '\n',
    ...polling,
  });
  assert.equal(made.successfulResults.length, 20);
  const lines = ['SampleKey__c,Opportunity.SampleKey__c,PricebookEntryId,Quantity,UnitPrice'];
  for (let n = 0; n < 20; n++) {
    lines.push(`pe-sample:conf:${n}:1,pe-sample:conf:${n},${entryId},2,10`);
  }
  const lineResults = await conn.bulk2.loadAndWaitForResults({
    object: 'OpportunityLineItem',
    operation: 'insert',
    input: lines.join('\n') + '\n',
    ...polling,
  });
  assert.equal(lineResults.successfulResults.length, 20);
  assert.equal(lineResults.failedResults.length, 0);
  const ids = made.successfulResults.map((r) => r.sf__Id);
  await conn.sobject('Quote').create({Name: 'On a sample', OpportunityId: ids[0]});

  const deleted = await conn.bulk2.loadAndWaitForResults({
    object: 'Opportunity',
    operation: 'delete',
    input: 'Id\n' + ids.join('\n') + '\n',
    ...polling,
  });
  assert.equal(deleted.successfulResults.length, 20);
  const left = await conn.query(
      'SELECT COUNT() FROM OpportunityLineItem WHERE SampleKey__c LIKE \'pe-sample:conf:%\'');
  assert.equal(left.totalSize, 0);
  const quotes = await conn.query('SELECT COUNT() FROM Quote WHERE Name = \'On a sample\'');
  assert.equal(quotes.totalSize, 0);
});
