"""Wilayah (Region): fan chart, levers of one region, waterfall and costs; save as a scenario."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app_pages.charts import fan_chart, waterfall_chart
from app_pages.inputs import counts, whole_percent
from app_pages.state import (
    around,
    bundled_scenarios,
    csv_download,
    current_baseline,
    derived,
    join_comparison,
    lang,
    query_choice,
    region_label,
    run,
    set_address,
)
from app_pages.tables import cost_table, figure_row, headline_card, status_table
from simulator import fmt
from simulator.i18n import t
from simulator.regions import load_regions

#: The Region page's levers: widget key -> name in the address (``/wilayah?wilayah=61&bantuan=86000``).
LEVERS = {
    "rg_headcount": "bantuan",
    "rg_start": "mulai",
    "rg_months": "bulan",
    "rg_already": "sudah",
    "rg_retention": "bertahan",
    "rg_officials": "aparat",
    "rg_share": "terdaftar",
    "rg_vstart": "mulai_desa",
    "rg_outreach": "bpu",
}
#: Whole-number levers: (lowest, highest) as the sliders allow; the others are months.
RANGES = {
    "rg_headcount": (0, 5_000_000),
    "rg_months": (1, 60),
    "rg_already": (0, 50),
    "rg_retention": (0, 100),
    "rg_officials": (0, 30),
    "rg_share": (0, 100),
    "rg_outreach": (0, 200_000),
}
#: A programme in force: its control -> name in the address (``&program=stop&program_mulai=2026-01``);
#: the region's second programme, if it had one, would be ``program2``, ``program2_mulai`` ...
PROGRAMME_PARAMS = {"action": "program", "from": "mulai", "scale": "skala", "retention": "bertahan"}
PROGRAMME_RANGES = {"scale": (0, 300), "retention": (0, 100)}
#: What a planner can do with a programme in force (the scenario lever's ``action``).
ACTIONS = ("continue", "stop", "scale")


def programmes_here(code: str, months: list[str]) -> list[tuple[str, dict]]:
    """The programmes in force in ``code`` itself within the projection (data/programmes.yaml):
    already in the baseline, so they are shown as such and changed only by a programme lever."""
    from simulator.programmes import in_force

    return in_force({code}, pd.Period(months[0], freq="M"), pd.Period(months[-1], freq="M"))


def _pg_key(i: int, name: str) -> str:
    return f"rg_pg{i}_{name}"


def _pg_param(i: int, name: str) -> str:
    head = "program" if i == 0 else f"program{i + 1}"
    return head if name == "action" else f"{head}_{PROGRAMME_PARAMS[name]}"


def lever_keys(code: str, months: list[str]) -> dict[str, str]:
    """Every control of ``code``'s levers -> its name in the address: the programmes in force, then
    the new levers."""
    out = {}
    for i, _ in enumerate(programmes_here(code, months)):
        out.update({_pg_key(i, name): _pg_param(i, name) for name in PROGRAMME_PARAMS})
    return {**out, **LEVERS}


def lever_defaults(code: str, months: list[str]) -> dict:
    """Lever settings a region starts from: its programmes in force running on (as in the baseline,
    where their members already are), no new lever, and the dated defaults of ``data/parameters.yaml``
    in force at the first month (whole percentages on the sliders)."""
    from simulator.parameters import lever_defaults as dated

    subsidy, village = dated("contribution_subsidy", months[0]), dated("village_officials", months[0])
    out = {
        "rg_headcount": 0,
        "rg_start": months[0],
        "rg_months": 12,
        "rg_already": round(100 * subsidy["already_covered"]),
        "rg_retention": round(100 * subsidy["retention_after"]),
        "rg_officials": 0,
        "rg_share": round(100 * village["enrolled_share"]),
        "rg_vstart": months[0],
        "rg_outreach": 0,
    }
    januaries = [m for m in months if m.endswith("-01")]  # "what if it stops next January?"
    for i, _ in enumerate(programmes_here(code, months)):
        out.update(
            {
                _pg_key(i, "action"): "continue",
                _pg_key(i, "from"): (januaries or months)[0],
                _pg_key(i, "scale"): 150,
                _pg_key(i, "retention"): round(100 * subsidy["retention_after"]),
            }
        )
    return out


def _valid(key: str, raw: str, months: list[str]):
    """``raw`` from the address as the value of control ``key``, or None when it is not one."""
    programme = re.fullmatch(r"rg_pg\d+_(\w+)", key)
    ranges = PROGRAMME_RANGES if programme else RANGES
    name = programme.group(1) if programme else key
    if name in ranges:
        low, high = ranges[name]
        return int(raw) if raw.isdigit() and low <= int(raw) <= high else None
    if key.endswith("_action"):
        return raw if raw in ACTIONS else None
    return raw if raw in months else None


def levers_from_address(code: str, months: list[str]) -> dict:
    """Lever settings written in the address; a value that is not valid is left out (and said so)."""
    out, bad = {}, []
    for key, param in lever_keys(code, months).items():
        raw = st.query_params.get(param)
        if raw is None:
            continue
        value = _valid(key, raw, months)
        if value is not None:
            out[key] = value
        else:
            bad.append(f"{param}={raw}")
    if bad:
        st.warning(f"{t('address_ignored', lang())}: {', '.join(bad)}")
    return out


def seed_levers(code: str, months: list[str]) -> None:
    """Give the lever widgets ``code``'s own settings before they are drawn: from the address when it
    names this region (a shared link), else what this region had in this session, else its defaults.
    Switching region therefore never carries one region's levers over to another."""
    store = st.session_state.setdefault("rg_levers", {})
    keys = lever_keys(code, months)
    if st.session_state.get("rg_shown") == code and all(k in st.session_state for k in keys):
        return
    values = {**lever_defaults(code, months), **store.get(code, {})}
    if st.query_params.get("wilayah") == code:
        values = {**lever_defaults(code, months), **levers_from_address(code, months)}
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state["rg_shown"] = code


