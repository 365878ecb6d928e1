"""Safe YAML loading that remembers the line of every key and refuses duplicate keys."""

from pathlib import Path

import yaml


class YamlFileError(Exception):
    """A YAML file that cannot be read as data."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


class LoadedYaml:
    """Parsed data plus the line where each key path starts."""

    def __init__(self, path: Path, data, lines: dict[tuple, int]):
        self.path, self.data, self._lines = path, data, lines

    def line(self, key_path: tuple = ()) -> int:
        """The line of the deepest known prefix of key_path (1 for the file itself)."""
        for end in range(len(key_path), 0, -1):
            if key_path[:end] in self._lines:
                return self._lines[key_path[:end]]
        return 1


def _walk(node, path: tuple, lines: dict, file: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise YamlFileError(file, line, f"duplicate key '{key}' (first on line {seen[key]})")
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines, file)


# libyaml's parser where PyYAML was built with it (about ten times faster to start the service); the
# pure-Python one otherwise, for a file libyaml refuses (so that errors read the same everywhere), and
# for a file with a tab, where the two parsers disagree most (libyaml takes some tabs as spaces).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(path: Path, text: str, loader_class) -> LoadedYaml:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple, int] = {}
        if node is not None:
            _walk(node, (), lines, path)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return LoadedYaml(path, data, lines)


def load_yaml(path: Path) -> LoadedYaml:
    """Load one YAML document safely, with a line map for error messages."""
    try:
        text = path.read_text(encoding="utf-8")
        if _FAST_LOADER is not None and "\t" not in text:
            try:
                return _compose(path, text, _FAST_LOADER)
            except (yaml.YAMLError, YamlFileError):
                pass  # read again below, for the pure-Python parser's own words
        return _compose(path, text, yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlFileError(path, line, f"YAML syntax error: {error.problem or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise YamlFileError(path, 1, f"cannot read as YAML: {error}") from None


class ParseOnce:
    """load_yaml for one pass over a rules directory, each file parsed once: finding the couple files
    reads every rule file, and loading them reads them again. Its error is raised again on each call."""

    def __init__(self):
        self._parsed: dict[Path, LoadedYaml | YamlFileError] = {}

    def __call__(self, path: Path) -> LoadedYaml:
        parsed = self._parsed.get(path)
        if parsed is None:
            try:
                parsed = load_yaml(path)
            except YamlFileError as error:
                parsed = error
            self._parsed[path] = parsed
        if isinstance(parsed, YamlFileError):
            raise YamlFileError(parsed.path, parsed.line, parsed.message)
        return parsed
