from pathlib import Path

import pytest
from pydantic import SecretStr

from pipeline.config import load_settings
from pipeline.errors import ConfigError
from pipeline.userdirs import user_data_dir

REPO = Path(__file__).resolve().parents[1]


def test_defaults_are_the_embedded_deployment():
    s = load_settings(environ={})
    assert s.bus.url.startswith("sqlite://") and s.index.url.startswith("sqlite://")
    assert s.source == ""  # no file read: the defaults need none


def test_the_example_file_spells_out_the_built_in_defaults():
    home = {"HOME": "/home/someone"}
    from_file, built_in = load_settings(REPO / "config" / "default.toml", home), load_settings(None, home)
    assert from_file.model_dump(exclude={"source"}) == built_in.model_dump(exclude={"source"})


def test_the_state_lives_in_the_user_data_directory_unless_told(tmp_path):
    home = {"HOME": "/home/someone"}
    assert load_settings(None, home).data_dir == "/home/someone/.local/share/news-claims-pipeline"
    assert load_settings(None, {**home, "XDG_DATA_HOME": "/xdg"}).index_url == \
        "sqlite:////xdg/news-claims-pipeline/index.db"
    assert load_settings(None, {**home, "PIPELINE_DATA_DIR": str(tmp_path)}).data_dir == str(tmp_path)
    path = tmp_path / "c.toml"
    path.write_text("data_dir = '/srv/claims'\n")
    assert load_settings(path, home).data_dir == "/srv/claims"
    assert load_settings(path, {**home, "PIPELINE_DATA_DIR": ""}).data_dir == \
        "/home/someone/.local/share/news-claims-pipeline"  # empty: the default, as in the example file


@pytest.mark.parametrize("platform, environ, want", [
    ("linux", {"HOME": "/h", "XDG_DATA_HOME": "relative/is/ignored"}, "/h/.local/share/news-claims-pipeline"),
    ("darwin", {"HOME": "/Users/a", "XDG_DATA_HOME": "/x"}, "/Users/a/Library/Application Support/news-claims-pipeline"),
    ("win32", {"LOCALAPPDATA": "/c/Users/a/AppData/Local"}, "/c/Users/a/AppData/Local/news-claims-pipeline"),
])
def test_the_user_data_directory_follows_the_platform(platform, environ, want):
    assert user_data_dir(environ, platform) == Path(want)


def test_environment_overrides_nested_keys_with_typed_values(tmp_path):
    s = load_settings(environ={"PIPELINE_DATA_DIR": str(tmp_path), "PIPELINE_NLP__BATCH_SIZE": "7",
                               "PIPELINE_POLLER__FULL_TEXT": "false", "PIPELINE_BUS__URL": "kafka://h:1"})
    assert s.nlp.batch_size == 7 and s.poller.full_text is False and s.bus.url == "kafka://h:1"
    assert s.bus_url == "kafka://h:1"
    assert s.index_url == f"sqlite:///{tmp_path.resolve()}/index.db"


def test_secrets_never_show(tmp_path):
    s = load_settings(environ={"PIPELINE_INDEX__ELASTIC__PASSWORD": "hunter2",
                               "PIPELINE_BUS__KAFKA__SASL_PASSWORD": "s3cret"})
    assert s.index.elastic.password.get_secret_value() == "hunter2"
    dump = repr(s) + str(s)
    assert "hunter2" not in dump and "s3cret" not in dump and "***" in dump
    assert isinstance(s.bus.kafka.sasl_password, SecretStr)


@pytest.mark.parametrize("text, message", [
    ("[nlp]\nbatch_sise = 3\n", r"^nlp.batch_sise \(in .*c.toml or PIPELINE_NLP__BATCH_SISE\): unknown setting$"),
    ("[nlp]\nbatch_size = 'many'\n", r"^nlp.batch_size .*: input should be a valid integer.*, got 'many'$"),
    ("[[feeds]]\nname = 'no url'\n", r"^feeds\[0\].url \(in .*c.toml\): field required$"),
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


@pytest.mark.parametrize("environ, message", [
    ({"PIPELINE_NLP__BATCH_SIZE": "many"}, r"^nlp.batch_size .*PIPELINE_NLP__BATCH_SIZE\): input should be a valid integer"),
    ({"PIPELINE_POLLER__FULL_TEXT": "maybe"}, r"^poller.full_text .*: input should be a valid boolean"),
    ({"PIPELINE_NLP__BATCH_SISE": "3"}, "unknown setting"),
    ({"PIPELINE_NLPP__BATCH_SIZE": "3"}, r"^PIPELINE_NLPP__BATCH_SIZE: unknown setting"),
    ({"PIPELINE_FEEDS": "not json"}, "lists and tables in the environment are JSON"),
])
def test_bad_environment_values_are_one_line_errors(environ, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(None, environ)
    assert "\n" not in str(caught.value)


def test_environment_beats_the_file_key_by_key(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[nlp]\nbatch_size = 3\nmax_chars = 1000\n[worker]\npoll_timeout_s = 2\n")
    s = load_settings(path, {"PIPELINE_NLP__BATCH_SIZE": "9", "PIPELINE_FEEDS": '[{"url": "http://127.0.0.1/f"}]'})
    assert (s.nlp.batch_size, s.nlp.max_chars, s.worker.poll_timeout_s) == (9, 1000, 2.0)
    assert s.feeds[0].url == "http://127.0.0.1/f" and s.feeds[0].name == ""


def test_settings_alone_are_the_defaults_and_never_read_the_process_environment(monkeypatch):
    from pipeline.config import Settings

    monkeypatch.setenv("PIPELINE_NLP__BATCH_SIZE", "99")
    assert Settings().nlp.batch_size == load_settings(None, {}).nlp.batch_size != 99


def test_the_command_line_reports_a_bad_value_in_one_line_with_exit_2(monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("PIPELINE_WORKER__BATCH_SIZE", "lots")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pipeline: error: worker.batch_size") and err.count("\n") == 1