def programme_controls(i: int, name: str, entry: dict, months: list[str]) -> dict | None:
    """One programme in force: what it is, and continue / stop from a month / scale. Returns its
    scenario lever (``kind: programme``) or None while it simply continues (the baseline has it)."""
    from simulator.parameters import lever_defaults as dated

    L = lang()
    label = entry.get("label_en", entry["label"]) if L == "en" else entry["label"]
    st.caption(
        t("programme_line", L).format(
            label=label,
            n=fmt.number(entry["headcount"], lang=L),
            cost=fmt.rupiah(entry["unit_cost"], lang=L),
            payer=t(f"payer_{entry['payer']}", L),
            since=fmt.month(entry["start"], L),
        )
    )
    pct = whole_percent(L)
    action = st.radio(
        t("programme_action", L),
        ACTIONS,
        format_func=lambda a: t(f"programme_{a}", L),
        key=_pg_key(i, "action"),
    )
    start = st.select_slider(
        t("programme_from", L),
        months,
        format_func=lambda m: fmt.month(m, L),
        key=_pg_key(i, "from"),
        disabled=action == "continue",
    )
    scale = st.slider(
        t("programme_scale_pct", L),
        0,
        300,
        step=10,
        format=pct,
        key=_pg_key(i, "scale"),
        disabled=action != "scale",
    )
    kept = st.slider(
        t("programme_retention", L),
        0,
        100,
        step=5,
        format=pct,
        key=_pg_key(i, "retention"),
        disabled=action == "continue" or (action == "scale" and scale >= 100),
    )
    if action == "continue":
        return None
    # ramp of extra members, their deadweight and the lapse of those kept: dated parameters at the month
    behaviour = {
        k: v
        for k, v in dated("contribution_subsidy", start).items()
        if k in ("ramp_months", "already_covered", "lapse")
    }
    lever = {
        **behaviour,
        "kind": "programme",
        "programme": name,
        "label": label,
        "action": action,
        "start": start,
        "retention_after": kept / 100,
    }
    if action == "scale":
        lever["scale"] = scale / 100
    return lever


