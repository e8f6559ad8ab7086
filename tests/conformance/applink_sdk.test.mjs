// The AppLink Node.js SDK (@heroku/applink, pinned) against the local org, as the reference
// org-action app (heroku-reference-apps/heroku-applink-pattern-org-action-nodejs) uses it: an
// app of this test's own serves POST /api/generatequote the way the reference's pricing service
// does — parseRequest on the invocation headers, a SOQL query of the lines, a Unit of Work with a
// Quote and its QuoteLineItems whose UnitPrice is binary floating point (53.99100000000001),
// commitUnitOfWork — and the local org invokes it as Salesforce would (POST /devorg/invocations).
// run.sh starts the org with --app-url http://127.0.0.1:$APPLINK_TEST_APP_PORT.
// jsforce first: loaded after @heroku/applink, its module comes back without Connection.
import jsforce from 'jsforce';
import applink from '@heroku/applink';
import assert from 'node:assert/strict';
import http from 'node:http';
import {after, before, test} from 'node:test';

const env = process.env;
const orgUrl = env.HEROKU_APPLINK_API_URL.replace(/\/addons\/.*$/, '');
let server;
let conn;

// What the reference's src/server/services/pricingEngine.js does, with its discount of 10 %.
async function generateQuote(request, body) {
  const sdk = applink.init();
  const parsed = sdk.salesforce.parseRequest(request.headers, body, console);
  const org = parsed.context.org;
  const soql = 'SELECT Id, Product2Id, Quantity, UnitPrice, PricebookEntryId FROM ' +
      `OpportunityLineItem WHERE OpportunityId = '${body.opportunityId}'`;
  const lines = await org.dataApi.query(soql);
  if (!lines.records.length) return {status: 404, body: {error: 'no lines'}};
  const work = org.dataApi.newUnitOfWork();
  const quote = work.registerCreate({
    type: 'Quote', fields: {Name: 'New Quote', OpportunityId: body.opportunityId}});
  for (const record of lines.records) {
    const quantity = parseFloat(record.fields.Quantity);
    const unitPrice = parseFloat(record.fields.UnitPrice);
    const discounted = (quantity * unitPrice) * (1 - 0.10);
    work.registerCreate({type: 'QuoteLineItem', fields: {
      QuoteId: quote.toApiString(), PricebookEntryId: record.fields.PricebookEntryId,
      Quantity: quantity, UnitPrice: discounted / quantity}});
  }
  const results = await org.dataApi.commitUnitOfWork(work);
  return {status: 200, body: {quoteId: results.get(quote).id}};
}

before(async () => {
  const res = await fetch(`${env.HEROKU_APPLINK_API_URL}/authorizations/devorg`, {
    headers: {Authorization: `Bearer ${env.HEROKU_APPLINK_TOKEN}`, 'X-App-UUID': env.HEROKU_APP_ID},
  });
  const auth = await res.json();
  conn = new jsforce.Connection({instanceUrl: auth.org.instance_url,
    accessToken: auth.org.user_auth.access_token, version: auth.org.api_version});
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', async () => {
      let answer;
      try {
        answer = await generateQuote(req, JSON.parse(text));
      } catch (error) {
        answer = {status: 500, body: {error: String(error.message)}};
      }
      res.writeHead(answer.status, {'Content-Type': 'application/json'});
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise((resolve) => server.listen(Number(env.APPLINK_TEST_APP_PORT), '127.0.0.1', resolve));
});

after(() => server.close());

test('the SDK parses the local org\'s invocation and its unit of work writes a quote', async () => {
  // A line priced 59.95: 59.95 × 0.9 is 53.955000000000005 in binary floating point.
  const opp = (await conn.query("SELECT Id FROM Opportunity WHERE HasOpportunityLineItem = true LIMIT 1")).records[0].Id;
  const line = (await conn.query(`SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${opp}' LIMIT 1`)).records[0].Id;
  await conn.sobject('OpportunityLineItem').update({Id: line, UnitPrice: 59.95, Quantity: 1});
  assert.equal(String((1 * 59.95) * (1 - 0.10) / 1), '53.955000000000005');  // what it sends
  const res = await fetch(`${orgUrl}/devorg/invocations`, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({url: '/api/generatequote', body: {opportunityId: opp}}),
  });
  const invocation = await res.json();
  assert.equal(res.status, 200, JSON.stringify(invocation));
  assert.equal(invocation.status, 200, JSON.stringify(invocation.body));
  const quoteId = invocation.body.quoteId;
  assert.match(quoteId, /^0Q0/);
  const written = await conn.query(`SELECT Quantity, UnitPrice FROM QuoteLineItem WHERE QuoteId = '${quoteId}'`);
  const lines = await conn.query(`SELECT Id FROM OpportunityLineItem WHERE OpportunityId = '${opp}'`);
  assert.equal(written.totalSize, lines.totalSize);
  // The float was taken and rounded half up to the field's two places: 53.96.
  assert.ok(written.records.some((r) => r.UnitPrice === 53.96), JSON.stringify(written.records));
  for (const r of written.records) assert.equal(Math.round(r.UnitPrice * 100) / 100, r.UnitPrice);
});
