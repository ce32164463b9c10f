"""The model core: the ODD model and nothing else.

One module per concept, in the order a reader meets them in ``docs/ODD.md``:
:mod:`~simulation.core.parameters` (the frozen, checked parameter set),
:mod:`~simulation.core.environment` (the outside world's series),
:mod:`~simulation.core.streams` (one random stream per decision),
:mod:`~simulation.core.state` (per-staff and per-organisation numpy arrays),
:mod:`~simulation.core.sector` (the generated sector), :mod:`~simulation.core.circles`
(who meets whom), :mod:`~simulation.core.processes` (one vectorised function per monthly
process, in step order), :mod:`~simulation.core.interventions` (scheduled events),
:mod:`~simulation.core.reporters` (the monthly sector columns),
:mod:`~simulation.core.agents` (Mesa agents as handles over the arrays),
:mod:`~simulation.core.model` (the Mesa ``SectorModel`` and ``simulate``) and
:mod:`~simulation.core.outcomes` (scalar outcomes of a run). Nothing here imports the
runs, outputs, cli or app layers (``lint-imports`` checks it).
"""
