"""Variants for batch runs: scenario grids (``--vary``) crossed with candidate blockades.

A :class:`Variant` is one complete scenario (a JSON-able mapping) plus a label and the
parameters that made it; its id is a hash of the scenario content, so the same variant has
the same id in every run.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from logistics.i18n import _
from logistics.model import InputError, SenkataError

if TYPE_CHECKING:  # pragma: no cover
    from logistics.model import Blockade, Scenario
    from logistics.roads import RoadNetwork


#: Most values one ``--vary`` range may expand to (a typo like ``1:100000`` is an error).
MAX_VARY_VALUES = 1000

#: Columns of the results table, in order.


# ------------------------------------------------------------------ variants


@dataclass(frozen=True)
class Variant:
    """One scenario to plan.

    Attributes
    ----------
    id
        First 12 hex digits of the SHA-256 of the scenario mapping (canonical JSON): the
        same content has the same id in every run, which is what resuming relies on.
    label
        Human-readable name (``trucks=40 stock=20000 blockades=bolivia+costanera``).
    params
        What was varied: ``{"trucks": 40, "stock": 20000, "blockades": ["bolivia", ...]}``
        (``blockades`` lists the candidate blockades present), or ``{"file": ...}``.
    scenario
        The complete scenario mapping; validated on the worker, so a bad value fails only
        this variant.
    error
        Set when the variant is known to fail before planning (an unreadable scenario
        file); it is recorded as failed without being sent to a worker.
    """

    id: str
    label: str
    params: dict[str, Any]
    scenario: dict[str, Any]
    error: str | None = None


def variant_id(scenario: dict[str, Any]) -> str:
    """Stable id of a scenario mapping: a hash of its canonical JSON."""
    blob = json.dumps(scenario, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def _set_trucks(d: dict[str, Any], n: int) -> None:
    # The fleet becomes one group of n trucks like the first group (capacity, speed,
    # id prefix); the guard roster is unchanged, so trucks beyond the commissions idle.
    g0 = d["fleet"][0]
    d["fleet"] = [
        {
            "count": n,
            "id_prefix": g0.get("id_prefix") or "T",
            "capacity": g0["capacity"],
            "speed_factor": g0.get("speed_factor", 1.0),
        }
    ]


def _set_stock(d: dict[str, Any], n: int) -> None:
    d["plants"][0]["stock"] = n


def _set_capacity(d: dict[str, Any], n: int) -> None:
    for g in d["fleet"]:
        g["capacity"] = n


def _set_seed(d: dict[str, Any], n: int) -> None:
    d.setdefault("solver", {})["seed"] = n


def _set_allocation(d: dict[str, Any], v: str) -> None:
    d["allocation"] = v


#: What ``--vary NAME=...`` may change: value type, setter, meaning.
VARY_PARAMS: dict[str, tuple[type, Callable[[dict[str, Any], Any], None], str]] = {
    "trucks": (int, _set_trucks, "trucks in the fleet (one group like the first one)"),
    "stock": (int, _set_stock, "filled cylinders at the plant (plants[0].stock)"),
    "capacity": (int, _set_capacity, "cylinders per truck load, every truck group"),
    "seed": (int, _set_seed, "search seed (solver.seed)"),
    "allocation": (str, _set_allocation, "max-delivered, proportional or max-min"),
}


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """Parse one ``--vary`` option.

    ``trucks=20:60:10`` is an inclusive range (step 1 when omitted); ``stock=20000,30000`` a
    list. Repeated values are kept once, in order.

    Raises
    ------
    InputError
        One line naming ``--vary`` and what was expected.
    """
    names = ", ".join(VARY_PARAMS)
    form = _("expected NAME=START:STOP[:STEP] or NAME=V1,V2,...")
    if "=" not in text:
        raise InputError(
            "--vary",
            _("{form} (NAME one of {names}), got {value}").format(
                form=form, names=names, value=repr(text)
            ),
        )
    name, _eq, spec = (s.strip() for s in text.partition("="))
    if name not in VARY_PARAMS:
        raise InputError(
            "--vary",
            _("unknown parameter {name} in {value}; expected one of {names}").format(
                name=repr(name), value=repr(text), names=names
            ),
        )
    kind = VARY_PARAMS[name][0]
    if not spec:
        raise InputError("--vary", _("{form}, got {value}").format(form=form, value=repr(text)))
    values: list[Any]
    if ":" in spec:
        parts = spec.split(":")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if kind is not int or len(nums) not in (2, 3):
            raise InputError(
                "--vary",
                _("{form} with whole numbers in a range, got {value}").format(
                    form=form, value=repr(text)
                ),
            )
        start, stop, step = nums[0], nums[1], nums[2] if len(nums) == 3 else 1
        if step <= 0 or stop < start:
            raise InputError(
                "--vary",
                _("expected START <= STOP and STEP > 0 in {value} (the range is inclusive)").format(
                    value=repr(text)
                ),
            )
        if (stop - start) // step + 1 > MAX_VARY_VALUES:
            raise InputError(
                "--vary",
                _("{value} gives more than {max} values").format(
                    value=repr(text), max=MAX_VARY_VALUES
                ),
            )
        values = list(range(start, stop + 1, step))
    else:
        items = [s.strip() for s in spec.split(",")]
        if any(not s for s in items):
            raise InputError(
                "--vary", _("{form}; empty value in {value}").format(form=form, value=repr(text))
            )
        if kind is int:
            try:
                values = [int(s) for s in items]
            except ValueError:
                raise InputError(
                    "--vary",
                    _("{name} takes whole numbers, got {value}").format(
                        name=name, value=repr(text)
                    ),
                ) from None
        else:
            values = items
    return name, list(dict.fromkeys(values))


def parse_varies(texts: Sequence[str]) -> dict[str, list[Any]]:
    """Parse every ``--vary`` option; a parameter may be given only once."""
    out: dict[str, list[Any]] = {}
    for t in texts:
        name, values = parse_vary(t)
        if name in out:
            raise InputError(
                "--vary",
                _("{name} is given twice; expected each parameter once").format(name=repr(name)),
            )
        out[name] = values
    return out


def load_candidates(path: str | Path) -> list[Blockade]:
    """Read candidate blockades: YAML ``blockades: [...]`` in the scenario's blockade schema.

    Raises
    ------
    InputError
        Missing file, malformed YAML, unknown key, invalid or repeated blockade; the message
        names the file and the field (``cands.yaml: blockades[2].radius_m``).
    """
    from pydantic import ValidationError

    from logistics.model import Blockade

    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), _("candidate blockades file not found"))
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(str(p), _("malformed YAML: {problem}").format(problem=problem)) from None
    if not isinstance(data, dict) or set(data) != {"blockades"}:
        raise InputError(str(p), _("expected a mapping with one key, 'blockades' (a list)"))
    items = data["blockades"]
    if not isinstance(items, list) or not items:
        raise InputError(f"{p}: blockades", _("expected a non-empty list of blockades"))
    out: list[Blockade] = []
    for i, item in enumerate(items):
        try:
            out.append(Blockade.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = "".join(f".{x}" if isinstance(x, str) else f"[{x}]" for x in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            raise InputError(f"{p}: blockades[{i}]{loc}", msg[:1].lower() + msg[1:]) from None
    ids = [b.id for b in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InputError(
            f"{p}: blockades",
            _("ids must be unique; repeated: {ids}").format(ids=", ".join(dup)),
        )
    return out


def check_candidates(
    scenario: Scenario, candidates: Sequence[Blockade], net: RoadNetwork, *, where: str
) -> None:
    """Reject candidates whose id clashes with the scenario's or that touch no road.

    Raises
    ------
    InputError
        Named ``<where>: blockades[i]``.
    """
    from logistics.roads import with_plant_access
    from logistics.routing import blockade_effects

    have = {b.id for b in scenario.blockades}
    for i, b in enumerate(candidates):
        if b.id in have:
            raise InputError(
                f"{where}: blockades[{i}].id",
                _("{id} is already a blockade of the scenario; expected a new id").format(
                    id=repr(b.id)
                ),
            )
    plant = scenario.plant
    net = with_plant_access(net, plant.lon, plant.lat, plant.access_m)
    mask = net.kind_mask(
        connectors=scenario.map.assumed_connectors, returns=scenario.map.assumed_return_links
    )
    probe = scenario.model_copy(update={"blockades": list(candidates)})
    try:
        blockade_effects(probe, net, mask)
    except InputError as exc:
        raise InputError(f"{where}: {exc.where}", exc.message) from None


def _subsets(k: int, samples: int, seed: int, p: float) -> list[tuple[int, ...]]:
    """Distinct subsets of ``range(k)``: all of them when there are at most ``samples``,
    else ``samples`` random ones (each element present with probability ``p``)."""
    if 2**k <= samples:
        return [c for r in range(k + 1) for c in itertools.combinations(range(k), r)]  # exhaustive
    rng = random.Random(seed)
    seen: dict[tuple[int, ...], None] = {}
    draws = 0
    while len(seen) < samples and draws < 50 * samples:
        draws += 1
        seen.setdefault(tuple(i for i in range(k) if rng.random() < p), None)
    return list(seen)


def make_variants(
    scenario: Scenario | dict[str, Any],
    vary: dict[str, list[Any]] | None = None,
    candidates: Sequence[Blockade] | None = None,
    samples: int = 50,
    seed: int = 0,
    *,
    p_present: float = 0.5,
) -> list[Variant]:
    """The grid of ``vary`` values crossed with random subsets of candidate blockades.

    Parameters
    ----------
    scenario
        The base scenario (or its mapping).
    vary
        Parameter name (:data:`VARY_PARAMS`) -> values. ``trucks`` replaces the fleet by one
        group of that many trucks like the first group; the guard roster is unchanged.
    candidates
        Blockades that may stand or not, added to the scenario's own blockades.
    samples
        Number of distinct blockade combinations; when the candidates have no more than
        ``samples`` combinations (``2**len(candidates)``), every combination is used once.
        The same combinations are used in every grid cell, so cells compare like with like.
    seed
        Seed of the sampling: the same arguments give the same variants.
    p_present
        Probability that a candidate is present in a sampled combination.

    Returns
    -------
    list of Variant
        Grid-major order; variants with identical content are kept once.

    Raises
    ------
    InputError
        Unknown ``vary`` parameter, ``samples`` < 1 or ``p_present`` outside (0, 1).
    """
    from logistics.model import Scenario

    if isinstance(scenario, Scenario):
        base = scenario.model_dump(mode="json")
    else:
        base = copy.deepcopy(scenario)
    vary = dict(vary or {})
    for name in vary:
        if name not in VARY_PARAMS:
            raise InputError(
                "--vary",
                _("unknown parameter {name}; expected one of {names}").format(
                    name=repr(name), names=", ".join(VARY_PARAMS)
                ),
            )
    subsets: list[tuple[int, ...] | None] = [None]
    if candidates:
        if samples < 1:
            raise InputError(
                "--samples", _("expected a number >= 1, got {value}").format(value=samples)
            )
        if not 0 < p_present < 1:
            raise InputError(
                "--p-present",
                _("expected a probability in (0, 1), got {value}").format(value=p_present),
            )
        subsets = list(_subsets(len(candidates), samples, seed, p_present))
    names = list(vary)
    out: dict[str, Variant] = {}
    for combo in itertools.product(*(vary[n] for n in names)):
        for sub in subsets:
            d = copy.deepcopy(base)
            params: dict[str, Any] = {}
            for n, v in zip(names, combo, strict=True):
                VARY_PARAMS[n][1](d, v)
                params[n] = v
            parts = [f"{n}={v}" for n, v in params.items()]
            if sub is not None:
                assert candidates is not None
                present = [candidates[i] for i in sub]
                d["blockades"] = list(d.get("blockades") or []) + [
                    b.model_dump(mode="json", exclude_none=True) for b in present
                ]
                params["blockades"] = [b.id for b in present]
                parts.append("blockades=" + ("+".join(params["blockades"]) or "-"))
            vid = variant_id(d)
            label = " ".join(parts) or str(base.get("name", "scenario"))
            out.setdefault(vid, Variant(vid, label, params, d))
    return list(out.values())


def variants_from_files(paths: Sequence[str | Path]) -> list[Variant]:
    """One variant per scenario file (``senkata batch``).

    A relative ``map.source`` is made absolute (relative to its file). A file that cannot
    be read or validated becomes a variant with ``error`` set, recorded as failed.
    """
    from logistics.model import load_scenario

    stems = [Path(p).stem for p in paths]
    out: dict[str, Variant] = {}
    for p, stem in zip(map(Path, paths), stems, strict=True):
        label = stem if stems.count(stem) == 1 else str(p)
        params = {"file": str(p)}
        try:
            d = load_scenario(p).model_dump(mode="json")
        except SenkataError as exc:
            msg = _one_line(str(exc))
            vid = hashlib.sha256(f"{p.resolve()}\n{msg}".encode()).hexdigest()[:12]
            out.setdefault(vid, Variant(vid, label, params, {}, error=msg))
            continue
        src = d["map"]["source"]
        if src != "embedded" and not Path(src).is_absolute():
            d["map"]["source"] = str((p.parent / src).resolve())
        vid = variant_id(d)
        out.setdefault(vid, Variant(vid, label, params, d))
    return list(out.values())


# -------------------------------------------------------------- on a worker


def _one_line(text: str, limit: int = 500) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."
