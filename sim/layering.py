"""Scenario layers: a scenario that extends another, and a calibration applied at load.

- ``extends: <scenario>`` (a shipped name, or a path relative to the file) starts from that
  scenario's data and merges this file over it: mappings merge key by key, anything else
  (numbers, lists) replaces, and ``null`` removes the key (refused for a key whose default is a value, which
  it would take where null says none, and for a key the scenario extended has not, removing nothing; an empty
  mapping, which changes nothing, is refused too: ``null_problems``). The history scenario
  (``wales-mh-2015``) extends the default one and replaces only what differed in 2015.
- ``calibration: <file>`` (a name under ``sim/data/calibration/`` or a path relative to the
  scenario) is a parameter file written by ``workforce calibrate``; its ``overrides`` (dotted
  keys) are applied when the scenario loads. Overrides passed by the caller are applied after
  it, so they win, and ``{"calibration": None}`` loads the scenario uncalibrated.

A loaded scenario records its input files with their SHA-256 (``input_files``; for a scenario,
``sim.scenario.input_files``): itself, the scenarios it extends, its calibration file and its
pathway files. Manifests list them, a batch
resumes only on the same contents, and a scenario cached in memory is reused only while
``changed`` finds none of them edited.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import stat
import time
from pathlib import Path

from pydantic import BaseModel

from .errors import (UNKNOWN_KEY, InputError, Problem, _short, covering_key, is_file, nearest, plain_name,
                     read_yaml, refuse_special, whole_number)

CALIBRATION_DIR = Path(__file__).parent / "data" / "calibration"
RANGES_DIR = Path(__file__).parent / "data" / "plausibility"
# the keys of a calibration parameter file: what ``workforce calibrate`` writes (and wrote before its posterior,
# ``optimiser`` to ``blocks``). Any other is a slip, ignored in silence: a misspelt ``posterior:`` ran every
# replication with the central set, and a misspelt ``fitted:`` left the scenario's values unchecked
PARAMETER_FILE_KEYS = ("name", "description", "calibration", "scenario", "created", "package_version", "method",
                       "libraries", "optimiser", "settings", "loss", "evaluations", "blocks", "posterior",
                       "parameter_sets", "diagnostics", "fitted", "overrides", "targets")
# scenarios in one chain of ``extends:``: the shipped ones use three; a longer chain is a slip (and
# one of about a thousand would exhaust Python's recursion, read as a file nested too deep)
MAX_LAYERS = 32


def read_layered(path: Path, resolve, files: list | None = None, layers: list | None = None) -> dict:
    """The scenario data at ``path`` merged over the scenario it extends (recursively; ``resolve(name,
    relative_to=folder)`` finds the file an ``extends`` names, as ``sim.scenario.resolve``), a copy of its own; the
    files read are appended to ``files`` (this one first), and ``(file, its own data)`` to ``layers`` (read only:
    shared). Read once a process, and again only when one of its files has changed since (``changed``): each
    set of overrides a calibration tries is compiled from it."""
    key = (str(path), os.path.realpath(path))
    kept = _LAYERED.get(key)
    if kept is None or changed(kept[0]):
        read, own = [], []
        data = _read_layered(Path(path), resolve, (), read, own)
        kept = (input_files(read), read, own, pickle.dumps(data))
        _LAYERED.pop(key, None)
        if len(_LAYERED) >= _LAYERED_MAX:
            _LAYERED.pop(next(iter(_LAYERED)))
        _LAYERED[key] = kept
    if files is not None:
        files.extend(kept[1])
    if layers is not None:
        layers.extend(kept[2])
    return pickle.loads(kept[3])


_LAYERED: dict[tuple, tuple] = {}  # (path, real path) -> (its files' digests, files, layers, merged data pickled)
_LAYERED_MAX = 32


def _read_layered(path: Path, resolve, seen: tuple, files: list, layers: list) -> dict:
    """``read_layered``, read."""
    data = read_yaml(path, "scenario")
    files.append(Path(path))
    base_path = _extended(path, data.pop("extends", None), resolve, seen)
    layers.append((Path(path), data))
    if base_path is None:
        return data
    merged = _read_layered(base_path, resolve, seen + (path.resolve(),), files, layers)
    return merge(merged, data)


def _extended(path: Path, base, resolve, seen: tuple) -> Path | None:
    """The file a scenario's ``extends`` names (None if it names none): a path relative to the scenario's
    folder, never the current one (the file read would depend on where the command is run), or a shipped
    name."""
    if base is None:
        return None
    if not isinstance(base, str):
        raise InputError.one(path, "extends", "the name or path of a scenario to extend", base)
    refuse_special(path.parent / base, path, "extends")
    try:
        base_path = resolve(base, relative_to=path.parent)
    except InputError as exc:  # named by the file and key that refer to it
        raise InputError.one(path, "extends", exc.problems[0].expected, base) from None
    if base_path.resolve() in seen or base_path.resolve() == path.resolve():
        raise InputError.one(path, "extends", "a scenario that does not (indirectly) extend itself", base)
    if len(seen) + 2 > MAX_LAYERS:
        raise InputError.one(path, "extends", f"a chain of at most {MAX_LAYERS} scenarios, each extending the "
                                              "next (this file is the last of them)", base)
    return base_path


def merge(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` merged in: mappings recursively, ``None`` deletes, the rest replaces."""
    out = copy.deepcopy(base)
    _merge_into(out, changes)
    return out