def region_levers(code: str, months: list[str]) -> tuple[list[dict], dict]:
    """Lever sliders for one region (sidebar) -> (lever dicts in scenario-file form, widget values)."""
    L = lang()
    tree = load_regions()
    first = months[0]
    seed_levers(code, months)
    programmes = programmes_here(code, months)
    levers: list[dict] = []
    with st.sidebar:
        st.markdown(f"**{t('levers', L)}: {region_label(code)}**")
        if programmes:
            st.markdown(f"*{t('programmes_in_force', L)}*")
            for i, (name, entry) in enumerate(programmes):
                lever = programme_controls(i, name, entry, months)
                levers += [lever] if lever else []
            st.markdown(f"*{t('new_levers', L)}*")
        # counts on a select slider so they show in the language's format (26.373); shares as
        # whole percentages ("35 %"); st.slider's own number format cannot group thousands
        pct = whole_percent(L)
        grid = counts(300_000, 1_000, 0)
        headcount = st.select_slider(
            t("subsidy", L),
            tuple(sorted({*grid, st.session_state["rg_headcount"]})),
            format_func=lambda v: fmt.number(v, lang=L),
            key="rg_headcount",
        )
        start = st.select_slider(
            t("subsidy_start", L), months, format_func=lambda m: fmt.month(m, L), key="rg_start"
        )
        duration = st.slider(t("subsidy_months", L), 1, 60, key="rg_months")
        already = st.slider(t("already_covered", L), 0, 50, step=5, format=pct, key="rg_already") / 100
        retention = st.slider(t("retention", L), 0, 100, step=5, format=pct, key="rg_retention") / 100
        officials = st.slider(t("officials", L), 0, 30, key="rg_officials")
        share = st.slider(t("enrolled_share", L), 0, 100, step=5, format=pct, key="rg_share") / 100
        vstart = st.select_slider(
            t("village_start", L), months, format_func=lambda m: fmt.month(m, L), key="rg_vstart"
        )
        grid = counts(20_000, 500, 0)
        outreach = st.select_slider(
            t("outreach", L),
            tuple(sorted({*grid, st.session_state["rg_outreach"]})),
            format_func=lambda v: fmt.number(v, lang=L),
            key="rg_outreach",
        )
        defaults = lever_defaults(code, months)
        if any(st.session_state[k] != v for k, v in defaults.items()):
            st.button(t("reset_levers", L), key="rg_reset", on_click=_reset_levers, args=(code, defaults))
    values = {k: st.session_state[k] for k in lever_keys(code, months)}
    st.session_state["rg_levers"][code] = values
    # unit cost, ramp and lapse: the dated parameters in force at each lever's start; the payer: the
    # region's own budget (data/parameters.yaml, payer_by_level)
    from simulator.parameters import lever_defaults as dated
    from simulator.parameters import payer_for

    if headcount > 0:
        levers.append(
            {
                **dated("contribution_subsidy", start),
                "kind": "contribution_subsidy",
                "label": t("lever_subsidy", L),
                "region": code,
                "headcount": headcount,
                "start": start,
                "months": duration,
                "already_covered": already,
                "retention_after": retention,
                "payer": payer_for(code, tree, start),
            }
        )
    if officials > 0:
        levers.append(
            {
                **dated("village_officials", vstart),
                "kind": "village_officials",
                "label": t("lever_village", L),
                "region": code if tree.level(code) == "kabkota" else f"{code}.*",
                "officials_per_village": officials,
                "enrolled_share": share,
                "start": vstart,
                "payer": "apbdes",
            }
        )
    if outreach > 0:
        levers.append(
            {
                **dated("informal_outreach", first),
                "kind": "informal_outreach",
                "label": t("lever_outreach", L),
                "region": code,
                "monthly_enrollments": outreach,
                "months": 12,
                "start": first,
                "payer": "worker",
            }
        )
    return levers, values


def _reset_levers(code: str, defaults: dict) -> None:
    for key, value in defaults.items():
        st.session_state[key] = value
    st.session_state["rg_levers"][code] = dict(defaults)


def levers_text(levers: list[dict], name: str, horizon: str) -> str:
    from simulator.scenario import dump_scenario, scenario_from_dict

    data = {
        "name": name,
        "description": "dibuat di halaman Wilayah / built on the Region page",
        "horizon": horizon,
        "levers": levers,
    }
    return dump_scenario(scenario_from_dict(data, source="app", tree=load_regions()))


def _file_stem(name: str) -> str:
    """A scenario name as a safe download file name: letters, digits, dot, dash and underscore."""
    return re.sub(r"[^\w.-]+", "-", name).strip("-.") or "skenario"


