"""Compiled per-person work: each process's month over the people it touches, in plain loops.

numba compiles these on first use and caches the machine code beside the package, so a fresh
install pays the compilation once. Random draws hash the person's key with the stream's salt
for the month (``sim.rng``, ``streams``): results do not depend on the order people are visited.
"""
