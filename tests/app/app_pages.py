"""The page files of the app, read from app.py's PAGES so a new page is tested without listing it twice."""

import ast

from tests.conftest import ROOT


def _page_files() -> list[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return [entry[0] for entry in ast.literal_eval(node.value)]
    raise AssertionError("app.py defines no PAGES")


PAGE_FILES = _page_files()