def programme_panel(result, status, before, code: str, names: list[str]) -> None:
    """The programmes in force in ``code``: running in the baseline (said so, never added again), or,
    when the planner stops or scales one, what that changes against continuing it: persons at the
    first deadline from the change on (else the December of its year), the probability there before
    and after, and the cost saved per payer and year."""
    from simulator.programmes import load_programmes
    from simulator.views import programme_costs, programme_persons

    L = lang()
    table = load_programmes()

    def changed():  # only when a programme is stopped or scaled: a running one needs no costs
        return derived(result, ("programme_costs", tuple(names)), lambda: programme_costs(result, names))

    for name in names:
        entry = table[name]
        label = entry.get("label_en", entry["label"]) if L == "en" else entry["label"]
        lever = next((lv for lv in result.scenario.levers if getattr(lv, "programme", None) == name), None)
        st.markdown(f"**{t('programme_in_force_head', L)}: {label}**")
        if lever is None:
            st.caption(
                t("programme_running", L).format(
                    n=fmt.number(entry["headcount"], lang=L),
                    payer=t(f"payer_{entry['payer']}", L),
                    monthly=fmt.rupiah(entry["headcount"] * entry["unit_cost"], lang=L),
                )
            )
            continue
        costs = changed()
        costs = costs[costs["programme"] == name]
        saved = costs["saved"].sum()
        what = (
            t("programme_stopped", L)
            if lever.scale == 0
            else t("programme_scaled", L).format(x=fmt.percent(lever.scale, 0, lang=L))
        ).format(month=fmt.month(lever.start, L, long=True))
        row, deadline = _deadline_row(status, code, lever.start, result.months)
        effect = programme_persons(result, code, deadline).set_index("programme")["persons"].get(name, 0.0)
        figures = [
            (
                "persons",
                t("programme_persons", L).format(month=fmt.month(deadline, L)),
                fmt.number(effect, lang=L),
            ),
            (
                "saved",
                t("programme_saved" if saved >= 0 else "programme_extra", L).format(
                    last=fmt.month(result.months[-1], L)
                ),
                fmt.rupiah(abs(saved), short=True, lang=L),
            ),
        ]
        if row is not None:
            then = before[1]
            same = then[
                (then["region_code"] == code)
                & (then["year"] == row["year"])
                & (then["target"] == row["target"])
            ]
            if len(same):
                figures.append(
                    (
                        "median",
                        t("programme_median", L).format(month=fmt.month(deadline, L)),
                        f"{fmt.percent(same['median'].iloc[0], lang=L)} → "
                        f"{fmt.percent(row['median'], lang=L)}",
                    )
                )
                figures.append(
                    (
                        "probability",
                        t("programme_probability", L).format(year=int(row["year"])),
                        f"{fmt.percent(same['probability'].iloc[0], 0, lang=L)} → "
                        f"{fmt.percent(row['probability'], 0, lang=L)}",
                    )
                )
        st.markdown(what)
        st.markdown(figure_row(figures), unsafe_allow_html=True)
        shown = costs.assign(payer=costs["payer"].map(lambda p: t(f"payer_{p}", L)))
        st.dataframe(
            pd.DataFrame(
                {
                    t("year", L): shown["year"].astype(str),
                    t("payer", L): shown["payer"],
                    t("programme_if_continued", L): shown["continued"].map(lambda v: fmt.rupiah(v, lang=L)),
                    t("programme_this_choice", L): shown["scenario"].map(lambda v: fmt.rupiah(v, lang=L)),
                    t("programme_difference", L): shown["saved"].map(lambda v: fmt.rupiah(v, lang=L)),
                }
            ),
            hide_index=True,
            width="stretch",
        )
        csv_download(costs, f"program-{name}-{code}.csv", f"dl_pg_{name}")


def _deadline_row(status, code: str, since, months):
    """(status row, deadline) of ``code``'s first deadline on or after ``since``; (None, December of
    ``since``'s year, or the last projected month) when it has none."""
    own = status[(status["region_code"] == code) & (status["deadline"] >= since)].sort_values("deadline")
    if len(own):
        return own.iloc[0], own.iloc[0]["deadline"]
    december = pd.Period(f"{since.year}-12", freq="M")
    return None, min(december, months[-1])


