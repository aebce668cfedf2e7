"""The page files of the app, read from app.py's PAGES so a new page is tested without listing it twice."""

import ast

from tests.conftest import ROOT


def _pages() -> list[tuple]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("app.py defines no PAGES")


PAGE_FILES = [entry[0] for entry in _pages()]
PAGE_URLS = [(entry[0], entry[1]) for entry in _pages()]  # (file, url path; "" = the root URL)