def _merge_into(out: dict, changes: dict) -> None:
    """``merge`` in ``out``, a copy of its own: each mapping of it is merged into, not copied again."""
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            _merge_into(out[key], value)
        else:
            out[key] = copy.deepcopy(value)


def null_problems(layers: list, data: dict, schema) -> InputError | None:
    """The nulls of a layer of ``layers`` (top first) that would not do what null says, removing a key of the
    scenario the layer extends; None if there are none. The file extending no other has no null removing anything.

    - A key the scenario ``schema`` defaults to a value of its own (``mho_end``'s month, a fill rate of 1, a kind):
      removed, it would take that value in silence, where null says none. A key with no default (required, or an
      entry of a table), or whose default is none, 0, false, empty or a section of its defaults (switched off), is
      removed as the layer says; a key still in the merged ``data`` (a layer above gives it again) was not removed.
    - A key the scenario the layer extends has not (a misspelt ``mho_ends``): it removes nothing, and the edit meant
      is not made, in silence. A null inside a mapping the layer adds (not a removal) is the schema's to judge, and
      one for a key a layer below removed already says what that layer says.

    An empty mapping for a mapping of the scenario the layer extends (``uncertain: {}``, ``places: {}``) is refused
    too: merged key by key, it keeps every key there, where it says none."""
    from .uncertain import field_at

    bases = [layers[-1][1]]  # the scenario each layer extends, merged, from the one extending the file at the bottom up
    for _, own in reversed(layers[1:-1]):
        bases.append(merge(bases[-1], own))
    problems = []
    for n, ((path, own), base) in enumerate(zip(layers[:-1], reversed(bases))):
        for keys in _nulls(own):
            dotted = ".".join(map(str, keys))
            field = field_at(schema, keys) if _walk(data, keys)[0] < len(keys) else None
            default = None if field is None or field.is_required() else field.get_default(call_default_factory=True)
            if default is not None and not isinstance(default, BaseModel) and default:
                problems.append(Problem(str(path), dotted, f"a value, not null: null removes the key, which would "
                                        f"then take its default, {_short(default)!r}, where null says none; write the "
                                        "value meant (leaving the key out keeps the value of the scenario this one "
                                        "extends)"))
                continue
            depth, parent = _walk(base, keys[:-1])
            if depth < len(keys) - 1 or not isinstance(parent, dict):
                continue  # inside a mapping the layer adds, or one replacing another value: not a removal
            if _walk(parent, keys[-1:])[0] or removed(layers[n + 1:], dotted) is not None:
                continue  # a key the scenario has, removed; or one a layer below removed already
            near = nearest(keys[-1], parent)
            has = "" if near is None else f" (it has {'.'.join(map(str, [*keys[:-1], near]))})"
            problems.append(Problem(str(path), dotted, f"a key that the scenario this file extends "
                                    f"({layers[n + 1][0].name}) has, or no null: null removes a key of the scenario "
                                    f"a file extends, and that one has no {dotted}{has}"))
        for keys in _empties(own):  # merged key by key into a mapping with keys, it changes nothing
            depth, there = _walk(base, keys)
            if depth == len(keys) and isinstance(there, dict) and there:
                problems.append(Problem(str(path), ".".join(map(str, keys)), f"a mapping of the keys to change, "
                                        f"not an empty one: a layer's mapping changes those it gives of the scenario "
                                        f"this file extends ({layers[n + 1][0].name}) and keeps the others, so an "
                                        f"empty one changes nothing; null removes the key", {}))
    return InputError(problems) if problems else None