def page_region() -> None:
    from simulator.views import waterfall_at

    L = lang()
    tree = load_regions()
    baseline, _ = current_baseline()
    regions = tree.codes
    code = st.selectbox(
        t("region", L),
        regions,
        index=regions.index(query_choice("wilayah", regions, "61")),
        key="rg_region",
        format_func=region_label,
    )
    months = [str(m) for m in baseline.months[:36]]
    levers, values = region_levers(code, months)
    keys = lever_keys(code, months)
    running = {k for k in values if k.endswith("_action") and values[k] == "continue"}
    quiet = {k.replace("_action", f"_{n}") for k in running for n in PROGRAMME_PARAMS if n != "action"}
    quiet |= {k.replace("_action", "_scale") for k in values if k.endswith("_action") and values[k] == "stop"}
    set_address({"wilayah": code, **{keys[k]: v for k, v in values.items() if k not in quiet}})
    horizon = str(baseline.months[-1])
    text = levers_text(levers, f"wilayah-{code}", horizon)
    out = run(text, around(code), source=f"wilayah-{code}")
    before = run(bundled_scenarios()["baseline"], around(code), source="baseline.yaml") if levers else out
    if out is None or before is None:
        return
    result, status = out
    own = status[status["region_code"] == code].sort_values("year")
    if len(own):
        upcoming = own[own["deadline"] >= result.months[0]]
        row = (upcoming if len(upcoming) else own).iloc[0]
        deadline = row["deadline"]
    else:
        row, deadline = None, result.months[-1]
    st.markdown(
        f'<div class="sim-cards">{headline_card(region_label(code), row)}</div>', unsafe_allow_html=True
    )
    programmes = [name for name, _ in programmes_here(code, months)]
    if programmes:
        programme_panel(result, status, before, code, programmes)
    st.markdown(f"**{t('fan_chart', L)}**")
    chart, wide = fan_chart(result, code, status, before=before[0] if levers else None)
    st.vega_lite_chart(spec=chart, width="stretch")
    csv_download(wide, f"fan-{code}.csv", "dl_fan")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('waterfall', L)} ({fmt.month(deadline, L)})**")
        steps = waterfall_at(result, code, deadline)
        st.vega_lite_chart(spec=waterfall_chart(steps), width="stretch")
        csv_download(steps, f"waterfall-{code}.csv", "dl_waterfall")
    with right:
        st.markdown(f"**{t('cost_table', L)}**")
        raw, shown = cost_table(result, programmes)
        if len(raw):
            st.dataframe(shown, hide_index=True)
            csv_download(raw, f"biaya-{code}.csv", "dl_cost")
        else:
            st.caption(t("no_cost", L))
    if len(status):
        st.dataframe(status_table(status), hide_index=True, width="stretch")
        st.caption(t("tested_help", L))
        csv_download(status, f"status-{code}.csv", "dl_rg_status")
    from app_pages.segments_view import segment_panel  # the same table as `python -m simulator segments`

    segment_panel(result, status, code, deadline)
    from app_pages.sweep_view import assumption_panel  # issue 22: which assumption decides the answer

    assumption_panel(code, "rg", int(row["year"]) if row is not None else None)
    # drawn only while open (opening it reruns the page): a slider move does not rebuild its widgets
    with st.expander(t("save_scenario", L), key="rg_save", on_change="rerun") as box:
        if not box.open:
            return
        name = (
            st.text_input(t("scenario_name", L), f"wilayah-{code}", key="rg_name").strip()
            or f"wilayah-{code}"
        )
        # written by the scenario writer (any name quoted as YAML needs), only when asked for: a
        # slider move does not build it
        st.download_button(
            t("download_yaml", L),
            lambda: levers_text(levers, name, horizon).encode("utf-8"),
            file_name=f"{_file_stem(name)}.yaml",
            key="dl_rg_yaml",
            on_click="ignore",
        )
        if st.button(t("add_to_compare", L), key="rg_add"):
            st.session_state.setdefault("my_scenarios", {})[name] = levers_text(levers, name, horizon)
            join_comparison(name)
            st.success(t("added", L))


page_region()
