"""An outside client of the schema registry and Kafka: Debian's python3-confluent-kafka, as an
application written for Confluent's would use it. OperatorToolboxIT runs it inside the test node's
network namespace:

    /usr/bin/python3 registry_client.py REGISTRY_URL BOOTSTRAP TOPIC SUBJECT

and reads the one JSON object it prints: what each step answered. It asserts nothing itself.

SchemaRegistryClient is the package's registry client. Its newer AvroSerializer
(confluent_kafka.schema_registry.avro) needs fastavro, which Debian 12 does not package; the
package's other Avro serializer, confluent_kafka.avro (AvroProducer, AvroConsumer over
python3-avro), registers and reads schemas through the same API and is the one used here.
"""
import json
import sys
import time

from confluent_kafka.avro import AvroConsumer, AvroProducer, loads
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError


def record(fields):
    return json.dumps({"type": "record", "name": "Payment", "namespace": "it.dockhand", "fields": fields})


V1 = record([{"name": "id", "type": "string"}])
V2 = record([{"name": "id", "type": "string"}, {"name": "cents", "type": "long", "default": 0}])
INCOMPATIBLE = record([{"name": "id", "type": "string"}, {"name": "payer", "type": "string"}])


def failure(call):
    try:
        call()
        return None
    except SchemaRegistryError as e:
        return {"http_status_code": e.http_status_code, "error_code": e.error_code, "message": e.error_message}


def main():
    url, bootstrap, topic, subject = sys.argv[1:5]
    out = {}
    sr = SchemaRegistryClient({"url": url})
    out["globalCompatibility"] = sr.get_compatibility()
    out["v1"] = sr.register_schema(subject, Schema(V1, "AVRO"))
    out["subjectCompatibility"] = failure(lambda: sr.get_compatibility(subject))
    out["testIncompatible"] = sr.test_compatibility(subject, Schema(INCOMPATIBLE, "AVRO"))
    out["testCompatible"] = sr.test_compatibility(subject, Schema(V2, "AVRO"))
    out["incompatible"] = failure(lambda: sr.register_schema(subject, Schema(INCOMPATIBLE, "AVRO")))
    out["v2"] = sr.register_schema(subject, Schema(V2, "AVRO"))
    latest = sr.get_latest_version(subject)
    out["latest"] = {"id": latest.schema_id, "version": latest.version}
    out["v1Schema"] = json.loads(sr.get_schema(out["v1"]).schema_str)
    out["missingSubject"] = failure(lambda: sr.get_latest_version(subject + "-missing"))
    sr.set_compatibility(subject, "NONE")
    out["subjectCompatibilityAfterNone"] = sr.get_compatibility(subject)
    out["incompatibleUnderNone"] = sr.register_schema(subject, Schema(INCOMPATIBLE, "AVRO"))

    # The Avro serializer: registers the value schema under <topic>-value, writes Confluent's wire format
    producer = AvroProducer({"bootstrap.servers": bootstrap, "schema.registry.url": url},
                            default_value_schema=loads(V2))
    for i in range(3):
        producer.produce(topic=topic, value={"id": "p-%d" % i, "cents": 100 * i})
    out["unflushed"] = producer.flush(30)
    consumer = AvroConsumer({"bootstrap.servers": bootstrap, "schema.registry.url": url,
                             "group.id": "dockhand-it-python", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    read = []
    deadline = time.monotonic() + 60
    while len(read) < 3 and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and msg.error() is None:
            read.append(msg.value())
    consumer.close()
    out["read"] = sorted(read, key=lambda v: v["id"])  # three partitions: no order across them
    out["valueSubjectLatest"] = sr.get_latest_version(topic + "-value").schema_id
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, the test decides
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
