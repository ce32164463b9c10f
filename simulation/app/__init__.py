"""The educator's app: an interactive Solara visualisation of an organisation and the sector.

The app layer sits on top (beside the command line) and imports only downward: the core,
the runs layer (scenario files, for its stories) and nothing above. ``lewsim app`` serves
:mod:`simulation.app.page`; :mod:`~simulation.app.classroom` is the model it runs,
:mod:`~simulation.app.layout` where people are drawn, :mod:`~simulation.app.views` the
pictures, :mod:`~simulation.app.levers` the sliders and :mod:`~simulation.app.stories`
the preset stories. Importing this package imports no part of it (and no Solara).
"""
