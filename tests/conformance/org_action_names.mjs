// The names of the org actions agree everywhere they are written: api-docs.yaml (operationIds,
// callbacks, schema names, x-sfdc authorization), the sfdx metadata in src-org/ (permission set,
// Flow, Apex callback class, notification type), the anonymous Apex in scripts/apex/, and the
// commands in README.md and docs/org-actions.md (heroku salesforce:publish, sf org assign
// permset). Salesforce derives the Apex and Flow names from the publish command's client name and
// the document, so a name changed in one place breaks the others only in a real org; this finds
// it without one. CTest runs it (org_action_names); by hand:
//   node --test tests/conformance/org_action_names.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

let YAML;
try {
  YAML = await import('yaml');
} catch {
  throw new Error('the npm package yaml is not installed in tests/conformance: run scripts/setup');
}

const root = process.env.PE_SOURCE_DIR ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (relative) => fs.readFileSync(path.join(root, relative), 'utf8');
const actions = 'src-org/actions/default';
const main = 'src-org/main/default';

const spec = YAML.parse(read('api-docs.yaml'));

// Every operation of the document, with its path and method.
function operations() {
  const out = [];
  for (const [route, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) out.push({ route, method, op });
    }
  }
  return out;
}
const byOperationId = new Map(operations().map((o) => [o.op.operationId, o.op]));

