import json
import urllib.error
import urllib.request

from pipeline.runtime.prometheus import PrometheusSensor, serve_metrics


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_and_health_endpoints():
    sensor = PrometheusSensor()
    server = serve_metrics(sensor, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        sensor.records_in("nlp", 5)
        sensor.records_out("nlp", 4)
        sensor.failures("nlp", 1)
        sensor.batch_done("nlp", 0.2)
        sensor.lag("nlp", 17)
        status, text = get(f"{base}/metrics")
        assert status == 200
        assert 'pipeline_records_in_total{stage="nlp"} 5.0' in text
        assert 'pipeline_records_dead_lettered_total{stage="nlp"} 1.0' in text
        assert 'pipeline_consumer_lag{stage="nlp"} 17.0' in text
        assert 'pipeline_batch_seconds_count{stage="nlp"} 1.0' in text
        status, body = get(f"{base}/health")
        assert status == 200 and json.loads(body)["status"] == "ok"
        sensor.retry("nlp", "index unreachable")
        status, body = get(f"{base}/health")
        assert status == 503 and json.loads(body)["last_error"] == "index unreachable"
    finally:
        server.shutdown()
        server.server_close()
