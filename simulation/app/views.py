"""The app's pictures: the organisation network, the sector and the time series.

Everything here is plain matplotlib (Mesa's matplotlib backend for the network), so it
renders offline and can be timed and tested without a browser. Colours are the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies; kinds
of staff also differ in marker where it matters (champions are stars).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from mesa.visualization import SpaceRenderer
from mesa.visualization.components import AgentPortrayalStyle
from mesa.visualization.space_drawers import NetworkSpaceDrawer
from PIL import Image

from simulation.core.parameters import EXPOSURE_CLASSES
from simulation.core.state import Kind

if TYPE_CHECKING:
    import mesa

    from simulation.app.classroom import ClassroomModel

#: Okabe-Ito colours (Okabe & Ito 2008), chosen to be told apart with colour-blindness.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: Each kind of staff: its colour and the name a room reads.
KIND_STYLE: dict[Kind, tuple[str, str]] = {
    Kind.EXECUTIVE: (OKABE_ITO["vermillion"], "executive"),
    Kind.SENIOR: (OKABE_ITO["orange"], "senior manager"),
    Kind.TEAM_LEADER: (OKABE_ITO["blue"], "team leader"),
    Kind.CLINICIAN: (OKABE_ITO["sky_blue"], "clinician"),
    Kind.PEER_WORKER: (OKABE_ITO["bluish_green"], "peer worker"),
    Kind.PEER_LEADER: (OKABE_ITO["reddish_purple"], "LE leader"),
}

#: Colour of each initial exposure class in the sector view.
EXPOSURE_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["blue"])

#: The time series panels: sector column, title, colour.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("peer_workers", "Peer workers", OKABE_ITO["bluish_green"]),
    ("orgs_without_peers", "Organisations without peers", OKABE_ITO["vermillion"]),
    ("mean_stigma", "Mean stigma (0-1)", OKABE_ITO["reddish_purple"]),
    ("mean_commitment_managers", "Managers' commitment (0-1)", OKABE_ITO["blue"]),
)

MARKER_SIZE = 90
CHAMPION_SIZE = 300
#: Resolution of the figures (dots per inch): sharp on a projector, quick to draw.
FIGURE_DPI = 80


def portray_staff(agent: Any) -> AgentPortrayalStyle:
    """How one staff member is drawn: colour by kind, shade by commitment or stigma.

    The shade is the marker's opacity: from faint (0) to solid (1) on the chosen scale.
    Champions are drawn as larger stars with a black edge.

    Args:
        agent: A staff agent of a :class:`~simulation.app.classroom.ClassroomModel`.

    Returns:
        The agent's style. Its ``x`` and ``y`` are its network node, which Mesa's
        renderer maps to the node's position.
    """
    colour, _ = KIND_STYLE[agent.kind]
    value = getattr(agent, agent.model.shade_by)
    champion = agent.champion
    return AgentPortrayalStyle(
        x=agent.unique_id,
        y=agent.unique_id,
        color=colour,
        marker="*" if champion else "o",
        size=CHAMPION_SIZE if champion else MARKER_SIZE,
        zorder=3 if champion else 2,
        alpha=float(0.2 + 0.8 * np.clip(value, 0.0, 1.0)),
        edgecolors=OKABE_ITO["black"],
        linewidths=1.2 if champion else 0.5,
    )


def _fixed_layout(positions: dict[int, tuple[float, float]]) -> Any:
    """A networkx-style layout function that returns ``positions`` (no computing)."""

    def layout(graph: Any, **_: Any) -> dict[int, tuple[float, float]]:
        return {node: positions[node] for node in graph.nodes}

    return layout


class OrganisationRenderer(SpaceRenderer):
    """Mesa's ``SpaceRenderer`` for the organisation on screen, with stable positions.

    Mesa's renderer makes its network drawer once, with a spring layout, when it is
    created; the app then hands it the model's ``grid`` before every drawing (as Mesa's
    own app does). Here setting ``space`` (a new month's network, or another
    organisation) also makes a new drawer that places each node where the network's cells
    say (the stable layout), so nobody moves and no layout is computed while the app
    runs. The figure holds no text (its key and caption are in the page, as text) and has
    a fixed layout.

    Args:
        model: A :class:`~simulation.app.classroom.ClassroomModel`.
        backend: Only ``"matplotlib"`` (the backend Mesa's app names when it copies one).
    """

    def __init__(self, model: ClassroomModel, backend: str = "matplotlib") -> None:
        if backend != "matplotlib":
            raise ValueError(f"backend = {backend!r}: the app draws with 'matplotlib' only")
        super().__init__(model, backend="matplotlib")
        figure = self.backend_renderer.fig
        figure.set_size_inches(7.0, 4.6)
        figure.set_dpi(FIGURE_DPI)
        # Mesa's figure lays itself out at every drawing; an axes filling it needs no layout.
        figure.set_layout_engine("none")
        self.backend_renderer.ax.set_position((0.01, 0.01, 0.98, 0.98))
        self.setup_structure(
            node_kwargs={"node_size": 0},
            edge_kwargs={
                "edge_color": "#888888",
                "alpha": 0.5,
                "style": "-",
                "width": 0.6,
                "edgelist": self.line_edges,
            },
        )
        self.setup_agents(portray_staff)
        self.render()  # Mesa's app redraws only what has been drawn once

    @property
    def space(self) -> mesa.discrete_space.Network:
        """The network drawn."""
        return self._space

    @space.setter
    def space(self, network: mesa.discrete_space.Network) -> None:
        self._space = network
        positions = {cell.coordinate: tuple(cell.position) for cell in network.all_cells}
        self.space_drawer = NetworkSpaceDrawer(
            network, layout_alg=_fixed_layout(positions), layout_kwargs={}
        )
        backend = getattr(self, "backend_renderer", None)
        if backend is not None:
            backend.space_drawer = self.space_drawer
        # Only line management is drawn: a team is already visible as a cluster, and its
        # every-pair edges were most of the drawing's ink and time.
        self.line_edges = [
            (a, b) for a, b, relation in network.G.edges(data="relation") if relation == "line"
        ]
        edge_kwargs = getattr(self, "draw_space_kwargs", {}).get("edge_kwargs")
        if edge_kwargs is not None:
            edge_kwargs["edgelist"] = self.line_edges

    def _get_space_drawer(self) -> NetworkSpaceDrawer:
        return self.space_drawer


class BlittedFigure:
    """A figure whose fixed parts are drawn once and whose changing parts are drawn each month.

    Drawing text is most of the cost of a matplotlib figure (a few milliseconds per label
    on these machines), and axes, ticks, titles and legends do not change from month to
    month. So the figure is drawn without its *changing* artists (marked animated), the
    picture kept, and each update pastes it back and draws only the changing artists on
    top: lines, bars, markers. The fixed parts are drawn again only when their ``key``
    changes (a new axis range).

    Args:
        figure: The figure.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.background: Any = None
        self.key: Any = None
        self.changing: list[Any] = []

    def changes(self, *artists: Any) -> None:
        """Mark artists as changing (drawn every update, not kept in the background)."""
        for artist in artists:
            artist.set_animated(True)
            self.changing.append(artist)

    def png(self, key: Any) -> bytes:
        """The figure as a PNG, redrawing the fixed parts only if ``key`` changed.

        Args:
            key: Anything that identifies the fixed parts (e.g. the axis limits).

        Returns:
            The PNG's bytes.
        """
        if self.background is None or key != self.key:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.key = key
        else:
            self.canvas.restore_region(self.background)
        for artist in self.changing:
            artist.axes.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        return _encode(Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba()))