def _empties(data: dict, keys: tuple = ()):
    """The keys (as lists of their parts) that ``data`` sets to an empty mapping, in it and in its mappings."""
    for key, value in data.items():
        if value == {}:
            yield [*keys, key]
        elif isinstance(value, dict):
            yield from _empties(value, (*keys, key))


def _nulls(data: dict, keys: tuple = ()):
    """The keys (as lists of their parts) that ``data`` sets to null, in it and in its mappings."""
    for key, value in data.items():
        if value is None:
            yield [*keys, key]
        elif isinstance(value, dict):
            yield from _nulls(value, (*keys, key))


def calibration_file(name_or_path, relative_to: Path, file=None, field: str = "calibration",
                     expected: str | None = None) -> Path:
    """A calibration parameter file: a path relative to the scenario, or a shipped name. A problem
    names the scenario ``file`` that refers to it (default: the folder) and its ``field``; one that is
    not there says it is ``expected`` (default: a parameter file, naming the shipped ones): a ranges file's
    history is found here too, and the parameter files named to it would be refused as no history."""
    for candidate in (relative_to / str(name_or_path), CALIBRATION_DIR / str(name_or_path),
                      CALIBRATION_DIR / f"{name_or_path}.yaml"):
        if is_file(candidate):
            return candidate
        refuse_special(candidate, file or relative_to, field)
    if expected is None:  # a parameter file is written with its report (``workforce calibrate``): no history is
        shipped = ", ".join(p.stem for p in sorted(CALIBRATION_DIR.glob("*.yaml"))
                            if (CALIBRATION_DIR / f"{p.stem}-report.md").is_file())
        expected = f"an existing calibration file or shipped name ({shipped})"
    raise InputError.one(file or relative_to, field, expected, name_or_path)


def calibration_overrides(data: dict, scenario_path: Path, schema) -> tuple[dict, Path | None, dict, object]:
    """The dotted overrides of the scenario's calibration file (empty if it names none), the file,
    its ``fitted`` section (what each key was fitted from; empty if it has none) and its posterior
    (``sim.posterior.Posterior``, its rows checked against the scenario's ``schema``; None for a file
    of fitted values only)."""
    name = data.get("calibration")
    if name is None:
        return {}, None, {}, None
    if not isinstance(name, str):
        raise InputError.one(scenario_path, "calibration", "the name or path of a calibration parameter file", name)
    path = calibration_file(name, scenario_path.parent, scenario_path)
    document = read_yaml(path, "parameters")
    unknown = unknown_keys(document, path)
    if unknown is not None:
        raise unknown
    overrides, fitted = document.get("overrides"), document.get("fitted")
    if not isinstance(overrides, dict) or not overrides or not all(isinstance(k, str) for k in overrides):
        # empty, it set nothing: the run was uncalibrated while its manifest named the calibration
        raise InputError.one(path, "overrides", "a mapping of dotted scenario keys to values (at least one)",
                             overrides)
    nested = nested_calibration(path, overrides)
    if nested is not None:
        raise nested
    from .posterior import central_problems, fitted_section

    fitted = fitted_section(path, fitted)
    unfitted = unfitted_overrides(path, overrides, fitted, document.get("posterior"))
    if unfitted is not None:
        raise unfitted
    central = central_problems(path, fitted, overrides, lambda key: _value(data, key))
    if central:
        raise InputError(central)
    if "name" in document:  # it names its report and posterior; its ``scenario`` is a record, not checked
        plain_name(document["name"], path, "name")
    posterior = None
    if document.get("posterior") is not None:
        from .posterior import read

        name, sets = document["posterior"], document.get("parameter_sets")
        key = str(path), str(name), repr(sets), pickle.dumps(fitted, protocol=pickle.HIGHEST_PROTOCOL)  # all it reads
        posterior = kept(_POSTERIORS, key, [path.parent / str(name)],
                         lambda: read(name, path, fitted, sets, schema=schema), limit=4)
    return overrides, path, fitted, posterior


