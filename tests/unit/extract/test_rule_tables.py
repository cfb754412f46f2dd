"""The rule tables lead to their tests: every group of rules names the test files that hold its tests, those files
exist, and every rule test file here is named by a rule, so a newcomer goes from a rule to its tests and back."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
# The extraction's rules kept as data, in groups headed "# --- concept (engine; tests: test_x.py, …) ---".
RULE_TABLES = ("workers/extract/rules.py", "nianbao/encoding_rules.py")
# Rules kept beside their one engine name their tests in its docstring (pinyin annotations, Traditional text).
RULE_MODULES = ("nianbao/normalise.py",)
# A header may run over two comment lines; it ends in a run of dashes.
GROUP_HEADER = re.compile(r"^# --- (.+?) -{3,}$", re.M | re.S)
TEST_FILE = re.compile(r"\btest_\w+\.py\b")


def test_every_rule_group_names_test_files_that_exist() -> None:
    for table in RULE_TABLES:
        text = (ROOT / table).read_text("utf-8")
        headers = GROUP_HEADER.findall(text)
        assert headers and len(headers) == text.count("\n# --- "), table  # every group's header is read
        for header in headers:
            named = TEST_FILE.findall(header.partition("tests:")[2])
            assert named, f"{table}: no test file named in {header!r}"
            assert [name for name in named if not (HERE / name).is_file()] == [], header


def test_every_rule_test_file_is_named_by_a_rule() -> None:
    named = {
        name for path in RULE_TABLES + RULE_MODULES for name in TEST_FILE.findall((ROOT / path).read_text("utf-8"))
    }
    files = {path.name for path in HERE.glob("test_*.py")} - {Path(__file__).name}
    assert sorted(files - named) == []
