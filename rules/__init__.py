"""The rulebook: plain YAML files. This file only lets the rules ship inside the package."""