def unknown_keys(document: dict, path) -> InputError | None:
    """The keys of a parameter file that it has no use for (``PARAMETER_FILE_KEYS``), named without their
    values (a path given by mistake may be a credentials file); None if there are none."""
    unknown = [key for key in document if key not in PARAMETER_FILE_KEYS]
    if not unknown:
        return None
    return InputError([Problem(str(path), str(key), f"{UNKNOWN_KEY}: a calibration parameter file "
                                                    f"holds {', '.join(PARAMETER_FILE_KEYS)}") for key in unknown])


def nested_calibration(path, overrides: dict) -> InputError | None:
    """A parameter file's ``overrides`` naming a calibration: applied after the file itself, it would be
    recorded as the scenario's calibration while never applied (or, given as a caller's overrides, apply
    another parameter file beside this one's values)."""
    key = next((k for k in overrides if k.split(".")[0] == "calibration"), None)
    if key is None:
        return None
    return InputError.one(path, f"overrides.{key}", "fitted values of the scenario's keys, not a calibration (a "
                                                    "parameter file is one: it names no other)", overrides[key])


def unfitted_overrides(path, overrides: dict, fitted: dict, posterior) -> InputError | None:
    """A parameter file's ``overrides`` that are not among its ``fitted`` parameters, where it has a posterior:
    a replication drawing its set from the posterior replaces the fitted keys only, so such a value would
    change fixed-parameter runs and be ignored by the others."""
    if posterior is None:
        return None
    extra = [key for key in overrides if key not in fitted]
    if not extra:
        return None
    return InputError([Problem(str(path), f"overrides.{key}", "a fitted parameter of the file (a key of its fitted:), "
                                                              "as its posterior's draws set those alone", overrides[key])
                       for key in extra])


_POSTERIORS: dict = {}  # posterior tables read (sim.posterior.read), by what they were read from (``kept``)


def owner(layers: list, field: str) -> Path:
    """The file of ``layers`` (top first) where a dotted ``field`` of the merged data was set: the
    one whose own data reaches deepest along it, the top one on a tie (it overrides the others)."""
    keys = field.split(".") if field else []
    depth = [(_walk(data, keys)[0], -i) for i, (_, data) in enumerate(layers)]
    return layers[depth.index(max(depth))][0]


def removed(layers: list, field: str) -> tuple[Path, str] | None:
    """The file of ``layers`` (top first) that removed a dotted ``field`` of the merged data, or a
    section holding it, with ``null``; and the key it removed. None if no layer did."""
    keys = field.split(".")
    for path, data in layers:
        for depth in range(1, len(keys) + 1):
            if _walk(data, keys[:depth]) == (depth, None):
                return path, ".".join(keys[:depth])
    return None


def _value(data: dict, dotted: str):
    """The value at a dotted key of scenario ``data`` (KeyError if there is none)."""
    depth, value = _walk(data, dotted.split("."))
    if depth < len(dotted.split(".")) or value is None:
        raise KeyError(dotted)
    return value


