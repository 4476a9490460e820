"""Data: upload and validate history, workforce or targets; templates and the bundled files."""

from __future__ import annotations

import streamlit as st

from app_pages.inputs import translate_uploader
from app_pages.state import current_panel, lang, set_address
from simulator import fmt
from simulator.errors import InputError
from simulator.i18n import t
from simulator.regions import DATA_DIR


def page_data() -> None:  # noqa: C901 - one page: three uploads, their checks and templates in order
    from simulator.loaders import load_upload, template_csv, upload_name
    from simulator.projection import data_hash
    from simulator.share import plain

    L = lang()
    st.subheader(t("page_data", L))
    _, illustrative = current_panel()
    kind = st.selectbox(
        t("data_kind", L),
        ["history", "workforce", "targets"],
        format_func=lambda k: t(f"kind_{k}", L),
        key="upload_kind",
    )
    translate_uploader("upload_limit")
    upload = st.file_uploader(t("upload", L), type=["csv", "xlsx"], key=f"upload_file_{kind}")
    if upload is not None:
        # read from memory: the name the browser sends is shown, never used as a path
        try:
            frame = load_upload(upload.getvalue(), upload.name, kind, base=current_panel()[0])
        except InputError as err:
            st.error(plain(f"{t('invalid', L)}: {err}"))
        else:
            shown = upload_name(upload.name)
            st.success(plain(f"{t('valid', L)}: {shown}, {fmt.number(len(frame), lang=L)} {t('rows', L)}"))
            for warning in frame.attrs.get("warnings", ()):
                st.warning(plain(warning))
            st.dataframe(frame.head(200), hide_index=True)
            if st.button(t("use_upload", L), key=f"use_{kind}_btn"):
                st.session_state[f"use_{kind}"] = frame
                st.session_state[f"hash_{kind}"] = data_hash(frame)
                st.session_state[f"name_{kind}"] = shown
                st.success(t("in_use", L))
    in_use = [k for k in ("history", "workforce", "targets") if f"use_{k}" in st.session_state]
    if in_use:
        st.info(t("uploads_in_use", L) + ": " + ", ".join(t(f"kind_{k}", L) for k in in_use))
        if st.button(t("back_to_bundled", L), key="reset_uploads"):
            for k in in_use:
                for part in ("use", "hash", "name"):
                    st.session_state.pop(f"{part}_{k}", None)
            st.rerun()
    st.markdown(f"**{t('templates', L)}**")
    cols = st.columns(3)
    for col, k in zip(cols, ("history", "workforce", "targets"), strict=False):
        col.download_button(
            f"{t('template', L)}: {t(f'kind_{k}', L)}",
            template_csv(k).encode("utf-8"),
            file_name=f"template-{k}.csv",
            key=f"tpl_{k}",
        )
    st.markdown(f"**{t('bundled', L)}**")
    if illustrative:
        st.caption(t("banner_short", L))
    for file in (
        sorted(DATA_DIR.glob("*.csv")) + sorted(DATA_DIR.glob("*.yaml")) + sorted(DATA_DIR.glob("*.md"))
    ):
        st.download_button(file.name, file.read_bytes(), file_name=file.name, key=f"dl_{file.name}")


set_address({})  # nothing on this page to share: no parameters of another page linger
page_data()
