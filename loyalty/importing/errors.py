"""Errors of the importer. Each message is one sentence that names the problem and what to do."""

from __future__ import annotations


class ImportFileError(ValueError):
    """The file cannot be imported at all (nothing was written).

    `code` is a short key for a translation layer: unsupported_type, empty_file, binary, unreadable,
    no_rows, one_column, missing_column, unknown_table, bad_option, ambiguous_format.
    """

    def __init__(self, message: str, code: str = "unreadable", **details):
        super().__init__(message)
        self.code = code
        self.details = details


class FormatChoiceNeeded(ImportFileError):
    """The data fits several formats (e.g. day-first and month-first dates); the caller must choose.

    `choices` lists every open choice: dicts with source, target, kind ('date' or 'decimal'),
    options (format strings / separators) and examples.
    """

    def __init__(self, message: str, choices: list[dict]):
        super().__init__(message, code="ambiguous_format", choices=choices)
        self.choices = choices
