// An outside client of the schema registry and Kafka, as an application written for Confluent's
// would use them: kafkajs with @kafkajs/confluent-schema-registry (versions pinned in
// package-lock.json). OperatorToolboxIT runs it inside the test node's network namespace:
//
//   node registry-client.js REGISTRY_URL BOOTSTRAP TOPIC SUBJECT
//
// and reads the one JSON object it prints: what each step answered. It asserts nothing itself.
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const [url, bootstrap, topic, subject] = process.argv.slice(2);
const record = (fields) => JSON.stringify({ type: 'record', name: 'Order', namespace: 'it.dockhand', fields });
const v1 = record([{ name: 'id', type: 'string' }]);
const v2 = record([{ name: 'id', type: 'string' }, { name: 'amount', type: 'int', default: 0 }]);
const incompatible = record([{ name: 'id', type: 'string' }, { name: 'customer', type: 'string' }]);

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, status: e.status === undefined ? null : e.status };
  }
}

async function main() {
  const out = {};
  const registry = new SchemaRegistry({ host: url });
  out.globalConfig = await (await fetch(url + '/config')).json();
  out.mode = await (await fetch(url + '/mode')).json();

  const first = await registry.register({ type: SchemaType.AVRO, schema: v1 }, { subject });
  out.v1 = first.id;
  out.subjectConfig = (await registry.api.Subject.config({ subject })).data();
  out.checkIncompatible = (await registry.api.Subject.compatible({ subject, body: { schema: incompatible } })).data();
  out.incompatible = await failure(registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject }));
  out.v2 = (await registry.register({ type: SchemaType.AVRO, schema: v2 }, { subject })).id;
  out.latest = await registry.getLatestSchemaId(subject);

  const kafka = new Kafka({ clientId: 'dockhand-it-kafkajs', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [
    { key: 'o-1', value: await registry.encode(out.v1, { id: 'o-1' }) },
    { key: 'o-2', value: await registry.encode(out.v2, { id: 'o-2', amount: 42 }) },
  ] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'dockhand-it-kafkajs' });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  out.read = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no records within 60 s')), 60000);
    consumer.run({ eachMessage: async ({ message }) => {
      out.read.push(await registry.decode(message.value));
      if (out.read.length === 2) {
        clearTimeout(timer);
        resolve();
      }
    } }).catch(reject);
  });
  await consumer.disconnect();
  out.read.sort((a, b) => a.id.localeCompare(b.id)); // the topic's partitions: no order across them

  // a subject may opt out of the global level, as with Confluent's registry
  await registry.api.Subject.updateConfig({ subject, body: { compatibility: 'NONE' } });
  out.subjectConfigAfterNone = (await registry.api.Subject.config({ subject })).data();
  out.incompatibleUnderNone = (await registry.register({ type: SchemaType.AVRO, schema: incompatible },
    { subject, compatibility: 'NONE' })).id;
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack ? e.stack : e) }) + '\n');
  process.exit(1);
});