def _walk(data, keys: list[str]) -> tuple[int, object]:
    """How many of ``keys`` lead into ``data`` (dict keys, or list indexes and integer keys written
    as text), and the value they lead to."""
    node = data
    for n, key in enumerate(keys):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict) and whole_number(key) is not None and whole_number(key) in node:
            node = node[whole_number(key)]
        elif isinstance(node, list) and whole_number(key) is not None and whole_number(key) < len(node):
            node = node[whole_number(key)]
        else:
            return n, None
    return len(keys), node


def attributed(error: InputError, path: Path, layers: list, calibrated: dict, calibration_path,
               overrides: dict, posterior=None, parameter_set: int | None = None) -> InputError:
    """``error`` with each problem of the scenario ``path`` named by the file that holds the value:
    the file it extends, when the mistake is there, or the calibration file, for a value it sets.
    With a ``posterior`` parameter set applied, a value it sets is the table's: named by its file,
    column and row (``Posterior.cell``), since the parameter file holds none of them.
    A caller's overrides stay at ``path`` (an experiment names them by its own fields). A key of
    ``uncertain:``, or one a problem ``refers`` to (the intake a supervision pool is capped at, the group
    of a pathway's stage), that a layer removed with ``null`` (or a section holding it) is named where it
    was removed, not where it is still referred to: the file referring to it was not edited."""
    problems = []
    for p in error.problems:
        file, field, expected, found = p.file, p.field, p.expected, p.found
        gone = next((g for g in (removed(layers, k) for k in p.refers) if g is not None), None)
        if gone is not None:
            referrer = owner(layers, p.field) if p.file == str(path) else Path(p.file)
            file, field, found = str(gone[0]), gone[1], None
            expected = f"a value, not null: {referrer.name} refers to it (its {p.field})"
        elif p.file == str(path) and covering_key(p.field, overrides or {}) is None:
            key = covering_key(p.field, calibrated)
            gone = removed(layers, p.field.removeprefix("uncertain.")) if p.field.startswith("uncertain.") else None
            set_below = [k for k in calibrated if k.startswith(f"{p.field}.")] if key is None and p.field else []
            if set_below and all(_walk(data, p.field.split("."))[0] < p.field.count(".") + 1 for _, data in layers):
                # a section no layer has, made by the calibration's keys below it (a choice share of a stage the
                # scenario's pathways lack): the scenario's calibration does not fit it, and no layer holds the field
                file, field = str(owner(layers, "calibration")), "calibration"
                expected = (f"a calibration fitting the scenario (or calibration: null, to load without it): "
                            f"{calibration_path.name} sets {set_below[0]}, and {p.field} should be {p.expected}")
            elif gone is not None:
                referrer = owner(layers, p.field)
                file, field, found = str(gone[0]), gone[1], None
                expected = f"a value, not null: {referrer.name} refers to {p.field.removeprefix('uncertain.')} " \
                           f"(its {p.field})"
            elif key is None:
                file = str(owner(layers, p.field))
            elif posterior is None or parameter_set is None:
                file = str(calibration_path)
            else:
                file, field, expected = str(posterior.file), *posterior.cell(key, parameter_set, p)
        problems.append(Problem(file, field, expected, found))
    return InputError(problems)


