from pipeline.bus.namespace import NamespacedBus
from pipeline.bus.sqlite import SqliteBus


def test_namespaces_keep_pipelines_apart_and_names_logical(tmp_path):
    inner = SqliteBus(tmp_path / "bus.db")
    a, b = NamespacedBus(inner, "a."), NamespacedBus(inner, "b.")
    producer = a.producer()
    producer.publish("articles.raw", "k", b"v")
    producer.flush()
    consumer = a.consumer("nlp", ["articles.raw"])
    [message] = consumer.poll(10, 1.0)
    assert message.topic == "articles.raw" and message.value == b"v"
    consumer.commit([message])
    assert b.consumer("nlp", ["articles.raw"]).poll(10, 0.2) == []
    assert [m.topic for m in inner.read("a.articles.raw")] == ["a.articles.raw"]
    [stats] = a.stats(["articles.raw"])
    assert stats.topic == "articles.raw" and stats.committed == {"nlp": message.offset + 1}
    assert a.lag(stats, "nlp") == 0