def _horizon(model: ClassroomModel) -> int:
    """The last month on the time axis: the story's length (ten years) or further as needed."""
    steps = model.story_scenario.steps if model.story_scenario is not None else 120
    return max(steps, 12 * (model.month // 12 + 1)) if model.month >= steps else steps


class TimeSeriesView:
    """The sector's key series so far, with the months of interventions marked.

    The time axis runs to the story's horizon (ten years) from the start, so a room sees
    how far the run goes and the axes do not move. Made once per model (see
    :class:`BlittedFigure`).

    Args:
        model: The model.
    """

    def __init__(self, model: ClassroomModel) -> None:
        self.model = model
        figure = Figure(figsize=(7.0, 4.6), dpi=FIGURE_DPI)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.93, hspace=0.3, wspace=0.22)
        self.blit = BlittedFigure(figure)
        self.axes = figure.subplots(2, 2, sharex=True).flatten()
        self.lines = []
        for ax, (_, title, colour) in zip(self.axes, SERIES, strict=True):
            (line,) = ax.plot([], [], color=colour, linewidth=2)
            self.lines.append(line)
            self.blit.changes(line)
            ax.set_title(title, fontsize=10)
            ax.yaxis.set_major_locator(MaxNLocator(4))
            ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
            ax.grid(alpha=0.3)
        for ax in self.axes[2:]:
            ax.set_xlabel("month")
        self.marked = 0  # events marked so far

    def png(self) -> bytes:
        """The figure at the model's month, as a PNG.

        Returns:
            The PNG's bytes.
        """
        model = self.model
        # The DataCollector's own lists: building the sector frame every month costs more.
        recorded = model.datacollector.model_vars
        months = np.arange(len(recorded[SERIES[0][0]]))
        limits = []
        for ax, line, (column, _, _) in zip(self.axes, self.lines, SERIES, strict=True):
            values = np.asarray(recorded[column], dtype=float)
            line.set_data(months, values)
            if column.startswith("mean"):
                top = 1.0
            elif column == "orgs_without_peers":
                top = float(model.n_orgs)
            else:  # peer workers: room to grow, doubled when reached
                top = 50.0
                while values.max(initial=0.0) > 0.9 * top:
                    top *= 2
            ax.set_ylim(0, top * 1.05)
            limits.append(top)
        horizon = _horizon(model)
        self.axes[0].set_xlim(0, horizon)
        for event in model.marked_events[self.marked :]:
            for ax in self.axes:
                mark = ax.axvline(
                    event.month, color="black", linestyle="--", linewidth=0.8, alpha=0.7
                )
                self.blit.changes(mark)
            label = self.axes[0].annotate(
                event.label,
                (event.month, 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                fontsize=7,
                va="top",
                ha="right",
            )
            self.blit.changes(label)
        self.marked = len(model.marked_events)
        return self.blit.png((horizon, tuple(limits)))


class SectorView:
    """Every organisation now: its peer share, its exposure class, whether it has an LE leader.

    One bar per organisation, coloured by initial exposure class, the one on screen
    outlined; a triangle marks an LE leader. Made once per model (see
    :class:`BlittedFigure`).

    Args:
        model: The model.
    """

    def __init__(self, model: ClassroomModel) -> None:
        self.model = model
        classes = model.structure.exposure_class
        figure = Figure(figsize=(7.0, 3.4), dpi=FIGURE_DPI)
        figure.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)
        self.blit = BlittedFigure(figure)
        ax = self.ax = figure.subplots()
        # The bars are one collection of rectangles (one artist to draw each month, not one
        # per organisation); the one on screen is outlined by a rectangle of its own.
        self.bars = PolyCollection(
            self._rectangles(np.zeros(model.n_orgs)),
            facecolors=[EXPOSURE_COLOURS[c] for c in classes],
            edgecolors="none",
        )
        ax.add_collection(self.bars)
        self.outline = Rectangle((-0.4, 0), 0.8, 0, fill=False, edgecolor="black", linewidth=2)
        ax.add_patch(self.outline)
        self.leaders = ax.scatter(
            [], [], marker="^", s=45, color=KIND_STYLE[Kind.PEER_LEADER][0],
            edgecolors="black", zorder=3,
        )  # fmt: skip
        self.blit.changes(self.bars, self.outline, self.leaders)
        if model.org_names is not None:
            # A sector file's organisations are few and known by name: name every bar.
            ax.set_xticks(range(model.n_orgs), model.org_names, rotation=20, ha="right")
            ax.tick_params(axis="x", labelsize=7)
            figure.subplots_adjust(bottom=0.28)
        ax.set_xlabel("organisation (outlined: the one on screen)")
        ax.set_ylabel("peer workers, % of staff")
        ax.set_title("The sector now: each organisation's peer workforce", fontsize=10)
        if model.org_names is None:
            ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlim(-0.6, model.n_orgs - 0.4)
        handles = [
            Line2D([], [], marker="s", linestyle="", color=colour, label=f"exposure: {name}")
            for colour, name in zip(EXPOSURE_COLOURS, EXPOSURE_CLASSES, strict=True)
        ]
        handles.append(
            Line2D(
                [], [], marker="^", linestyle="", color=KIND_STYLE[Kind.PEER_LEADER][0],
                markeredgecolor="black", label="has an LE leader",
            )
        )  # fmt: skip
        ax.legend(handles=handles, fontsize=8, loc="upper left", ncols=2, frameon=False)

    @staticmethod
    def _rectangles(heights: np.ndarray) -> np.ndarray:
        """One bar per organisation, 0.8 wide, as polygon vertices."""
        x = np.arange(heights.size, dtype=float)
        left, right = x - 0.4, x + 0.4
        zero = np.zeros_like(x)
        corners = [(left, zero), (left, heights), (right, heights), (right, zero)]
        return np.stack([np.column_stack(corner) for corner in corners], axis=1)

    def png(self) -> bytes:
        """The figure at the model's month, as a PNG.

        Returns:
            The PNG's bytes.
        """
        model = self.model
        summary = model.org_summary()
        share = 100.0 * np.asarray(summary["peer_share"], dtype=float)
        top = 20.0  # per cent; doubled when reached
        while share.max(initial=0.0) > 0.7 * top:
            top *= 2
        self.bars.set_verts(self._rectangles(share))
        self.outline.set_x(model.view_org - 0.4)
        self.outline.set_height(share[model.view_org])
        leaders = np.flatnonzero(np.asarray(summary["le_leader"]) > 0)
        self.leaders.set_offsets(np.column_stack([leaders, share[leaders] + 0.04 * top]))
        self.ax.set_ylim(0, top)
        return self.blit.png(top)


def network_png(model: ClassroomModel) -> bytes:
    """The organisation on screen at the model's month, drawn by Mesa's ``SpaceRenderer``.

    The model keeps its :class:`OrganisationRenderer`; each month it is given the month's
    network, cleared and drawn again (structure, then agents), as Mesa's own app does, and
    the picture encoded here (without Mesa's tight cropping, which costs a drawing).

    Args:
        model: The model.

    Returns:
        The PNG's bytes.
    """
    renderer = _view(model, OrganisationRenderer)
    renderer.space = model.grid
    axes = renderer.canvas
    for artist in [*axes.lines, *axes.collections, *axes.patches, *axes.artists]:
        artist.remove()
    renderer.draw_structure()
    renderer.draw_agents()
    figure = axes.get_figure()
    raw = io.BytesIO()
    figure.savefig(raw, format="rgba", dpi=FIGURE_DPI)
    width, height = (int(round(side * FIGURE_DPI)) for side in figure.get_size_inches())
    return _encode(Image.frombuffer("RGBA", (width, height), raw.getvalue()))


def _encode(image: Image.Image) -> bytes:
    """A picture as PNG: opaque RGB at the lowest compression (a third quicker than RGBA)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def time_series_png(model: ClassroomModel) -> bytes:
    """The model's time series figure at its month, as a PNG (see :class:`TimeSeriesView`).

    Args:
        model: The model.

    Returns:
        The PNG's bytes.
    """
    return _view(model, TimeSeriesView).png()


def sector_png(model: ClassroomModel) -> bytes:
    """The model's sector figure at its month, as a PNG (see :class:`SectorView`).

    Args:
        model: The model.

    Returns:
        The PNG's bytes.
    """
    return _view(model, SectorView).png()


def _view(model: ClassroomModel, kind: type) -> Any:
    """The model's view of ``kind``, made on first use and kept with the model."""
    views = model.__dict__.setdefault("_app_views", {})
    if kind not in views:
        views[kind] = kind(model)
    return views[kind]
