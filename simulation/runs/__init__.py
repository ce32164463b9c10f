"""The runs layer: replications, scenarios, comparisons, validation and calibration.

Everything here builds on the model core (:mod:`simulation`) and returns data (frames,
dataclasses); nothing here writes files, draws figures or prints: that is
:mod:`simulation.outputs` and :mod:`simulation.cli`.
"""
