"""One module per monthly process; each has ``step(model)``. The order is in ``sim.model``."""
