// An outside client of a secured schema registry, as an application written for Confluent's would
// use it: @kafkajs/confluent-schema-registry over HTTPS, trusting the cluster's CA, with a login
// (HTTP Basic) for its writes. RegistryTlsIT runs it:
//
//   node registry-tls-client.js REGISTRY_URL CA_FILE USER PASSWORD SUBJECT
//
// and reads the one JSON object it prints: what each step answered. It asserts nothing itself.
'use strict';
const fs = require('fs');
const https = require('https');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const [url, caFile, user, password, subject] = process.argv.slice(2);
const record = (fields) => JSON.stringify({ type: 'record', name: 'Payment', namespace: 'it.dockhand', fields });
const v1 = { type: SchemaType.AVRO, schema: record([{ name: 'id', type: 'string' }]) };
const v2 = { type: SchemaType.AVRO, schema: record([{ name: 'id', type: 'string' }, { name: 'cents', type: 'int', default: 0 }]) };

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, status: e.status === undefined ? null : e.status, code: e.code || null };
  }
}

async function main() {
  const out = {};
  const agent = new https.Agent({ ca: fs.readFileSync(caFile), keepAlive: true });
  const anonymous = new SchemaRegistry({ host: url, agent });
  const wrong = new SchemaRegistry({ host: url, agent, auth: { username: user, password: password + 'x' } });
  const client = new SchemaRegistry({ host: url, agent, auth: { username: user, password } });

  out.anonymousRegister = await failure(anonymous.register(v1, { subject }));
  out.wrongPasswordRegister = await failure(wrong.register(v1, { subject }));
  // the client role may register but not set a subject's level: updateConfig off (the library's
  // default sets the level of a subject it registers first)
  out.v1 = (await client.register(v1, { subject, updateConfig: false })).id;
  out.v2 = (await client.register(v2, { subject, updateConfig: false })).id;
  out.latest = await client.getLatestSchemaId(subject);
  const encoded = await client.encode(out.v2, { id: 'p-1', cents: 250 });
  // a consumer needs no login: reads are anonymous (a fresh client: nothing cached)
  out.decodedAnonymously = await new SchemaRegistry({ host: url, agent }).decode(encoded);
  out.defaultOptionsRegister = await failure(client.register(v1, { subject: subject + '-defaults' }));
  out.defaultOptionsRegistered = await anonymous.getLatestSchemaId(subject + '-defaults').catch((e) => String(e));

  // no CA given: Node's own trust store does not know the cluster's CA
  out.untrusted = await failure(new SchemaRegistry({ host: url, auth: { username: user, password } }).getLatestSchemaId(subject));
  agent.destroy();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack ? e.stack : e) }) + '\n');
  process.exit(1);
});