def left_out(error: InputError, path: Path, layers: list, overrides: dict | None, provided) -> InputError:
    """``error`` with the problems a layer's ``pathways:`` causes named there, at that key: a list replaces its
    base's whole (that of the next file below with one), so a layer leaving out a pathway of the base's leaves
    the files below it, and the pathway files, referring to its stages and groups (a group with no stage, a
    stock of no stage), and they were not edited. Such problems of one file are named once, with the pathways
    left out. ``provided(files, folder)`` gives the stages and groups of a list of pathway files
    (``sim.pathways.provided``); the caller's ``overrides`` stay at ``path``, as in ``attributed``."""
    files = [p for p, _ in layers]
    top = files.index(owner(layers, "pathways"))
    base = next(((p, data) for p, data in layers[top + 1:] if "pathways" in data), None)
    if base is None or "pathways" not in layers[top][1] or covering_key("pathways", overrides or {}) is not None:
        return error
    now = provided(layers[top][1]["pathways"], files[top].parent)
    gone = {name: entry for name, entry in provided(base[1]["pathways"], base[0].parent).items() if name not in now}
    out, at, referring = [], {}, {}
    for p in error.problems:
        referrer = owner(layers, p.field) if p.file == str(path) else Path(p.file)
        if isinstance(p.found, str) and p.found in gone and (referrer not in files or files.index(referrer) > top):
            if referrer not in referring:
                at[referrer] = len(out)
                out.append(None)  # its problems' place, filled below
            referring.setdefault(referrer, []).append(p)
        else:
            out.append(p)
    for referrer, problems in referring.items():
        entries = ", ".join(map(str, dict.fromkeys(gone[p.found] for p in problems)))
        fields = list(dict.fromkeys(p.field for p in problems))
        more = f" and {len(fields) - 6} more" if len(fields) > 6 else ""
        out[at[referrer]] = Problem(str(files[top]), "pathways", f"pathways with {entries} (left out of those of "
                                    f"{base[0].name}), whose stages and groups {referrer.name} refers to: its "
                                    f"{', '.join(fields[:6])}{more}", layers[top][1]["pathways"])
    return InputError(out)


def calibration_conflicts(layers: list, data: dict, calibrated: dict, calibration_path, fitted: dict,
                          overrides: dict) -> None:
    """Refuse a value of the scenario that its calibration would replace in silence: a key the
    calibration sets, given in a file extending the one that names the calibration, or edited
    (in any file) from the value the calibration was fitted from, where its parameter file records
    it (``fitted.<key>.shipped``). The caller's ``overrides`` are exempt: they replace the calibrated value."""
    named = next((i for i, (_, layer) in enumerate(layers) if "calibration" in layer), len(layers))
    # the calibration a layer names in place of its base's (None if it names none, or the base's own)
    base = next((layer["calibration"] for _, layer in layers[named + 1:] if "calibration" in layer), None)
    switched = named < len(layers) and layers[named][1]["calibration"] != base
    advice = "remove it, or add 'calibration: null' to load without the calibration"
    problems = []
    for key in calibrated:
        keys = key.split(".")
        if covering_key(key, overrides or {}) is not None:
            continue
        above = [path for path, layer in layers[:named] if _walk(layer, keys)[0] == len(keys)]
        recorded = fitted.get(key).get("shipped") if isinstance(fitted.get(key), dict) else None
        depth, value = _walk(data, keys)
        if above:
            problems.append(Problem(str(above[0]), key, f"no value for a key the calibration {calibration_path.name} "
                                                        f"sets (its value would replace this one): {advice}"))
        elif recorded is not None and depth == len(keys) and value != recorded:
            given = owner(layers, key)
            if switched and [p for p, _ in layers].index(given) > named:
                # a layer named another calibration than its base's: the choice is the mistake, not the base's value
                problems.append(Problem(str(layers[named][0]), "calibration", f"a calibration fitted from the values "
                                        f"of the scenario it extends: {calibration_path.name} was fitted from {key} "
                                        f"{_short(recorded)!r}, where {given.name} gives {_short(value)!r} (remove "
                                        f"'calibration' to keep the base's, or name one fitted from it)",
                                        layers[named][1]["calibration"]))
                break
            problems.append(Problem(str(given), key, f"the value calibration {calibration_path.name} "
                                                     f"was fitted from, {_short(recorded)!r}, as the "
                                                     f"calibration replaces it: {advice}", value))
    if problems:
        raise InputError(problems)


def input_files(paths) -> dict[str, str]:
    """``{absolute path: SHA-256 of its bytes}`` of the given files, in order, each once."""
    out = {}
    for path in dict.fromkeys(str(p) for p in paths if p is not None):  # a pathway file is named once per stage
        name = os.path.realpath(path)
        if name not in out:
            out[name] = sha256(name)
    return out


