"""Reads a Prometheus endpoint with python3-prometheus-client's own parser (an independent reader
of what the JMX exporter serves) and prints one JSON object: every sample's name (with its
labels in braces, sorted) and value. OperatorToolboxIT compares two such scrapes.

    /usr/bin/python3 metrics_scrape.py URL
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        text = r.read().decode("utf-8")
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join("%s=%s" % (k, v) for k, v in sorted(s.labels.items()))
            samples[s.name + ("{" + labels + "}" if labels else "")] = s.value
    print(json.dumps(samples))


if __name__ == "__main__":
    main()
