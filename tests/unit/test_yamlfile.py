"""Rule files as YAML: libyaml's parser against the pure-Python one, and one parse per file per load."""

import pytest


def test_libyaml_and_the_pure_python_parser_read_every_rule_file_alike():
    # The fast parser starts the service; the pure-Python one is the reference (and reads what libyaml
    # refuses): the same data and the same line of every key, for every file in rules/.
    import yaml

    from service.core import yamlfile
    from service.ops.settings import rules_dir

    assert yamlfile._FAST_LOADER is not None  # PyYAML's wheels ship libyaml
    files = sorted(rules_dir(None).rglob("*.yaml"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yamlfile._compose(path, text, yamlfile._FAST_LOADER)
        pure = yamlfile._compose(path, text, yaml.SafeLoader)
        assert fast.data == pure.data and fast._lines == pure._lines, path


def test_a_yaml_error_reads_as_the_pure_python_parser_words_it(tmp_path):
    import yaml

    from service.core.yamlfile import YamlFileError, load_yaml

    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nwhen: [unclosed\n")
    try:
        yaml.SafeLoader(broken.read_text()).get_single_node()
    except yaml.MarkedYAMLError as error:
        expected = f"YAML syntax error: {error.problem}"
    with pytest.raises(YamlFileError) as raised:
        load_yaml(broken)
    assert raised.value.message == expected


def test_a_tab_reads_as_the_pure_python_parser_reads_it(tmp_path):
    # libyaml would take this tab as a space; the pure-Python parser refuses it, and its word stands.
    from service.core.yamlfile import YamlFileError, load_yaml

    tabbed = tmp_path / "tabbed.yaml"
    tabbed.write_text("id: x\nbasis: \tarticle\n")
    with pytest.raises(YamlFileError) as raised:
        load_yaml(tabbed)
    assert raised.value.message.startswith("YAML syntax error")


def test_one_pass_over_a_rules_directory_parses_each_file_once(tmp_path):
    # Finding the couple files reads every rule file, and loading reads it again: one parse serves both,
    # and an unreadable file gives its same error each time it is asked for.
    from service.core.yamlfile import ParseOnce, YamlFileError

    load = ParseOnce()
    good, broken = tmp_path / "good.yaml", tmp_path / "broken.yaml"
    good.write_text("id: good\n")
    broken.write_text("id: x\nwhen: [unclosed\n")
    first = load(good)
    good.write_text("id: changed\n")
    assert load(good) is first and first.data == {"id": "good"}
    messages = []
    for _ in range(2):
        with pytest.raises(YamlFileError) as raised:
            load(broken)
        messages.append((raised.value.line, raised.value.message))
    assert messages[0] == messages[1] and messages[0][1].startswith("YAML syntax error")