def changed(inputs: dict[str, str]) -> list[str]:
    """The files of ``input_files`` whose content is no longer the same (or that are gone)."""
    return [name for name, digest in inputs.items() if sha256(name) != digest]


def sha256(path) -> str | None:
    """The SHA-256 of a file's bytes (None if it cannot be read, or is no regular file).

    A digest is kept (by path) with the file's stamp: its device and inode, size, and modification
    and change times. While the path's stamp is the same, so are its bytes: writing to the file
    moves its change time, which no one can set back (unlike the modification time), and a file
    put in its place has another inode. Only the digest of a file whose stamp stayed the same while
    it was read, and whose times were ``_SETTLED_NS`` old by then, is kept: a write within one tick
    of the file system's clock (coarse on some), or stamped by a clock a little behind ours, could
    leave the times as they were, so a file written just now is read afresh every time."""
    name = os.fspath(path)
    try:
        found = os.stat(name)
        known = _DIGESTS.get(name)
        if known is not None and known[0] == _stamp(found):
            return known[1]
        if not stat.S_ISREG(found.st_mode):  # a named pipe would block, a device never end
            return None
        now = time.time_ns()
        with open(name, "rb") as fh:
            before = _stamp(os.fstat(fh.fileno()))
            digest = hashlib.sha256(fh.read()).hexdigest()
            after = _stamp(os.fstat(fh.fileno()))
    except (OSError, ValueError):
        return None
    if before == after and max(before[3], before[4]) < now - _SETTLED_NS:
        _DIGESTS.pop(name, None)
        if len(_DIGESTS) >= _DIGESTS_MAX:
            _DIGESTS.pop(next(iter(_DIGESTS)))
        _DIGESTS[name] = (before, digest)
    return digest


def _stamp(st: os.stat_result) -> tuple:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


_DIGESTS: dict[str, tuple[tuple, str]] = {}  # path: (its stamp, SHA-256), see sha256
_DIGESTS_MAX = 256
_SETTLED_NS = 5_000_000_000  # longer than any file system's clock tick (2 s on FAT) and a small clock skew


def kept(cache: dict, key, paths, build, limit: int = 16):
    """What ``build()``, which reads the files ``paths`` (and depends on nothing else but ``key``),
    gives: kept in ``cache`` under ``key`` and the files' SHA-256, so built again when any of them has
    other bytes. Only a value built while the digests stayed the same is kept (a file written
    meanwhile may have been read either way); a file that cannot be read is left to ``build`` to
    report, and nothing it raises is kept."""
    digests = tuple(sha256(p) for p in paths)
    full = (key, digests)
    if None not in digests and full in cache:
        return cache[full]
    value = build()
    if None not in digests and tuple(sha256(p) for p in paths) == digests:
        cache.pop(full, None)
        if len(cache) >= limit:
            cache.pop(next(iter(cache)))
        cache[full] = value
    return value


def ranges_file(name_or_path, relative_to: Path | None = None, file=None, field: str = "") -> Path:
    """A plausibility ranges file (``sim.plausibility``) a scenario names: a path (relative to
    ``relative_to``, the folder of the scenario file naming it, or else the current folder, as for
    ``--ranges``) or a shipped name; a file of that name elsewhere is never taken for it. A problem
    names the ``file`` and ``field`` that gave it (an option, as ``--ranges``; default: the name itself)."""
    base = relative_to or Path.cwd()
    for candidate in (base / str(name_or_path), RANGES_DIR / str(name_or_path), RANGES_DIR / f"{name_or_path}.yaml"):
        if is_file(candidate):
            return candidate
        if file is not None:
            refuse_special(candidate, file, field)
    shipped = ", ".join(p.stem for p in sorted(RANGES_DIR.glob("*.yaml")))
    expected = f"an existing plausibility ranges file or a shipped one's name ({shipped})"
    if file is None:
        raise InputError.one(name_or_path, "", expected)
    raise InputError.one(file, field, expected, name_or_path)
