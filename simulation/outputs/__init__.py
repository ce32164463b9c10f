"""The outputs layer: result files and their manifest, figures, and self-contained reports.

It renders what :mod:`simulation.runs` computes; it never runs the model itself.
"""
