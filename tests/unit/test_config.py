import pytest

from pipeline.config import Secret, load_settings
from pipeline.errors import ConfigError


def test_defaults_are_the_embedded_deployment():
    s = load_settings(environ={})
    assert s.bus.url.startswith("sqlite://") and s.index.url.startswith("sqlite://")


def test_environment_overrides_nested_keys_with_typed_values(tmp_path):
    s = load_settings(environ={"PIPELINE_DATA_DIR": str(tmp_path), "PIPELINE_NLP__BATCH_SIZE": "7",
                               "PIPELINE_POLLER__FULL_TEXT": "false", "PIPELINE_BUS__URL": "kafka://h:1"})
    assert s.nlp.batch_size == 7 and s.poller.full_text is False and s.bus.url == "kafka://h:1"
    assert s.bus_url == "kafka://h:1"
    assert s.index_url == f"sqlite:///{tmp_path.resolve()}/index.db"


def test_secrets_never_show(tmp_path):
    s = load_settings(environ={"PIPELINE_INDEX__ELASTIC__PASSWORD": "hunter2",
                               "PIPELINE_BUS__KAFKA__SASL_PASSWORD": "s3cret"})
    assert s.index.elastic.password.get() == "hunter2"
    dump = repr(s) + str(s)
    assert "hunter2" not in dump and "s3cret" not in dump and "***" in dump
    assert isinstance(s.bus.kafka.sasl_password, Secret)


@pytest.mark.parametrize("text, message", [
    ("[nlp]\nbatch_sise = 3\n", "unknown setting"),
    ("[nlp]\nbatch_size = 'many'\n", "expected int"),
    ("[nlp\n", "not valid TOML"),
])
def test_bad_configuration_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, {})


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", {})


def test_config_file_from_environment(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("data_dir = 'elsewhere'\n[[feeds]]\nurl = 'http://127.0.0.1:1/feed'\nname = 'local'\n")
    s = load_settings(None, {"PIPELINE_CONFIG": str(path)})
    assert s.data_dir == "elsewhere" and s.feeds[0].name == "local" and s.source == str(path)