// The component schema a request body refers to: the generated Apex type is <Client>_<Schema>.
function requestSchema(op) {
  const ref = op.requestBody?.content?.['application/json']?.schema?.$ref ?? '';
  assert.match(ref, /^#\/components\/schemas\/\w+$/, `${op.operationId}: request body is not a $ref`);
  return ref.split('/').pop();
}

// Shell commands of a Markdown file, with backslash-continued lines joined, split into words.
function commands(relative) {
  const text = read(relative).replace(/\\\n\s*/g, ' ');
  return text.split('\n').map((line) => line.replace(/\s#\s.*$/, '').trim().split(/\s+/));
}
function flag(words, name) {
  const i = words.indexOf(name);
  return i >= 0 ? words[i + 1] : undefined;
}
function publishCommands(relative) {
  return commands(relative).filter((w) => w[0] === 'heroku' && w[1] === 'salesforce:publish');
}
function assignedPermissionSets(relative) {
  return new Set(commands(relative)
    .filter((w) => w.slice(0, 4).join(' ') === 'sf org assign permset')
    .map((w) => flag(w, '--name')));
}

// What the README's publish command says: the client name and the two authorization names.
const readmePublish = publishCommands('README.md');
const client = readmePublish.length ? flag(readmePublish[0], '--client-name') : undefined;

function apexFiles() {
  const out = [];
  for (const dir of [`${actions}/classes`, 'scripts/apex']) {
    for (const name of fs.readdirSync(path.join(root, dir))) {
      if (name.endsWith('.cls') || name.endsWith('.apex')) out.push(`${dir}/${name}`);
    }
  }
  return out;
}

test('every operation names the same external client app and permission set', () => {
  const seen = new Set();
  for (const { route, op } of operations()) {
    const auth = op['x-sfdc']?.heroku?.authorization;
    assert.ok(auth, `${route}: no x-sfdc.heroku.authorization`);
    assert.equal(auth.connectedApp, undefined, `${route}: connectedApp is deprecated`);
    assert.ok(auth.externalClientApp && auth.permissionSet, `${route}: both names are needed`);
    seen.add(`${auth.externalClientApp} ${auth.permissionSet}`);
  }
  assert.equal(seen.size, 1, [...seen].join(' | '));
});

test("the README's publish command matches the document", () => {
  assert.equal(readmePublish.length, 1, 'README.md has one heroku salesforce:publish command');
  const words = readmePublish[0];
  const auth = byOperationId.get('generateQuote')['x-sfdc'].heroku.authorization;
  assert.equal(words[2], 'api-docs.yaml');
  assert.equal(flag(words, '--authorization-external-client-app-name'), auth.externalClientApp);
  assert.equal(flag(words, '--authorization-permission-set-name'), auth.permissionSet);
  assert.equal(flag(words, '--authorization-connected-app-name'), undefined, 'deprecated flag');
  assert.equal(client, 'GenerateQuote', 'the client name existing Apex is written against');
});

test('docs/org-actions.md gives the same commands as the README', () => {
  for (const words of publishCommands('docs/org-actions.md')) {
    assert.deepEqual(words, readmePublish[0]);
  }
  const readme = assignedPermissionSets('README.md');
  for (const name of assignedPermissionSets('docs/org-actions.md')) {
    assert.ok(readme.has(name), `docs/org-actions.md assigns ${name}, README.md does not`);
  }
});

test('the permission sets assigned are the publish step\'s and ours', () => {
  const auth = byOperationId.get('generateQuote')['x-sfdc'].heroku.authorization;
  assert.deepEqual(assignedPermissionSets('README.md'), new Set([client, auth.permissionSet]));
});

test('the session permission set ships in src-org, the client one does not', () => {
  const auth = byOperationId.get('generateQuote')['x-sfdc'].heroku.authorization;
  const file = `${actions}/permissionsets/${auth.permissionSet}.permissionset-meta.xml`;
  assert.ok(fs.existsSync(path.join(root, file)), `${file} is missing`);
  const xml = read(file);
  assert.match(xml, /<hasActivationRequired>true<\/hasActivationRequired>/);
  assert.match(xml, /<field>OpportunityLineItem\.DiscountOverride__c<\/field>/);
  // heroku salesforce:publish creates the permission set named after the client; a file of that
  // name would overwrite what it granted (README.md, "Org actions").
  for (const dir of [actions, main]) {
    const clash = path.join(root, dir, 'permissionsets', `${client}.permissionset-meta.xml`);
    assert.ok(!fs.existsSync(clash), `${clash} would replace the set publish creates`);
  }
});

test('the Flow calls an operation of the document with its request type', () => {
  const xml = read(`${actions}/flows/GenerateQuoteTest.flow-meta.xml`);
  const action = xml.match(/<actionName>([^<]+)<\/actionName>/)[1];
  assert.match(xml, /<actionType>externalService<\/actionType>/);
  const [flowClient, operationId] = action.split('.');
  assert.equal(flowClient, client);
  assert.ok(byOperationId.has(operationId), `the Flow calls ${operationId}, not in api-docs.yaml`);
  assert.match(xml, new RegExp(`<nameSegment>${client}\\.${operationId}</nameSegment>`));
  const type = `herokuapplink__${client}_${requestSchema(byOperationId.get(operationId))}`;
  const variables = [...xml.matchAll(/<apexClass>([^<]+)<\/apexClass>/g)].map((m) => m[1]);
  assert.deepEqual(variables, [type], `the Flow's request variable is not a ${type}`);
});

test('the Apex callback handler extends the callback of an operation that has it', () => {
  const apex = read(`${actions}/classes/GenerateQuotesCallback.cls`);
  const base = apex.match(/class\s+GenerateQuotesCallback\s+extends\s+HerokuAppLink\.(\w+)\.(\w+)_Callback\b/);
  assert.ok(base, 'GenerateQuotesCallback extends no HerokuAppLink callback');
  const [, apexClient, operationId] = base;
  assert.equal(apexClient, client);
  const op = byOperationId.get(operationId);
  assert.ok(op?.callbacks, `${operationId} has no callbacks in api-docs.yaml`);
  const overrides = [...apex.matchAll(
    /override\s+void\s+(\w+)\s*\(\s*List<\s*HerokuAppLink\.(\w+)\.(\w+)_(\w+)_Callback\s*>/g)];
  assert.equal(overrides.length, Object.keys(op.callbacks).length, 'one override per callback');
  for (const [, method, c, o, name] of overrides) {
    assert.equal(c, client);
    assert.equal(o, operationId);
    assert.equal(method, name, 'the method is named after its callback');
    assert.ok(name in op.callbacks, `${operationId} has no callback ${name}`);
  }
  // The notification type it sends exists in src-org.
  const type = apex.match(/NOTIFICATION_TYPE\s*=\s*'(\w+)'/)[1];
  const file = `${main}/notificationtypes/${type}.notiftype-meta.xml`;
  assert.ok(fs.existsSync(path.join(root, file)), `${file} is missing`);
  assert.match(read(file), new RegExp(`<customNotifTypeName>${type}</customNotifTypeName>`));
});

test('the anonymous Apex calls the operations with their generated names', () => {
  const sync = read('scripts/apex/GenerateQuote.apex');
  const op = byOperationId.get('generateQuote');
  assert.ok(sync.includes(`HerokuAppLink.${client}.generateQuote_Request`));
  assert.ok(sync.includes(`HerokuAppLink.${client}_${requestSchema(op)}`));
  assert.ok(sync.includes('service.generateQuote(request)'));
  assert.ok('200' in op.responses && sync.includes('.Code200.'));

  const async = read('scripts/apex/GenerateQuotesAsync.apex');
  const asyncOp = byOperationId.get('generateQuotesAsync');
  assert.ok(asyncOp.callbacks, 'generateQuotesAsync has a callback');
  assert.ok(async.includes(`HerokuAppLink.${client}.generateQuotesAsync_Request`));
  assert.ok(async.includes(`HerokuAppLink.${client}_${requestSchema(asyncOp)}`));
  const call = async.match(/service\.(\w+)\(request, new (\w+)\(\), DateTime\.now\(\)\.addHours\(1\)\)/);
  assert.ok(call, 'the async script passes a callback handler and a timeout');
  assert.equal(call[1], 'generateQuotesAsync');
  assert.ok(fs.existsSync(path.join(root, actions, 'classes', `${call[2]}.cls`)));
  assert.ok('201' in asyncOp.responses && async.includes('.Code201.jobId'));
});

test('every Apex file names the one client and only operations of the document', () => {
  for (const file of apexFiles()) {
    const text = read(file);
    for (const [, c] of text.matchAll(/HerokuAppLink\.(\w+?)(?:[._]|\b)/g)) {
      assert.equal(c, client, `${file} names HerokuAppLink.${c}`);
    }
    for (const [, operationId] of text.matchAll(new RegExp(`HerokuAppLink\\.${client}\\.(\\w+?)_`, 'g'))) {
      assert.ok(byOperationId.has(operationId), `${file}: ${operationId} is not an operationId`);
    }
    // HerokuAppLink.<client>_<Schema>: the type generated for a component schema.
    for (const [, schema] of text.matchAll(new RegExp(`HerokuAppLink\\.${client}_(\\w+)`, 'g'))) {
      assert.ok(schema in spec.components.schemas, `${file}: ${schema} is not a schema of api-docs.yaml`);
    }
  }
});

test('the operations the agent may use are the synchronous ones', () => {
  const agent = operations()
    .filter(({ op }) => op['x-sfdc']?.agent?.action?.publishAsAgentAction === true)
    .map(({ op }) => op.operationId);
  assert.deepEqual(agent.sort(), ['generateQuote', 'generateQuotes']);
  const topic = spec['x-sfdc']?.agent?.topic ?? {};
  for (const key of ['name', 'classificationDescription', 'scope', 'instructions']) {
    assert.ok(topic[key], `x-sfdc.agent.topic.${key} is missing`);
  }
});
