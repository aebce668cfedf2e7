"""The shared sidebar: language, period with presets, comparison and dimension filters.

Widget state lives in st.session_state (keys prefixed `f_`), so it survives page switches, and is
mirrored to the URL (st.query_params) so a link reproduces the view. On a session's first run the
URL's values win.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from components import data
from components.context import PageContext, set_context
from loyalty import i18n
from loyalty.filters import COMPARISONS, DIMENSIONS, PRESETS, Filters, preset_period

# URL parameter -> session key
URL_KEYS = {
    "lang": "f_lang", "preset": "f_preset", "from": "f_start", "to": "f_end", "cmp": "f_cmp",
    "segment": "f_segments", "region": "f_regions", "channel": "f_channels", "store": "f_stores",
}
LIST_KEYS = {"f_segments", "f_regions", "f_channels", "f_stores"}
DIMENSION_LABELS = {"segments": "filters.segment", "regions": "filters.region",
                    "channels": "filters.channel", "stores": "filters.store"}


def _init_from_url() -> None:
    """Copy URL values into session state once per session (a shared link opens the same view)."""
    if st.session_state.get("_url_loaded"):
        return
    params = st.query_params
    for url_key, state_key in URL_KEYS.items():
        if url_key not in params:
            continue
        if state_key in LIST_KEYS:
            st.session_state[state_key] = [v for v in params.get_all(url_key) if v]
        elif state_key in ("f_start", "f_end"):
            try:
                st.session_state[state_key] = date.fromisoformat(params[url_key])
            except ValueError:
                pass  # a mangled link falls back to the default period
        else:
            st.session_state[state_key] = params[url_key]
    st.session_state["_url_loaded"] = True


def _sync_url(lang: str, preset: str, filters: Filters | None) -> None:
    wanted: dict[str, str | list[str]] = {"lang": lang, "preset": preset}
    if filters is not None:
        if preset == "custom":
            wanted["from"] = filters.start.isoformat()
            wanted["to"] = filters.end.isoformat()
        wanted["cmp"] = filters.comparison
        for url_key, values in (("segment", filters.segments), ("region", filters.regions),
                                ("channel", filters.channels), ("store", filters.stores)):
            if values:
                wanted[url_key] = list(values)
    current = {k: (st.query_params.get_all(k) if isinstance(v, list) else st.query_params.get(k))
               for k, v in wanted.items()}
    if current != wanted or set(st.query_params.keys()) - set(wanted):
        st.query_params.from_dict(wanted)


def _valid_choice(key: str, options, default) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def render_sidebar() -> PageContext:
    _init_from_url()
    _valid_choice("f_lang", i18n.LANGUAGES, i18n.DEFAULT_LANGUAGE)
    sb = st.sidebar
    lang = sb.segmented_control(
        i18n.t("app.language", st.session_state["f_lang"]), i18n.LANGUAGES, key="f_lang",
        format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
    ) or i18n.DEFAULT_LANGUAGE

    def tr(key: str, **kw) -> str:
        return i18n.t(key, lang, **kw)

    snapshot = data.snapshot()
    filters = None
    preset = st.session_state.get("f_preset", "last_12_months")
    if snapshot.has("transactions"):
        rng = data.query("data_range").iloc[0]
        first, last = rng["first_date"], rng["last_date"]
        first = first.date() if hasattr(first, "date") else first
        last = last.date() if hasattr(last, "date") else last
        sb.subheader(tr("filters.period"))
        _valid_choice("f_preset", PRESETS, "last_12_months")
        preset = sb.selectbox(tr("filters.preset"), PRESETS, key="f_preset", format_func=lambda p: tr(f"filters.{p}"))
        if preset == "custom":
            lowest, highest = date(first.year, 1, 1), date(last.year, 12, 31)
            start = min(max(st.session_state.get("f_start") or first, lowest), highest)
            end = min(max(st.session_state.get("f_end") or last, start), highest)
            picked = sb.date_input(tr("filters.period"), value=(start, end), min_value=lowest, max_value=highest,
                                   format="DD.MM.YYYY" if lang == "de" else "YYYY-MM-DD", key="f_range")
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                start, end = picked
            st.session_state["f_start"], st.session_state["f_end"] = start, end
        else:
            start, end = preset_period(preset, first, last)
        _valid_choice("f_cmp", COMPARISONS, "previous_period")
        comparison = sb.selectbox(tr("filters.comparison"), COMPARISONS, key="f_cmp",
                                  format_func=lambda c: tr(f"filters.{c}"))
        sb.caption(tr("filters.data_range", start=i18n.fmt_date(first, lang), end=i18n.fmt_date(last, lang)))

        options = data.query("filter_options")
        chosen = {}
        for dim in DIMENSIONS:
            values = options.loc[options["dimension"] == dim, "value"].tolist()
            key = f"f_{dim}"
            st.session_state[key] = [v for v in st.session_state.get(key, []) if v in values]
            if values:
                chosen[dim] = tuple(sb.multiselect(tr(DIMENSION_LABELS[dim]), values, key=key,
                                                   placeholder=tr("filters.all_selected")))
        filters = Filters(start=start, end=end, comparison=comparison, **chosen)
        compared = filters.compared()
        if compared:
            sb.caption(tr("filters.compare_caption", start=i18n.fmt_date(compared.start, lang),
                          end=i18n.fmt_date(compared.end, lang)))
    _sync_url(lang, preset, filters)
    ctx = PageContext(lang=lang, filters=filters, snapshot=snapshot)
    set_context(ctx)
    return ctx
