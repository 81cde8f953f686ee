"""An outside reader of Avro records that a Kafka Connect worker wrote with the registry's converter:
Debian's python3-confluent-kafka, as an application written for Confluent's registry reads them.
ConnectSteps (DevStackIT) runs it inside the node's network namespace:

    /usr/bin/python3 avro_reader.py REGISTRY_URL BOOTSTRAP TOPIC COUNT

and reads the one JSON object it prints: the schema ids found in the records' Confluent wire format
(magic byte 0, then the id as 4 bytes) and the values decoded with the schemas that the registry's
Confluent-compatible API serves for those ids. It asserts nothing itself.

The decoder is the package's MessageSerializer (confluent_kafka.avro, over python3-avro: the newer
confluent_kafka.schema_registry.avro needs fastavro, which Debian 12 does not package), the one
AvroConsumer uses; the records are read raw first so that the ids can be reported.
"""
import json
import struct
import sys
import time

from confluent_kafka import Consumer
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer


def main():
    url, bootstrap, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    decoder = MessageSerializer(CachedSchemaRegistryClient({"url": url}))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "dockhand-it-avro-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    raw = []
    deadline = time.monotonic() + 60
    while len(raw) < count and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is not None and msg.error() is None:
            raw.append(msg.value())
    consumer.close()
    out = {"read": len(raw), "magic": sorted({r[0] for r in raw if r}),
           "ids": sorted({struct.unpack(">I", r[1:5])[0] for r in raw if r and len(r) >= 5})}
    out["values"] = [decoder.decode_message(r) for r in raw]
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, the test decides
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
