"""How a month compiled as one call should call the processes' passes: what each way costs to
compile and to call, measured on the real passes.

Why: the 30 ms target needs a month's passes called from compiled code, not from Python, and the
first run's target (at most 10 s of compiling) has so far ruled that out: a compiled function
calling another links the callee's code into its own and LLVM optimises it again, so a month
calling the passes compiled as long as the passes themselves took (``README.md``). numba also
gives every compiled pass a C entry point of its own (its ``cfunc`` wrapper); a month that calls
the passes through those addresses compiles only itself. This script builds the month of the
five clocked steps (attrition, leaving, hours reviews, retirement, returning) both ways, from
their compiled passes and the arguments a default run gives them at one month:

- linked: a compiled function calling the five passes' dispatchers;
- by address: a compiled function calling each pass at its entry point's address, given as a
  number (``by_address``, an intrinsic: a call through a pointer, nothing linked);
- arguments only: a compiled function given the same arguments that calls nothing, which is what
  taking the arguments apart (and compiling the code that does) costs either month.

For each it prints the seconds compiling the month took (in a fresh process with numba's cache in
an empty folder, the passes themselves compiled and timed first), and the microseconds a call
of the month takes against the five passes called one by one from Python with the same
arguments. It never asserts them.

    python benchmarks/bench_month_calls.py [--calls N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = ("attrition", "leaving", "reviews", "retirement", "returning")


def by_address():
    """The intrinsic ``by_address(address, args, restype)``: call the compiled function at ``address``
    (a pass's C entry point) with the tuple ``args``, returning ``restype`` (a type given as a global)."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def call(typingctx, address, args, restype):
        result = restype.instance_type

        def codegen(context, builder, signature, values):
            kinds = list(signature.args[1])
            function = ir.FunctionType(context.get_value_type(result), [context.get_value_type(k) for k in kinds])
            pointer = builder.inttoptr(values[0], function.as_pointer())
            return builder.call(pointer, [builder.extract_value(values[1], k) for k in range(len(kinds))])

        return result(address, args, restype), codegen

    return call


def entry_address(dispatcher) -> int:
    """The address of a compiled pass's C entry point (its one signature's ``cfunc`` wrapper)."""
    result = dispatcher.overloads[dispatcher.signatures[0]]
    return result.library.get_pointer_to_function(result.fndesc.llvm_cfunc_wrapper_name)


def captured(month: int) -> dict:
    """The arguments the five clocked passes are given at ``month`` of a default run (seed 1), and the
    model, which must outlive them: some are addresses of its arrays."""
    import sim
    from sim.kernels import exits, participation, retiring

    passes = {"attrition": (exits, "attrition"), "leaving": (exits, "leaving"),
              "reviews": (participation, "reviews"), "retirement": (exits, "retirement"),
              "returning": (retiring, "returning")}
    seen: dict = {}
    for step, (module, name) in passes.items():
        dispatcher = getattr(module, name)

        def record(*args, step=step, dispatcher=dispatcher):
            if model.now == month:
                seen[step] = (dispatcher, args)
            return dispatcher(*args)

        setattr(module, name, record)
    model = sim.WorkforceModel(rng=1, until=2022)
    model.run()
    for step, (module, name) in passes.items():
        setattr(module, name, seen[step][0])
    return {"seen": seen, "model": model}


def trial(way: str, calls: int) -> dict:
    """In this process (numba's cache empty): the month built ``way``, its compiling and its calls."""
    import numba
    import numpy as np

    started = time.perf_counter()
    kept = captured(month=24260)  # September 2021: every pass has people due
    seen = kept["seen"]
    passes_compiled = time.perf_counter() - started
    arguments = tuple(tuple(seen[s][1]) for s in STEPS)
    if way == "arguments":
        month = numba.njit(lambda args: 0)
        given = (arguments,)
    elif way == "linked":
        namespace = {f"p{k}": seen[s][0] for k, s in enumerate(STEPS)}
        source = "def month(args):\n" + "".join(f"    r{k} = p{k}(*args[{k}])\n" for k in range(len(STEPS))) \
            + "    return r0, r1, r2, r3, r4\n"
        exec(source, namespace)
        month = numba.njit(namespace["month"])
        given = (arguments,)
    else:
        call = by_address()
        namespace = {"call": call, **{f"t{k}": seen[s][0].overloads[seen[s][0].signatures[0]].signature.return_type
                                      for k, s in enumerate(STEPS)}}
        source = "def month(addresses, args):\n" + "".join(
            f"    r{k} = call(addresses[{k}], args[{k}], t{k})\n" for k in range(len(STEPS))) \
            + "    return r0, r1, r2, r3, r4\n"
        exec(source, namespace)
        month = numba.njit(namespace["month"])
        given = (np.array([entry_address(seen[s][0]) for s in STEPS], dtype=np.int64), arguments)
    started = time.perf_counter()
    month.compile(tuple(numba.typeof(g) for g in given))
    compiled = time.perf_counter() - started
    month(*given)
    started = time.perf_counter()
    for _ in range(calls):
        month(*given)
    per_call = (time.perf_counter() - started) / calls
    started = time.perf_counter()
    for _ in range(calls):
        for s in STEPS:
            seen[s][0](*seen[s][1])
    from_python = (time.perf_counter() - started) / calls
    return {"way": way, "passes": passes_compiled, "month": compiled, "call_us": 1e6 * per_call,
            "python_us": 1e6 * from_python}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls of each month timed (default 2000)")
    parser.add_argument("--trial", choices=["linked", "address", "arguments"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.trial:
        print(json.dumps(trial(args.trial, args.calls)))
        return []
    print(f"the five clocked steps' passes as one compiled month, {os.cpu_count()} cores; "
          "compiling at optimisation level 1 as the workforce command does")
    rows = []
    for way in ("linked", "address", "arguments"):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache, "NUMBA_OPT": os.environ.get("NUMBA_OPT", "1"),
                   "PYTHONPATH": str(REPO)}
            out = subprocess.run([sys.executable, __file__, "--trial", way, "--calls", str(args.calls)], env=env,
                                 check=True, capture_output=True, text=True, cwd=REPO).stdout
        row = json.loads(out.strip().splitlines()[-1])
        rows.append(row)
        print(f"  {way:9s} passes compiled (and a run) {row['passes']:5.1f} s; the month compiled {row['month']:5.2f} s; "
              f"a call {row['call_us']:6.1f} us, the five from Python {row['python_us']:6.1f} us")
    return rows


if __name__ == "__main__":
    main()
